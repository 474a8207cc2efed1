/**
 * Strided iteration shared by CPU kernels. `collapse` merges adjacent dims that every operand
 * walks contiguously, so most calls end up with one long inner loop; `RowWalker` then visits every
 * row of the innermost dim with no callback and no allocation per row, handing the kernel the start
 * offset of each operand. `forEachRow` is the callback form, for kernels whose rows are long.
 * `collapse` and `RowWalker` live in ../row-walker.ts (the WebAssembly kernels use them too).
 */
import { collapse, RowWalker } from '../row-walker.js';

export { type Collapsed, collapse, RowWalker } from '../row-walker.js';

/**
 * How an operand of `shape` / `strides` can be read as one flat run of all its elements: step 1
 * when its layout is row-major contiguous, step 0 when every element is the same memory location
 * (a broadcast scalar), -1 otherwise. Size-1 dims are ignored. Lets elementwise kernels skip
 * planning a strided walk in the common case.
 */
export function flatStep(shape: readonly number[], strides: readonly number[]): number {
  let expected = 1;
  let contiguous = true;
  let broadcast = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 1) continue;
    const s = strides[i]!;
    if (s !== expected) contiguous = false;
    if (s !== 0) broadcast = false;
    expected *= d;
  }
  return contiguous ? 1 : broadcast ? 0 : -1;
}

/**
 * Plans an elementwise walk over `shape` for operands with the given strides and offsets: size-1
 * dims dropped, mergeable dims merged, and, when the innermost dim is short, the longest dim moved
 * innermost so that per-row overhead is paid rarely. Only for kernels whose result does not depend
 * on visiting order (each output element written once from the same positions of the inputs).
 * Returns null when the space is empty.
 */
export function elementwiseWalker(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  base: readonly number[],
): RowWalker | null {
  for (let d = 0; d < shape.length; d++) if (shape[d] === 0) return null;
  let c = collapse(shape, strides);
  const nd = c.shape.length;
  if (nd > 1 && c.shape[nd - 1]! < 32) {
    let best = nd - 1;
    for (let d = 0; d < nd - 1; d++) if (c.shape[d]! > c.shape[best]!) best = d;
    if (best !== nd - 1) {
      const order = [...Array(nd).keys()].filter((d) => d !== best);
      order.push(best);
      c = collapse(
        order.map((d) => c.shape[d]!),
        c.strides.map((s) => order.map((d) => s[d]!)),
      );
    }
  }
  return new RowWalker(c.shape, c.strides, base);
}

/**
 * Calls `row(offsets, n)` once per row of the innermost dim, with `offsets[k]` the start of operand
 * k in its buffer. The offsets array is reused between calls (copy it to keep it).
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  base: readonly number[],
  row: (offsets: number[], n: number) => void,
): void {
  for (let d = 0; d < shape.length; d++) if (shape[d] === 0) return;
  const w = new RowWalker(shape, strides, base);
  const at = w.at;
  for (let r = 0; r < w.rows; r++, w.next()) row(at, w.n);
}
