import type { View } from '../backend.js';
import { contiguousStrides, sizeOf } from '../shape.js';
import { arr } from './buffer.js';
import { forEachLine } from './lines.js';

// Fused softmax / log-softmax: one pass for the line's max, one for the sum of exp(x - max) in
// doubles, one to write the result. Subtracting the max keeps exp() from overflowing. A line
// whose max is -inf (all -inf) or +inf gives NaN, as in PyTorch.

/** Numerically stable softmax of `x` along `axis` into the contiguous `out`. */
export function softmax(out: View, x: View, axis: number): void {
  run(false, out, x, axis);
}

/** Numerically stable log-softmax of `x` along `axis` into the contiguous `out`. */
export function logSoftmax(out: View, x: View, axis: number): void {
  run(true, out, x, axis);
}

function run(log: boolean, out: View, x: View, axis: number): void {
  const len = x.shape[axis]!;
  if (sizeOf(out.shape) === 0) return;
  const o = arr(out);
  const xa = arr(x);
  const os = contiguousStrides(out.shape);
  const so = os[axis]!;
  const sx = x.strides[axis]!;
  forEachLine(x.shape, axis, [os, x.strides], [out.offset, x.offset], (off) => {
    const o0 = off[0]!;
    const x0 = off[1]!;
    let m = -Infinity;
    let px = x0;
    for (let j = 0; j < len; j++, px += sx) {
      const v = xa[px]!;
      if (v > m || Number.isNaN(v)) m = v;
    }
    let s = 0;
    px = x0;
    let po = o0;
    if (log) {
      for (let j = 0; j < len; j++, px += sx) s += Math.exp(xa[px]! - m);
      const lse = m + Math.log(s);
      px = x0;
      for (let j = 0; j < len; j++, po += so, px += sx) o[po] = xa[px]! - lse;
    } else {
      for (let j = 0; j < len; j++, po += so, px += sx) s += o[po] = Math.exp(xa[px]! - m);
      const r = 1 / s;
      po = o0;
      for (let j = 0; j < len; j++, po += so) o[po]! *= r;
    }
  });
}
