import type { AnyModule } from '@tessera/nn';
import type { Callback, Logs, TrainContext } from './callback.js';

/** The error `TerminateOnNaN` stops training with; `epoch`/`batch` say where it was noticed. */
export class NonFiniteTrainingError extends Error {
  constructor(
    message: string,
    readonly epoch: number,
    readonly batch: number | null,
  ) {
    super(message);
    this.name = 'NonFiniteTrainingError';
  }
}

const HINT =
  'lower the learning rate, clip gradients (gradClip) or check the data for NaN; pass terminateOnNaN: false to fit to train on regardless';

/**
 * Stops training with a `NonFiniteTrainingError` naming the epoch and batch as soon as the
 * training loss is NaN or ±Infinity (Keras's TerminateOnNaN), and at the end of an epoch when the
 * validation loss or any parameter is non-finite, before later callbacks (ModelCheckpoint) see
 * the epoch, so NaN weights are never saved. On by default in `fit` (`terminateOnNaN: false` turns
 * it off). Batch losses are read every `logEvery` batches (default 10), so the batch named is the
 * one where the non-finite loss was read; the first bad batch is at most `logEvery - 1` before it.
 */
export class TerminateOnNaN implements Callback {
  /** Throws when the batch logs carry a non-finite `loss`. */
  onBatchEnd(batch: number, logs: Logs, ctx: TrainContext): void {
    const v = logs.loss;
    if (v !== undefined && !Number.isFinite(v)) {
      throw new NonFiniteTrainingError(
        `TerminateOnNaN: the training loss is ${v} at epoch ${ctx.epoch}, batch ${batch} (the running mean of the epoch's batch losses, read every logEvery batches); training stopped: ${HINT}`,
        ctx.epoch,
        batch,
      );
    }
  }

  /** Throws when the epoch's losses or the model's parameters are non-finite. */
  async onEpochEnd(epoch: number, logs: Logs, ctx: TrainContext): Promise<void> {
    for (const key of ['loss', 'valLoss']) {
      const v = logs[key];
      if (v !== undefined && !Number.isFinite(v)) {
        throw new NonFiniteTrainingError(
          `TerminateOnNaN: ${key} is ${v} at the end of epoch ${epoch}; training stopped before the epoch was logged or saved: ${HINT}`,
          epoch,
          null,
        );
      }
    }
    const bad = await firstNonFiniteParameter(ctx.model);
    if (bad !== null) {
      throw new NonFiniteTrainingError(
        `TerminateOnNaN: parameter '${bad}' holds NaN or Infinity at the end of epoch ${epoch} (the last optimizer step diverged); training stopped before the weights were saved: ${HINT}`,
        epoch,
        null,
      );
    }
  }
}

/** The name of the first parameter with a NaN or infinite element, or null. */
async function firstNonFiniteParameter(model: AnyModule): Promise<string | null> {
  for (const [name, p] of model.namedParameters()) {
    if (p.numel() === 0) continue;
    const ok = p.detach().isfinite().all();
    const v = (await ok.data())[0];
    ok.dispose();
    if (!v) return name;
  }
  return null;
}
