import type { View } from '../backend.js';
import { arr } from '../cpu-array.js';
import type { TypedArray } from '../dtype.js';
import { collapse } from '../row-walker.js';
import { WasmOutOfMemory } from './heap.js';
import { activeRuntime } from './runtime.js';
import { MIN_TRANSPOSE_SIZE } from './thresholds.js';

// Transposing copies (x.mT.contiguous(), the gradient of a transposed weight, permute + contiguous)
// on the WebAssembly kernels: a strided copy whose innermost output dim walks the input with a
// large stride touches a new cache line per element; the kernel transposes 32 x 32 tiles with
// 4 x 4 register transposes instead. Float32 and int32 (moved as raw bits).

/** The array's bytes as float32 lanes (int32 data moves bit for bit). */
function lanes(a: TypedArray): Float32Array {
  return a instanceof Float32Array ? a : new Float32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * out = x when `out` is contiguous and x is (a batch of) transposed matrices; returns false,
 * having done nothing, for any other copy (the caller's strided copy handles it).
 */
export function wasmTransposeCopy(out: View, x: View): boolean {
  if (out.dtype !== x.dtype || (out.dtype !== 'float32' && out.dtype !== 'int32')) return false;
  let size = 1;
  for (const s of out.shape) size *= s;
  if (size < MIN_TRANSPOSE_SIZE) return false;
  const c = collapse(out.shape, [out.strides, x.strides]);
  const nd = c.shape.length;
  if (nd !== 2 && nd !== 3) return false;
  const [os, xs] = c.strides as [number[], number[]];
  const R = c.shape[nd - 2]!;
  const C = c.shape[nd - 1]!;
  const B = nd === 3 ? c.shape[0]! : 1;
  // out [B, R, C] row-major; x[b, r, c] at b*sB + r + c*lds.
  if (os[nd - 1] !== 1 || os[nd - 2] !== C || (nd === 3 && os[0] !== R * C)) return false;
  const lds = xs[nd - 1]!;
  const sB = nd === 3 ? xs[0]! : 0;
  if (xs[nd - 2] !== 1 || lds < R || sB < 0) return false;
  const span = (B - 1) * sB + (C - 1) * lds + R;
  if (span > 2 * size + 4096) return false;
  const rt = activeRuntime();
  if (rt === null) return false;
  try {
    const heap = rt.heap;
    rt.begin(0);
    const src = heap.alloc(span * 4);
    const dst = heap.alloc(size * 4);
    heap.f32.set(lanes(arr(x)).subarray(x.offset, x.offset + span), src >> 2);
    for (let b = 0; b < B; b++) rt.transpose(src + b * sB * 4, dst + b * R * C * 4, R, C, lds, C);
    lanes(arr(out)).set(heap.f32.subarray(dst >> 2, (dst >> 2) + size), out.offset);
    return true;
  } catch (e) {
    if (e instanceof WasmOutOfMemory) return false;
    throw e;
  }
}
