import type { View } from '../backend.js';
import { sizeOf } from '../shape.js';
import { elementwiseKernels } from '../wasm/index.js';
import { arr } from './buffer.js';
import { elementwiseWalker, flatStep } from './iterate.js';

// where(cond, a, b): the select kernel, float32 on the WebAssembly kernels when large.

/** out = cond ? a : b, all three broadcast to out's shape. */
export function where(out: View, cond: View, a: View, b: View): void {
  if (out.dtype === 'float32' && elementwiseKernels(sizeOf(out.shape))?.where(out, cond, a, b)) return;
  const o = arr(out);
  const c0 = arr(cond);
  const x = arr(a);
  const y = arr(b);
  if (flatStep(out.shape, out.strides) === 1) {
    const sc = flatStep(out.shape, cond.strides);
    const sa = sc < 0 ? -1 : flatStep(out.shape, a.strides);
    const sb = sa < 0 ? -1 : flatStep(out.shape, b.strides);
    if (sb >= 0) {
      let oo = out.offset;
      let co = cond.offset;
      let ao = a.offset;
      let bo = b.offset;
      const n = sizeOf(out.shape);
      for (let i = 0; i < n; i++, oo++, co += sc, ao += sa, bo += sb) o[oo] = c0[co]! !== 0 ? x[ao]! : y[bo]!;
      return;
    }
  }
  const w = elementwiseWalker(
    out.shape,
    [out.strides, cond.strides, a.strides, b.strides],
    [out.offset, cond.offset, a.offset, b.offset],
  );
  if (w === null) return;
  const [so, sc, sa, sb] = w.step as [number, number, number, number];
  const at = w.at;
  for (let r = 0; r < w.rows; r++, w.next()) {
    let oo = at[0]!;
    let co = at[1]!;
    let ao = at[2]!;
    let bo = at[3]!;
    for (let i = 0; i < w.n; i++, oo += so, co += sc, ao += sa, bo += sb)
      o[oo] = c0[co]! !== 0 ? x[ao]! : y[bo]!;
  }
}
