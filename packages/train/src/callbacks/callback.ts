import type { AnyModule } from '@tessera/nn';
import type { Optimizer } from '@tessera/optim';

/** Numbers logged for an epoch or batch: `loss`, metric names, `valLoss`, `valAccuracy`, `lr`... */
export type Logs = Record<string, number>;

/** One epoch's record in the history. */
export interface EpochLog {
  epoch: number;
  logs: Logs;
  durationMs: number;
}

/** What `fit` returns: one entry per epoch run. */
export interface History {
  epochs: EpochLog[];
}

/** Values of one log key over the epochs of a history (NaN where missing). */
export function historyOf(history: History, key: string): number[] {
  return history.epochs.map((e) => e.logs[key] ?? Number.NaN);
}

/** Minimal view of a scheduler that `fit` can step. */
export interface SchedulerLike {
  step(metric?: number): void;
  stateDict(): unknown;
  loadStateDict(state: unknown): void;
}

/** The state callbacks see and may change (`stopTraining`). */
export interface TrainContext {
  model: AnyModule;
  optimizer: Optimizer<object>;
  scheduler?: SchedulerLike;
  /** Current epoch (0-based). */
  epoch: number;
  /** Batches per epoch, when the loader knows its length. */
  batchesPerEpoch?: number;
  /** Total epochs of this run. */
  epochs: number;
  history: History;
  /** Set to true to stop after the current epoch. */
  stopTraining: boolean;
  /** The callbacks of this run, in the order given to `fit` (checkpoints save their states). */
  callbacks?: readonly Callback[];
}

/**
 * A callback's saved state: plain data (numbers, strings, booleans, null, arrays, objects) and
 * tensors anywhere inside, which checkpoints store in binary.
 */
export type CallbackState = Record<string, unknown>;

/**
 * Hooks into `fit`. Every method is optional and may be async; `fit` awaits it. Batch logs carry
 * `loss` only on batches where the loss was read (every `logEvery` batches).
 */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  /** After `backward()`, before clipping and the optimizer step: gradients are populated here. */
  onAfterBackward?(batch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(history: History, ctx: TrainContext): void | Promise<void>;
  /**
   * The state a resumed run needs (e.g. EarlyStopping's best value and patience count); saved in
   * checkpoints by `ModelCheckpoint` and restored by `resumeFrom` before `fit` continues.
   */
  stateDict?(): CallbackState | Promise<CallbackState>;
  /** Restores `stateDict()` output; throws (changing nothing) when it is malformed. */
  loadStateDict?(state: CallbackState): void;
}

/**
 * Callbacks in the order `fit` calls them: those with a `runLast: true` field (checkpoint writers,
 * so the states they save include this epoch's updates of the others) after the others, otherwise
 * as given.
 */
export function callOrder(callbacks: readonly Callback[]): Callback[] {
  const last = (c: Callback) => (c as { runLast?: unknown }).runLast === true;
  return [...callbacks.filter((c) => !last(c)), ...callbacks.filter(last)];
}

/** The key a callback's state is saved under: its position in `fit`'s list and its class name. */
export function callbackKey(cb: Callback, index: number): string {
  return `${index}:${(cb as object).constructor?.name ?? 'Object'}`;
}
