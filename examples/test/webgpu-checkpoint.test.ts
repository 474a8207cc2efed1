// A model trained on WebGPU can be checkpointed, resumed bit-exactly and saved: every value that
// leaves the device goes through the async twins (stateDictAsync, saveAsync, toAsync), and
// BatchNorm with momentum null keeps its cumulative factor on the device. Needs a WebGPU adapter
// (lavapipe will do): skipped with the reason otherwise.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLoader, TensorDataset } from '@tessera/data';
import {
  BatchNorm1d,
  CrossEntropyLoss,
  Dropout,
  Linear,
  loadSafetensors,
  ReLU,
  Sequential,
  save,
  saveAsync,
} from '@tessera/nn';
import { Adam, StepLR } from '@tessera/optim';
import { Generator, manualSeed, randint, randn } from '@tessera/tensor';
import {
  type Callback,
  fit,
  type History,
  historyOf,
  ModelCheckpoint,
  memoryStore,
  resumeFrom,
} from '@tessera/train';
import { expect, it } from 'vitest';
import { describeIfAvailable } from '../../tests/repo/requirements.js';
import { runCli } from '../src/cli.js';
import { selectBackend } from '../src/lib/backend.js';

const EPOCHS = 4;

function setup(device: string, seed: number) {
  manualSeed(seed);
  const model = new Sequential(
    new Linear(6, 16),
    new BatchNorm1d(16, { momentum: null }),
    new ReLU(),
    new Dropout(0.2),
    new Linear(16, 3),
  ).to(device);
  const optimizer = new Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  const x = randn([32, 6], { generator: new Generator(10) });
  const y = randint(0, 3, [32], { generator: new Generator(11) });
  const train = new DataLoader(new TensorDataset(x, y), {
    batchSize: 8,
    shuffle: true,
    generator: new Generator(12),
  });
  return { model, optimizer, scheduler, train };
}

type Setup = ReturnType<typeof setup>;

const run = (
  s: Setup,
  device: string,
  callbacks: Callback[],
  extra: { initialEpoch?: number; history?: History } = {},
) =>
  fit(s.model, {
    train: s.train,
    loss: new CrossEntropyLoss(),
    optimizer: s.optimizer,
    scheduler: s.scheduler,
    epochs: EPOCHS,
    device,
    callbacks,
    ...extra,
  });

async function values(s: Setup): Promise<number[][]> {
  const sd = await s.model.stateDictAsync();
  return Object.values(sd).map((t) => Array.from(t.dataSync()));
}

class KillAfter implements Callback {
  constructor(private readonly epoch: number) {}
  onEpochEnd(epoch: number): void {
    if (epoch === this.epoch) throw new Error('killed');
  }
}

describeIfAvailable('webgpu', 'checkpoints on WebGPU', () => {
  it('trains with BatchNorm(momentum: null), checkpoints, resumes bit-exactly and saves', {
    timeout: 120_000,
  }, async () => {
    const device = await selectBackend('webgpu', () => {});
    expect(device).toBe('webgpu');

    manualSeed(5);
    const full = setup(device, 1);
    const h = await run(full, device, []);

    const store = memoryStore();
    manualSeed(5);
    const first = setup(device, 1);
    await expect(run(first, device, [new ModelCheckpoint({ dir: store }), new KillAfter(1)])).rejects.toThrow(
      'killed',
    );
    expect([...store.files.keys()].sort()).toEqual([
      'ckpt-000001.json',
      'ckpt-000001.safetensors',
      'ckpt-000001.state.safetensors',
    ]);
    manualSeed(77);
    const second = setup(device, 9);
    const callbacks = [new ModelCheckpoint({ dir: store })];
    const r = await resumeFrom(store, { ...second, callbacks });
    expect(r.initialEpoch).toBe(1);
    const h2 = await run(second, device, callbacks, { initialEpoch: r.initialEpoch, history: r.history });
    expect(historyOf(h2, 'loss')).toEqual(historyOf(h, 'loss'));
    expect(await values(second)).toEqual(await values(full));
    expect(second.model.stateDict()['1.num_batches_tracked']!.device).toBe('webgpu');

    // Save from the GPU: the same bytes as saving the same weights from the CPU.
    const bytes = await saveAsync(second.model);
    const loaded = loadSafetensors(bytes).tensors;
    expect(Object.values(loaded).map((t) => Array.from(t.dataSync()))).toEqual(await values(full));
    expect(Number(loaded['1.num_batches_tracked']!.item())).toBe(4 * EPOCHS);
    // The synchronous calls say which async twin to use.
    expect(() => save(second.model)).toThrow(
      /on webgpu, which cannot be read synchronously; use await saveAsync/,
    );
    expect(() => second.model.to('cpu')).toThrow(/use await model.toAsync\('cpu'\)/);
    await second.model.toAsync('cpu');
    expect(second.model.parameters().every((p) => p.device === 'cpu')).toBe(true);
    expect(await saveAsync(second.model)).toEqual(bytes);
  });

  it('tessera-train --backend webgpu --checkpoint-dir checkpoints and resumes like the CPU', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-webgpu-ckpt-'));
    try {
      const cli = async (...args: string[]) => {
        const out: string[] = [];
        const code = await runCli(args, { out: (l) => out.push(l), err: (l) => out.push(l) });
        return { code, out: out.join('\n') };
      };
      const base = ['-e', 'xor', '--no-progress', '--backend', 'webgpu', '--checkpoint-dir', dir];
      const first = await cli(...base, '--epochs', '1');
      expect(first.code).toBe(0);
      expect(readdirSync(dir).sort()).toEqual([
        'ckpt-000001.json',
        'ckpt-000001.safetensors',
        'ckpt-000001.state.safetensors',
      ]);
      const second = await cli(...base, '--epochs', '2');
      expect(second.code).toBe(0);
      expect(second.out).toContain('resumed from');
      const cpu = await cli('-e', 'xor', '--no-progress', '--backend', 'cpu', '--epochs', '2');
      const loss = (s: string) => Number(/loss (\d\.\d+)/.exec(s.split('\n').at(-1)!)![1]);
      expect(loss(second.out)).toBeCloseTo(loss(cpu.out), 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
