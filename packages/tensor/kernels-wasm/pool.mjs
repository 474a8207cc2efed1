// 2x2 max pooling and the gradient of max pooling, float32, called on the calling thread (see
// elementwise.mjs). Bit-identical to the TypeScript kernels of src/cpu/pool.ts.

import { c, g, params, s } from './wat.mjs';

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

/** The pooling functions of a variant. */
export function poolFunctions(v) {
  return [maxPool2x2(v.simd), maxPoolBackward()].join('\n');
}

/** Their export lines. */
export function poolExports() {
  return `(export "maxpool2x2_f32" (func $maxpool2x2_f32))
(export "maxpool_bwd_f32" (func $maxpool_bwd_f32))`;
}
