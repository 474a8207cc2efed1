/**
 * Strided iteration over one or more operands, shared by the CPU kernels (src/cpu) and the
 * WebAssembly kernels' copies in and out (src/wasm): `collapse` merges adjacent dims that every
 * operand walks contiguously, so most calls end up with one long inner loop; `RowWalker` then
 * visits every row of the innermost dim with no callback and no allocation per row, handing the
 * caller the start offset of each operand. A neutral module, so neither folder imports the other.
 */

import { type CollapsedStrides, collapseStrides } from './kit-strides.js';

/** Shape and per-operand strides after merging dims that can be walked as one. */
export type Collapsed = CollapsedStrides;

/**
 * `collapseStrides` (kit-strides.ts) that always returns at least one dim, as the walkers need
 * (a scalar becomes shape [1], strides [1]).
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const c = collapseStrides(shape, strides);
  if (c.shape.length === 0) {
    c.shape.push(1);
    for (const s of c.strides) s.push(1);
  }
  return c;
}

/** Shared empty bookkeeping of single-row walkers (never written: they have no outer dims). */
const NONE: number[] = [];
const NONE_LIST: number[][] = [];

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
    const nops = strides.length;
    const no = nd > 0 ? nd - 1 : 0;
    let rows = 1;
    for (let d = 0; d < no; d++) rows *= shape[d]!;
    this.n = nd === 0 ? 1 : shape[nd - 1]!;
    this.rows = this.n === 0 ? 0 : rows;
    const step = new Array<number>(nops);
    const at = new Array<number>(nops);
    for (let k = 0; k < nops; k++) {
      step[k] = nd === 0 ? 1 : strides[k]![nd - 1]!;
      at[k] = base[k]!;
    }
    this.step = step;
    this.at = at;
    if (no === 0) {
      // One row: `next()` never runs, so the outer bookkeeping can be shared empty arrays.
      this.outer = NONE;
      this.outerStrides = NONE_LIST;
      this.idx = NONE;
      return;
    }
    const outer = new Array<number>(no);
    const idx = new Array<number>(no);
    for (let d = 0; d < no; d++) {
      outer[d] = shape[d]!;
      idx[d] = 0;
    }
    const outerStrides = new Array<number[]>(nops);
    for (let k = 0; k < nops; k++) {
      const s = strides[k]!;
      const os = new Array<number>(no);
      for (let d = 0; d < no; d++) os[d] = s[d]!;
      outerStrides[k] = os;
    }
    this.outer = outer;
    this.outerStrides = outerStrides;
    this.idx = idx;
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
