import { loadSafetensors } from '@tessera/nn';
import type { OptimizerStateDict } from '@tessera/optim';
import { defaultGenerator, isFloating, Tensor } from '@tessera/tensor';
import { type CallbackState, callbackKey, type History } from './callbacks/callback.js';
import type { CheckpointFile, CheckpointMeta, CheckpointTargets } from './checkpoint.js';
import { decodeValue, sha256, unframeMeta } from './checkpoint-codec.js';
import type { CheckpointStore } from './store.js';

// Reading a checkpoint back: every byte is checked (the JSON against its own SHA-256, each
// safetensors file against the size and SHA-256 the JSON records), every field is validated, and
// only then, in `applyCheckpoint`, is anything in the targets changed.

/** A checkpoint read and validated on its own (not yet against the targets). */
export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  weights: Record<string, Tensor>;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;
const HEX64 = /^[0-9a-f]{64}$/;

/** A short, non-recursive description of an untrusted value (String() of a deep array overflows). */
function brief(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 20));
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}
const U64 = 2n ** 64n;

function checkFileRef(field: string, v: unknown, expected: string): string | null {
  if (!isObj(v)) return `${field} is missing`;
  if (v.file !== expected) {
    const got = typeof v.file === 'string' ? JSON.stringify(v.file.slice(0, 60)) : typeof v.file;
    return `${field}.file ${got} is not ${expected} (a checkpoint refers only to its own files in its directory)`;
  }
  if (!isInt(v.bytes, 0) || typeof v.sha256 !== 'string' || !HEX64.test(v.sha256))
    return `${field} needs an integer byte count and a hex SHA-256`;
  return null;
}

/** Why a generator state is malformed, or null. */
function rngProblem(k: string, v: unknown): string | null {
  if (!isObj(v) || typeof v.seed !== 'string' || typeof v.offset !== 'string')
    return `rng.${k.slice(0, 40)} must be {seed, offset} strings`;
  if (!/^\d{1,20}$/.test(v.seed) || BigInt(v.seed) >= U64 || !/^\d{1,40}$/.test(v.offset))
    return `rng.${k.slice(0, 40)} has a seed or offset that is not a non-negative integer (seed below 2^64)`;
  return null;
}

function historyProblem(h: unknown): string | null {
  if (!isObj(h) || !Array.isArray(h.epochs)) return 'history must be {epochs: [...]}';
  for (const [i, e] of h.epochs.entries()) {
    if (!isObj(e) || !isInt(e.epoch, 0) || typeof e.durationMs !== 'number' || !isObj(e.logs))
      return `history.epochs[${i}] must be {epoch, logs, durationMs}`;
    if (!Object.values(e.logs).every((x) => typeof x === 'number'))
      return `history.epochs[${i}].logs must hold numbers`;
  }
  return null;
}

/** Checks the metadata's fields (before decoding tensors); returns why it is malformed. */
function metaProblem(m: unknown, names: { epoch: number; weights: string; state: string }): string | null {
  if (!isObj(m) || m.format !== 'tessera-checkpoint') return 'not a tessera checkpoint (format field)';
  if (m.version !== 2) return `unsupported checkpoint version ${brief(m.version)} (expected 2)`;
  if (m.nextEpoch !== names.epoch)
    return `nextEpoch ${brief(m.nextEpoch)} does not match the file name (epoch ${names.epoch})`;
  const files =
    checkFileRef('weights', m.weights, names.weights) ?? checkFileRef('state', m.state, names.state);
  if (files !== null) return files;
  if (!isObj(m.optimizer) || !Array.isArray(m.optimizer.paramGroups) || !isObj(m.optimizer.state))
    return 'optimizer must be {state, paramGroups}';
  if (!isObj(m.callbacks)) return 'callbacks must be an object';
  if (!isObj(m.rng) || m.rng.default === undefined) return 'rng must hold the default generator state';
  for (const [k, v] of Object.entries(m.rng)) {
    const p = rngProblem(k, v);
    if (p !== null) return p;
  }
  if (typeof m.savedAt !== 'string') return 'savedAt must be a string';
  return null;
}

/** Reads one file of a checkpoint and checks its size and SHA-256; returns the tensors. */
async function readTensors(
  s: CheckpointStore,
  ref: CheckpointFile,
): Promise<Record<string, Tensor> | string> {
  const bytes = await s.read(ref.file);
  if (bytes === null) return `${ref.file} is missing`;
  if (bytes.length !== ref.bytes)
    return `${ref.file} has ${bytes.length} bytes, expected ${ref.bytes} (truncated?)`;
  if ((await sha256(bytes)) !== ref.sha256) return `${ref.file} fails its SHA-256 check (corrupt)`;
  try {
    // The bytes passed their SHA-256 check: the entry cap for untrusted files need not apply.
    return loadSafetensors(bytes, ref.file, { maxEntries: Number.MAX_SAFE_INTEGER }).tensors;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Reads checkpoint `name` (`ckpt-NNNNNN.json`) and everything it refers to, checking all hashes
 * and fields; returns the checkpoint with its tensors in place, or why it is rejected.
 */
export async function loadCandidate(s: CheckpointStore, name: string): Promise<LoadedCheckpoint | string> {
  const base = name.replace(/\.json$/, '');
  const epoch = Number(base.slice('ckpt-'.length));
  const raw = await s.read(name);
  if (raw === null) return 'file disappeared';
  const framed = await unframeMeta(raw);
  if (typeof framed === 'string') return framed;
  const m = framed.meta as Obj;
  const problem = metaProblem(m, {
    epoch,
    weights: `${base}.safetensors`,
    state: `${base}.state.safetensors`,
  });
  if (problem !== null) return problem;
  const weights = await readTensors(s, m.weights as CheckpointFile);
  if (typeof weights === 'string') return weights;
  const state = await readTensors(s, m.state as CheckpointFile);
  if (typeof state === 'string') return state;
  const pool = new Map(Object.entries(state));
  let meta: CheckpointMeta;
  try {
    meta = {
      ...(m as unknown as CheckpointMeta),
      optimizer: decodeValue(m.optimizer, 'optimizer', pool) as OptimizerStateDict,
      scheduler: decodeValue(m.scheduler ?? null, 'scheduler', pool),
      callbacks: decodeValue(m.callbacks, 'callbacks', pool) as Record<string, CallbackState>,
      history: decodeValue(m.history, 'history', pool) as History,
    };
  } catch (e) {
    return (e as Error).message;
  }
  if (pool.size > 0) return `${(m.state as CheckpointFile).file} holds tensors nothing refers to`;
  const h = historyProblem(meta.history);
  if (h !== null) return h;
  return { meta, weights };
}

/** Why the model's state dict does not take `weights` (keys, shapes, dtypes), or null. */
function modelProblem(t: CheckpointTargets, weights: Record<string, Tensor>): string | null {
  const own = t.model.stateDict();
  const ownKeys = Object.keys(own);
  const keys = Object.keys(weights);
  const missing = ownKeys.filter((k) => !Object.hasOwn(weights, k));
  const extra = keys.filter((k) => !Object.hasOwn(own, k));
  if (missing.length > 0 || extra.length > 0)
    return `the weights do not match the model (missing: ${missing.slice(0, 5).join(', ') || 'none'}; unexpected: ${extra.slice(0, 5).join(', ') || 'none'})`;
  for (const k of ownKeys) {
    const a = own[k]!;
    const b = weights[k]!;
    if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
      return `weight ${k} has shape [${b.shape}] in the checkpoint but [${a.shape}] in the model`;
    if (a.dtype !== b.dtype && !(isFloating(a.dtype) && isFloating(b.dtype)))
      return `weight ${k} is ${b.dtype} in the checkpoint but ${a.dtype} in the model`;
  }
  return null;
}

/** Why the checkpoint cannot be applied to the targets (checked before changing anything), or null. */
function targetProblem(c: LoadedCheckpoint, t: CheckpointTargets): string | null {
  const model = modelProblem(t, c.weights);
  if (model !== null) return model;
  for (const k of Object.keys(t.generators ?? {}))
    if (!Object.hasOwn(c.meta.rng, k)) return `no state for generator '${k.slice(0, 40)}'`;
  if (t.scheduler !== undefined && c.meta.scheduler === null) return 'no scheduler state (saved without one)';
  for (const [i, cb] of (t.callbacks ?? []).entries()) {
    if (cb.loadStateDict !== undefined && !Object.hasOwn(c.meta.callbacks, callbackKey(cb, i)))
      return `no state for callback ${callbackKey(cb, i)}`;
  }
  const groups = c.meta.optimizer.paramGroups;
  if (groups.length !== t.optimizer.paramGroups.length)
    return `the optimizer state has ${groups.length} parameter groups, the optimizer ${t.optimizer.paramGroups.length}`;
  return null;
}

/**
 * Applies a validated checkpoint to the targets: scheduler and callback states (restored to their
 * previous states if a later step fails), the optimizer (which changes nothing when it rejects a
 * state), then the weights and generators, which were checked beforehand. Returns null, or why
 * the checkpoint was rejected (the targets then unchanged).
 */
export async function applyCheckpoint(c: LoadedCheckpoint, t: CheckpointTargets): Promise<string | null> {
  const problem = targetProblem(c, t);
  if (problem !== null) return problem;
  const { meta } = c;
  const cbs = (t.callbacks ?? [])
    .map((cb, i) => ({ cb, key: callbackKey(cb, i) }))
    .filter((x) => x.cb.loadStateDict);
  const schedBefore =
    t.scheduler !== undefined && meta.scheduler !== null ? t.scheduler.stateDict() : undefined;
  const cbBefore = await Promise.all(cbs.map((x) => x.cb.stateDict?.()));
  const done: number[] = [];
  let schedLoaded = false;
  try {
    if (schedBefore !== undefined) {
      t.scheduler!.loadStateDict(meta.scheduler);
      schedLoaded = true;
    }
    for (const [i, x] of cbs.entries()) {
      x.cb.loadStateDict!(meta.callbacks[x.key]!);
      done.push(i);
    }
    t.optimizer.loadStateDict(meta.optimizer);
  } catch (e) {
    if (schedLoaded) t.scheduler!.loadStateDict(schedBefore);
    for (const i of done) if (cbBefore[i] !== undefined) cbs[i]!.cb.loadStateDict!(cbBefore[i]!);
    return String((e as Error).message).slice(0, 300);
  }
  t.model.loadStateDict(c.weights);
  defaultGenerator.setState(meta.rng.default!);
  for (const [k, g] of Object.entries(t.generators ?? {})) g.setState(meta.rng[k]!);
  return null;
}

/**
 * Releases the loaded weights and optimizer tensors (the model and optimizer hold copies once
 * applied; a rejected checkpoint's are garbage). Callback states are theirs to keep.
 */
export function releaseCheckpoint(c: LoadedCheckpoint): void {
  for (const w of Object.values(c.weights)) w.dispose();
  const state = c.meta.optimizer.state;
  if (typeof state !== 'object' || state === null) return;
  for (const entry of Object.values(state))
    if (typeof entry === 'object' && entry !== null)
      for (const v of Object.values(entry)) if (v instanceof Tensor) v.dispose();
}
