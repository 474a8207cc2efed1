/**
 * Strided iteration shared by CPU kernels. `collapse` merges adjacent dims that every operand
 * walks contiguously, so most calls end up with one long inner loop; `RowWalker` then visits every
 * row of the innermost dim with no callback and no allocation per row, handing the kernel the start
 * offset of each operand. `forEachRow` is the callback form, for kernels whose rows are long.
 */

/** Shape and per-operand strides after merging dims that can be walked as one. */
export interface Collapsed {
  shape: number[];
  strides: number[][];
}

/**
 * Merges dims i and i+1 wherever every operand has stride[i] == stride[i+1] * shape[i+1]; drops
 * size-1 dims. Always returns at least one dim (a scalar becomes shape [1], strides [1]).
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue; // size-1 dims contribute nothing to addressing
    const last = outShape.length - 1;
    let merge = last >= 0;
    if (merge) {
      for (let k = 0; k < strides.length; k++) {
        const prev = outStrides[k]![last]!;
        if (prev !== strides[k]![d]! * size) {
          merge = false;
          break;
        }
      }
    }
    if (merge) {
      outShape[last] = outShape[last]! * size;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(size);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(1);
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Visits the rows (1-D runs along the innermost dim) of a strided iteration space, odometer style:
 * `at[k]` is the start of operand k's current row, `step[k]` its stride along the row, and `next()`
 * moves every operand to the next row. Kernels drive it in a plain `for` loop:
 *
 *     for (let r = 0; r < w.rows; r++, w.next()) row(out, w.at[0], w.step[0], x, w.at[1], ...);
 */
export class RowWalker {
  /** Elements per row. */
  readonly n: number;
  /** Number of rows (0 when the space is empty). */
  readonly rows: number;
  /** Stride of each operand along a row. */
  readonly step: number[];
  /** Start offset of each operand's current row. */
  readonly at: number[];
  private readonly outer: number[];
  private readonly outerStrides: number[][];
  private readonly idx: number[];

  /** `shape`/`strides` as returned by `collapse`; `base[k]` is operand k's offset. */
  constructor(shape: readonly number[], strides: readonly (readonly number[])[], base: readonly number[]) {
    const nd = shape.length;
    let rows = 1;
    for (let d = 0; d < nd - 1; d++) rows *= shape[d]!;
    this.n = nd === 0 ? 1 : shape[nd - 1]!;
    this.rows = this.n === 0 ? 0 : rows;
    this.step = strides.map((s) => (nd === 0 ? 1 : s[nd - 1]!));
    this.at = [...base];
    this.outer = shape.slice(0, Math.max(0, nd - 1));
    this.outerStrides = strides.map((s) => s.slice(0, Math.max(0, nd - 1)));
    this.idx = new Array<number>(this.outer.length).fill(0);
  }

  /** Moves every operand to the start of the next row. */
  next(): void {
    const at = this.at;
    const nops = at.length;
    for (let d = this.outer.length - 1; d >= 0; d--) {
      const i = ++this.idx[d]!;
      if (i < this.outer[d]!) {
        for (let k = 0; k < nops; k++) at[k]! += this.outerStrides[k]![d]!;
        return;
      }
      // wrap this dim back to 0 and carry into the next outer one
      this.idx[d] = 0;
      const back = i - 1;
      for (let k = 0; k < nops; k++) at[k]! -= this.outerStrides[k]![d]! * back;
    }
  }
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
