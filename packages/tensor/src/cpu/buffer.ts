import type { BufferHandle, View } from '../backend.js';
import { allocArray, type DType, type TypedArray } from '../dtype.js';

/** The CPU backend's buffer: a typed array the JS thread reads directly. */
export interface CpuBuffer {
  data: TypedArray;
}

/** The typed array behind a view's buffer. */
export function arr(v: View): TypedArray {
  return (v.buffer as CpuBuffer).data;
}

/** Wraps a typed array as a buffer handle. */
export function handle(data: TypedArray): BufferHandle {
  return { data } satisfies CpuBuffer;
}

// A small cache of freed large arrays, keyed by dtype and length. A fresh large typed array is
// zero pages from the OS, and the first write to each page faults: for a 40 MB result that costs
// more than the arithmetic. Reusing the memory of a tensor just disposed (or collected) avoids it,
// the way a malloc arena reuses freed blocks. Small arrays are left to the JS heap.

/** Arrays smaller than this many bytes are not cached (their allocation is cheap). */
const MIN_POOLED_BYTES = 1 << 18;
/** Upper bound on the bytes the cache holds; beyond it freed arrays go to the garbage collector. */
let poolLimit = 256 * 1024 * 1024;
let pooledBytes = 0;
const pool = new Map<string, TypedArray[]>();
const EMPTY = new Float32Array(0);

function key(dtype: DType, size: number): string {
  return `${dtype}:${size}`;
}

/**
 * A buffer of `size` elements, reusing a cached array of the same dtype and length when one is
 * available (re-zeroing touched memory is far cheaper than faulting in fresh pages). Zero-filled
 * unless `zero` is false, which callers that overwrite every element use to skip the clearing.
 */
export function allocBuffer(dtype: DType, size: number, zero = true): BufferHandle {
  const a = takePooled(dtype, size);
  if (a !== undefined) {
    if (zero) a.fill(0);
    return handle(a);
  }
  return handle(allocArray(dtype, size));
}

function takePooled(dtype: DType, size: number): TypedArray | undefined {
  if (pooledBytes === 0) return undefined;
  const list = pool.get(key(dtype, size));
  const a = list?.pop();
  if (a !== undefined) pooledBytes -= a.byteLength;
  return a;
}

/** Releases a buffer: its array goes to the cache (if large and there is room) or to the GC. */
export function freeBuffer(buffer: BufferHandle): void {
  const b = buffer as CpuBuffer;
  const a = b.data;
  // Drop the reference so a stale handle can never see the array again.
  b.data = EMPTY;
  if (a.byteLength < MIN_POOLED_BYTES || pooledBytes + a.byteLength > poolLimit) return;
  const dtype: DType =
    a instanceof Float32Array
      ? 'float32'
      : a instanceof Float64Array
        ? 'float64'
        : a instanceof Int32Array
          ? 'int32'
          : 'bool';
  const k = key(dtype, a.length);
  let list = pool.get(k);
  if (list === undefined) pool.set(k, (list = []));
  list.push(a);
  pooledBytes += a.byteLength;
}

/**
 * Sets how many bytes of freed CPU buffers may be kept for reuse (default 256 MiB; 0 disables the
 * cache) and drops cached arrays beyond the new limit. Returns the previous limit.
 */
export function setCpuBufferCacheLimit(bytes: number): number {
  if (!(bytes >= 0))
    throw new RangeError(`setCpuBufferCacheLimit: expected a non-negative byte count, got ${bytes}`);
  const prev = poolLimit;
  poolLimit = bytes;
  if (pooledBytes > poolLimit) {
    for (const [k, list] of pool) {
      while (list.length > 0 && pooledBytes > poolLimit) pooledBytes -= list.pop()!.byteLength;
      if (list.length === 0) pool.delete(k);
    }
  }
  return prev;
}

/** Bytes currently held by the cache of freed CPU buffers. */
export function cpuBufferCacheBytes(): number {
  return pooledBytes;
}
