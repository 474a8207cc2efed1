import type { Backend, BufferHandle } from './backend.js';
import { type DType, itemSize } from './dtype.js';

/**
 * Marks a buffer handle whose memory the JS garbage collector reclaims by itself (a small CPU
 * typed array): when the tensors viewing it are collected without `dispose()`, the finalizer
 * only updates the counters and does not keep the buffer alive until then, nor call
 * `backend.free` for it. A handle is marked by setting this property to `true`.
 */
export const GC_OWNED: unique symbol = Symbol('tessera.gcOwned');

/** Whether `buffer` carries the `GC_OWNED` mark. */
export function isGcOwned(buffer: BufferHandle): boolean {
  return (buffer as { [GC_OWNED]?: boolean })[GC_OWNED] === true;
}

/**
 * The reference count and byte accounting of one buffer. Kept apart from `Storage` so that the
 * tensor finalizer can hold it without holding the buffer: holding a GC-owned buffer until the
 * finalizer runs would make every short-lived result survive young-generation collections.
 * @internal
 */
export class BufferAccount {
  /** Tensors currently viewing the buffer (neither disposed nor collected). */
  refs = 0;
  /** Whether the buffer has been handed back (or its counters dropped). */
  freed = false;

  constructor(
    readonly backend: Backend,
    readonly bytes: number,
    /** The buffer to `free` once no tensor views it; null for GC-owned buffers. */
    readonly buffer: BufferHandle | null,
  ) {}

  /**
   * Counts one tensor fewer. Returns true exactly once, when the count reaches zero: the
   * counters are updated here and the caller frees the buffer.
   */
  release(): boolean {
    if (--this.refs > 0 || this.freed) return false;
    this.freed = true;
    stats.storages--;
    const name = this.backend.name;
    stats.bytes.set(name, (stats.bytes.get(name) ?? 0) - this.bytes);
    return true;
  }
}

/**
 * A backend buffer shared by every tensor that views it. Reference-counted by tensors: the buffer
 * is freed when the last tensor viewing it is disposed or garbage-collected. `version` counts
 * in-place writes, so that code which saved a tensor (autograd) can tell it was modified.
 */
export class Storage {
  /** In-place writes so far (bumped by every op whose name ends in `_`). */
  version = 0;
  /** @internal Reference count and accounting (see `BufferAccount`). */
  readonly account: BufferAccount;

  /** `tracked: false` is for internal constants, which `memory()` does not count. */
  constructor(
    readonly backend: Backend,
    readonly buffer: BufferHandle,
    readonly dtype: DType,
    readonly size: number,
    tracked = true,
  ) {
    const bytes = size * itemSize(dtype);
    this.account = new BufferAccount(backend, bytes, isGcOwned(buffer) ? null : buffer);
    if (!tracked) return;
    stats.storages++;
    const name = backend.name;
    stats.bytes.set(name, (stats.bytes.get(name) ?? 0) + bytes);
  }

  /** Tensors currently viewing the buffer. */
  get refs(): number {
    return this.account.refs;
  }

  /** Whether the buffer has been handed back to the backend. */
  get freed(): boolean {
    return this.account.freed;
  }

  /** Counts one more tensor viewing this buffer. */
  retain(): void {
    this.account.refs++;
  }

  /** Counts one tensor fewer; frees the buffer (once) when none is left. */
  release(): void {
    if (this.account.release()) this.backend.free(this.buffer);
  }
}

const stats = { tensors: 0, storages: 0, bytes: new Map<string, number>() };

/** Live-object counters; updated by Tensor's constructor, dispose and finalizer. */
export function countTensor(delta: 1 | -1): void {
  stats.tensors += delta;
}

/** What is alive now: tensors, distinct storages and bytes held per backend. */
export interface MemoryInfo {
  /** Tensors neither disposed nor garbage-collected. */
  liveTensors: number;
  /** Backend buffers still held (several tensors may view one). */
  liveBuffers: number;
  /** Bytes held by live buffers, per backend name. */
  bytes: Record<string, number>;
}

/**
 * A report of live tensors and buffers. Tensors that are unreachable but not yet collected still
 * count until the garbage collector runs their finalizer.
 */
export function memory(): MemoryInfo {
  return { liveTensors: stats.tensors, liveBuffers: stats.storages, bytes: Object.fromEntries(stats.bytes) };
}
