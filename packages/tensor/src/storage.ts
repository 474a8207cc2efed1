import type { Backend, BufferHandle } from './backend.js';
import { type DType, itemSize } from './dtype.js';

/**
 * A backend buffer shared by every tensor that views it. Reference-counted by tensors: the buffer
 * is freed when the last tensor viewing it is disposed or garbage-collected. `version` counts
 * in-place writes, so that code which saved a tensor (autograd) can tell it was modified.
 */
export class Storage {
  /** Tensors currently viewing the buffer. */
  refs = 0;
  /** In-place writes so far (bumped by every op whose name ends in `_`). */
  version = 0;
  /** Whether the buffer has been handed back to the backend. */
  freed = false;

  constructor(
    readonly backend: Backend,
    readonly buffer: BufferHandle,
    readonly dtype: DType,
    readonly size: number,
  ) {
    stats.storages++;
    const b = stats.bytes.get(backend.name) ?? 0;
    stats.bytes.set(backend.name, b + size * itemSize(dtype));
  }

  /** Counts one more tensor viewing this buffer. */
  retain(): void {
    this.refs++;
  }

  /** Counts one tensor fewer; frees the buffer (once) when none is left. */
  release(): void {
    if (--this.refs > 0 || this.freed) return;
    this.freed = true;
    stats.storages--;
    stats.bytes.set(
      this.backend.name,
      (stats.bytes.get(this.backend.name) ?? 0) - this.size * itemSize(this.dtype),
    );
    this.backend.free(this.buffer);
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
