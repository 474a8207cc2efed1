import { noGrad } from '@tessera/autograd';
import { nextMacrotask } from '@tessera/data';
import type { AnyModule } from '@tessera/nn';
import { clipGradNorm_, clipGradValue_, type Optimizer, ReduceLROnPlateau } from '@tessera/optim';
import { cat, Tensor } from '@tessera/tensor';
import {
  type Callback,
  callOrder,
  type History,
  type Logs,
  type SchedulerLike,
  type TrainContext,
} from './callbacks/callback.js';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
import { checkEvaluateArgs, checkFitArgs, checkPredictArgs } from './fit-args.js';
import type { Metric } from './metrics/metric.js';
import { RunningAverage } from './metrics/running-average.js';

/** A batch as loaders yield it: `[input, target]`, `{ x, y }` or `{ input, target }`. */
export type Batch =
  | readonly [unknown, unknown, ...unknown[]]
  | { x: unknown; y: unknown }
  | { input: unknown; target: unknown };

/** Batches for an epoch: a DataLoader or any (async) iterable; `setEpoch` is called when present. */
export type BatchSource<B = Batch> = (AsyncIterable<B> | Iterable<B>) & {
  setEpoch?(epoch: number): void;
  readonly length?: number;
};

/**
 * A loss function (pred, target) → scalar tensor. Written as a method type so that TypeScript
 * checks its parameters bivariantly: a loss over any prediction and target types fits
 * (`(pred: Tensor, target: Tensor) => Tensor` as much as one over tuples).
 */
export type LossFunction = { bivariant(pred: unknown, target: unknown): Tensor }['bivariant'];

/** A loss: a function (pred, target) → scalar tensor, or a loss module (nn.CrossEntropyLoss...). */
export type LossLike = LossFunction | { call(pred: unknown, target: unknown): Tensor };

/** Gradient clipping: a max L2 norm, `{ maxNorm, normType }`, or `{ value }` for value clipping. */
export type GradClip = number | { maxNorm: number; normType?: number | 'inf' } | { value: number };

/** Options of `fit`. */
export interface FitOptions<B = Batch> {
  train: BatchSource<B>;
  val?: BatchSource<B>;
  loss: LossLike;
  optimizer: Optimizer<object>;
  epochs: number;
  /** Stepped once per epoch (ReduceLROnPlateau gets the monitored value), or per batch with `schedulerStep: 'batch'`. */
  scheduler?: SchedulerLike;
  schedulerStep?: 'epoch' | 'batch';
  /** Key ReduceLROnPlateau watches (default `valLoss`, else `loss`). */
  schedulerMonitor?: string;
  metrics?: Metric[];
  callbacks?: Callback[];
  /** Moves each batch to this device before the step. */
  device?: string;
  gradClip?: GradClip;
  /** Steps the optimizer every `accumulate` batches (the loss is divided by it). Default 1. */
  accumulate?: number;
  /** Reads the loss every this many batches for batch logs (default 10; 1 reads every batch). */
  logEvery?: number;
  /** First epoch to run (for resuming; see `resumeFrom` in checkpoint.ts). */
  initialEpoch?: number;
  /** History to continue (for resuming). */
  history?: History;
  /** Splits a batch into (input, target); the default understands the `Batch` forms. */
  split?: (batch: B) => { input: unknown; target: unknown };
  /** Stops after the current batch when aborted. */
  signal?: AbortSignal;
  /**
   * Stop with an error naming the epoch and batch when the loss (or, at an epoch's end, a
   * parameter) becomes NaN or infinite, before checkpoints are written (`TerminateOnNaN`).
   * Default true.
   */
  terminateOnNaN?: boolean;
}

/** Splits a loader batch into model input and target. */
export function splitBatch(batch: unknown): { input: unknown; target: unknown } {
  if (Array.isArray(batch)) {
    if (batch.length < 2)
      throw new TypeError(`fit: a batch array needs [input, target], got ${batch.length} element(s)`);
    return { input: batch[0], target: batch[1] };
  }
  if (batch !== null && typeof batch === 'object') {
    const b = batch as Record<string, unknown>;
    if ('x' in b && 'y' in b) return { input: b.x, target: b.y };
    if ('input' in b && 'target' in b) return { input: b.input, target: b.target };
  }
  throw new TypeError(
    'fit: batches must be [input, target], {x, y} or {input, target}; pass `split` for other forms',
  );
}

/** A model written as a plain function of its input (a method type, so any input type fits). */
export type ModelFunction = { bivariant(input: unknown): unknown }['bivariant'];

/** Calls a model (a Module's `call`, or a plain function). */
export function runModel(model: AnyModule | ModelFunction, input: unknown): unknown {
  return typeof model === 'function' ? model(input) : model.call(input);
}

/** The model's output as a tensor, or a clear error naming `op` (metrics and `predict` need one). */
function tensorOutput(op: string, pred: unknown): Tensor {
  if (pred instanceof Tensor) return pred;
  throw new TypeError(
    `${op}: the model must return a tensor here, got ${Array.isArray(pred) ? 'an array' : typeof pred}`,
  );
}

function runLoss(loss: LossLike, pred: unknown, target: unknown): Tensor {
  const out = typeof loss === 'function' ? loss(pred, target) : loss.call(pred, target);
  if (!(out instanceof Tensor) || out.numel() !== 1) {
    throw new TypeError(
      `fit: the loss must return a one-element tensor, got ${out instanceof Tensor ? `shape [${out.shape}]` : typeof out}`,
    );
  }
  return out;
}

function toDevice(x: unknown, device: string | undefined): unknown {
  if (device === undefined) return x;
  if (x instanceof Tensor) return x.device === device ? x : x.to(device);
  if (Array.isArray(x)) return x.map((v) => toDevice(v, device));
  if (x !== null && typeof x === 'object')
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toDevice(v, device)]));
  return x;
}

function batchSize(x: unknown): number {
  if (x instanceof Tensor) return x.ndim === 0 ? 1 : x.shape[0]!;
  if (Array.isArray(x) && x.length > 0) return batchSize(x[0]);
  if (x !== null && typeof x === 'object') {
    const first = Object.values(x)[0];
    return first === undefined ? 1 : batchSize(first);
  }
  return 1;
}

async function* iterate<B>(src: BatchSource<B>): AsyncGenerator<B> {
  if (Symbol.asyncIterator in src) yield* src as AsyncIterable<B>;
  else yield* src as Iterable<B>;
}

/** Adds a metric's result to logs (named results are added under their own names). */
export async function logMetric(logs: Logs, m: Metric, prefix: string): Promise<void> {
  const v = await m.compute();
  const key = (k: string): string => (prefix ? prefix + k[0]!.toUpperCase() + k.slice(1) : k);
  if (typeof v === 'number') logs[key(m.name)] = v;
  else for (const [k, x] of Object.entries(v)) if (!k.includes(',')) logs[key(k)] = x;
}

function clip(params: Tensor[], gc: GradClip): void {
  if (typeof gc === 'number') clipGradNorm_(params as never, gc);
  else if ('maxNorm' in gc) clipGradNorm_(params as never, gc.maxNorm, gc.normType ?? 2);
  else clipGradValue_(params as never, gc.value);
}

async function callAll<K extends keyof Callback>(
  cbs: readonly Callback[],
  k: K,
  ...args: Parameters<NonNullable<Callback[K]>>
): Promise<void> {
  for (const cb of cbs) await (cb[k] as ((...a: unknown[]) => unknown) | undefined)?.apply(cb, args);
}

/**
 * Trains `model` for `epochs` epochs over `train`, evaluating on `val` after each epoch, and
 * returns the history of logs (`loss`, metrics, `valLoss`, `val<Metric>`, `lr`). Written from the
 * same pieces a hand-written loop would use (`model.call`, `loss.backward()`, `optimizer.step()`),
 * so users can copy it and adapt.
 */
export async function fit<B = Batch>(model: AnyModule, opts: FitOptions<B>): Promise<History> {
  checkFitArgs(model, opts);
  const epochs = opts.epochs;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new RangeError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  const accumulate = opts.accumulate ?? 1;
  if (!Number.isInteger(accumulate) || accumulate < 1)
    throw new RangeError(`fit: accumulate must be a positive integer, got ${accumulate}`);
  const logEvery = opts.logEvery ?? 10;
  const split = opts.split ?? splitBatch;
  const metrics = opts.metrics ?? [];
  // Checkpoint writers (`runLast`) after the others, so they save this epoch's callback states.
  const callbacks = callOrder(opts.callbacks ?? []);
  // First, so that a NaN epoch stops before later callbacks (checkpoints) see it.
  if (opts.terminateOnNaN !== false) callbacks.unshift(new TerminateOnNaN());
  const params = model.parameters();
  const history: History = opts.history ?? { epochs: [] };
  const ctx: TrainContext = {
    model,
    optimizer: opts.optimizer,
    scheduler: opts.scheduler,
    epoch: opts.initialEpoch ?? 0,
    epochs,
    history,
    stopTraining: false,
    callbacks: opts.callbacks ?? [],
    batchesPerEpoch: safeLength(opts.train),
  };
  await callAll(callbacks, 'onTrainBegin', ctx);
  for (let epoch = opts.initialEpoch ?? 0; epoch < epochs && !ctx.stopTraining; epoch++) {
    ctx.epoch = epoch;
    const t0 = performance.now();
    opts.train.setEpoch?.(epoch);
    await callAll(callbacks, 'onEpochBegin', epoch, ctx);
    model.train();
    for (const m of metrics) m.reset();
    const avg = new RunningAverage();
    let pending: { loss: Tensor; n: number }[] = [];
    let b = 0;
    opts.optimizer.zeroGrad();
    for await (const batch of iterate(opts.train)) {
      const { input: rawIn, target: rawT } = split(batch);
      const input = toDevice(rawIn, opts.device);
      const target = toDevice(rawT, opts.device);
      const pred = runModel(model, input);
      const loss = runLoss(opts.loss, pred, target);
      (accumulate > 1 ? loss.div(accumulate) : loss).backward();
      await callAll(callbacks, 'onAfterBackward', b, ctx);
      const lastOfGroup = (b + 1) % accumulate === 0 || b + 1 === ctx.batchesPerEpoch;
      if (lastOfGroup) {
        if (opts.gradClip !== undefined) clip(params, opts.gradClip);
        opts.optimizer.step();
        opts.optimizer.zeroGrad();
        if (opts.schedulerStep === 'batch') opts.scheduler?.step();
      }
      if (metrics.length > 0 && pred instanceof Tensor)
        noGrad(() => {
          for (const m of metrics) m.update(pred.detach(), target as Tensor);
        });
      pending.push({ loss: loss.detach(), n: batchSize(target) });
      const logs: Logs = {};
      if ((b + 1) % logEvery === 0) {
        for (const p of pending) avg.update(Number((await p.loss.data())[0]), p.n);
        pending = [];
        logs.loss = avg.value;
      }
      await callAll(callbacks, 'onBatchEnd', b, logs, ctx);
      b++;
      // Yield a macrotask after every batch: the buffers of collected tensors are only released by
      // FinalizationRegistry callbacks, which run between macrotasks, so a loop that only awaits
      // microtasks (a DataLoader without prefetch, an array of batches) would grow without bound.
      await nextMacrotask();
      if (opts.signal?.aborted) {
        ctx.stopTraining = true;
        break;
      }
    }
    if (b > 0 && b % accumulate !== 0 && ctx.batchesPerEpoch === undefined) {
      // Unknown epoch length: flush the last partial accumulation group.
      if (opts.gradClip !== undefined) clip(params, opts.gradClip);
      opts.optimizer.step();
      opts.optimizer.zeroGrad();
    }
    for (const p of pending) avg.update(Number((await p.loss.data())[0]), p.n);
    const logs: Logs = { loss: avg.value };
    for (const m of metrics) await logMetric(logs, m, '');
    if (opts.val !== undefined)
      Object.assign(
        logs,
        await evaluate(model, opts.val, {
          loss: opts.loss,
          metrics,
          device: opts.device,
          split,
          prefix: 'val',
        }),
      );
    logs.lr = (opts.optimizer.paramGroups[0] as { lr?: number } | undefined)?.lr ?? Number.NaN;
    if (opts.scheduler !== undefined && opts.schedulerStep !== 'batch') {
      if (opts.scheduler instanceof ReduceLROnPlateau) {
        const key = opts.schedulerMonitor ?? (logs.valLoss !== undefined ? 'valLoss' : 'loss');
        const v = logs[key];
        if (v === undefined)
          throw new Error(
            `fit: ReduceLROnPlateau monitors '${key}', which is not in the logs (${Object.keys(logs).join(', ')})`,
          );
        opts.scheduler.step(v);
      } else opts.scheduler.step();
    }
    history.epochs.push({ epoch, logs, durationMs: performance.now() - t0 });
    await callAll(callbacks, 'onEpochEnd', epoch, logs, ctx);
  }
  await callAll(callbacks, 'onTrainEnd', history, ctx);
  return history;
}

function safeLength(src: BatchSource<unknown>): number | undefined {
  try {
    const n = (src as { length?: unknown }).length;
    return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Options of `evaluate`. */
export interface EvaluateOptions<B = Batch> {
  loss?: LossLike;
  metrics?: Metric[];
  device?: string;
  split?: (batch: B) => { input: unknown; target: unknown };
  /** Prefix of the log keys (`val` gives `valLoss`, `valAccuracy`). Default none. */
  prefix?: string;
}

/**
 * Runs the model in eval mode without recording gradients over `data`, returning the mean loss
 * (weighted by batch size) and metrics. Restores the model's previous training mode.
 */
export async function evaluate<B = Batch>(
  model: AnyModule,
  data: BatchSource<B>,
  opts: EvaluateOptions<B> = {},
): Promise<Logs> {
  checkEvaluateArgs(data, opts);
  const split = opts.split ?? splitBatch;
  const metrics = opts.metrics ?? [];
  const wasTraining = model.training;
  model.eval();
  const prefix = opts.prefix ?? '';
  const key = (k: string): string => (prefix ? prefix + k[0]!.toUpperCase() + k.slice(1) : k);
  try {
    for (const m of metrics) m.reset();
    let lossSum: Tensor | null = null;
    let count = 0;
    for await (const batch of iterate(data)) {
      const { input, target } = split(batch);
      noGrad(() => {
        const x = toDevice(input, opts.device);
        const y = toDevice(target, opts.device);
        const pred = runModel(model, x);
        const n = batchSize(y);
        if (opts.loss !== undefined) {
          const l = runLoss(opts.loss, pred, y).mul(n);
          lossSum = lossSum === null ? l : lossSum.add(l);
        }
        if (metrics.length > 0) {
          const out = tensorOutput('evaluate', pred);
          for (const m of metrics) m.update(out, y as Tensor);
        }
        count += n;
      });
      await nextMacrotask();
    }
    const logs: Logs = {};
    if (opts.loss !== undefined)
      logs[key('loss')] =
        count === 0 ? Number.NaN : Number((await (lossSum as Tensor | null)!.data())[0]) / count;
    for (const m of metrics) await logMetric(logs, m, prefix);
    return logs;
  } finally {
    model.train(wasTraining);
  }
}

/** Runs the model in eval mode over a tensor or the inputs of a batch source; concatenates outputs along dim 0. */
export async function predict<B = Batch>(
  model: AnyModule,
  data: Tensor | BatchSource<B>,
  opts: { device?: string; split?: (batch: B) => { input: unknown; target: unknown } } = {},
): Promise<Tensor> {
  checkPredictArgs(data, opts);
  const wasTraining = model.training;
  model.eval();
  try {
    if (data instanceof Tensor) {
      return noGrad(() => tensorOutput('predict', runModel(model, toDevice(data, opts.device))));
    }
    const outs: Tensor[] = [];
    const split =
      opts.split ?? ((b: B) => (b instanceof Tensor ? { input: b, target: null } : splitBatch(b)));
    for await (const batch of iterate(data)) {
      const input = toDevice(split(batch).input, opts.device);
      outs.push(noGrad(() => tensorOutput('predict', runModel(model, input))));
      await nextMacrotask();
    }
    if (outs.length === 0) throw new RangeError('predict: the data source yielded no batches');
    return outs.length === 1 ? outs[0]! : cat(outs, 0);
  } finally {
    model.train(wasTraining);
  }
}
