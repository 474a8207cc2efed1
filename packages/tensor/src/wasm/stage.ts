import type { View } from '../backend.js';
import { arr } from '../cpu-array.js';
import { collapse, RowWalker } from '../row-walker.js';
import { contiguousStrides } from '../shape.js';
import type { Heap } from './heap.js';

// Copying operands between the CPU backend's typed arrays and WebAssembly memory.

/** An operand in WebAssembly memory: element (0, ..., 0) at byte `base`, strides in elements. */
export interface Staged {
  base: number;
  strides: readonly number[];
}

/**
 * Copies a float32 view into the arena. When the elements it addresses lie close together (any
 * strides: transposed, flipped, broadcast) the whole span is copied with one memcpy and the
 * strides are kept; a view spread thin over a big buffer is gathered into row-major order instead.
 */
export function stageStrided(heap: Heap, v: View): Staged {
  let lo = v.offset;
  let hi = v.offset;
  let size = 1;
  for (let d = 0; d < v.shape.length; d++) {
    const ext = v.strides[d]! * (v.shape[d]! - 1);
    if (ext < 0) lo += ext;
    else hi += ext;
    size *= v.shape[d]!;
  }
  const span = hi - lo + 1;
  if (span > 2 * size + 4096) return stageContiguous(heap, v);
  const ptr = heap.alloc(span * 4);
  heap.f32.set(arr(v).subarray(lo, hi + 1), ptr >> 2);
  return { base: ptr + (v.offset - lo) * 4, strides: v.strides };
}

/** Copies a float32 view into the arena in row-major order; returns its byte address. */
export function stageContiguous(heap: Heap, v: View): Staged {
  let size = 1;
  for (const s of v.shape) size *= s;
  const ptr = heap.alloc(size * 4);
  writeContiguous(heap, v, ptr);
  return { base: ptr, strides: contiguousStrides(v.shape) };
}

/** Writes the elements of `v` in row-major order to byte address `ptr` of the heap. */
export function writeContiguous(heap: Heap, v: View, ptr: number): void {
  const src = arr(v) as Float32Array;
  const dst = heap.f32;
  let at = ptr >> 2;
  // Dense row-major views (the common case) are one copy, with nothing to plan.
  const dense = denseSize(v);
  if (dense >= 0) {
    dst.set(src.subarray(v.offset, v.offset + dense), at);
    return;
  }
  const c = collapse(v.shape, [v.strides]);
  const w = new RowWalker(c.shape, c.strides, [v.offset]);
  const n = w.n;
  const step = w.step[0]!;
  for (let r = 0; r < w.rows; r++, w.next()) {
    const o = w.at[0]!;
    if (step === 1) dst.set(src.subarray(o, o + n), at);
    else for (let i = 0, s = o; i < n; i++, s += step) dst[at + i] = src[s]!;
    at += n;
  }
}

/** Elements of `v`, or -1 unless they lie densely in row-major order from `v.offset`. */
export function denseSize(v: View): number {
  let size = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    const n = v.shape[d]!;
    if (n !== 1 && v.strides[d] !== size) return -1;
    size *= n;
  }
  return size;
}

/** Copies `size` floats from byte address `ptr` of the heap into the contiguous `out` view. */
export function unstage(heap: Heap, ptr: number, out: View, size: number): void {
  (arr(out) as Float32Array).set(heap.f32.subarray(ptr >> 2, (ptr >> 2) + size), out.offset);
}
