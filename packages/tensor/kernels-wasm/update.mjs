// The optimizers' fused in-place updates and float32 sums into float64 accumulators, called on
// the calling thread (see elementwise.mjs). Bit-identical to src/cpu/update.ts and
// src/cpu/reduce.ts.

import { lanes } from './elementwise.mjs';
import { c, g, params, s } from './wat.mjs';

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

/** The update and sum functions of a variant. */
export function updateFunctions(v) {
  return [updates(v.simd), sum8(v.simd), accRow(v.simd)].join('\n');
}

/** Their export lines. */
export function updateExports() {
  return `(export "sum8_f32" (func $sum8_f32))
(export "acc_f32" (func $acc_f32))
${['axpy', 'addcmul', 'addcdiv', 'lerp_lo', 'lerp_hi'].map((k) => `(export "${k}_f32" (func $${k}_f32))`).join('\n')}`;
}
