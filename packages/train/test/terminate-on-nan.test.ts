import { DataLoader, TensorDataset } from '@tessera/data';
import { Linear, MSELoss } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { Generator, manualSeed, randn, tensor } from '@tessera/tensor';
import {
  evaluate,
  fit,
  historyOf,
  ModelCheckpoint,
  memoryStore,
  NonFiniteTrainingError,
  predict,
  TerminateOnNaN,
} from '@tessera/train';
import { describe, expect, it } from 'vitest';

function regression(n = 64) {
  const x = randn([n, 4], { generator: new Generator(1) }).mul(10);
  const y = randn([n, 1], { generator: new Generator(2) }).mul(10);
  return new TensorDataset(x, y);
}

describe('TerminateOnNaN (on by default in fit)', () => {
  it('stops a diverging run (lr 1e3) with an error naming the epoch and batch', async () => {
    manualSeed(0);
    const model = new Linear(4, 1);
    const err = await fit(model, {
      train: new DataLoader(regression(), { batchSize: 4 }),
      loss: new MSELoss(),
      optimizer: new SGD(model.parameters(), { lr: 1e3 }),
      epochs: 5,
      logEvery: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteTrainingError);
    const e = err as NonFiniteTrainingError;
    expect(e.message).toMatch(
      /^TerminateOnNaN: the training loss is (NaN|Infinity) at epoch 0, batch \d+ \(the running mean of the epoch's batch losses, read every logEvery batches\); training stopped: lower the learning rate/,
    );
    expect(e.epoch).toBe(0);
    expect(e.batch).toBeGreaterThan(0);
    expect(e.batch).toBeLessThan(16);
  });

  it('writes no checkpoint of NaN weights', async () => {
    manualSeed(0);
    const model = new Linear(4, 1);
    const dir = memoryStore();
    // logEvery larger than an epoch: the batch check never fires, the epoch-end check must.
    await expect(
      fit(model, {
        train: new DataLoader(regression(), { batchSize: 4 }),
        loss: new MSELoss(),
        optimizer: new SGD(model.parameters(), { lr: 1e3 }),
        epochs: 3,
        logEvery: 1000,
        callbacks: [new ModelCheckpoint({ dir })],
      }),
    ).rejects.toThrow(/TerminateOnNaN: (loss is (NaN|Infinity) at the end of epoch 0|parameter 'weight')/);
    expect(await dir.list()).toEqual([]);
  });

  it('catches weights made non-finite by the last step of an epoch', async () => {
    const model = new Linear(1, 1);
    const cb = new TerminateOnNaN();
    const ctx = { model, epoch: 2 } as never;
    await expect(cb.onEpochEnd(2, { loss: 1 }, ctx)).resolves.toBeUndefined();
    model.weight.detach().fill_(Number.NaN);
    await expect(cb.onEpochEnd(2, { loss: 1 }, ctx)).rejects.toThrow(
      "TerminateOnNaN: parameter 'weight' holds NaN or Infinity at the end of epoch 2",
    );
    await expect(cb.onEpochEnd(1, { loss: 1, valLoss: Number.POSITIVE_INFINITY }, ctx)).rejects.toThrow(
      'TerminateOnNaN: valLoss is Infinity at the end of epoch 1',
    );
    expect(() => cb.onBatchEnd(7, { loss: Number.NaN }, ctx)).toThrow('at epoch 2, batch 7');
    expect(() => cb.onBatchEnd(8, {}, ctx)).not.toThrow();
  });

  it('terminateOnNaN: false trains on and logs the NaN losses', async () => {
    manualSeed(0);
    const model = new Linear(4, 1);
    const history = await fit(model, {
      train: new DataLoader(regression(), { batchSize: 4 }),
      loss: new MSELoss(),
      optimizer: new SGD(model.parameters(), { lr: 1e3 }),
      epochs: 2,
      terminateOnNaN: false,
    });
    expect(historyOf(history, 'loss').every((v) => !Number.isFinite(v))).toBe(true);
  });
});

describe('fit, evaluate and predict check their arguments', () => {
  const model = new Linear(4, 1);
  const ds = regression(8);
  const train = new DataLoader(ds, { batchSize: 4 });
  const base = () => ({
    train,
    loss: new MSELoss(),
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    epochs: 1,
  });

  it('names a missing loss, epochs, train or optimizer', async () => {
    const { loss: _l, ...noLoss } = base();
    await expect(fit(model, noLoss as never)).rejects.toThrow(
      "fit: option 'loss' is required: fit(model, { train, loss, optimizer, epochs }), got no loss",
    );
    const { epochs: _e, ...noEpochs } = base();
    await expect(fit(model, noEpochs as never)).rejects.toThrow("fit: option 'epochs' is required");
    const { optimizer: _o, ...noOpt } = base();
    await expect(fit(model, noOpt as never)).rejects.toThrow("fit: option 'optimizer' is required");
    await expect(fit(model, undefined as never)).rejects.toThrow('fit: options are required');
  });

  it('says to wrap a Dataset in a DataLoader', async () => {
    await expect(fit(model, { ...base(), train: ds as never })).rejects.toThrow(
      'fit: train is a Dataset, which yields samples, not batches; wrap it in a DataLoader: new DataLoader(dataset, { batchSize: 32, shuffle: true })',
    );
    await expect(fit(model, { ...base(), val: ds as never })).rejects.toThrow('fit: val is a Dataset');
    await expect(evaluate(model, ds as never)).rejects.toThrow('evaluate: data is a Dataset');
    await expect(predict(model, ds as never)).rejects.toThrow('predict: data is a Dataset');
    await expect(fit(model, { ...base(), train: 5 as never })).rejects.toThrow(
      'fit: train must be a DataLoader or an (async) iterable of batches, got 5',
    );
  });

  it('rejects a wrong loss or optimizer and unknown options', async () => {
    await expect(fit(model, { ...base(), loss: 'mse' as never })).rejects.toThrow(
      'fit: loss must be a loss module (e.g. new CrossEntropyLoss()) or a function (pred, target) => tensor, got the string "mse"',
    );
    await expect(fit(model, { ...base(), optimizer: model as never })).rejects.toThrow(
      'fit: optimizer must be an Optimizer (e.g. new Adam(model.parameters())), got a Linear',
    );
    await expect(fit(model, { ...base(), model: new Linear(4, 1) } as never)).rejects.toThrow(
      'fit: options.model is not the model passed as the first argument',
    );
    await expect(fit(model, { ...base(), model, epochs: 0 } as never)).resolves.toBeDefined();
    await expect(fit(model, { ...base(), batch_size: 4 } as never)).rejects.toThrow(
      "fit: unknown option 'batch_size'",
    );
    await expect(fit(model, { ...base(), epoch: 3 } as never)).rejects.toThrow(
      "fit: unknown option 'epoch', did you mean 'epochs'?",
    );
    await expect(evaluate(model, train, { metric: [] } as never)).rejects.toThrow(
      "evaluate: unknown option 'metric', did you mean 'metrics'?",
    );
    await expect(predict(model, tensor([[1, 2, 3, 4]]).float(), { devise: 'cpu' } as never)).rejects.toThrow(
      "predict: unknown option 'devise', did you mean 'device'?",
    );
  });
});

describe('callbacks, metrics and search check their options', () => {
  it('rejects unknown names with a did-you-mean', async () => {
    const t = await import('@tessera/train');
    const bad = { bogus: 1 } as never;
    const cases: [string, () => unknown][] = [
      ['EarlyStopping', () => new t.EarlyStopping(bad)],
      ['ModelCheckpoint', () => new t.ModelCheckpoint({ dir: memoryStore(), bogus: 1 } as never)],
      ['Accuracy', () => new t.Accuracy(bad)],
      ['TopKAccuracy', () => new t.TopKAccuracy(2, bad)],
      ['ConfusionMatrix', () => new t.ConfusionMatrix(3, bad)],
      ['PrecisionRecallF1Metric', () => new t.PrecisionRecallF1Metric(3, bad)],
      ['MeanSquaredError', () => new t.MeanSquaredError(bad)],
      ['MeanAbsoluteError', () => new t.MeanAbsoluteError(bad)],
      ['JSONLinesLogger', () => new t.JSONLinesLogger(() => undefined, bad)],
      ['LayerStatsLogger', () => new t.LayerStatsLogger(bad)],
      ['ProgressBar', () => new t.ProgressBar(bad)],
    ];
    for (const [name, make] of cases) expect(make, name).toThrow(new RegExp(`^${name}: unknown option '`));
    expect(() => new t.EarlyStopping({ min_delta: 0.1 } as never)).toThrow("did you mean 'minDelta'?");
    expect(() => new t.EarlyStopping({ restore_best_weights: true } as never)).toThrow(
      "did you mean 'restoreBestWeights'?",
    );
    const space = { lr: t.logUniform(1e-3, 1e-1) };
    await expect(
      t.randomSearch({ space, objective: () => 0, trials: 1, n_trials: 2 } as never),
    ).rejects.toThrow("randomSearch: unknown option 'n_trials'");
    await expect(t.gridSearch({ space, objective: () => 0, points: 2 } as never)).rejects.toThrow(
      "gridSearch: unknown option 'points'",
    );
  });
});
