// Memory-bound float32 elementwise kernels of a training step: relu and its gradient, the four
// arithmetic ops (both operands, one a scalar, or a scalar per row), sqrt, square, neg, abs,
// leakyRelu, comparisons and where. In JavaScript these run one element per loop turn with a
// bounds check on each access; here four lanes per instruction. Every result is bit-identical to
// the TypeScript kernels: IEEE single add, sub, mul, div and sqrt round exactly as float64
// arithmetic rounded to float32 does, and the selects and comparisons follow the same order.
// Called directly on the calling thread (a pass over memory is too short to share with workers);
// arguments are byte addresses. Pooling is in pool.mjs, the fused updates and sums in update.mjs.

import { c, g, params, s } from './wat.mjs';

/** Binary ops and their instructions. */
const BINARY = { add: 'add', sub: 'sub', mul: 'mul', div: 'div' };

/**
 * A loop over n elements, four at a time with `vec` (SIMD variants) and then one at a time with
 * `one`; `ptrs` are the byte-address locals to advance (by 16, then 4).
 */
export function lanes(simd, ptrs, vec, one) {
  const step = (k) => ptrs.map((p) => s(p, `(i32.add ${g(p)} ${c(k)})`)).join(' ');
  const vloop = simd
    ? `
  (block $vb (loop $vl
    (br_if $vb (i32.lt_s ${g('n')} ${c(4)}))
    ${vec}
    ${step(16)} ${s('n', `(i32.sub ${g('n')} ${c(4)})`)}
    (br $vl)))`
    : '';
  return `${vloop}
  (block $sb (loop $sl
    (br_if $sb (i32.le_s ${g('n')} ${c(0)}))
    ${one}
    ${step(4)} ${s('n', `(i32.sub ${g('n')} ${c(1)})`)}
    (br $sl)))`;
}

/** relu_f32(dst, src, n): dst = src <= 0 ? +0 : src (NaN passes), by masking the bits. */
function relu(simd) {
  return `
(func $relu_f32 ${params('i32', 'dst', 'src', 'n')} ${simd ? '(local $v v128)' : ''} (local $x f32)
  ${lanes(
    simd,
    ['dst', 'src'],
    `${s('v', `(v128.load ${g('src')})`)}
    (v128.store ${g('dst')} (v128.andnot ${g('v')} (f32x4.le ${g('v')} (v128.const f32x4 0 0 0 0))))`,
    // On the bits, as the TypeScript kernel: V8 compiles an f32 select into a branch.
    `${s('x', `(f32.load ${g('src')})`)}
    (i32.store ${g('dst')} (i32.and (i32.reinterpret_f32 ${g('x')}) (i32.sub (f32.le ${g('x')} (f32.const 0)) ${c(1)})))`,
  )})`;
}

/** threshold_bwd_f32(dst, gr, x, n, t): dst = x <= t ? +0 : gr (NaN in x passes gr). */
function thresholdBackward(simd) {
  return `
(func $threshold_bwd_f32 ${params('i32', 'dst', 'gr', 'x', 'n')} (param $t f32) ${simd ? '(local $tv v128)' : ''}
  ${simd ? s('tv', `(f32x4.splat ${g('t')})`) : ''}
  ${lanes(
    simd,
    ['dst', 'gr', 'x'],
    `(v128.store ${g('dst')} (v128.andnot (v128.load ${g('gr')}) (f32x4.le (v128.load ${g('x')}) ${g('tv')})))`,
    `(i32.store ${g('dst')} (i32.and (i32.load ${g('gr')}) (i32.sub (f32.le (f32.load ${g('x')}) ${g('t')}) ${c(1)})))`,
  )})`;
}

/**
 * For each op: {op}_vv_f32(dst, a, b, n): dst = a op b; {op}_vs_f32(dst, a, n, b): dst = a op b
 * with b a scalar; {op}_sv_f32(dst, b, n, a): dst = a op b with a a scalar.
 */
function binary(simd) {
  let text = '';
  for (const [name, ins] of Object.entries(BINARY)) {
    text += `
(func $${name}_vv_f32 ${params('i32', 'dst', 'a', 'b', 'n')}
  ${lanes(
    simd,
    ['dst', 'a', 'b'],
    `(v128.store ${g('dst')} (f32x4.${ins} (v128.load ${g('a')}) (v128.load ${g('b')})))`,
    `(f32.store ${g('dst')} (f32.${ins} (f32.load ${g('a')}) (f32.load ${g('b')})))`,
  )})
(func $${name}_vs_f32 ${params('i32', 'dst', 'a', 'n')} (param $b f32) ${simd ? '(local $bv v128)' : ''}
  ${simd ? s('bv', `(f32x4.splat ${g('b')})`) : ''}
  ${lanes(
    simd,
    ['dst', 'a'],
    `(v128.store ${g('dst')} (f32x4.${ins} (v128.load ${g('a')}) ${g('bv')}))`,
    `(f32.store ${g('dst')} (f32.${ins} (f32.load ${g('a')}) ${g('b')}))`,
  )})
(func $${name}_sv_f32 ${params('i32', 'dst', 'b', 'n')} (param $a f32) ${simd ? '(local $av v128)' : ''}
  ${simd ? s('av', `(f32x4.splat ${g('a')})`) : ''}
  ${lanes(
    simd,
    ['dst', 'b'],
    `(v128.store ${g('dst')} (f32x4.${ins} ${g('av')} (v128.load ${g('b')})))`,
    `(f32.store ${g('dst')} (f32.${ins} ${g('a')} (f32.load ${g('b')})))`,
  )})`;
  }
  return text;
}

/** Export lines of the binary kernels. */
function binaryExports() {
  return Object.keys(BINARY)
    .flatMap((name) => ['vv', 'vs', 'sv'].map((k) => `(export "${name}_${k}_f32" (func $${name}_${k}_f32))`))
    .join('\n');
}

// More unary ops: sqrt (correctly rounded in both sets of instructions), square, neg and abs
// (exact in float32 as in float64 rounded), and leakyRelu, whose product v * alpha is formed in
// float64 and rounded once, as the TypeScript kernel does (alpha is a float64 that float32 may
// not hold).

/** {sqrt,square,neg,abs}_f32(dst, src, n). */
function simpleUnary(simd) {
  const ops = {
    sqrt: [(v) => `(f32x4.sqrt ${v})`, (v) => `(f32.sqrt ${v})`],
    square: [(v) => `(f32x4.mul ${v} ${v})`, (v) => `(f32.mul ${v} ${v})`],
    neg: [(v) => `(f32x4.neg ${v})`, (v) => `(f32.neg ${v})`],
    abs: [(v) => `(f32x4.abs ${v})`, (v) => `(f32.abs ${v})`],
  };
  let text = '';
  for (const [name, [vec, one]] of Object.entries(ops)) {
    text += `
(func $${name}_f32 ${params('i32', 'dst', 'src', 'n')} ${simd ? '(local $v v128)' : ''} (local $x f32)
  ${lanes(
    simd,
    ['dst', 'src'],
    `${s('v', `(v128.load ${g('src')})`)} (v128.store ${g('dst')} ${vec(g('v'))})`,
    `${s('x', `(f32.load ${g('src')})`)} (f32.store ${g('dst')} ${one(g('x'))})`,
  )})`;
  }
  return text;
}

/** leaky_relu_f32(dst, src, n, alpha f64): dst = v > 0 ? v : round32(v * alpha). */
function leakyRelu(simd) {
  const hi = '(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7';
  const prod = `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 ${g('v')}) ${g('av')}))
      (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 ${hi} ${g('v')} ${g('v')})) ${g('av')})))`;
  return `
(func $leaky_relu_f32 ${params('i32', 'dst', 'src', 'n')} (param $a f64) ${simd ? '(local $v v128) (local $av v128)' : ''} (local $x f32)
  ${simd ? s('av', `(f64x2.splat ${g('a')})`) : ''}
  ${lanes(
    simd,
    ['dst', 'src'],
    `${s('v', `(v128.load ${g('src')})`)}
    (v128.store ${g('dst')} (v128.bitselect ${g('v')} ${prod} (f32x4.gt ${g('v')} (v128.const f32x4 0 0 0 0))))`,
    `${s('x', `(f32.load ${g('src')})`)}
    (f32.store ${g('dst')} (f32.reinterpret_i32 (select (i32.reinterpret_f32 ${g('x')})
      (i32.reinterpret_f32 (f32.demote_f64 (f64.mul (f64.promote_f32 ${g('x')}) ${g('a')})))
      (f32.gt ${g('x')} (f32.const 0)))))`,
  )})`;
}

// Comparisons of float32 operands into bool bytes (1 or 0), both operands or one a scalar:
// {op}_cvv_f32(dst, a, b, n), {op}_cvs_f32(dst, a, n, b), {op}_csv_f32(dst, b, n, a). Sixteen
// results per turn: four f32x4 masks narrowed to bytes.
const COMPARE = { eq: 'eq', ne: 'ne', lt: 'lt', le: 'le', gt: 'gt', ge: 'ge' };

function compare(simd) {
  let text = '';
  const forms = {
    cvv: {
      ptrs: ['a', 'b'],
      sig: ['dst', 'a', 'b', 'n'],
      va: (k) => `(v128.load offset=${16 * k} ${g('a')})`,
      vb: (k) => `(v128.load offset=${16 * k} ${g('b')})`,
      sa: `(f32.load ${g('a')})`,
      sb: `(f32.load ${g('b')})`,
    },
    cvs: {
      ptrs: ['a'],
      sig: ['dst', 'a', 'n'],
      scalar: 'b',
      va: (k) => `(v128.load offset=${16 * k} ${g('a')})`,
      vb: () => g('bv'),
      sa: `(f32.load ${g('a')})`,
      sb: g('b'),
    },
    csv: {
      ptrs: ['b'],
      sig: ['dst', 'b', 'n'],
      scalar: 'a',
      va: () => g('av'),
      vb: (k) => `(v128.load offset=${16 * k} ${g('b')})`,
      sa: g('a'),
      sb: `(f32.load ${g('b')})`,
    },
  };
  for (const [name, ins] of Object.entries(COMPARE)) {
    for (const [form, f] of Object.entries(forms)) {
      const m = (k) => `(f32x4.${ins} ${f.va(k)} ${f.vb(k)})`;
      const adv = (k) => f.ptrs.map((p) => s(p, `(i32.add ${g(p)} ${c(k)})`)).join(' ');
      const vec = simd
        ? `
  (block $vb (loop $vl
    (br_if $vb (i32.lt_s ${g('n')} ${c(16)}))
    (v128.store ${g('dst')} (v128.and (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)
      (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${m(0)} ${m(1)}) (i16x8.narrow_i32x4_s ${m(2)} ${m(3)}))))
    ${s('dst', `(i32.add ${g('dst')} ${c(16)})`)} ${adv(64)} ${s('n', `(i32.sub ${g('n')} ${c(16)})`)}
    (br $vl)))`
        : '';
      const sc = f.scalar;
      text += `
(func $${name}_${form}_f32 ${params('i32', ...f.sig)} ${sc ? `(param $${sc} f32)` : ''} ${simd && sc ? `(local $${sc}v v128)` : ''}
  ${simd && sc ? s(`${sc}v`, `(f32x4.splat ${g(sc)})`) : ''}
  ${vec}
  (block $sb (loop $sl
    (br_if $sb (i32.le_s ${g('n')} ${c(0)}))
    (i32.store8 ${g('dst')} (f32.${ins} ${f.sa} ${f.sb}))
    ${s('dst', `(i32.add ${g('dst')} ${c(1)})`)} ${adv(4)} ${s('n', `(i32.sub ${g('n')} ${c(1)})`)}
    (br $sl))))`;
    }
  }
  return text;
}

/** where_f32(dst, cond, a, b, n): dst = cond != 0 ? a : b, cond bytes, a and b float32. */
function where(simd) {
  return `
(func $where_f32 ${params('i32', 'dst', 'cond', 'a', 'b', 'n')} ${simd ? '(local $m v128)' : ''}
  ${
    simd
      ? `(block $vb (loop $vl
    (br_if $vb (i32.lt_s ${g('n')} ${c(4)}))
    ${s('m', `(i32x4.ne (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero ${g('cond')}))) (v128.const i32x4 0 0 0 0))`)}
    (v128.store ${g('dst')} (v128.bitselect (v128.load ${g('a')}) (v128.load ${g('b')}) ${g('m')}))
    ${s('dst', `(i32.add ${g('dst')} ${c(16)})`)} ${s('a', `(i32.add ${g('a')} ${c(16)})`)} ${s('b', `(i32.add ${g('b')} ${c(16)})`)}
    ${s('cond', `(i32.add ${g('cond')} ${c(4)})`)} ${s('n', `(i32.sub ${g('n')} ${c(4)})`)}
    (br $vl)))`
      : ''
  }
  (block $sb (loop $sl
    (br_if $sb (i32.le_s ${g('n')} ${c(0)}))
    (i32.store ${g('dst')} (select (i32.load ${g('a')}) (i32.load ${g('b')}) (i32.load8_u ${g('cond')})))
    ${s('dst', `(i32.add ${g('dst')} ${c(4)})`)} ${s('a', `(i32.add ${g('a')} ${c(4)})`)} ${s('b', `(i32.add ${g('b')} ${c(4)})`)}
    ${s('cond', `(i32.add ${g('cond')} ${c(1)})`)} ${s('n', `(i32.sub ${g('n')} ${c(1)})`)}
    (br $sl))))`;
}

/**
 * Per-row scalars: {op}_vr_f32(dst, a, vals, rows, n): row r of dst (n floats) = row r of a op
 * vals[r]; {op}_rv_f32(dst, vals, a, rows, n): vals[r] op row r of a. One call for a whole
 * broadcast such as a per-channel bias or a BatchNorm statistic, however short the rows.
 */
function binaryRows() {
  let text = '';
  for (const name of Object.keys(BINARY)) {
    for (const [form, call] of [
      ['vr', (a, v) => `(call $${name}_vs_f32 ${g('dst')} ${a} ${g('n')} ${v})`],
      ['rv', (a, v) => `(call $${name}_sv_f32 ${g('dst')} ${a} ${g('n')} ${v})`],
    ]) {
      const sig = form === 'vr' ? ['dst', 'a', 'vals', 'rows', 'n'] : ['dst', 'vals', 'a', 'rows', 'n'];
      text += `
(func $${name}_${form}_f32 ${params('i32', ...sig)}
  (block $rb (loop $rl
    (br_if $rb (i32.le_s ${g('rows')} ${c(0)}))
    ${call(g('a'), `(f32.load ${g('vals')})`)}
    ${s('dst', `(i32.add ${g('dst')} (i32.shl ${g('n')} ${c(2)}))`)} ${s('a', `(i32.add ${g('a')} (i32.shl ${g('n')} ${c(2)}))`)}
    ${s('vals', `(i32.add ${g('vals')} ${c(4)})`)} ${s('rows', `(i32.sub ${g('rows')} ${c(1)})`)}
    (br $rl))))`;
    }
  }
  return text;
}

/** The elementwise functions of a variant. */
export function elementwiseFunctions(v) {
  return [
    relu(v.simd),
    thresholdBackward(v.simd),
    binary(v.simd),
    simpleUnary(v.simd),
    leakyRelu(v.simd),
    compare(v.simd),
    where(v.simd),
    binaryRows(),
  ].join('\n');
}

/** Their export lines. */
export function elementwiseExports() {
  return `(export "relu_f32" (func $relu_f32))
(export "threshold_bwd_f32" (func $threshold_bwd_f32))
${binaryExports()}
${['sqrt', 'square', 'neg', 'abs', 'leaky_relu', 'where'].map((k) => `(export "${k}_f32" (func $${k}_f32))`).join('\n')}
${Object.keys(COMPARE)
  .flatMap((k) => ['cvv', 'cvs', 'csv'].map((f) => `(export "${k}_${f}_f32" (func $${k}_${f}_f32))`))
  .join('\n')}
${Object.keys(BINARY)
  .flatMap((k) => ['vr', 'rv'].map((f) => `(export "${k}_${f}_f32" (func $${k}_${f}_f32))`))
  .join('\n')}`;
}
