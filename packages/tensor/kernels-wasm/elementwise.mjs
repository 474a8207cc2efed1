// Memory-bound float32 kernels of a training step: relu and its gradient, the four arithmetic
// ops (both operands, or one a scalar), square root, and 2x2 max pooling with its gradient. In
// JavaScript these run one element per loop turn with a bounds check on each access; here four
// lanes per instruction. Every result is bit-identical to the TypeScript kernels: IEEE single
// add, sub, mul, div and sqrt round exactly as float64 arithmetic rounded to float32 does, and
// the selects and comparisons follow the same order. Called directly on the calling thread (a
// pass over memory is too short to share with workers); arguments are byte addresses.

import { c, g, params, s } from './wat.mjs';

/** Binary ops and their instructions. */
const BINARY = { add: 'add', sub: 'sub', mul: 'mul', div: 'div' };

/**
 * A loop over n elements, four at a time with `vec` (SIMD variants) and then one at a time with
 * `one`; `ptrs` are the byte-address locals to advance (by 16, then 4).
 */
function lanes(simd, ptrs, vec, one) {
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

/** sqrt_f32(dst, src, n): dst = sqrt(src) (correctly rounded in both sets of instructions). */
function sqrt(simd) {
  return `
(func $sqrt_f32 ${params('i32', 'dst', 'src', 'n')}
  ${lanes(
    simd,
    ['dst', 'src'],
    `(v128.store ${g('dst')} (f32x4.sqrt (v128.load ${g('src')})))`,
    `(f32.store ${g('dst')} (f32.sqrt (f32.load ${g('src')})))`,
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

// Max pooling over 2x2 windows with stride 2 (no padding or dilation) of contiguous planes: each
// window is compared in the order (0, 0), (0, 1), (1, 0), (1, 1), a later tap winning when it is
// larger or NaN, as in the TypeScript kernels; the index is the winner's flat h * W + w.

/**
 * One scalar window: output `o` (element index in the plane's output) from rows r0 and r1. The
 * running maximum is kept as bits and chosen with i32 selects: V8 compiles an f32 select into a
 * branch, which mispredicts on random data (about 4x slower).
 */
function poolWindow() {
  const tap = (ptr, code) => `
      ${s('v', `(f32.load ${ptr})`)}
      ${s('mi', `(i32.or (f32.gt ${g('v')} (f32.reinterpret_i32 ${g('bb')})) (f32.ne ${g('v')} ${g('v')}))`)}
      ${s('bb', `(select (i32.reinterpret_f32 ${g('v')}) ${g('bb')} ${g('mi')})`)}
      ${s('arg', `(select ${code} ${g('arg')} ${g('mi')})`)}`;
  return `
      ${s('bb', `(i32.load ${g('p0')})`)} ${s('arg', c(0))}
      ${tap(`(i32.add ${g('p0')} ${c(4)})`, c(1))}
      ${tap(g('p1'), g('W'))}
      ${tap(`(i32.add ${g('p1')} ${c(4)})`, `(i32.add ${g('W')} ${c(1)})`)}
      (i32.store ${g('dst')} ${g('bb')})
      (i32.store ${g('idx')} (i32.add ${g('base')} ${g('arg')}))`;
}

/** Four windows at once: even and odd columns of two 8-float loads per row, selects by mask. */
function poolVector() {
  const even = '0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27';
  const odd = '4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31';
  const tap = (v, code) => `
      ${s('m', `(v128.or (f32x4.gt ${g(v)} ${g('bv')}) (f32x4.ne ${g(v)} ${g(v)}))`)}
      ${s('bv', `(v128.bitselect ${g(v)} ${g('bv')} ${g('m')})`)}
      ${s('av', `(v128.bitselect ${code} ${g('av')} ${g('m')})`)}`;
  return `
      ${s('u0', `(v128.load ${g('p0')})`)} ${s('u1', `(v128.load offset=16 ${g('p0')})`)}
      ${s('bv', `(i8x16.shuffle ${even} ${g('u0')} ${g('u1')})`)}
      ${s('t1', `(i8x16.shuffle ${odd} ${g('u0')} ${g('u1')})`)}
      ${s('u0', `(v128.load ${g('p1')})`)} ${s('u1', `(v128.load offset=16 ${g('p1')})`)}
      ${s('t2', `(i8x16.shuffle ${even} ${g('u0')} ${g('u1')})`)}
      ${s('t3', `(i8x16.shuffle ${odd} ${g('u0')} ${g('u1')})`)}
      ${s('av', '(v128.const i32x4 0 0 0 0)')}
      ${tap('t1', '(v128.const i32x4 1 1 1 1)')}
      ${tap('t2', g('wv'))}
      ${tap('t3', g('w1v'))}
      (v128.store ${g('dst')} ${g('bv')})
      (v128.store ${g('idx')} (i32x4.add (i32x4.add (i32x4.splat ${g('base')}) (v128.const i32x4 0 2 4 6)) ${g('av')}))`;
}

/**
 * maxpool2x2_f32(dst, idx, src, planes, OH, OW, H, W): dst [planes, OH, OW] and idx (int32, same
 * shape) from src [planes, H, W], with 2 * OH <= H and 2 * OW <= W.
 */
function maxPool2x2(simd) {
  const vecLocals = simd
    ? '(local $u0 v128) (local $u1 v128) (local $bv v128) (local $av v128) (local $m v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $wv v128) (local $w1v v128)'
    : '';
  const next = (bytes) =>
    `${s('p0', `(i32.add ${g('p0')} ${c(bytes * 2)})`)} ${s('p1', `(i32.add ${g('p1')} ${c(bytes * 2)})`)}
      ${s('dst', `(i32.add ${g('dst')} ${c(bytes)})`)} ${s('idx', `(i32.add ${g('idx')} ${c(bytes)})`)}
      ${s('base', `(i32.add ${g('base')} ${c((bytes / 4) * 2)})`)}`;
  // The last, partial group of four reuses the vector at ow = OW - 4 (recomputing some windows
  // of the previous group: the same values), so only rows narrower than 4 take the scalar loop.
  const vec = simd
    ? `
    (block $vb (loop $vl
      (br_if $vb (i32.gt_s (i32.add ${g('ow')} ${c(4)}) ${g('OW')}))
      ${poolVector()}
      ${next(16)} ${s('ow', `(i32.add ${g('ow')} ${c(4)})`)}
      (br $vl)))
    (if (i32.and (i32.lt_s ${g('ow')} ${g('OW')}) (i32.ge_s ${g('OW')} ${c(4)}))
      (then
        ;; step back by 4 - (OW - ow) windows, then one more group ends exactly at OW
        ${s('mi', `(i32.sub ${c(4)} (i32.sub ${g('OW')} ${g('ow')}))`)}
        ${s('p0', `(i32.sub ${g('p0')} (i32.shl ${g('mi')} ${c(3)}))`)} ${s('p1', `(i32.sub ${g('p1')} (i32.shl ${g('mi')} ${c(3)}))`)}
        ${s('dst', `(i32.sub ${g('dst')} (i32.shl ${g('mi')} ${c(2)}))`)} ${s('idx', `(i32.sub ${g('idx')} (i32.shl ${g('mi')} ${c(2)}))`)}
        ${s('base', `(i32.sub ${g('base')} (i32.shl ${g('mi')} ${c(1)}))`)}
        ${poolVector()}
        ${next(16)} ${s('ow', g('OW'))}))`
    : '';
  return `
(func $maxpool2x2_f32 ${params('i32', 'dst', 'idx', 'src', 'planes', 'OH', 'OW', 'H', 'W')}
  (local $p i32) (local $oh i32) (local $ow i32) (local $p0 i32) (local $p1 i32) (local $base i32)
  (local $arg i32) (local $mi i32) (local $bb i32) (local $v f32) ${vecLocals}
  ${simd ? `${s('wv', `(i32x4.splat ${g('W')})`)} ${s('w1v', `(i32x4.splat (i32.add ${g('W')} ${c(1)}))`)}` : ''}
  (block $pb (loop $pl
    (br_if $pb (i32.ge_s ${g('p')} ${g('planes')}))
    ${s('oh', c(0))}
    (block $hb (loop $hl
      (br_if $hb (i32.ge_s ${g('oh')} ${g('OH')}))
      ${s('base', `(i32.mul (i32.shl ${g('oh')} ${c(1)}) ${g('W')})`)}
      ${s('p0', `(i32.add ${g('src')} (i32.shl (i32.add (i32.mul ${g('p')} (i32.mul ${g('H')} ${g('W')})) ${g('base')}) ${c(2)}))`)}
      ${s('p1', `(i32.add ${g('p0')} (i32.shl ${g('W')} ${c(2)}))`)}
      ${s('ow', c(0))}
      ${vec}
      (block $sb (loop $sl
        (br_if $sb (i32.ge_s ${g('ow')} ${g('OW')}))
        ${poolWindow()}
        ${next(4)} ${s('ow', `(i32.add ${g('ow')} ${c(1)})`)}
        (br $sl)))
      ${s('oh', `(i32.add ${g('oh')} ${c(1)})`)}
      (br $hl)))
    ${s('p', `(i32.add ${g('p')} ${c(1)})`)}
    (br $pl))))`;
}

/**
 * maxpool_bwd_f32(dst, dy, idx, planes, outs, plane): for each of the `planes` planes of dst
 * (`plane` floats each, zeroed by the caller) and each of its `outs` outputs, dst[idx] += dy, in
 * order (overlapping windows add up). Indices outside [0, plane) are skipped and counted: the
 * count is returned (the caller reports them; nothing is written outside the plane).
 */
function maxPoolBackward() {
  return `
(func $maxpool_bwd_f32 ${params('i32', 'dst', 'dy', 'idx', 'planes', 'outs', 'plane')} (result i32)
  (local $p i32) (local $o i32) (local $row i32) (local $k i32) (local $at i32) (local $bad i32)
  (block $pb (loop $pl
    (br_if $pb (i32.ge_s ${g('p')} ${g('planes')}))
    ${s('row', `(i32.add ${g('dst')} (i32.shl (i32.mul ${g('p')} ${g('plane')}) ${c(2)}))`)}
    ${s('o', c(0))}
    (block $ob (loop $ol
      (br_if $ob (i32.ge_s ${g('o')} ${g('outs')}))
      ${s('k', `(i32.load ${g('idx')})`)}
      (if (i32.lt_u ${g('k')} ${g('plane')})
        (then
          ${s('at', `(i32.add ${g('row')} (i32.shl ${g('k')} ${c(2)}))`)}
          (f32.store ${g('at')} (f32.add (f32.load ${g('at')}) (f32.load ${g('dy')}))))
        (else ${s('bad', `(i32.add ${g('bad')} ${c(1)})`)}))
      ${s('dy', `(i32.add ${g('dy')} ${c(4)})`)} ${s('idx', `(i32.add ${g('idx')} ${c(4)})`)}
      ${s('o', `(i32.add ${g('o')} ${c(1)})`)}
      (br $ol)))
    ${s('p', `(i32.add ${g('p')} ${c(1)})`)}
    (br $pl)))
  ${g('bad')})`;
}

// The optimizers' fused in-place updates (src/cpu/update.ts), each intermediate rounded to float32
// exactly as there: o += v * x (axpy), o += (v * x) * y (addcmul), o += (v * x) / y (addcdiv),
// and both sides of lerp: o += (x - o) * w, o = x - (x - o) * u. No fused multiply-add, so that
// every rounding matches.

/**
 * axpy_f32(o, x, n, v), addcmul_f32(o, x, y, n, v), addcdiv_f32(o, x, y, n, v),
 * lerp_lo_f32(o, x, n, w), lerp_hi_f32(o, x, n, u): in place on o (byte addresses).
 */
function updates(simd) {
  // [name, pointer params, body(t, load, o, x, y, s)]: t is the type prefix, load the load op.
  const defs = [
    ['axpy', ['o', 'x'], (t, o, x, _y, v) => `(${t}.add ${o} (${t}.mul ${v} ${x}))`],
    ['addcmul', ['o', 'x', 'y'], (t, o, x, y, v) => `(${t}.add ${o} (${t}.mul (${t}.mul ${v} ${x}) ${y}))`],
    ['addcdiv', ['o', 'x', 'y'], (t, o, x, y, v) => `(${t}.add ${o} (${t}.div (${t}.mul ${v} ${x}) ${y}))`],
    ['lerp_lo', ['o', 'x'], (t, o, x, _y, w) => `(${t}.add ${o} (${t}.mul (${t}.sub ${x} ${o}) ${w}))`],
    ['lerp_hi', ['o', 'x'], (t, o, x, _y, u) => `(${t}.sub ${x} (${t}.mul (${t}.sub ${x} ${o}) ${u}))`],
  ];
  let text = '';
  for (const [name, ptrs, body] of defs) {
    const ld = (kind, p) =>
      p === undefined ? '' : kind === 'v' ? `(v128.load ${g(p)})` : `(f32.load ${g(p)})`;
    const has = (p) => (ptrs.includes(p) ? p : undefined);
    text += `
(func $${name}_f32 ${params('i32', ...ptrs, 'n')} (param $s f32) ${simd ? '(local $sv v128)' : ''}
  ${simd ? s('sv', `(f32x4.splat ${g('s')})`) : ''}
  ${lanes(
    simd,
    ptrs,
    `(v128.store ${g('o')} ${body('f32x4', ld('v', 'o'), ld('v', 'x'), ld('v', has('y')), g('sv'))})`,
    `(f32.store ${g('o')} ${body('f32', ld('s', 'o'), ld('s', 'x'), ld('s', has('y')), g('s'))})`,
  )})`;
  }
  return text;
}

// Float32 sums into float64 accumulators, as src/cpu/reduce.ts computes them (bit-identical):
// sum8_f32 keeps its eight accumulators (s0..s7, two per f64x2 vector) and combines them in the
// same order; acc_f32 adds a row into a run of accumulators.

/** sum8_f32(src, n) -> f64: the float64 sum of n floats, eight interleaved accumulators. */
function sum8(simd) {
  const fin = (s0, s1, s2, s3, s4, s5, s6, s7) =>
    `(f64.add (f64.add (f64.add ${s0} ${s1}) (f64.add ${s2} ${s3})) (f64.add (f64.add ${s4} ${s5}) (f64.add ${s6} ${s7})))`;
  if (!simd) {
    const acc = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `s${i}`);
    let body = '';
    for (let i = 0; i < 8; i++) {
      body += s(acc[i], `(f64.add ${g(acc[i])} (f64.promote_f32 (f32.load offset=${4 * i} ${g('src')})))`);
    }
    return `
(func $sum8_f32 ${params('i32', 'src', 'n')} (result f64) ${acc.map((a) => `(local $${a} f64)`).join(' ')}
  (block $vb (loop $vl
    (br_if $vb (i32.lt_s ${g('n')} ${c(8)}))
    ${body}
    ${s('src', `(i32.add ${g('src')} ${c(32)})`)} ${s('n', `(i32.sub ${g('n')} ${c(8)})`)}
    (br $vl)))
  (block $sb (loop $sl
    (br_if $sb (i32.le_s ${g('n')} ${c(0)}))
    ${s('s0', `(f64.add ${g('s0')} (f64.promote_f32 (f32.load ${g('src')})))`)}
    ${s('src', `(i32.add ${g('src')} ${c(4)})`)} ${s('n', `(i32.sub ${g('n')} ${c(1)})`)}
    (br $sl)))
  ${fin(...acc.map((a) => g(a)))})`;
  }
  const hi = '(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7';
  const lane = (v, k) => `(f64x2.extract_lane ${k} ${g(v)})`;
  return `
(func $sum8_f32 ${params('i32', 'src', 'n')} (result f64)
  (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $a v128) (local $b v128) (local $t f64)
  (block $vb (loop $vl
    (br_if $vb (i32.lt_s ${g('n')} ${c(8)}))
    ${s('a', `(v128.load ${g('src')})`)} ${s('b', `(v128.load offset=16 ${g('src')})`)}
    ${s('v0', `(f64x2.add ${g('v0')} (f64x2.promote_low_f32x4 ${g('a')}))`)}
    ${s('v1', `(f64x2.add ${g('v1')} (f64x2.promote_low_f32x4 ${hi} ${g('a')} ${g('a')})))`)}
    ${s('v2', `(f64x2.add ${g('v2')} (f64x2.promote_low_f32x4 ${g('b')}))`)}
    ${s('v3', `(f64x2.add ${g('v3')} (f64x2.promote_low_f32x4 ${hi} ${g('b')} ${g('b')})))`)}
    ${s('src', `(i32.add ${g('src')} ${c(32)})`)} ${s('n', `(i32.sub ${g('n')} ${c(8)})`)}
    (br $vl)))
  ${s('t', lane('v0', 0))}
  (block $sb (loop $sl
    (br_if $sb (i32.le_s ${g('n')} ${c(0)}))
    ${s('t', `(f64.add ${g('t')} (f64.promote_f32 (f32.load ${g('src')})))`)}
    ${s('src', `(i32.add ${g('src')} ${c(4)})`)} ${s('n', `(i32.sub ${g('n')} ${c(1)})`)}
    (br $sl)))
  ${fin(g('t'), lane('v0', 1), lane('v1', 0), lane('v1', 1), lane('v2', 0), lane('v2', 1), lane('v3', 0), lane('v3', 1))})`;
}

/** acc_f32(acc, src, n): acc[i] += src[i] for float64 acc and float32 src. */
function accRow(simd) {
  return `
(func $acc_f32 ${params('i32', 'acc', 'src', 'n')} ${simd ? '(local $a v128)' : ''}
  ${
    simd
      ? `(block $vb (loop $vl
    (br_if $vb (i32.lt_s ${g('n')} ${c(4)}))
    ${s('a', `(v128.load ${g('src')})`)}
    (v128.store ${g('acc')} (f64x2.add (v128.load ${g('acc')}) (f64x2.promote_low_f32x4 ${g('a')})))
    (v128.store offset=16 ${g('acc')} (f64x2.add (v128.load offset=16 ${g('acc')})
      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${g('a')} ${g('a')}))))
    ${s('acc', `(i32.add ${g('acc')} ${c(32)})`)} ${s('src', `(i32.add ${g('src')} ${c(16)})`)}
    ${s('n', `(i32.sub ${g('n')} ${c(4)})`)}
    (br $vl)))`
      : ''
  }
  (block $sb (loop $sl
    (br_if $sb (i32.le_s ${g('n')} ${c(0)}))
    (f64.store ${g('acc')} (f64.add (f64.load ${g('acc')}) (f64.promote_f32 (f32.load ${g('src')}))))
    ${s('acc', `(i32.add ${g('acc')} ${c(8)})`)} ${s('src', `(i32.add ${g('src')} ${c(4)})`)}
    ${s('n', `(i32.sub ${g('n')} ${c(1)})`)}
    (br $sl))))`;
}

// More unary ops: square, neg and abs (exact in float32 as in float64 rounded), and leakyRelu,
// whose product v * alpha is formed in float64 and rounded once, as the TypeScript kernel does
// (alpha is a float64 that float32 may not hold).

/** {square,neg,abs}_f32(dst, src, n). */
function simpleUnary(simd) {
  const ops = {
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

/** The elementwise and pooling functions of a variant. */
export function elementwiseFunctions(v) {
  return [
    relu(v.simd),
    thresholdBackward(v.simd),
    sqrt(v.simd),
    binary(v.simd),
    maxPool2x2(v.simd),
    maxPoolBackward(),
    updates(v.simd),
    sum8(v.simd),
    accRow(v.simd),
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
(export "sqrt_f32" (func $sqrt_f32))
${binaryExports()}
(export "maxpool2x2_f32" (func $maxpool2x2_f32))
(export "maxpool_bwd_f32" (func $maxpool_bwd_f32))
(export "sum8_f32" (func $sum8_f32))
${['square', 'neg', 'abs', 'leaky_relu', 'where'].map((k) => `(export "${k}_f32" (func $${k}_f32))`).join('\n')}
${Object.keys(COMPARE)
  .flatMap((k) => ['cvv', 'cvs', 'csv'].map((f) => `(export "${k}_${f}_f32" (func $${k}_${f}_f32))`))
  .join('\n')}
${Object.keys(BINARY)
  .flatMap((k) => ['vr', 'rv'].map((f) => `(export "${k}_${f}_f32" (func $${k}_${f}_f32))`))
  .join('\n')}
(export "acc_f32" (func $acc_f32))
${['axpy', 'addcmul', 'addcdiv', 'lerp_lo', 'lerp_hi'].map((k) => `(export "${k}_f32" (func $${k}_f32))`).join('\n')}`;
}
