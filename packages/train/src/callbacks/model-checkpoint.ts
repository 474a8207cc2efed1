import type { Generator } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { CHECKPOINT_FILE, CHECKPOINT_NAME, saveCheckpoint } from '../checkpoint.js';
import { type CheckpointStore, fileStore } from '../store.js';
import type { Callback, Logs, TrainContext } from './callback.js';

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

/**
 * Saves a checkpoint at the end of epochs (after every other callback's `onEpochEnd`, so their
 * saved states include the epoch); keeps the newest `keep`. Resume with `resumeFrom`.
 */
export class ModelCheckpoint implements Callback {
  readonly runLast = true;
  private readonly store: CheckpointStore;
  private readonly every: number;
  private readonly keep: number;
  private readonly generators: Record<string, Generator> | undefined;
  /** Names written by this callback, oldest first. */
  readonly written: string[] = [];

  constructor(opts: ModelCheckpointOptions) {
    checkOptions('ModelCheckpoint', opts, { dir: 'any', every: 'any', keep: 'any', generators: 'any' });
    this.store = typeof opts.dir === 'string' ? fileStore(opts.dir) : opts.dir;
    this.every = opts.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1)
      throw new RangeError(`ModelCheckpoint: every must be a positive integer, got ${this.every}`);
    this.keep = opts.keep ?? 2;
    if (!Number.isInteger(this.keep) || this.keep < 1)
      throw new RangeError(`ModelCheckpoint: keep must be a positive integer, got ${this.keep}`);
    this.generators = opts.generators;
  }

  /** Writes the checkpoint for `epoch + 1` (every `every` epochs), then drops the oldest. */
  async onEpochEnd(epoch: number, _logs: Logs, ctx: TrainContext): Promise<void> {
    if ((epoch + 1) % this.every !== 0) return;
    const name = await saveCheckpoint(
      this.store,
      {
        model: ctx.model,
        optimizer: ctx.optimizer,
        scheduler: ctx.scheduler,
        generators: this.generators,
        callbacks: ctx.callbacks,
      },
      epoch + 1,
      ctx.history,
    );
    this.written.push(name);
    const all = (await this.store.list()).filter((n) => CHECKPOINT_NAME.test(n));
    all.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    const drop = new Set(
      all.slice(0, Math.max(0, all.length - this.keep)).map((n) => n.replace(/\.json$/, '')),
    );
    if (drop.size === 0) return;
    // The JSON first: a crash mid-way leaves orphaned safetensors files, which saves remove.
    for (const base of drop) await this.store.remove(`${base}.json`);
    for (const n of await this.store.list()) {
      const m = CHECKPOINT_FILE.exec(n);
      if (m !== null && drop.has(m[1]!)) await this.store.remove(n);
    }
  }
}
