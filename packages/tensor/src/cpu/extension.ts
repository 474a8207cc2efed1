import type { ElementwiseExtension, View } from '../backend.js';
import { arr } from './buffer.js';
import { elementwiseWalker } from './iterate.js';

// The CPU kernel of extension ops (registerOp): the op's scalar function called once per element
// along the strided rows. A call per element is slower than the built-ins' switch cases, which is
// the price of an op this package does not know; a built-in that needs speed gets a case instead.

type Scalar1 = (x: number, attrs: Readonly<Record<string, number>>) => number | boolean;
type Scalar2 = (a: number, b: number, attrs: Readonly<Record<string, number>>) => number | boolean;

/** out = op(inputs...) elementwise; inputs are broadcast to out's shape (stride 0). */
export function elementwiseExtension(
  op: ElementwiseExtension,
  out: View,
  inputs: readonly View[],
  attrs: Readonly<Record<string, number>>,
): void {
  const o = arr(out);
  const xs = inputs.map(arr);
  const w = elementwiseWalker(
    out.shape,
    [out.strides, ...inputs.map((v) => v.strides)],
    [out.offset, ...inputs.map((v) => v.offset)],
  );
  if (w === null) return;
  // A boolean result (or any result, into a bool tensor) is stored as 1 or 0.
  const toBool = out.dtype === 'bool';
  const so = w.step[0]!;
  const at = w.at;
  if (inputs.length === 1) {
    const f = op.cpu as unknown as Scalar1;
    const x = xs[0]!;
    const sx = w.step[1]!;
    for (let r = 0; r < w.rows; r++, w.next()) {
      let oo = at[0]!;
      let xo = at[1]!;
      for (let i = 0; i < w.n; i++, oo += so, xo += sx) {
        const v = f(x[xo]!, attrs);
        o[oo] = toBool ? (v ? 1 : 0) : +v;
      }
    }
    return;
  }
  if (inputs.length === 2) {
    const f = op.cpu as unknown as Scalar2;
    const [a, b] = xs as [typeof o, typeof o];
    const sa = w.step[1]!;
    const sb = w.step[2]!;
    for (let r = 0; r < w.rows; r++, w.next()) {
      let oo = at[0]!;
      let ao = at[1]!;
      let bo = at[2]!;
      for (let i = 0; i < w.n; i++, oo += so, ao += sa, bo += sb) {
        const v = f(a[ao]!, b[bo]!, attrs);
        o[oo] = toBool ? (v ? 1 : 0) : +v;
      }
    }
    return;
  }
  throw new Error(`${op.decl.name}: extension ops take one or two inputs, got ${inputs.length}`);
}
