import { loadSafetensors, type Module, save } from '@tessera/nn';
import type { Optimizer, OptimizerStateDict } from '@tessera/optim';
import { defaultGenerator, type Generator } from '@tessera/tensor';
import type { History, SchedulerLike } from './callbacks/callback.js';
import { type CheckpointStore, fileStore } from './store.js';

/** The JSON half of a checkpoint (the weights are a safetensors file beside it). */
export interface CheckpointMeta {
  format: 'tessera-checkpoint';
  version: 1;
  /** The epoch to run next when resuming. */
  nextEpoch: number;
  weights: { file: string; bytes: number; sha256: string };
  optimizer: OptimizerStateDict;
  scheduler: unknown;
  /** Generator states: `default` is the global generator; others are the ones passed by name. */
  rng: Record<string, { seed: string; offset: string }>;
  history: History;
  savedAt: string;
}

/** What state a checkpoint captures and restores. */
export interface CheckpointTargets {
  model: Module;
  optimizer: Optimizer<any>;
  scheduler?: SchedulerLike;
  /** Extra generators to save/restore (data augmentation, loader shuffling), by name. */
  generators?: Record<string, Generator>;
}

const NAME = /^ckpt-(\d+)\.json$/;

function baseName(nextEpoch: number): string {
  return `ckpt-${String(nextEpoch).padStart(6, '0')}`;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Writes a checkpoint for `nextEpoch`: weights (safetensors) first, then the JSON that names and
 * checksums them, each atomically. A crash mid-way leaves at most an unreferenced weights file;
 * the previous checkpoint stays intact.
 */
export async function saveCheckpoint(
  store: CheckpointStore | string,
  t: CheckpointTargets,
  nextEpoch: number,
  history: History,
): Promise<string> {
  const s = typeof store === 'string' ? fileStore(store) : store;
  const base = baseName(nextEpoch);
  const weights = save(t.model, { format: 'pt', producer: 'tessera' });
  const rng: CheckpointMeta['rng'] = { default: defaultGenerator.getState() };
  for (const [k, g] of Object.entries(t.generators ?? {})) rng[k] = g.getState();
  const meta: CheckpointMeta = {
    format: 'tessera-checkpoint',
    version: 1,
    nextEpoch,
    weights: { file: `${base}.safetensors`, bytes: weights.length, sha256: await sha256(weights) },
    optimizer: await t.optimizer.stateDictAsync(),
    scheduler: t.scheduler?.stateDict() ?? null,
    rng,
    history,
    savedAt: new Date().toISOString(),
  };
  await s.write(`${base}.safetensors`, weights);
  await s.write(`${base}.json`, new TextEncoder().encode(JSON.stringify(meta)));
  return base;
}

/** A checkpoint that failed validation, and why. */
export interface SkippedCheckpoint {
  name: string;
  reason: string;
}

/** The newest valid checkpoint, and the newer ones that were corrupt. */
export interface FoundCheckpoint {
  meta: CheckpointMeta;
  weights: Uint8Array;
  name: string;
  skipped: SkippedCheckpoint[];
}

/**
 * Finds the newest checkpoint whose JSON parses and whose weights match their size and SHA-256
 * and parse as safetensors. Corrupt or half-written newer checkpoints are listed in `skipped`
 * (with the reason) rather than used. Returns null when there is no valid checkpoint.
 */
export async function findLatestCheckpoint(store: CheckpointStore | string): Promise<FoundCheckpoint | null> {
  const s = typeof store === 'string' ? fileStore(store) : store;
  const names = (await s.list())
    .filter((n) => NAME.test(n))
    .sort()
    .reverse();
  const skipped: SkippedCheckpoint[] = [];
  for (const name of names) {
    const reason = await validate(s, name);
    if (typeof reason === 'string') skipped.push({ name, reason });
    else return { ...reason, name, skipped };
  }
  return null;
}

async function validate(
  s: CheckpointStore,
  name: string,
): Promise<string | { meta: CheckpointMeta; weights: Uint8Array }> {
  const raw = await s.read(name);
  if (raw === null) return 'file disappeared';
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    return `JSON is unreadable (${(e as Error).message})`;
  }
  if (meta?.format !== 'tessera-checkpoint' || meta.version !== 1 || typeof meta.weights?.file !== 'string') {
    return 'not a tessera checkpoint (format/version/weights fields missing)';
  }
  const weights = await s.read(meta.weights.file);
  if (weights === null) return `weights file ${meta.weights.file} is missing`;
  if (weights.length !== meta.weights.bytes)
    return `weights file ${meta.weights.file} has ${weights.length} bytes, expected ${meta.weights.bytes} (truncated?)`;
  if ((await sha256(weights)) !== meta.weights.sha256)
    return `weights file ${meta.weights.file} fails its SHA-256 check (corrupt)`;
  try {
    loadSafetensors(weights, meta.weights.file);
  } catch (e) {
    return (e as Error).message;
  }
  return { meta, weights };
}

/** What `resumeFrom` restored. */
export interface Resumed {
  /** Pass as `initialEpoch` to `fit`. */
  initialEpoch: number;
  /** Pass as `history` to `fit`. */
  history: History;
  name: string;
  skipped: SkippedCheckpoint[];
}

/**
 * Restores model weights, optimizer, scheduler and generator states from the newest valid
 * checkpoint, so `fit(model, { ...opts, initialEpoch, history })` continues exactly where the
 * interrupted run stopped. Throws when no valid checkpoint exists (listing the corrupt ones).
 */
export async function resumeFrom(store: CheckpointStore | string, t: CheckpointTargets): Promise<Resumed> {
  const found = await findLatestCheckpoint(store);
  if (found === null)
    throw new Error(`resumeFrom: no valid checkpoint in ${typeof store === 'string' ? store : 'the store'}`);
  const { meta, weights } = found;
  t.model.loadStateDict(loadSafetensors(weights, meta.weights.file).tensors);
  t.optimizer.loadStateDict(meta.optimizer);
  if (t.scheduler !== undefined && meta.scheduler !== null) t.scheduler.loadStateDict(meta.scheduler);
  defaultGenerator.setState(meta.rng.default!);
  for (const [k, g] of Object.entries(t.generators ?? {})) {
    const st = meta.rng[k];
    if (st === undefined)
      throw new Error(`resumeFrom: checkpoint ${found.name} has no state for generator '${k}'`);
    g.setState(st);
  }
  return { initialEpoch: meta.nextEpoch, history: meta.history, name: found.name, skipped: found.skipped };
}

/** Options of `ModelCheckpoint`. */
export interface ModelCheckpointOptions {
  /** A directory (Node) or a store. */
  dir: string | CheckpointStore;
  /** Save every this many epochs (default 1). */
  every?: number;
  /** Checkpoints to keep (default 2, so a good one survives a crash during the next write). */
  keep?: number;
  /** Extra generators to save, by name. */
  generators?: Record<string, Generator>;
}

/** Saves a checkpoint at the end of epochs; keeps the newest `keep`. */
export class ModelCheckpoint {
  private readonly store: CheckpointStore;
  private readonly every: number;
  private readonly keep: number;
  private readonly generators: Record<string, Generator> | undefined;
  /** Names written by this callback, oldest first. */
  readonly written: string[] = [];

  constructor(opts: ModelCheckpointOptions) {
    this.store = typeof opts.dir === 'string' ? fileStore(opts.dir) : opts.dir;
    this.every = opts.every ?? 1;
    this.keep = opts.keep ?? 2;
    if (!Number.isInteger(this.keep) || this.keep < 1)
      throw new RangeError(`ModelCheckpoint: keep must be a positive integer, got ${this.keep}`);
    this.generators = opts.generators;
  }

  async onEpochEnd(
    epoch: number,
    _logs: unknown,
    ctx: { model: Module; optimizer: Optimizer<any>; scheduler?: SchedulerLike; history: History },
  ): Promise<void> {
    if ((epoch + 1) % this.every !== 0) return;
    const name = await saveCheckpoint(
      this.store,
      { ...ctx, generators: this.generators },
      epoch + 1,
      ctx.history,
    );
    this.written.push(name);
    const all = (await this.store.list()).filter((n) => NAME.test(n)).sort();
    for (const old of all.slice(0, Math.max(0, all.length - this.keep))) {
      const base = old.replace(/\.json$/, '');
      await this.store.remove(`${base}.json`);
      await this.store.remove(`${base}.safetensors`);
    }
  }
}
