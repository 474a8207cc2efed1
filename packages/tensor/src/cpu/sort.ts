import type { View } from '../backend.js';
import { contiguousStrides, sizeOf } from '../shape.js';
import { arr } from './buffer.js';
import { forEachLine } from './lines.js';

// Stable sort along one axis. Each line's keys are copied into a Float64Array and a permutation
// is sorted with a bottom-up merge sort (insertion sort for short runs), comparing keys without
// per-comparison callbacks. NaN is treated as larger than every number, as in PyTorch: last in
// ascending order, first in descending order. Equal keys keep their original order.

const RUN = 16;

/** Sorts `x` along `dim` (stable) into `values` (x's dtype) and `indices` (int32, positions in x). */
export function sort(values: View, indices: View, x: View, dim: number, descending: boolean): void {
  const len = x.shape[dim]!;
  if (sizeOf(x.shape) === 0) return;
  const vo = arr(values);
  const io = arr(indices);
  const xa = arr(x);
  const vs = contiguousStrides(values.shape);
  const is = contiguousStrides(indices.shape);
  const sv = vs[dim]!;
  const si = is[dim]!;
  const sx = x.strides[dim]!;
  const key = new Float64Array(len);
  let perm = new Int32Array(len);
  let tmp = new Int32Array(len);
  forEachLine(x.shape, dim, [vs, is, x.strides], [values.offset, indices.offset, x.offset], (off) => {
    for (let j = 0, p = off[2]!; j < len; j++, p += sx) {
      key[j] = xa[p]!;
      perm[j] = j;
    }
    // Insertion sort of each short run.
    for (let lo = 0; lo < len; lo += RUN) {
      const hi = Math.min(lo + RUN, len);
      for (let i = lo + 1; i < hi; i++) {
        const e = perm[i]!;
        const k = key[e]!;
        let j = i - 1;
        while (j >= lo && before(k, key[perm[j]!]!, descending)) {
          perm[j + 1] = perm[j]!;
          j--;
        }
        perm[j + 1] = e;
      }
    }
    // Bottom-up merges of runs; take from the right half only when strictly before (stable).
    for (let width = RUN; width < len; width *= 2) {
      for (let lo = 0; lo < len; lo += 2 * width) {
        const mid = Math.min(lo + width, len);
        const hi = Math.min(lo + 2 * width, len);
        let a = lo;
        let b = mid;
        let t = lo;
        while (a < mid && b < hi) {
          if (before(key[perm[b]!]!, key[perm[a]!]!, descending)) tmp[t++] = perm[b++]!;
          else tmp[t++] = perm[a++]!;
        }
        while (a < mid) tmp[t++] = perm[a++]!;
        while (b < hi) tmp[t++] = perm[b++]!;
      }
      const s = perm;
      perm = tmp;
      tmp = s;
    }
    for (let j = 0, pv = off[0]!, pi = off[1]!; j < len; j++, pv += sv, pi += si) {
      const e = perm[j]!;
      vo[pv] = key[e]!;
      io[pi] = e;
    }
  });
}

/** Whether key `a` sorts strictly before key `b` (NaN is the largest value). */
function before(a: number, b: number, descending: boolean): boolean {
  if (descending) return a > b || (Number.isNaN(a) && !Number.isNaN(b));
  return a < b || (Number.isNaN(b) && !Number.isNaN(a));
}
