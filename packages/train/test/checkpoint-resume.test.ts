import { DataLoader, gaussianNoise, randomHorizontalFlip, TensorDataset } from '@tessera/data';
import { BatchNorm1d, CrossEntropyLoss, Dropout, Flatten, Linear, ReLU, Sequential } from '@tessera/nn';
import { Adam, StepLR } from '@tessera/optim';
import { Generator, manualSeed, rand, randint, type Tensor } from '@tessera/tensor';
import {
  type Callback,
  CSVLogger,
  EarlyStopping,
  fit,
  type History,
  historyOf,
  LayerStatsLogger,
  LearningRateLogger,
  ModelCheckpoint,
  memoryStore,
  resumeFrom,
} from '@tessera/train';
import { describe, expect, it } from 'vitest';

// A run killed after epoch k and resumed from its checkpoint must give the same losses, learning
// rates and final weights, bit for bit, as the run that was never interrupted: with early stopping
// (whose best value and patience count must survive), a scheduler, dropout, batch norm with a
// cumulative average, shuffling and random augmentation.

const EPOCHS = 12;

function setup(initSeed: number) {
  manualSeed(initSeed);
  const model = new Sequential(
    new Flatten(),
    new Linear(16, 24),
    new BatchNorm1d(24, { momentum: null }),
    new ReLU(),
    new Dropout(0.3),
    new Linear(24, 3),
  );
  const optimizer = new Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new StepLR(optimizer, { stepSize: 3, gamma: 0.5 });
  const x = rand([48, 1, 4, 4], { generator: new Generator(10) });
  const y = randint(0, 3, [48], { generator: new Generator(11) });
  const train = new DataLoader(new TensorDataset(x, y), {
    batchSize: 8,
    shuffle: true,
    generator: new Generator(12),
  });
  const aug = new Generator(13);
  const noise = gaussianNoise({ std: 0.05, generator: aug });
  const flip = randomHorizontalFlip({ generator: aug });
  const split = (b: Tensor[]) => ({ input: noise(flip(b[0]!)), target: b[1]! });
  const earlyStopping = new EarlyStopping({
    monitor: 'loss',
    patience: 1,
    minDelta: 0.02,
    restoreBestWeights: true,
  });
  return { model, optimizer, scheduler, train, split, generators: { aug }, earlyStopping };
}

type Setup = ReturnType<typeof setup>;

const run = (s: Setup, callbacks: Callback[], extra: { initialEpoch?: number; history?: History } = {}) =>
  fit(s.model, {
    train: s.train,
    split: s.split,
    loss: new CrossEntropyLoss(),
    optimizer: s.optimizer,
    scheduler: s.scheduler,
    epochs: EPOCHS,
    callbacks,
    ...extra,
  });

const weights = (s: Setup) => Object.values(s.model.stateDict()).map((t) => Array.from(t.dataSync()));

class KillAfter implements Callback {
  constructor(private readonly epoch: number) {}
  onEpochEnd(epoch: number): void {
    if (epoch === this.epoch) throw new Error('killed');
  }
}

describe('kill and resume', () => {
  it('gives bit-identical losses and weights with early stopping, a scheduler, dropout and augmentation', async () => {
    manualSeed(99);
    const full = setup(1);
    const h = await run(full, [
      full.earlyStopping,
      new ModelCheckpoint({ dir: memoryStore(), generators: full.generators }),
    ]);
    // Early stopping must end the run early, after the kill point, for the test to mean something.
    expect(h.epochs.length).toBeGreaterThan(4);
    expect(h.epochs.length).toBeLessThan(EPOCHS);
    expect(full.earlyStopping.stoppedEpoch).toBe(h.epochs.length - 1);

    for (const killAt of [2, 4]) {
      const store = memoryStore();
      manualSeed(99);
      const first = setup(1);
      const ckpt = new ModelCheckpoint({ dir: store, generators: first.generators });
      await expect(run(first, [first.earlyStopping, ckpt, new KillAfter(killAt)])).rejects.toThrow('killed');
      // The process that resumes starts with other weights and other random states.
      manualSeed(12345);
      const second = setup(7);
      const callbacks = [
        second.earlyStopping,
        new ModelCheckpoint({ dir: store, generators: second.generators }),
      ];
      const r = await resumeFrom(store, { ...second, callbacks });
      expect(r.initialEpoch).toBe(killAt);
      const h2 = await run(second, callbacks, { initialEpoch: r.initialEpoch, history: r.history });
      expect(historyOf(h2, 'loss')).toEqual(historyOf(h, 'loss'));
      expect(historyOf(h2, 'lr')).toEqual(historyOf(h, 'lr'));
      expect(second.earlyStopping.stoppedEpoch).toBe(full.earlyStopping.stoppedEpoch);
      expect(second.earlyStopping.best).toBe(full.earlyStopping.best);
      expect(weights(second)).toEqual(weights(full));
    }
  });

  it('resuming from the checkpoint written when early stopping fired trains no further', async () => {
    const store = memoryStore();
    manualSeed(99);
    const first = setup(1);
    const h = await run(first, [
      first.earlyStopping,
      new ModelCheckpoint({ dir: store, generators: first.generators }),
    ]);
    const second = setup(7);
    const callbacks = [
      second.earlyStopping,
      new ModelCheckpoint({ dir: store, generators: second.generators }),
    ];
    const r = await resumeFrom(store, { ...second, callbacks });
    expect(r.initialEpoch).toBe(h.epochs.length);
    const h2 = await run(second, callbacks, { initialEpoch: r.initialEpoch, history: r.history });
    expect(h2.epochs.length).toBe(h.epochs.length);
    expect(weights(second)).toEqual(weights(first));
  });

  it('logs of a resumed run continue those of the interrupted one (CSV header once, lr values, layer statistics)', async () => {
    const loggers = (lines: string[]) =>
      [
        new CSVLogger((l) => {
          lines.push(l);
        }),
        new LearningRateLogger(),
        new LayerStatsLogger({ every: 3, bins: 4 }),
      ] as const;
    const fullLines: string[] = [];
    manualSeed(99);
    const full = setup(1);
    const fullLogs = loggers(fullLines);
    await run(full, [...fullLogs]);

    const store = memoryStore();
    const lines: string[] = [];
    manualSeed(99);
    const first = setup(1);
    const ckpt = new ModelCheckpoint({ dir: store, generators: first.generators });
    await expect(run(first, [...loggers(lines), ckpt, new KillAfter(2)])).rejects.toThrow('killed');
    const kept = lines.length - 1; // the row of the killed epoch was written, its checkpoint not
    lines.length = kept;
    const second = setup(7);
    const logs = loggers(lines);
    const callbacks = [...logs, new ModelCheckpoint({ dir: store, generators: second.generators })];
    const r = await resumeFrom(store, { ...second, callbacks });
    await run(second, callbacks, { initialEpoch: r.initialEpoch, history: r.history });
    expect(lines).toEqual(fullLines);
    expect(lines.filter((l) => l.startsWith('epoch,'))).toHaveLength(1);
    expect(logs[1].values).toEqual(fullLogs[1].values);
    expect(logs[2].records).toEqual(fullLogs[2].records);
  });
});
