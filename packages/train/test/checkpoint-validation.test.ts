import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLoader, TensorDataset } from '@tessera/data';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@tessera/nn';
import { Adam, StepLR } from '@tessera/optim';
import { Generator, manualSeed, randint, randn } from '@tessera/tensor';
import {
  checkName,
  EarlyStopping,
  fileStore,
  findLatestCheckpoint,
  fit,
  ModelCheckpoint,
  memoryStore,
  resumeFrom,
} from '@tessera/train';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(seed: number) {
  manualSeed(seed);
  const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const x = randn([16, 4], { generator: new Generator(10) });
  const y = randint(0, 3, [16], { generator: new Generator(11) });
  const train = new DataLoader(new TensorDataset(x, y), { batchSize: 8 });
  const earlyStopping = new EarlyStopping({ monitor: 'loss', patience: 5 });
  return { model, optimizer, scheduler, train, earlyStopping };
}

/** A store holding checkpoints for epochs 1 and 2 of a short run. */
async function twoCheckpoints() {
  const store = memoryStore();
  const s = setup(1);
  await fit(s.model, {
    train: s.train,
    optimizer: s.optimizer,
    scheduler: s.scheduler,
    loss: new CrossEntropyLoss(),
    epochs: 2,
    callbacks: [s.earlyStopping, new ModelCheckpoint({ dir: store, keep: 5 })],
  });
  return store;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Rewrites a checkpoint JSON with a valid hash: what a hand edit or a buggy writer produces. */
function reframe(raw: Uint8Array, edit: (meta: any) => void): Uint8Array {
  const meta = JSON.parse(text(raw)).meta;
  edit(meta);
  const body = JSON.stringify(meta);
  const hash = createHash('sha256').update(body).digest('hex');
  return new TextEncoder().encode(`{"sha256":"${hash}","meta":${body}}`);
}

const snapshot = (s: ReturnType<typeof setup>) => ({
  weights: Object.values(s.model.stateDict()).map((t) => Array.from(t.dataSync())),
  scheduler: JSON.stringify(s.scheduler.stateDict()),
  lr: s.optimizer.paramGroups[0]!.lr,
  es: JSON.stringify(s.earlyStopping.stateDict()),
  optimizerState: s.optimizer.state.size,
});

describe('checkpoint validation', () => {
  it('rejects every single-digit change in the JSON (the metadata is hashed)', async () => {
    const store = await twoCheckpoints();
    const good = store.files.get('ckpt-000002.json')!;
    const positions = [...text(good)].flatMap((c, i) => (/[0-9]/.test(c) ? [i] : []));
    expect(positions.length).toBeGreaterThan(100);
    for (const i of positions) {
      const bad = good.slice();
      bad[i] = bad[i] === 0x39 ? 0x30 : bad[i]! + 1;
      store.files.set('ckpt-000002.json', bad);
      const found = await findLatestCheckpoint(store);
      expect(found?.name).toBe('ckpt-000001.json');
      expect(found?.skipped[0]?.reason).toMatch(/SHA-256|not a tessera checkpoint/);
    }
  });

  it.each([
    ['an invalid generator state', (m: any) => (m.rng.default = { seed: 'abc', offset: '0' }), /rng.default/],
    ['a negative generator offset', (m: any) => (m.rng.default.offset = '-1'), /rng.default/],
    ['a missing optimizer', (m: any) => (m.optimizer = 5), /optimizer must be/],
    ['a non-integer nextEpoch', (m: any) => (m.nextEpoch = 'x'), /nextEpoch/],
    ['a nextEpoch other than the name says', (m: any) => (m.nextEpoch = 7), /nextEpoch 7/],
    ['an invalid learning rate', (m: any) => (m.optimizer.paramGroups[0].lr = -1), /lr/],
    [
      'an unknown optimizer state key',
      (m: any) => (m.optimizer.state['0'].bogus = 1),
      /unexpected state 'bogus'/,
    ],
    [
      'a malformed EarlyStopping state',
      (m: any) => (m.callbacks['0:EarlyStopping'].wait = -3),
      /EarlyStopping/,
    ],
    ['an unknown scheduler key', (m: any) => (m.scheduler.bogus = 1), /unknown key 'bogus'/],
    ['a history with text', (m: any) => (m.history.epochs[0].logs.loss = 'x'), /history/],
    ['weights outside the directory', (m: any) => (m.weights.file = '../elsewhere.safetensors'), /own files/],
    ['an absolute weights path', (m: any) => (m.weights.file = '/etc/passwd'), /own files/],
    ["another checkpoint's weights", (m: any) => (m.weights.file = 'ckpt-000001.safetensors'), /own files/],
    [
      'a state file in a subfolder',
      (m: any) => (m.state.file = 'sub/ckpt-000002.state.safetensors'),
      /own files/,
    ],
    [
      'a dangling tensor reference',
      (m: any) => (m.optimizer.state['0'].expAvg = { $tensor: 'nope' }),
      /missing from the state file/,
    ],
  ])('falls back to the previous checkpoint on %s, changing nothing first', async (_n, edit, reason) => {
    const store = await twoCheckpoints();
    store.files.set('ckpt-000002.json', reframe(store.files.get('ckpt-000002.json')!, edit));
    const s = setup(3);
    const r = await resumeFrom(store, { ...s, callbacks: [s.earlyStopping] });
    expect(r.name).toBe('ckpt-000001.json');
    expect(r.initialEpoch).toBe(1);
    expect(r.skipped).toEqual([{ name: 'ckpt-000002.json', reason: expect.stringMatching(reason) }]);
  });

  it('when nothing is valid, throws listing every reason and leaves the targets as they were', async () => {
    const store = await twoCheckpoints();
    // Epoch 2 fails in the optimizer (after scheduler and callbacks were loaded: they are rolled
    // back); epoch 1 has a corrupt weights file.
    store.files.set(
      'ckpt-000002.json',
      reframe(store.files.get('ckpt-000002.json')!, (m) => (m.optimizer.paramGroups[0].betas = [2, 0])),
    );
    const w = store.files.get('ckpt-000001.safetensors')!;
    w[w.length - 1]! ^= 1;
    const s = setup(3);
    const before = snapshot(s);
    const err = await resumeFrom(store, { ...s, callbacks: [s.earlyStopping] }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /no valid checkpoint in the store: ckpt-000002\.json: .*beta.*; ckpt-000001\.json: .*SHA-256/,
    );
    expect(snapshot(s)).toEqual(before);
    // And the early stopping callback starts afresh in a new run (no resumed state leaks).
    await fit(s.model, {
      train: s.train,
      optimizer: s.optimizer,
      scheduler: s.scheduler,
      loss: new CrossEntropyLoss(),
      epochs: 1,
      callbacks: [s.earlyStopping],
    });
    expect(s.earlyStopping.bestEpoch).toBe(0);
  });

  it('rejects a checkpoint that does not fit the model, or lacks a callback or generator the run needs', async () => {
    const store = await twoCheckpoints();
    const other = new Sequential(new Linear(4, 9), new ReLU(), new Linear(9, 3));
    const s = setup(3);
    await expect(resumeFrom(store, { ...s, model: other })).rejects.toThrow(
      /shape \[8,4\] in the checkpoint but \[9,4\]/,
    );
    await expect(resumeFrom(store, { ...s, generators: { aug: new Generator(1) } })).rejects.toThrow(
      /no state for generator 'aug'/,
    );
    await expect(
      resumeFrom(store, { ...s, callbacks: [new EarlyStopping(), s.earlyStopping] }),
    ).rejects.toThrow(/EarlyStopping/);
  });

  it('stores refuse names that leave their directory', async () => {
    for (const bad of ['../x', '/etc/passwd', 'a/b', 'a\\b', '..', '', 'x.tmp-1'])
      expect(() => checkName(bad)).toThrow(/plain file name/);
    const dir = mkdtempSync(join(tmpdir(), 'tessera-ckpt-'));
    dirs.push(dir);
    await expect(fileStore(join(dir, 'inner')).read('../secret')).rejects.toThrow(/plain file name/);
    await expect(memoryStore().write('../x', new Uint8Array(1))).rejects.toThrow(/plain file name/);
  });

  it('removes temporary files and orphaned safetensors files on save and on resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-ckpt-'));
    dirs.push(dir);
    const litter = () => {
      writeFileSync(join(dir, 'ckpt-000009.safetensors.tmp-123-abc'), 'half');
      writeFileSync(join(dir, 'ckpt-000009.safetensors'), 'orphan');
      writeFileSync(join(dir, 'ckpt-000009.state.safetensors'), 'orphan');
      writeFileSync(join(dir, 'notes.txt'), 'not ours');
    };
    const s = setup(1);
    litter();
    await fit(s.model, {
      train: s.train,
      optimizer: s.optimizer,
      scheduler: s.scheduler,
      loss: new CrossEntropyLoss(),
      epochs: 1,
      callbacks: [new ModelCheckpoint({ dir })],
    });
    const expected = [
      'ckpt-000001.json',
      'ckpt-000001.safetensors',
      'ckpt-000001.state.safetensors',
      'notes.txt',
    ];
    expect(readdirSync(dir).sort()).toEqual(expected);
    litter();
    await resumeFrom(dir, setup(2));
    expect(readdirSync(dir).sort()).toEqual(expected);
    expect(existsSync(join(dir, 'ckpt-000009.safetensors'))).toBe(false);
  });
});
