import { checkOptions } from '@tessera/tensor';
import { isNode, loadCliProgress } from '../node-modules.js';
import type { Callback, History, Logs, TrainContext } from './callback.js';

/** Formats logs for display: `loss 0.1234 · accuracy 0.9812`. */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .filter(([, v]) => Number.isFinite(v))
    .map(([k, v]) => `${k} ${Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2)}`)
    .join(' · ');
}

interface BarLike {
  start(total: number, value: number, payload?: object): void;
  update(value: number, payload?: object): void;
  stop(): void;
}

/**
 * Where ProgressBar writes: Node's `process.stderr` by default, or any stream-like object (a
 * structural type, so the package's types need no `@types/node`).
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Terminal progress: a bar per epoch with ETA, loss and metrics (cli-progress) when the stream
 * is a TTY, plain lines per epoch otherwise (CI logs). Node only.
 */
export class ProgressBar implements Callback {
  private bar: BarLike | null = null;
  private last: Logs = {};
  private readonly stream: ProgressStream;

  constructor(private readonly opts: { stream?: ProgressStream; tty?: boolean } = {}) {
    checkOptions('ProgressBar', opts, { stream: 'object', tty: 'boolean' });
    if (opts.stream === undefined && !isNode()) {
      throw new Error(
        'ProgressBar: no stream given and this is not Node (no process.stderr); in the browser use ProgressEvents',
      );
    }
    this.stream = opts.stream ?? (process.stderr as ProgressStream);
  }

  private get tty(): boolean {
    return this.opts.tty ?? Boolean(this.stream.isTTY);
  }

  async onEpochBegin(epoch: number, ctx: TrainContext): Promise<void> {
    this.last = {};
    if (!this.tty) return;
    const cliProgress = await loadCliProgress();
    // Without the optional cli-progress package: the plain line per epoch of a non-TTY stream.
    if (cliProgress === null) return;
    const total = ctx.batchesPerEpoch ?? 0;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `epoch ${epoch + 1}/${ctx.epochs} {bar} {value}/{total} | ETA {eta_formatted} | {logs}`,
        hideCursor: true,
        clearOnComplete: false,
        // cli-progress checks isTTY itself; honour an explicit `tty: true` for other streams.
        noTTYOutput: !this.stream.isTTY,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { logs: '' });
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (Object.keys(logs).length > 0) this.last = logs;
    this.bar?.update(batch + 1, { logs: formatLogs(this.last) });
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext): void {
    if (this.bar !== null) {
      this.bar.update(ctx.batchesPerEpoch ?? 0, { logs: formatLogs(logs) });
      this.bar.stop();
      this.bar = null;
    } else {
      this.stream.write(`epoch ${epoch + 1}/${ctx.epochs} · ${formatLogs(logs)}\n`);
    }
  }
}

/** Detail of the events `ProgressEvents` dispatches. */
export type ProgressDetail =
  | { type: 'trainBegin'; epochs: number }
  | { type: 'epochBegin'; epoch: number }
  | { type: 'batch'; epoch: number; batch: number; logs: Logs }
  | { type: 'epoch'; epoch: number; logs: Logs }
  | { type: 'trainEnd'; history: History };

/**
 * Browser-friendly progress: dispatches `CustomEvent`s ('trainBegin', 'epochBegin', 'batch',
 * 'epoch', 'trainEnd') with a `ProgressDetail` on `target`, which a page can draw from.
 */
export class ProgressEvents implements Callback {
  readonly target: EventTarget;
  private epoch = 0;

  constructor(target: EventTarget = new EventTarget()) {
    this.target = target;
  }

  private send(detail: ProgressDetail): void {
    this.target.dispatchEvent(new CustomEvent(detail.type, { detail }));
  }

  onTrainBegin(ctx: TrainContext): void {
    this.send({ type: 'trainBegin', epochs: ctx.epochs });
  }
  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.send({ type: 'epochBegin', epoch });
  }
  onBatchEnd(batch: number, logs: Logs): void {
    this.send({ type: 'batch', epoch: this.epoch, batch, logs });
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    this.send({ type: 'epoch', epoch, logs });
  }
  onTrainEnd(history: History): void {
    this.send({ type: 'trainEnd', history });
  }
}
