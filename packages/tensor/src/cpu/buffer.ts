import type { BufferHandle } from '../backend.js';
import type { CpuBuffer } from '../cpu-array.js';
import { allocArray, type DType, itemSize, type TypedArray } from '../dtype.js';
import { GC_OWNED } from '../storage.js';

// The buffer type and `arr` live in ../cpu-array.ts, which the WebAssembly kernels share.
export { arr, type CpuBuffer } from '../cpu-array.js';

/**
 * Every CPU buffer is owned by the garbage collector (see GC_OWNED): a tensor dropped without
 * dispose() is reclaimed with its array by the next collection, even in a loop that never lets the
 * event loop turn. Only an explicitly released buffer (dispose(), autograd's release of saved
 * tensors) goes through `freeBuffer` and may be recycled.
 */
class GcOwnedBuffer implements CpuBuffer {
  readonly [GC_OWNED] = true;
  constructor(public data: TypedArray) {}
}

/** Wraps a typed array as a buffer handle. */
export function handle(data: TypedArray): BufferHandle {
  return new GcOwnedBuffer(data);
}

// A cache of freed arrays, keyed by dtype and length. A fresh typed array costs far more than its
// arithmetic: a large one is zero pages from the OS, and the first write to each page faults (for
// a 40 MB result that costs more than the work); a medium one (a few KB up) is a separate backing
// store whose allocation, external-memory accounting and sweeping by the garbage collector cost
// several times a pass over it. Reusing the memory of a tensor just disposed avoids both, the way
// a malloc arena reuses freed blocks. Arrays small enough for the slabs below, and arrays of
// tensors that are merely dropped, are left to the JS heap.

/** Arrays smaller than this many bytes are not cached (they come from the slabs, see below). */
const MIN_POOLED_BYTES = 1025;
/** Upper bound on the bytes the cache holds; beyond it freed arrays go to the garbage collector. */
let poolLimit = 256 * 1024 * 1024;
let pooledBytes = 0;
const pool = new Map<number, TypedArray[]>();
const EMPTY = new Float32Array(0);

const DTYPE_CODE: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };

/** The cache key of an array: its length and dtype in one number (no string per allocation). */
function key(dtype: DType, size: number): number {
  return size * 4 + DTYPE_CODE[dtype];
}

/**
 * A buffer of `size` elements, reusing a cached array of the same dtype and length when one is
 * available (re-zeroing touched memory is far cheaper than faulting in fresh pages). Zero-filled
 * unless `zero` is false, which callers that overwrite every element use to skip the clearing.
 */
export function allocBuffer(dtype: DType, size: number, zero = true): BufferHandle {
  const bytes = size * itemSize(dtype);
  if (bytes > MAX_ON_HEAP_BYTES && bytes <= MAX_SLAB_ARRAY_BYTES)
    return handle(slabArray(dtype, size, bytes));
  const a = takePooled(dtype, size);
  if (a !== undefined) {
    if (zero) a.fill(0);
    return handle(a);
  }
  return handle(allocArray(dtype, size));
}

// Small arrays just above what V8 keeps inside its own heap (64 bytes) get a separately allocated
// backing store each, which costs several times more than the array: they are carved instead out
// of shared 8 KiB slabs (as Node's Buffer pool does), by bumping an offset. A slab is never
// reused (fresh memory is zero, so no clearing is needed); the garbage collector frees it once no
// array in it is reachable, so a long-lived small tensor keeps at most its slab alive. These
// arrays never leave the backend (reads return copies), so no one sees the shared ArrayBuffer.

/** V8 stores typed arrays of at most this many bytes on its heap: cheap, left to it. */
const MAX_ON_HEAP_BYTES = 64;
/** Largest array carved out of a slab. */
const MAX_SLAB_ARRAY_BYTES = 1024;
const SLAB_BYTES = 8192;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/** A zero-filled array of `size` elements (`bytes` bytes) inside the current slab. */
function slabArray(dtype: DType, size: number, bytes: number): TypedArray {
  const need = (bytes + 7) & ~7; // keep every array 8-byte aligned (float64)
  if (slabUsed + need > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed += need;
  switch (dtype) {
    case 'float32':
      return new Float32Array(slab, at, size);
    case 'float64':
      return new Float64Array(slab, at, size);
    case 'int32':
      return new Int32Array(slab, at, size);
    case 'bool':
      return new Uint8Array(slab, at, size);
  }
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
