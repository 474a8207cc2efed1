import { type AnyModule, saveAsync } from '@tessera/nn';
import type { Optimizer, OptimizerStateDict } from '@tessera/optim';
import { defaultGenerator, type Generator, type Tensor } from '@tessera/tensor';
import {
  type Callback,
  type CallbackState,
  callbackKey,
  type History,
  type SchedulerLike,
} from './callbacks/callback.js';
import { encodeValue, frameMeta, sha256 } from './checkpoint-codec.js';
import {
  applyCheckpoint,
  type LoadedCheckpoint,
  loadCandidate,
  releaseCheckpoint,
} from './checkpoint-load.js';
import { type CheckpointStore, fileStore } from './store.js';

/** A file of a checkpoint: its plain name in the store, size and SHA-256. */
export interface CheckpointFile {
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * The JSON half of a checkpoint, as loaded (tensors in place). On disk the JSON carries its own
 * SHA-256; tensors live in two safetensors files beside it: `weights` (the model's state dict,
 * PyTorch names, loadable on its own) and `state` (optimizer moments, callback tensors).
 */
export interface CheckpointMeta {
  format: 'tessera-checkpoint';
  version: 2;
  /** The epoch to run next when resuming. */
  nextEpoch: number;
  weights: CheckpointFile;
  state: CheckpointFile;
  optimizer: OptimizerStateDict;
  scheduler: unknown;
  /** Callback states by `callbackKey` (position in fit's list and class name). */
  callbacks: Record<string, CallbackState>;
  /** Generator states: `default` is the global generator; others are the ones passed by name. */
  rng: Record<string, { seed: string; offset: string }>;
  history: History;
  savedAt: string;
}

/** What state a checkpoint captures and restores. */
export interface CheckpointTargets {
  model: AnyModule;
  optimizer: Optimizer<object>;
  scheduler?: SchedulerLike;
  /** Extra generators to save/restore (data augmentation, loader shuffling), by name. */
  generators?: Record<string, Generator>;
  /** The callbacks given to `fit` (same order): those with `stateDict` are saved and restored. */
  callbacks?: readonly Callback[];
}

/** `ckpt-000003.json`: the checkpoint to resume at epoch 3. */
export const CHECKPOINT_NAME = /^ckpt-(\d{6,})\.json$/;
/** Every file a checkpoint writes (the JSON and its two safetensors files). */
export const CHECKPOINT_FILE = /^(ckpt-\d{6,})\.(json|safetensors|state\.safetensors)$/;

/** File names of the checkpoint for `nextEpoch`. */
export function checkpointFiles(nextEpoch: number): {
  base: string;
  json: string;
  weights: string;
  state: string;
} {
  const base = `ckpt-${String(nextEpoch).padStart(6, '0')}`;
  return { base, json: `${base}.json`, weights: `${base}.safetensors`, state: `${base}.state.safetensors` };
}

function storeOf(store: CheckpointStore | string): CheckpointStore {
  return typeof store === 'string' ? fileStore(store) : store;
}

/** The optimizer's state dict with its tensors as they are (no copy, no readback). */
function optimizerState(opt: Optimizer<object>): OptimizerStateDict {
  const ids = new Map<unknown, number>();
  let next = 0;
  const paramGroups = opt.paramGroups.map((g) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g)) if (k !== 'params') out[k] = v;
    const params = g.params.map((p: unknown) => {
      ids.set(p, next);
      return next++;
    });
    return { ...out, params };
  });
  const state: OptimizerStateDict['state'] = {};
  for (const [p, s] of opt.state) {
    const id = ids.get(p);
    if (id !== undefined) state[String(id)] = { ...s };
  }
  return { state, paramGroups };
}

async function callbackStates(cbs: readonly Callback[]): Promise<Record<string, CallbackState>> {
  const out: Record<string, CallbackState> = {};
  for (const [i, cb] of cbs.entries())
    if (cb.stateDict !== undefined) out[callbackKey(cb, i)] = await cb.stateDict();
  return out;
}

/**
 * Writes a checkpoint for `nextEpoch`: the weights and the state tensors (safetensors, read back
 * asynchronously, so models on the GPU work), then the JSON that names and checksums them and
 * itself, each atomically. A crash mid-way leaves at most unreferenced files (removed by the
 * next save or resume); the previous checkpoint stays intact.
 */
export async function saveCheckpoint(
  store: CheckpointStore | string,
  t: CheckpointTargets,
  nextEpoch: number,
  history: History,
): Promise<string> {
  if (!Number.isSafeInteger(nextEpoch) || nextEpoch < 0)
    throw new RangeError(`saveCheckpoint: nextEpoch must be a non-negative integer, got ${nextEpoch}`);
  const s = storeOf(store);
  const names = checkpointFiles(nextEpoch);
  const tensors: Record<string, Tensor> = {};
  const rng: CheckpointMeta['rng'] = { default: defaultGenerator.getState() };
  for (const [k, g] of Object.entries(t.generators ?? {})) rng[k] = g.getState();
  const body = {
    optimizer: encodeValue(optimizerState(t.optimizer), 'optimizer', tensors),
    scheduler: encodeValue(t.scheduler?.stateDict() ?? null, 'scheduler', tensors),
    callbacks: encodeValue(await callbackStates(t.callbacks ?? []), 'callbacks', tensors),
    rng,
    history: encodeValue(history, 'history', tensors),
  };
  const weights = await saveAsync(t.model, { format: 'pt', producer: 'tessera' });
  const ref = async (file: string, bytes: Uint8Array): Promise<CheckpointFile> => {
    const r = { file, bytes: bytes.length, sha256: await sha256(bytes) };
    await s.write(file, bytes);
    return r;
  };
  const weightsRef = await ref(names.weights, weights);
  const stateRef = await ref(names.state, await saveAsync(tensors, { producer: 'tessera' }));
  const meta = {
    format: 'tessera-checkpoint',
    version: 2,
    nextEpoch,
    weights: weightsRef,
    state: stateRef,
    ...body,
    savedAt: new Date().toISOString(),
  };
  await s.write(names.json, await frameMeta(meta));
  await removeDebris(s);
  return names.base;
}

/**
 * Removes what interrupted writes leave behind: temporary files, and safetensors files of
 * checkpoints whose JSON is absent. Returns the names removed.
 */
export async function removeDebris(store: CheckpointStore | string): Promise<string[]> {
  const s = storeOf(store);
  const removed = (await s.removeTemporary?.()) ?? [];
  const all = await s.list();
  const jsons = new Set(all.filter((n) => CHECKPOINT_NAME.test(n)));
  for (const n of all) {
    const m = CHECKPOINT_FILE.exec(n);
    if (m !== null && m[2] !== 'json' && !jsons.has(`${m[1]}.json`)) {
      await s.remove(n);
      removed.push(n);
    }
  }
  return removed;
}

/** A checkpoint that failed validation, and why. */
export interface SkippedCheckpoint {
  name: string;
  reason: string;
}

/** The newest valid checkpoint, and the newer ones that were corrupt. */
export interface FoundCheckpoint {
  /** The metadata with tensors in place (optimizer moments, callback tensors). */
  meta: CheckpointMeta;
  /** The model's state dict. */
  weights: Record<string, Tensor>;
  name: string;
  skipped: SkippedCheckpoint[];
}

async function checkpointNames(s: CheckpointStore): Promise<string[]> {
  return (await s.list())
    .filter((n) => CHECKPOINT_NAME.test(n))
    .sort((a, b) => a.length - b.length || (a < b ? -1 : 1))
    .reverse();
}

/**
 * Finds the newest checkpoint whose JSON matches its own SHA-256 and has every field well formed,
 * and whose safetensors files match their sizes and SHA-256 and parse. Corrupt or half-written
 * newer checkpoints are listed in `skipped` (with the reason) rather than used. Returns null when
 * there is no valid checkpoint. Reads only.
 */
export async function findLatestCheckpoint(store: CheckpointStore | string): Promise<FoundCheckpoint | null> {
  const s = storeOf(store);
  const skipped: SkippedCheckpoint[] = [];
  for (const name of await checkpointNames(s)) {
    const c = await loadCandidate(s, name);
    if (typeof c === 'string') skipped.push({ name, reason: c });
    else return { meta: c.meta, weights: c.weights, name, skipped };
  }
  return null;
}

/** What `resumeFrom` restored. */
export interface Resumed {
  /** Pass as `initialEpoch` to `fit`. */
  initialEpoch: number;
  /** Pass as `history` to `fit`. */
  history: History;
  name: string;
  /** Newer checkpoints that were rejected, and why. */
  skipped: SkippedCheckpoint[];
}

/**
 * Restores model weights, optimizer, scheduler, callback and generator states from the newest
 * valid checkpoint, so `fit(model, { ...opts, initialEpoch, history })` continues exactly where
 * the interrupted run stopped. Everything is validated (hashes, fields, shapes, the optimizer's
 * groups) before anything changes; a checkpoint that does not fit is skipped for the previous one.
 * Throws, changing nothing, when no checkpoint is valid, listing why each was rejected. Removes
 * temporary files and orphaned safetensors files first.
 */
export async function resumeFrom(store: CheckpointStore | string, t: CheckpointTargets): Promise<Resumed> {
  const s = storeOf(store);
  await removeDebris(s);
  const skipped: SkippedCheckpoint[] = [];
  for (const name of await checkpointNames(s)) {
    const c: LoadedCheckpoint | string = await loadCandidate(s, name);
    const reason = typeof c === 'string' ? c : await applyCheckpoint(c, t);
    if (typeof c !== 'string') releaseCheckpoint(c);
    if (reason === null) {
      const meta = (c as LoadedCheckpoint).meta;
      return { initialEpoch: meta.nextEpoch, history: meta.history, name, skipped };
    }
    skipped.push({ name, reason });
  }
  const where = typeof store === 'string' ? store : 'the store';
  if (skipped.length === 0) throw new Error(`resumeFrom: no valid checkpoint in ${where} (none found)`);
  throw new Error(
    `resumeFrom: no valid checkpoint in ${where}: ${skipped.map((k) => `${k.name}: ${k.reason}`).join('; ')}`,
  );
}
