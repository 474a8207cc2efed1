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
  /**
   * Whether uncounted tensors (see `trackTensor`) view this buffer too: they hold no reference,
   * so the buffer is then never recycled (the garbage collector reclaims it) and never taken
   * over as exclusively owned.
   */
  uncountedViews = false;

  constructor(
    readonly backend: Backend,
    readonly bytes: number,
    /** The buffer to `free` once no tensor views it; null for GC-owned buffers. */
    readonly buffer: BufferHandle | null,
    /** Whether `memory()` counts this buffer (see `trackingSaturated`). */
    readonly tracked: boolean,
  ) {}

  /**
   * Counts one tensor fewer. Returns true exactly once, when the count reaches zero: the
   * counters are updated here and the caller frees the buffer.
   */
  release(): boolean {
    if (--this.refs > 0 || this.freed) return false;
    this.freed = true;
    if (this.tracked) {
      stats.storages--;
      const name = this.backend.name;
      stats.bytes.set(name, (stats.bytes.get(name) ?? 0) - this.bytes);
    }
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
    const gcOwned = isGcOwned(buffer);
    const counted = tracked && !(gcOwned && trackingSaturated());
    this.account = new BufferAccount(backend, bytes, gcOwned ? null : buffer, counted);
    if (!counted) return;
    stats.storages++;
    const name = backend.name;
    stats.bytes.set(name, (stats.bytes.get(name) ?? 0) + bytes);
  }

  /** Tensors currently viewing the buffer (plus one when uncounted tensors view it too). */
  get refs(): number {
    return this.account.refs + (this.account.uncountedViews ? 1 : 0);
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
    if (this.account.release() && !this.account.uncountedViews) this.backend.free(this.buffer);
  }
}

const stats = { tensors: 0, storages: 0, untracked: 0, bytes: new Map<string, number>() };

/** Live-object counters; updated by Tensor's constructor, dispose and finalizer. */
export function countTensor(delta: 1 | -1): void {
  stats.tensors += delta;
}

// Tensors dropped without dispose() are reported by a FinalizationRegistry, whose callbacks run
// only once the event loop turns (a macrotask), and each registration keeps a small cell until
// then. A synchronous loop that never yields would pile up cells without bound, so their number is
// capped: past the cap, new tensors on GC-owned buffers (the CPU backend's) are not registered
// and not counted. Their memory is the garbage collector's either way, reclaimed with no help
// from us. Buffers a backend must free (GPU) are always registered.

/** Registrations whose finalizer has not run yet, at most (about 130 bytes of heap each). */
const MAX_PENDING_CELLS = 32768;
let pendingCells = 0;

/** The accounts of registered tensors by slot (null once disposed); slots are reused. */
const slotAccounts: (BufferAccount | null)[] = [];
const freeSlots: number[] = [];

const finalizer = new FinalizationRegistry<number>((slot) => {
  const a = slotAccounts[slot];
  slotAccounts[slot] = null;
  freeSlots.push(slot);
  pendingCells--;
  if (a === null || a === undefined) return;
  countTensor(-1);
  if (a.release() && a.buffer !== null) a.backend.free(a.buffer);
});

/** Whether the registration cap is reached (new CPU tensors then go uncounted). */
function trackingSaturated(): boolean {
  return pendingCells >= MAX_PENDING_CELLS;
}

/** `trackTensor`'s result for an uncounted tensor that holds a reference to its buffer. */
export const UNCOUNTED = -1;
/** `trackTensor`'s result for an uncounted tensor viewing a counted buffer: it holds no reference. */
export const UNCOUNTED_VIEW = -3;

/** The object whose collection reports a tensor's: only the tensor references it. */
class GcKey {}

/**
 * @internal Counts a new tensor viewing `account`. Returns its slot (>= 0; the tensor then
 * registers with `registerTensor`), or `UNCOUNTED` / `UNCOUNTED_VIEW` when the cap is reached and
 * the buffer is GC-owned.
 */
export function trackTensor(account: BufferAccount): number {
  if (!account.tracked) {
    // An uncounted buffer: the reference only guards recycling on dispose().
    account.refs++;
    stats.untracked++;
    return UNCOUNTED;
  }
  if (account.buffer === null && trackingSaturated()) {
    // A reference nobody would ever drop would keep the counted buffer counted forever.
    account.uncountedViews = true;
    stats.untracked++;
    return UNCOUNTED_VIEW;
  }
  account.refs++;
  countTensor(1);
  const slot = freeSlots.length > 0 ? freeSlots.pop()! : slotAccounts.length;
  slotAccounts[slot] = account;
  return slot;
}

/**
 * @internal Registers the tensor holding `slot` with the finalizer. Returns the key the tensor
 * must hold (and nothing else may): the tensor is reported when the key is collected.
 */
export function registerTensor(slot: number): object {
  const key = new GcKey();
  pendingCells++;
  // No unregister token: one costs several times the registration, and dispose() only has to
  // empty the slot (the cell then reports nothing when it runs).
  finalizer.register(key, slot);
  return key;
}

/** @internal A disposed tensor leaves the counts at once; its slot is reused after its report. */
export function untrackTensor(slot: number): void {
  slotAccounts[slot] = null;
  countTensor(-1);
}

/** What is alive now: tensors, distinct storages and bytes held per backend. */
export interface MemoryInfo {
  /** Tensors neither disposed nor garbage-collected. */
  liveTensors: number;
  /** Backend buffers still held (several tensors may view one). */
  liveBuffers: number;
  /** Bytes held by live buffers, per backend name. */
  bytes: Record<string, number>;
  /**
   * CPU tensors created, since the process started, while a loop had not let the event loop turn
   * for more than 32,768 undisposed tensors: they are not counted above (their memory is reclaimed
   * by the garbage collector like any JS object). 0 in programs that await now and then.
   */
  untrackedTensors: number;
}

/**
 * A report of live tensors and buffers. Disposed tensors, and saved tensors autograd released,
 * leave the counts at once; tensors dropped without `dispose()` leave them when the garbage
 * collector reports them, which happens once the event loop turns (see the package README).
 */
export function memory(): MemoryInfo {
  return {
    liveTensors: stats.tensors,
    liveBuffers: stats.storages,
    bytes: Object.fromEntries(stats.bytes),
    untrackedTensors: stats.untracked,
  };
}

type Task = () => void;
const immediate = (globalThis as { setImmediate?: (fn: Task) => unknown }).setImmediate;
let channel: MessageChannel | undefined;
const waiting: Task[] = [];

/**
 * Resolves after a macrotask, so that garbage-collection reports (finalizers) run and the WebGPU
 * backend's queued work completes: `await nextStep()` once per training step keeps `memory()`
 * exact and un-awaited GPU work bounded, at the cost of one event-loop turn (setImmediate in Node,
 * a MessageChannel message in browsers, whose setTimeout would wait at least 4 ms).
 */
export function nextStep(): Promise<void> {
  return new Promise((resolve) => {
    if (immediate !== undefined) immediate(resolve);
    else if (typeof MessageChannel === 'function') {
      if (channel === undefined) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => waiting.shift()?.();
      }
      waiting.push(resolve);
      channel.port2.postMessage(0);
    } else setTimeout(resolve, 0);
  });
}
