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

/** One op call in progress: its inputs, what the ops it ran inside took, what it made itself. */
interface Frame {
  readonly inputs: readonly Tensor[];
  /** A `recordFunction` region, not an op: it makes nothing itself. */
  readonly region: boolean;
  childMs: number;
  childBytes: number;
  /** New storages it handed to nested ops (made with its own kernels, not by a recorded op). */
  ownBytes: number;
  /** Storages made inside it (nested ops' results, its own allocations); null until the first. */
  made: Storage[] | null;
}

/** Bytes of a storage's buffer. */
function bytesOf(s: Storage): number {
  return s.size * itemSize(s.dtype);
}

/** Whether a frame (an op in progress) has `s` as an input or made it. */
function frameKnows(f: Frame, s: Storage): boolean {
  for (let i = 0; i < f.inputs.length; i++) if (f.inputs[i]!._storage === s) return true;
  return f.made?.includes(s) === true;
}

/**
 * The observer behind `profile`: times each op call, subtracts the time of nested calls for the
 * self time, and counts the bytes of the new storages each call made: those it returns, unless
 * they are its inputs' (views, in-place results) or nested ops made them, and those it hands to
 * nested ops that neither it nor its callers had. Nothing is kept between top-level calls (no
 * set of every storage seen), so profiling costs the same at any length. The price: a tensor
 * made earlier and used by a nested op without being an input of the op around it counts for
 * that op (ops pass every tensor they read as an input, so only unusual custom ops do this).
 */
class Profiler implements OpObserver {
  readonly rows = new Map<string, MutableRow>();
  private readonly frames: Frame[] = [];

  run<T extends Tensor | readonly Tensor[]>(call: OpCall, compute: () => T): T {
    const inputs = call.inputs;
    const parent = this.frames[this.frames.length - 1];
    if (parent !== undefined && !parent.region) {
      for (let i = 0; i < inputs.length; i++) {
        const s = inputs[i]!._storage;
        if (s === null || this.known(s)) continue;
        parent.ownBytes += bytesOf(s);
        (parent.made ??= []).push(s);
      }
    }
    const frame: Frame = { inputs, region: false, childMs: 0, childBytes: 0, ownBytes: 0, made: null };
    this.frames.push(frame);
    let end = -1;
    let selfBytes = 0;
    let outs: readonly Tensor[] = [];
    const start = performance.now();
    try {
      const result = compute();
      end = performance.now();
      outs = Array.isArray(result) ? (result as readonly Tensor[]) : [result as Tensor];
      selfBytes = this.newBytes(outs);
      return result;
    } finally {
      // Also when compute threw: the call is counted and the frame stack stays balanced.
      if (end < 0) end = performance.now();
      this.frames.pop();
      if (parent !== undefined && !parent.region) {
        for (let i = 0; i < outs.length; i++) {
          const s = outs[i]?._storage;
          if (s !== null && s !== undefined) (parent.made ??= []).push(s);
        }
      }
      this.add(call.name, end - start, frame, selfBytes + frame.ownBytes);
    }
  }

  /** Runs `fn` as a region named `name`: a row like an op's, with the ops it runs as nested. */
  region<T>(name: string, fn: () => T): T {
    const frame: Frame = { inputs: [], region: true, childMs: 0, childBytes: 0, ownBytes: 0, made: null };
    this.frames.push(frame);
    const start = performance.now();
    try {
      return fn();
    } finally {
      const end = performance.now();
      this.frames.pop();
      this.add(name, end - start, frame, 0);
    }
  }

  /** Whether an op in progress (innermost first) has `s` as an input or made it. */
  private known(s: Storage): boolean {
    for (let i = this.frames.length - 1; i >= 0; i--) if (frameKnows(this.frames[i]!, s)) return true;
    return false;
  }

  /** Bytes of the distinct result storages that are new (checked while the call's frame is on the stack). */
  private newBytes(outs: readonly Tensor[]): number {
    let bytes = 0;
    for (let i = 0; i < outs.length; i++) {
      const s = outs[i]?._storage;
      if (s === null || s === undefined || this.known(s)) continue;
      let repeated = false;
      for (let j = 0; j < i; j++) if (outs[j]?._storage === s) repeated = true;
      if (!repeated) bytes += bytesOf(s);
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

/** The profiles running now, oldest first (for `recordFunction`). */
let active: readonly Profiler[] = [];

/** Starts `profiler`: pushes it as an op observer and lists it for `recordFunction`; returns its stop. */
function start(profiler: Profiler): () => void {
  const handle = pushOpObserver(profiler);
  active = [...active, profiler];
  return () => {
    handle.remove();
    active = active.filter((p) => p !== profiler);
  };
}

function checkFn(op: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${op}: expected a function, got ${typeof fn}`);
}

/**
 * Runs `fn` and returns, with its value, the ops it ran (every op that goes through `runOp`, in
 * whatever backend): per op name the number of calls, total and self milliseconds (self leaves
 * out nested ops) and the bytes of the new storages it made, with `table()` to print them as
 * `torch.profiler` does. It works alongside `@tessera/autograd`, inside `noGrad` too, and sees
 * the ops that `backward()` runs. Profiles nest: an inner one's ops are counted by the outer one.
 * Times are host times: on an asynchronous backend (WebGPU) they measure queuing the work, not
 * running it. For an async `fn`, use `profileAsync`.
 */
export function profile<T>(fn: () => T): ProfileResult<T> {
  checkFn('profile', fn);
  const profiler = new Profiler();
  const stop = start(profiler);
  let value: T;
  try {
    value = fn();
  } finally {
    stop();
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
  const stop = start(profiler);
  let value: Awaited<T>;
  try {
    value = await fn();
  } finally {
    stop();
  }
  return new ProfileResult(value, profiler.rows.values());
}

/**
 * Labels a region for the profiles running now, as PyTorch's `torch.profiler.record_function`:
 * the time `fn` takes shows as a row named `name` (count, total and self time, and the bytes of
 * the ops it runs, which are nested in it). With no profile running it just calls `fn`. `fn` must
 * be synchronous (a returned Promise is an error, profile or not).
 *
 * ```ts
 * const p = profile(() => {
 *   const loss = recordFunction('forward', () => model.call(x).sum());
 *   recordFunction('backward', () => loss.backward());
 * });
 * ```
 */
export function recordFunction<T>(name: string, fn: () => T): T {
  if (typeof name !== 'string' || name === '')
    throw new TypeError(`recordFunction: name must be a non-empty string, got ${String(name)}`);
  checkFn(`recordFunction(${name})`, fn);
  const profilers = active;
  const inside = (i: number): T => (i < 0 ? fn() : profilers[i]!.region(name, () => inside(i - 1)));
  const value = inside(profilers.length - 1);
  if (value instanceof Promise) {
    throw new TypeError(
      `recordFunction(${name}): fn returned a Promise; a region must be synchronous (time it with profileAsync)`,
    );
  }
  return value;
}
