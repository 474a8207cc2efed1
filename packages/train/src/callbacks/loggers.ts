import { checkOptions } from '@tessera/tensor';
import { nodeFsPath } from '../node-modules.js';
import type { Callback, CallbackState, Logs, TrainContext } from './callback.js';

/** Where log lines go: a Node file path (appended), or a function receiving each line. */
export type LineSink = string | ((line: string) => void | Promise<void>);

async function emit(sink: LineSink, line: string): Promise<void> {
  if (typeof sink === 'function') {
    await sink(line);
    return;
  }
  const [fs] = await nodeFsPath(
    'CSVLogger/JSONLinesLogger with a file path',
    'in the browser pass a function that receives each line',
  );
  await fs.appendFile(sink, `${line}\n`);
}

/** Writes one CSV row per epoch (header from the first epoch's keys; later new keys are an error). */
export class CSVLogger implements Callback {
  private columns: string[] | null = null;

  constructor(private readonly sink: LineSink) {}

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.columns === null) {
      this.columns = Object.keys(logs);
      await emit(this.sink, ['epoch', ...this.columns].join(','));
    }
    const extra = Object.keys(logs).filter((k) => !this.columns!.includes(k));
    if (extra.length > 0)
      throw new Error(`CSVLogger: epoch ${epoch} has keys not in the header: ${extra.join(', ')}`);
    await emit(this.sink, [epoch, ...this.columns.map((k) => logs[k] ?? '')].join(','));
  }

  /** The header's columns (null before the first epoch), so a resumed run writes no second header. */
  stateDict(): CallbackState {
    return { columns: this.columns === null ? null : [...this.columns] };
  }

  /** Restores `stateDict()` output. */
  loadStateDict(state: CallbackState): void {
    const c = state?.columns;
    if (c !== null && !(Array.isArray(c) && c.every((k) => typeof k === 'string')))
      throw new TypeError('CSVLogger.loadStateDict: columns must be null or an array of strings');
    this.columns = c === null ? null : [...(c as string[])];
  }
}

/** Writes one JSON object per line: every epoch, and (with `batches`) every batch that has logs. */
export class JSONLinesLogger implements Callback {
  constructor(
    private readonly sink: LineSink,
    private readonly opts: { batches?: boolean } = {},
  ) {
    checkOptions('JSONLinesLogger', opts, { batches: 'boolean' });
  }

  async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    if (this.opts.batches && Object.keys(logs).length > 0)
      await emit(this.sink, JSON.stringify({ type: 'batch', batch, ...logs }));
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    await emit(this.sink, JSON.stringify({ type: 'epoch', epoch, ...logs }));
  }
}

/** Records the learning rate of every param group at every batch (for per-batch schedules). */
export class LearningRateLogger implements Callback {
  /** One entry per batch: the lr of each param group. */
  readonly values: number[][] = [];

  onBatchEnd(_b: number, _logs: Logs, ctx: TrainContext): void {
    this.values.push(ctx.optimizer.paramGroups.map((g) => Number(g.lr)));
  }

  /** The values recorded so far. */
  stateDict(): CallbackState {
    return { values: this.values.map((v) => [...v]) };
  }

  /** Restores `stateDict()` output (replacing the values recorded so far). */
  loadStateDict(state: CallbackState): void {
    const v = state?.values;
    if (!Array.isArray(v) || !v.every((row) => Array.isArray(row) && row.every((x) => typeof x === 'number')))
      throw new TypeError('LearningRateLogger.loadStateDict: values must be an array of number arrays');
    this.values.length = 0;
    for (const row of v as number[][]) this.values.push([...row]);
  }
}
