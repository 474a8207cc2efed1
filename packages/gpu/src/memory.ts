import type { DType } from '@tessera/tensor';
import type { Pending } from './fusion/fuser.js';

/**
 * The webgpu backend's buffer handle: a GPUBuffer of a size class, plus bookkeeping. Every
 * element takes 4 bytes on the GPU (bool is stored as one u32 per element).
 */
export class GpuBuffer {
  /** Set by `free`; using a freed handle is a bug in the caller. */
  freed = false;
  /** Id of the last command batch that referenced this buffer (see Runtime.batchId). */
  lastBatch = -1;
  /** Elementwise fusion: the expression this buffer's values are waiting for (see Fuser). */
  pending: Pending | null = null;
  /** Elementwise fusion: buffers whose pending expressions read this one. */
  readers: Set<GpuBuffer> | null = null;
  /** Elementwise fusion: freed by the tensor layer, released once no pending expression reads it. */
  orphan = false;

  constructor(
    /** The GPU buffer (its size is the size class, at least `4 * size` bytes). */
    readonly buffer: GPUBuffer,
    /** Bytes of the size class. */
    readonly bytes: number,
    /** Element type the tensor layer allocated it for. */
    readonly dtype: DType,
    /** Elements requested. */
    readonly size: number,
  ) {}
}

/** Live/pool statistics of the webgpu backend's memory. */
export interface GpuMemoryInfo {
  /** Buffers held by tensors (allocated and not yet freed). */
  liveBuffers: number;
  /** Bytes of those buffers (their size classes). */
  liveBytes: number;
  /** Freed buffers kept for reuse. */
  pooledBuffers: number;
  /** Bytes of pooled buffers. */
  pooledBytes: number;
  /** Highest `liveBytes` seen. */
  peakBytes: number;
  /** GPUBuffers created since start (reuse keeps this low). */
  created: number;
  /** Allocations served from the pool. */
  reused: number;
  /** `globalThis.gc()` hints given under memory pressure (only with --expose-gc). */
  gcHints: number;
}

const USAGE_STORAGE = 0x80; // GPUBufferUsage.STORAGE
const USAGE_COPY_SRC = 0x04;
const USAGE_COPY_DST = 0x08;

/**
 * Rounds a byte count up to its size class: powers of two up to 1 MiB, then steps of 1/8 of the
 * enclosing power of two (at most 12.5% waste). Few classes means freed buffers are reused often.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, bytes);
  const p = 2 ** Math.ceil(Math.log2(b));
  if (p <= 1 << 20) return p;
  const step = p / 8;
  return Math.ceil(b / step) * step;
}

/** Options of the caching allocator. */
export interface PoolOptions {
  /** Pooled bytes kept at most; beyond, the oldest freed buffers are destroyed. */
  maxPoolBytes: number;
  /** Pooled buffers kept at most, whatever their size (a burst of small frees is bounded too). */
  maxPoolBuffers: number;
  /** Live bytes above which a `globalThis.gc()` hint is given (then re-armed at 1.5x). */
  gcHintBytes: number;
  /** Live buffer count above which a `globalThis.gc()` hint is given (then re-armed at 1.5x). */
  gcHintBuffers: number;
}

/**
 * A caching allocator: freed buffers go to a free list per size class and are handed out again
 * instead of creating new GPUBuffers (creation is slow and fragments GPU memory).
 */
export class BufferPool {
  private readonly free = new Map<number, GpuBuffer[]>();
  private readonly stats = {
    liveBuffers: 0,
    liveBytes: 0,
    pooledBuffers: 0,
    pooledBytes: 0,
    peakBytes: 0,
    created: 0,
    reused: 0,
    gcHints: 0,
  };
  private nextGcAt: number;
  private nextGcCount: number;
  /**
   * Id of the oldest batch not yet submitted: buffers that batch or a later one references are
   * never destroyed (set by the runtime; with none, every pooled buffer may go).
   */
  pendingFrom: () => number = () => Number.POSITIVE_INFINITY;

  constructor(
    private readonly device: GPUDevice,
    private readonly opts: PoolOptions,
  ) {
    this.nextGcAt = opts.gcHintBytes;
    this.nextGcCount = opts.gcHintBuffers;
  }

  /**
   * A buffer for `size` elements. With `notInBatch`, only a buffer that the pending command batch
   * does not reference (so `queue.writeBuffer` into it cannot overtake queued kernels).
   */
  acquire(dtype: DType, size: number, notInBatch = -1): GpuBuffer {
    const bytes = sizeClass(size * 4);
    const list = this.free.get(bytes);
    let found: GpuBuffer | undefined;
    if (list !== undefined && list.length > 0) {
      if (notInBatch < 0) found = list.pop();
      else {
        const i = list.findIndex((b) => b.lastBatch !== notInBatch);
        if (i >= 0) found = list.splice(i, 1)[0];
      }
    }
    let buffer: GPUBuffer;
    if (found !== undefined) {
      this.stats.pooledBuffers--;
      this.stats.pooledBytes -= bytes;
      this.stats.reused++;
      buffer = found.buffer;
    } else {
      buffer = this.device.createBuffer({
        size: bytes,
        usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST,
      });
      this.stats.created++;
    }
    const h = new GpuBuffer(buffer, bytes, dtype, size);
    if (found !== undefined) h.lastBatch = found.lastBatch;
    this.stats.liveBuffers++;
    this.stats.liveBytes += bytes;
    if (this.stats.liveBytes > this.stats.peakBytes) this.stats.peakBytes = this.stats.liveBytes;
    if (this.stats.liveBytes > this.nextGcAt || this.stats.liveBuffers > this.nextGcCount) this.gcHint();
    return h;
  }

  /** Returns a buffer to its free list (trimming the pool if it grew past its limit). */
  release(h: GpuBuffer): void {
    if (h.freed) return;
    h.freed = true;
    this.stats.liveBuffers--;
    this.stats.liveBytes -= h.bytes;
    // Re-arm the gc hint relative to what is live once garbage has actually been freed.
    this.nextGcAt = Math.max(this.opts.gcHintBytes, Math.min(this.nextGcAt, this.stats.liveBytes * 2));
    this.nextGcCount = Math.max(
      this.opts.gcHintBuffers,
      Math.min(this.nextGcCount, this.stats.liveBuffers * 2),
    );
    let list = this.free.get(h.bytes);
    if (list === undefined) this.free.set(h.bytes, (list = []));
    // A fresh handle object keeps stale references to `h` from reaching the pooled buffer.
    const pooled = new GpuBuffer(h.buffer, h.bytes, h.dtype, 0);
    pooled.lastBatch = h.lastBatch;
    list.push(pooled);
    this.stats.pooledBuffers++;
    this.stats.pooledBytes += h.bytes;
    // A burst of frees (finalizers after a long un-awaited loop) must not leave thousands of
    // GPUBuffers pooled until the next submit: trim now, to 3/4 of the count so it is not per free.
    if (this.stats.pooledBuffers > this.opts.maxPoolBuffers) {
      this.trim(this.pendingFrom(), this.opts.maxPoolBytes, Math.floor(this.opts.maxPoolBuffers * 0.75));
    }
  }

  /**
   * Destroys pooled buffers until at most `keepBytes` bytes and `keepBuffers` buffers remain
   * (default: the pool limits), skipping buffers that batches from id `pendingFrom` on (recorded
   * or queued, not yet submitted) still reference. Returns the bytes released.
   */
  trim(
    pendingFrom: number,
    keepBytes = this.opts.maxPoolBytes,
    keepBuffers = this.opts.maxPoolBuffers,
  ): number {
    const st = this.stats;
    if (st.pooledBytes <= keepBytes && st.pooledBuffers <= keepBuffers) return 0;
    let released = 0;
    // Bytes: largest classes first, they free the most memory per destroyed buffer. Count: the
    // most crowded classes first.
    const classes = [...this.free.keys()].sort((a, b) => b - a);
    for (const c of classes) released += this.destroy(c, pendingFrom, () => st.pooledBytes > keepBytes);
    classes.sort((a, b) => (this.free.get(b)?.length ?? 0) - (this.free.get(a)?.length ?? 0));
    for (const c of classes) released += this.destroy(c, pendingFrom, () => st.pooledBuffers > keepBuffers);
    return released;
  }

  /** Destroys pooled buffers of class `c` while `more()` holds; returns the bytes released. */
  private destroy(c: number, pendingFrom: number, more: () => boolean): number {
    const list = this.free.get(c);
    if (list === undefined) return 0;
    let released = 0;
    const kept: GpuBuffer[] = [];
    for (const b of list) {
      if (b.lastBatch >= pendingFrom || !more()) {
        kept.push(b);
        continue;
      }
      b.buffer.destroy();
      this.stats.pooledBuffers--;
      this.stats.pooledBytes -= c;
      released += c;
    }
    if (kept.length === 0) this.free.delete(c);
    else this.free.set(c, kept);
    return released;
  }

  /** Destroys every pooled buffer (the device is going away). */
  clear(): void {
    for (const list of this.free.values()) for (const b of list) b.buffer.destroy();
    this.free.clear();
    this.stats.pooledBuffers = 0;
    this.stats.pooledBytes = 0;
  }

  /** A snapshot of the counters. */
  info(): GpuMemoryInfo {
    return { ...this.stats };
  }

  /**
   * GPU memory is invisible to V8's heap heuristics (and tensor objects are small), so
   * unreachable tensors can pin many buffers before a full collection runs their finalizers;
   * minor collections do not. When live bytes or live buffers cross a threshold, ask for a
   * collection if the embedder exposes one (`node --expose-gc`); the threshold then moves up
   * to 1.5x what is live, and back down as buffers are freed.
   */
  private gcHint(): void {
    this.nextGcAt = Math.max(this.opts.gcHintBytes, this.stats.liveBytes * 1.5);
    this.nextGcCount = Math.max(this.opts.gcHintBuffers, this.stats.liveBuffers * 1.5);
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc === 'function') {
      this.stats.gcHints++;
      gc();
    }
  }
}
