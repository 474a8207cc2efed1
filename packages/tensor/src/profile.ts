import { type OpCall, type OpObserver, pushOpObserver } from './dispatch.js';
import { itemSize } from './dtype.js';
import {
  formatProfileTable,
  type ProfileRow,
  type ProfileSortKey,
  type ProfileTableOptions,
  sortRows,
} from './profile-table.js';
import type { Storage } from './storage.js';
import type { Tensor } from './tensor.js';

interface MutableRow {
  name: string;
  count: number;
  totalMs: number;
  selfMs: number;
  bytesAllocated: number;
  selfBytesAllocated: number;
}

/** One op call in progress: what the ops it ran inside took, and what it allocated itself. */
interface Frame {
  childMs: number;
  childBytes: number;
  /** New storages it handed to nested ops (made with its own kernels, not by a recorded op). */
  ownBytes: number;
}

/** Bytes of a storage's buffer. */
function bytesOf(s: Storage): number {
  return s.size * itemSize(s.dtype);
}

/**
 * The observer behind `profile`: times each op call, subtracts the time of nested calls for the
 * self time, and counts the bytes of storages that no earlier call had seen: those it returns (a
 * view or an in-place result shares a storage already seen, so it allocates nothing) and those
 * it passes to nested ops. Storages first seen as inputs of a top-level op were made before, or
 * outside any recorded op, and count for no op.
 */
class Profiler implements OpObserver {
  readonly rows = new Map<string, MutableRow>();
  private readonly frames: Frame[] = [];
  /** Storages seen as an input or a result: a result in one of these is not a new allocation. */
  private readonly seen = new WeakSet<Storage>();

  run<T extends Tensor | readonly Tensor[]>(call: OpCall, compute: () => T): T {
    const inputs = call.inputs;
    const parent = this.frames[this.frames.length - 1];
    for (let i = 0; i < inputs.length; i++) {
      const s = inputs[i]!._storage;
      if (s === null || this.seen.has(s)) continue;
      this.seen.add(s);
      if (parent !== undefined) parent.ownBytes += bytesOf(s);
    }
    const frame: Frame = { childMs: 0, childBytes: 0, ownBytes: 0 };
    this.frames.push(frame);
    let end = -1;
    let selfBytes = 0;
    const start = performance.now();
    try {
      const result = compute();
      end = performance.now();
      selfBytes = this.newBytes(result);
      return result;
    } finally {
      // Also when compute threw: the call is counted and the frame stack stays balanced.
      if (end < 0) end = performance.now();
      this.frames.pop();
      this.add(call.name, end - start, frame, selfBytes + frame.ownBytes);
    }
  }

  private newBytes(result: Tensor | readonly Tensor[]): number {
    let bytes = 0;
    const outs: readonly Tensor[] = Array.isArray(result) ? result : [result as Tensor];
    for (let i = 0; i < outs.length; i++) {
      const s = outs[i]?._storage;
      if (s === null || s === undefined || this.seen.has(s)) continue;
      this.seen.add(s);
      bytes += bytesOf(s);
    }
    return bytes;
  }

  private add(name: string, ms: number, frame: Frame, selfBytes: number): void {
    const totalBytes = selfBytes + frame.childBytes;
    const parent = this.frames[this.frames.length - 1];
    if (parent !== undefined) {
      parent.childMs += ms;
      parent.childBytes += totalBytes;
    }
    let row = this.rows.get(name);
    if (row === undefined) {
      row = { name, count: 0, totalMs: 0, selfMs: 0, bytesAllocated: 0, selfBytesAllocated: 0 };
      this.rows.set(name, row);
    }
    row.count++;
    row.totalMs += ms;
    row.selfMs += Math.max(0, ms - frame.childMs);
    row.bytesAllocated += totalBytes;
    row.selfBytesAllocated += selfBytes;
  }
}

/** What `profile` measured: one row per op name, and the profiled function's return value. */
export class ProfileResult<T> {
  /** One row per op name, sorted by total time (largest first). */
  readonly rows: readonly ProfileRow[];

  /** @internal Built by `profile` / `profileAsync`. */
  constructor(
    /** What the profiled function returned (awaited, for `profileAsync`). */
    readonly value: T,
    rows: Iterable<ProfileRow>,
  ) {
    this.rows = Object.freeze(
      sortRows(
        [...rows].map((r) => Object.freeze({ ...r })),
        'totalMs',
      ),
    );
  }

  /** The row of op `name`, or undefined if it did not run. */
  row(name: string): ProfileRow | undefined {
    return this.rows.find((r) => r.name === name);
  }

  /** Rows sorted by `key`, largest first. */
  sorted(key: ProfileSortKey): ProfileRow[] {
    return sortRows(this.rows, key);
  }

  /** Sum of the rows' self times, in milliseconds: the time spent in ops. */
  get selfMsTotal(): number {
    return this.rows.reduce((s, r) => s + r.selfMs, 0);
  }

  /**
   * The rows as text, laid out as PyTorch's `prof.key_averages().table()` (Self CPU %, Self CPU,
   * CPU total %, CPU total, CPU time avg, Mem, Self Mem, # of Calls), sorted by total time unless
   * `sortBy` says otherwise.
   */
  table(opts: ProfileTableOptions = {}): string {
    return formatProfileTable(this.rows, opts);
  }
}

function checkFn(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${op}: expected a function, got ${typeof fn}`);
}

/**
 * Runs `fn` and returns, with its value, the ops it ran (every op that goes through `runOp`, in
 * whatever backend): per op name the number of calls, total and self milliseconds (self leaves
 * out nested ops) and the bytes of new result storages, with `table()` to print them as
 * `torch.profiler` does. It works alongside `@tessera/autograd`, inside `noGrad` too, and sees
 * the ops that `backward()` runs. Profiles nest: an inner one's ops are counted by the outer one.
 * Times are host times: on an asynchronous backend (WebGPU) they measure queuing the work, not
 * running it. For an async `fn`, use `profileAsync`.
 */
export function profile<T>(fn: () => T): ProfileResult<T> {
  checkFn('profile', fn);
  const profiler = new Profiler();
  const handle = pushOpObserver(profiler);
  let value: T;
  try {
    value = fn();
  } finally {
    handle.remove();
  }
  if (value instanceof Promise) {
    throw new TypeError(
      'profile: fn returned a Promise, so only its synchronous part was profiled; use profileAsync(fn)',
    );
  }
  return new ProfileResult(value, profiler.rows.values());
}

/**
 * `profile` for an async `fn`: profiles until the promise it returns settles. Ops that other code
 * runs meanwhile (between awaits) are counted too, since op observers are global.
 */
export async function profileAsync<T>(fn: () => T | Promise<T>): Promise<ProfileResult<Awaited<T>>> {
  checkFn('profileAsync', fn);
  const profiler = new Profiler();
  const handle = pushOpObserver(profiler);
  let value: Awaited<T>;
  try {
    value = await fn();
  } finally {
    handle.remove();
  }
  return new ProfileResult(value, profiler.rows.values());
}
