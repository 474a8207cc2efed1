import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLoader, TensorDataset } from '@tessera/data';
import { CrossEntropyLoss, Dropout, Linear, ReLU, Sequential } from '@tessera/nn';
import { Adam, StepLR } from '@tessera/optim';
import { Generator, manualSeed, randint, randn } from '@tessera/tensor';
import {
  findLatestCheckpoint,
  fit,
  historyOf,
  ModelCheckpoint,
  memoryStore,
  resumeFrom,
} from '@tessera/train';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh setup: model, optimizer, scheduler and a shuffling loader, all from fixed seeds. */
function setup(initSeed: number) {
  manualSeed(initSeed);
  const model = new Sequential(new Linear(4, 16), new ReLU(), new Dropout(0.3), new Linear(16, 3));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  const x = randn([40, 4], { generator: new Generator(10) });
  const y = randint(0, 3, [40], { generator: new Generator(11) });
  const train = new DataLoader(new TensorDataset(x, y), {
    batchSize: 8,
    shuffle: true,
    generator: new Generator(12),
  });
  return { model, optimizer, scheduler, train };
}

describe('checkpoints', () => {
  it('resuming from a checkpoint gives the same losses as an uninterrupted run', async () => {
    const full = setup(1);
    manualSeed(99);
    const h = await fit(full.model, { ...full, loss: new CrossEntropyLoss(), epochs: 5 });
    const uninterrupted = historyOf(h, 'loss');

    const dir = mkdtempSync(join(tmpdir(), 'tessera-ckpt-'));
    dirs.push(dir);
    const first = setup(1);
    manualSeed(99);
    // "Interrupted" after 2 epochs: train with a checkpoint callback, then throw the objects away.
    await fit(first.model, {
      ...first,
      loss: new CrossEntropyLoss(),
      epochs: 2,
      callbacks: [new ModelCheckpoint({ dir })],
    });
    manualSeed(12345); // the process that resumes has other RNG state and other initial weights
    const second = setup(7);
    const r = await resumeFrom(dir, second);
    expect(r.initialEpoch).toBe(2);
    const h2 = await fit(second.model, {
      ...second,
      loss: new CrossEntropyLoss(),
      epochs: 5,
      initialEpoch: r.initialEpoch,
      history: r.history,
    });
    expect(historyOf(h2, 'loss')).toEqual(uninterrupted);
    expect(historyOf(h2, 'lr')).toEqual(historyOf(h, 'lr'));
  });

  it('detects a corrupt or half-written newest checkpoint and keeps the previous good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-ckpt-'));
    dirs.push(dir);
    const s = setup(1);
    await fit(s.model, {
      ...s,
      loss: new CrossEntropyLoss(),
      epochs: 3,
      callbacks: [new ModelCheckpoint({ dir, keep: 2 })],
    });
    expect(readdirSync(dir).sort()).toEqual([
      'ckpt-000002.json',
      'ckpt-000002.safetensors',
      'ckpt-000002.state.safetensors',
      'ckpt-000003.json',
      'ckpt-000003.safetensors',
      'ckpt-000003.state.safetensors',
    ]);
    truncateSync(join(dir, 'ckpt-000003.safetensors'), 100);
    let found = await findLatestCheckpoint(dir);
    expect(found!.name).toBe('ckpt-000002.json');
    expect(found!.skipped).toEqual([
      { name: 'ckpt-000003.json', reason: expect.stringMatching(/truncated/) },
    ]);
    // A half-written JSON (crash during the write of a later checkpoint) is reported too.
    writeFileSync(join(dir, 'ckpt-000004.json'), '{"format":"tessera-checkpoint","vers');
    found = await findLatestCheckpoint(dir);
    expect(found!.name).toBe('ckpt-000002.json');
    expect(found!.skipped.map((x) => x.name)).toEqual(['ckpt-000004.json', 'ckpt-000003.json']);
    expect(found!.skipped[0]!.reason).toMatch(/not a tessera checkpoint/);
    const fresh = setup(5);
    const r = await resumeFrom(dir, fresh);
    expect(r.initialEpoch).toBe(2);
  });

  it('reports a weights file that fails its checksum, and errors when nothing is valid', async () => {
    const store = memoryStore();
    const s = setup(1);
    await fit(s.model, {
      ...s,
      loss: new CrossEntropyLoss(),
      epochs: 1,
      callbacks: [new ModelCheckpoint({ dir: store })],
    });
    const w = store.files.get('ckpt-000001.safetensors')!;
    w[w.length - 1]! ^= 0xff;
    const found = await findLatestCheckpoint(store);
    expect(found).toBeNull();
    await expect(resumeFrom(store, setup(1))).rejects.toThrow(/no valid checkpoint/);
  });
});
