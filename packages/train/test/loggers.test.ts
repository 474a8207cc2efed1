import { PassThrough } from 'node:stream';
import { DataLoader, TensorDataset } from '@tessera/data';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { Generator, manualSeed, randint, randn } from '@tessera/tensor';
import {
  CSVLogger,
  fit,
  formatLogs,
  JSONLinesLogger,
  LayerStatsLogger,
  LearningRateLogger,
  ProgressBar,
} from '@tessera/train';
import { describe, expect, it } from 'vitest';

function data() {
  return new DataLoader(
    new TensorDataset(
      randn([16, 3], { generator: new Generator(1) }),
      randint(0, 2, [16], { generator: new Generator(2) }),
    ),
    { batchSize: 4 },
  );
}

describe('loggers and statistics', () => {
  it('CSV and JSON-lines logs, learning rates per batch, plain progress lines', async () => {
    manualSeed(0);
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    const csv: string[] = [];
    const jsonl: string[] = [];
    const lr = new LearningRateLogger();
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c) => (printed += String(c)));
    await fit(model, {
      train: data(),
      loss: new CrossEntropyLoss(),
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 2,
      logEvery: 1,
      callbacks: [
        new CSVLogger((l) => void csv.push(l)),
        new JSONLinesLogger((l) => void jsonl.push(l), { batches: true }),
        lr,
        new ProgressBar({ stream: out as unknown as NodeJS.WriteStream, tty: false }),
      ],
    });
    expect(csv[0]).toBe('epoch,loss,lr');
    expect(csv).toHaveLength(3);
    expect(csv[2]!.split(',')[0]).toBe('1');
    const epochs = jsonl.map((l) => JSON.parse(l)).filter((r) => r.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(jsonl.filter((l) => l.includes('"batch"'))).toHaveLength(8);
    expect(lr.values).toHaveLength(8);
    expect(lr.values[0]).toEqual([0.1]);
    expect(printed).toMatch(/^epoch 1\/2 · loss \d\.\d{4} · lr 0\.1000\nepoch 2\/2/);
    expect(formatLogs({ a: 1e-5, b: Number.NaN })).toBe('a 1.00e-5');
  });

  it('draws a cli-progress bar with ETA and logs on a terminal', async () => {
    manualSeed(0);
    const model = new Linear(3, 2);
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c) => (printed += String(c)));
    await fit(model, {
      train: data(),
      loss: new CrossEntropyLoss(),
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 1,
      logEvery: 1,
      callbacks: [new ProgressBar({ stream: out as unknown as NodeJS.WriteStream, tty: true })],
    });
    expect(printed).toMatch(/epoch 1\/1 .*4\/4 \| ETA .*loss \d\.\d{4}/s);
  });

  it('layer statistics show dead ReLU units and gradient norms', async () => {
    manualSeed(0);
    const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    // Make the first layer's pre-activations all negative: every ReLU unit is dead.
    (model.at(0) as Linear).bias!.requiresGrad_(false).fill_(-100).requiresGrad_(true);
    const stats = new LayerStatsLogger({ every: 2, bins: 5 });
    await fit(model, {
      train: data(),
      loss: new CrossEntropyLoss(),
      optimizer: new SGD(model.parameters(), { lr: 0.01 }),
      epochs: 1,
      callbacks: [stats],
    });
    const layers = [...new Set(stats.records.map((r) => r.layer))];
    expect(layers).toEqual(['0', '1', '2']);
    expect(stats.records.filter((r) => r.batch === 0)).toHaveLength(3);
    expect(stats.records.map((r) => r.batch)).toEqual([0, 0, 0, 2, 2, 2]);
    const relu = stats.records.find((r) => r.layer === '1')!;
    expect(relu.activation.zeroFraction).toBe(1);
    expect(relu.activation.histogram.reduce((a, b) => a + b, 0)).toBe(16);
    const last = stats.records.find((r) => r.layer === '2')!;
    expect(last.gradient).toBeDefined();
    expect(last.paramGradNorm).toBeGreaterThan(0);
  });
});
