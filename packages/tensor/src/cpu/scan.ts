import type { ScanOp, View } from '../backend.js';
import { contiguousStrides, sizeOf } from '../shape.js';
import { arr } from './buffer.js';
import { forEachLine } from './lines.js';

/**
 * Inclusive cumulative sum/product of `x` along `axis` into the contiguous `out` (same shape).
 * The running value is a JS double, so float32 prefix sums do not drift; integer products wrap
 * like int32 arithmetic.
 */
export function scan(op: ScanOp, out: View, x: View, axis: number): void {
  const len = x.shape[axis]!;
  if (sizeOf(out.shape) === 0) return;
  const o = arr(out);
  const xa = arr(x);
  const os = contiguousStrides(out.shape);
  const so = os[axis]!;
  const sx = x.strides[axis]!;
  const intProd = op === 'cumprod' && x.dtype !== 'float32' && x.dtype !== 'float64';
  forEachLine(x.shape, axis, [os, x.strides], [out.offset, x.offset], (off) => {
    let po = off[0]!;
    let px = off[1]!;
    if (op === 'cumsum') {
      let a = 0;
      for (let j = 0; j < len; j++, po += so, px += sx) o[po] = a += xa[px]!;
    } else if (intProd) {
      let a = 1;
      for (let j = 0; j < len; j++, po += so, px += sx) o[po] = a = Math.imul(a, xa[px]!);
    } else {
      let a = 1;
      for (let j = 0; j < len; j++, po += so, px += sx) o[po] = a *= xa[px]!;
    }
  });
}
