import type { Tensor } from '@tessera/tensor';

/**
 * A streaming metric: `update` with each batch's predictions and targets (no readback: the
 * running totals stay on the device), then `compute` once to read the result.
 */
export interface Metric {
  /** Key in the training logs (`accuracy`, and `valAccuracy` on validation data). */
  readonly name: string;
  /** Clears the running totals. */
  reset(): void;
  /** Adds a batch. `pred` is the model output, `target` the batch's targets. */
  update(pred: Tensor, target: Tensor): void;
  /** Reads the result: a number, or several named numbers (e.g. precision, recall, f1). */
  compute(): Promise<number | Record<string, number>>;
}

/** Reads a 0-d or 1-element tensor as a JS number. */
export async function scalar(t: Tensor): Promise<number> {
  const d = await t.data();
  return Number(d[0]);
}
