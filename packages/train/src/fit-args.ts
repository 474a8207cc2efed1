// Checks of fit / evaluate / predict arguments, so that a missing loss, a Dataset passed where
// batches are expected or a misspelt option is a clear error rather than a TypeError from inside
// the loop (or an option ignored silently).
import { checkOptions, describeOptionValue, type OptionSpec, Tensor } from '@tessera/tensor';

const FIT_OPTIONS: OptionSpec = {
  // Accepted so that `fit(model, { ...targets, loss, epochs })` works; must be the same model.
  model: 'any',
  train: 'any',
  val: 'any',
  loss: 'any',
  optimizer: 'any',
  epochs: 'any',
  scheduler: 'object',
  schedulerStep: ['epoch', 'batch'],
  schedulerMonitor: 'string',
  metrics: 'array',
  callbacks: 'array',
  device: 'string',
  gradClip: 'number|object',
  accumulate: 'any',
  logEvery: 'integer',
  initialEpoch: 'integer',
  history: 'object',
  split: 'function',
  signal: 'object',
  terminateOnNaN: 'boolean',
};

const EVALUATE_OPTIONS: OptionSpec = {
  loss: 'any',
  metrics: 'array',
  device: 'string',
  split: 'function',
  prefix: 'string',
};

/** Throws unless `src` yields batches; a Dataset gets a hint to wrap it in a DataLoader. */
export function checkBatchSource(op: string, what: string, src: unknown): void {
  const iterable =
    src !== null &&
    typeof src === 'object' &&
    (Symbol.asyncIterator in src || Symbol.iterator in (src as object));
  if (iterable) return;
  const looksLikeDataset =
    src !== null &&
    typeof src === 'object' &&
    typeof (src as { get?: unknown }).get === 'function' &&
    typeof (src as { length?: unknown }).length === 'number';
  if (looksLikeDataset) {
    throw new TypeError(
      `${op}: ${what} is a Dataset, which yields samples, not batches; wrap it in a DataLoader: new DataLoader(dataset, { batchSize: 32, shuffle: true })`,
    );
  }
  throw new TypeError(
    `${op}: ${what} must be a DataLoader or an (async) iterable of batches, got ${describeOptionValue(src)}`,
  );
}

function checkLoss(op: string, loss: unknown): void {
  const ok =
    typeof loss === 'function' ||
    (loss !== null && typeof loss === 'object' && typeof (loss as { call?: unknown }).call === 'function');
  if (!ok) {
    throw new TypeError(
      `${op}: loss must be a loss module (e.g. new CrossEntropyLoss()) or a function (pred, target) => tensor, got ${describeOptionValue(loss)}`,
    );
  }
}

/** Checks `fit(model, opts)` before anything runs. */
export function checkFitArgs(model: unknown, opts: unknown): void {
  if (
    model === null ||
    typeof model !== 'object' ||
    typeof (model as { call?: unknown }).call !== 'function'
  ) {
    throw new TypeError(`fit: model must be a Module, got ${describeOptionValue(model)}`);
  }
  if (opts === undefined) {
    throw new TypeError('fit: options are required: fit(model, { train, loss, optimizer, epochs })');
  }
  const o = checkOptions('fit', opts as object, FIT_OPTIONS) as Record<string, unknown>;
  if (o.model !== undefined && o.model !== model) {
    throw new TypeError('fit: options.model is not the model passed as the first argument; pass one model');
  }
  for (const key of ['train', 'loss', 'optimizer', 'epochs']) {
    if (o[key] === undefined) {
      throw new TypeError(
        `fit: option '${key}' is required: fit(model, { train, loss, optimizer, epochs }), got no ${key}`,
      );
    }
  }
  checkBatchSource('fit', 'train', o.train);
  if (o.val !== undefined) checkBatchSource('fit', 'val', o.val);
  checkLoss('fit', o.loss);
  const optimizer = o.optimizer as { step?: unknown; zeroGrad?: unknown; paramGroups?: unknown };
  if (
    typeof optimizer !== 'object' ||
    typeof optimizer.step !== 'function' ||
    typeof optimizer.zeroGrad !== 'function' ||
    !Array.isArray(optimizer.paramGroups)
  ) {
    throw new TypeError(
      `fit: optimizer must be an Optimizer (e.g. new Adam(model.parameters())), got ${describeOptionValue(o.optimizer)}`,
    );
  }
}

/** Checks `evaluate(model, data, opts)`. */
export function checkEvaluateArgs(data: unknown, opts: unknown): void {
  const o = checkOptions('evaluate', opts as object | undefined, EVALUATE_OPTIONS) as Record<string, unknown>;
  checkBatchSource('evaluate', 'data', data);
  if (o.loss !== undefined) checkLoss('evaluate', o.loss);
}

/** Checks `predict(model, data, opts)`: data is a tensor or batches (not a Dataset). */
export function checkPredictArgs(data: unknown, opts: unknown): void {
  checkOptions('predict', opts as object | undefined, { device: 'string', split: 'function' });
  if (!(data instanceof Tensor)) checkBatchSource('predict', 'data', data);
}
