import { DataLoader, TensorDataset } from '@tessera/data';
import { CrossEntropyLoss, Dropout, F, Linear, Module, MSELoss, ReLU, Sequential, Tanh } from '@tessera/nn';
import { Adam, SGD } from '@tessera/optim';
import { Generator, manualSeed, randn, type Tensor, tensor } from '@tessera/tensor';
import { Accuracy, EarlyStopping, evaluate, fit, historyOf, ProgressEvents, predict } from '@tessera/train';
import { describe, expect, it } from 'vitest';

function xorData() {
  const x = tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]).float();
  const y = tensor([0, 1, 1, 0]);
  return new TensorDataset(x, y);
}

describe('fit', () => {
  it('learns XOR and records loss, metrics, lr and validation logs', async () => {
    manualSeed(3);
    const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 2));
    const data = xorData();
    const loader = new DataLoader(data, { batchSize: 4 });
    const history = await fit(model, {
      train: loader,
      val: loader,
      loss: new CrossEntropyLoss(),
      optimizer: new Adam(model.parameters(), { lr: 0.05 }),
      epochs: 150,
      metrics: [new Accuracy()],
    });
    const loss = historyOf(history, 'loss');
    expect(loss).toHaveLength(150);
    expect(loss.at(-1)!).toBeLessThan(loss[0]! / 10);
    expect(historyOf(history, 'valAccuracy').at(-1)).toBe(1);
    expect(historyOf(history, 'lr')[0]).toBe(0.05);
    const pred = await predict(model, loader);
    expect(pred.argmax(-1).arraySync()).toEqual([0, 1, 1, 0]);
    expect(model.training).toBe(true);
  });

  it('gradient accumulation over two half batches equals one full batch', async () => {
    const x = randn([8, 3], { generator: new Generator(1) });
    const y = randn([8, 1], { generator: new Generator(2) });
    const run = async (batchSize: number, accumulate: number) => {
      manualSeed(5);
      const model = new Linear(3, 1);
      await fit(model, {
        train: new DataLoader(new TensorDataset(x, y), { batchSize }),
        loss: new MSELoss(),
        optimizer: new SGD(model.parameters(), { lr: 0.1 }),
        epochs: 3,
        accumulate,
      });
      return model.weight.arraySync();
    };
    const full = (await run(8, 1)) as number[][];
    const acc = (await run(4, 2)) as number[][];
    for (const [i, v] of full[0]!.entries()) expect(acc[0]![i]).toBeCloseTo(v, 5);
  });

  it('clips gradients and validates options', async () => {
    manualSeed(1);
    const model = new Linear(2, 1);
    const before = model.weight.arraySync() as number[][];
    const train = [[tensor([[1000, -1000]]).float(), tensor([[0]]).float()] as const];
    await fit(model, {
      train,
      loss: new MSELoss(),
      optimizer: new SGD(model.parameters(), { lr: 1 }),
      epochs: 1,
      gradClip: 0.5,
    });
    const after = model.weight.arraySync() as number[][];
    const step = Math.hypot(after[0]![0]! - before[0]![0]!, after[0]![1]! - before[0]![1]!);
    expect(step).toBeLessThanOrEqual(0.5 + 1e-4);
    await expect(
      fit(model, {
        train,
        loss: new MSELoss(),
        optimizer: new SGD(model.parameters(), { lr: 1 }),
        epochs: -1,
      }),
    ).rejects.toThrow(/epochs must be/);
    await expect(
      fit(model, {
        train: [[1] as never],
        loss: new MSELoss(),
        optimizer: new SGD(model.parameters(), { lr: 1 }),
        epochs: 1,
      }),
    ).rejects.toThrow(/input, target/);
  });

  it('early stopping restores the best weights', async () => {
    manualSeed(2);
    const model = new Linear(1, 1);
    const data = [[tensor([[1]]).float(), tensor([[2]]).float()] as const];
    const stop = new EarlyStopping({ monitor: 'valLoss', patience: 1, restoreBestWeights: true });
    // A huge learning rate makes the loss diverge after the first steps.
    const history = await fit(model, {
      train: data,
      val: data,
      loss: new MSELoss(),
      optimizer: new SGD(model.parameters(), { lr: 1.5 }),
      epochs: 50,
      callbacks: [stop],
    });
    expect(history.epochs.length).toBeLessThan(50);
    expect(stop.stoppedEpoch).toBe(history.epochs.length - 1);
    const best = Math.min(...historyOf(history, 'valLoss'));
    const now = await evaluate(model, data, { loss: new MSELoss() });
    expect(now.loss).toBeCloseTo(best, 5);
  });

  it('dispatches progress events for the page to draw', async () => {
    manualSeed(4);
    const model = new Sequential(new Linear(2, 4), new ReLU(), new Dropout(0.1), new Linear(4, 2));
    const events = new ProgressEvents();
    const seen: string[] = [];
    for (const t of ['trainBegin', 'epochBegin', 'batch', 'epoch', 'trainEnd'])
      events.target.addEventListener(t, () => seen.push(t));
    await fit(model, {
      train: new DataLoader(xorData(), { batchSize: 2 }),
      loss: new CrossEntropyLoss(),
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 1,
      callbacks: [events],
    });
    expect(seen).toEqual(['trainBegin', 'epochBegin', 'batch', 'batch', 'epoch', 'trainEnd']);
  });

  it('takes a typed loss function, and names the op when metrics or predict get no tensor', async () => {
    /** A model whose output is a pair, as multi-head models return. */
    class Pair extends Module<[Tensor], [Tensor, Tensor]> {
      readonly head = new Linear(2, 1);
      forward(x: Tensor): [Tensor, Tensor] {
        const y = this.head.call(x);
        return [y, y.neg()];
      }
    }
    manualSeed(6);
    const model = new Pair();
    const data = new TensorDataset(randn([4, 2]), randn([4, 1]));
    // A plain (pred, target) function over the model's own output type is a LossLike.
    const loss = ([a]: [Tensor, Tensor], t: Tensor): Tensor => F.mseLoss(a, t);
    const history = await fit(model, {
      train: new DataLoader(data, { batchSize: 2 }),
      loss,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 1,
    });
    expect(Number.isFinite(historyOf(history, 'loss')[0])).toBe(true);
    await expect(
      evaluate(model, new DataLoader(data, { batchSize: 2 }), { loss, metrics: [new Accuracy()] }),
    ).rejects.toThrow(/evaluate: the model must return a tensor here, got an array/);
    await expect(predict(model, randn([3, 2]))).rejects.toThrow(/predict: the model must return a tensor/);
  });
});
