import '@tessera/autograd';
import {
  Conv2d,
  CrossEntropyLoss,
  Flatten,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
} from '@tessera/nn';
import { Adam, SGD } from '@tessera/optim';
import { argmax, manualSeed, type Tensor, tensor } from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { closeTo, gpuBackend, randomData } from './helpers.js';

/** A small CNN: conv → relu → maxpool → conv → relu → flatten → linear. */
function smallCnn(): Module {
  return new Sequential(
    new Conv2d(1, 4, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(4, 6, 3),
    new ReLU(),
    new Flatten(),
    new Linear(6 * 2 * 2, 3),
  );
}

/** Synthetic 3-class task on 8x8 images: which third of the image holds a bright blob. */
function dataset(n: number, seed: number): { x: Tensor; y: Tensor } {
  const noise = randomData(n * 64, seed, 0, 0.3);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    const col = 1 + c * 2 + (i % 2);
    for (let r = 2; r < 6; r++) noise[i * 64 + r * 8 + col] = 1 + noise[i * 64 + r * 8 + col]!;
  }
  return { x: tensor(noise).reshape(n, 1, 8, 8), y: tensor(labels) };
}

describeIfAvailable('webgpu', 'training on the webgpu backend', () => {
  beforeAll(async () => {
    await gpuBackend();
  });

  it('gradients of a small network match the CPU backend', async () => {
    manualSeed(123);
    const cpu = smallCnn();
    manualSeed(123);
    const gpu = smallCnn().to('webgpu');
    const { x, y } = dataset(12, 7);
    const loss = new CrossEntropyLoss();
    const lc = loss.call(cpu.call(x), y) as Tensor;
    lc.backward();
    const lg = loss.call(gpu.call(x.to('webgpu')), y.to('webgpu')) as Tensor;
    lg.backward();
    expect(closeTo(await lg.data(), lc.dataSync(), 1e-5, 1e-6)).toBeNull();
    const pc = cpu.parameters();
    const pg = gpu.parameters();
    expect(pg.length).toBe(pc.length);
    for (let i = 0; i < pc.length; i++) {
      expect(pg[i]!.device).toBe('webgpu');
      const gc = pc[i]!.grad!;
      const gg = pg[i]!.grad!;
      expect(gg.device).toBe('webgpu');
      expect(closeTo(await gg.data(), gc.dataSync(), 1e-4, 1e-6), `grad of parameter ${i}`).toBeNull();
    }
  });

  it('a small CNN trains on the GPU (Adam), and SGD steps match the CPU', async () => {
    manualSeed(5);
    const model = smallCnn().to('webgpu');
    const opt = new Adam(model.parameters(), { lr: 0.02 });
    const loss = new CrossEntropyLoss();
    const { x, y } = dataset(48, 11);
    const gx = x.to('webgpu');
    const gy = y.to('webgpu');
    let first = 0;
    let last = 0;
    for (let step = 0; step < 40; step++) {
      opt.zeroGrad();
      const l = loss.call(model.call(gx), gy) as Tensor;
      l.backward();
      opt.step();
      if (step === 0) first = (await l.data())[0]!;
      last = (await l.data())[0]!;
    }
    expect(last).toBeLessThan(first * 0.3);
    const pred = argmax(model.call(gx) as Tensor, 1);
    const p = await pred.data();
    const labels = y.dataSync();
    const acc = Array.from(p).reduce((s, v, i) => s + (v === labels[i] ? 1 : 0), 0) / p.length;
    expect(acc).toBeGreaterThan(0.9);

    // A few SGD steps from the same start stay in step with the CPU backend.
    manualSeed(9);
    const mc = smallCnn();
    manualSeed(9);
    const mg = smallCnn().to('webgpu');
    const oc = new SGD(mc.parameters(), { lr: 0.1, momentum: 0.9 });
    const og = new SGD(mg.parameters(), { lr: 0.1, momentum: 0.9 });
    for (let step = 0; step < 3; step++) {
      for (const [m, o, xx, yy] of [
        [mc, oc, x, y],
        [mg, og, gx, gy],
      ] as const) {
        o.zeroGrad();
        (loss.call(m.call(xx), yy) as Tensor).backward();
        o.step();
      }
    }
    const wc = mc.parameters();
    const wg = mg.parameters();
    for (let i = 0; i < wc.length; i++) {
      expect(closeTo(await wg[i]!.data(), wc[i]!.dataSync(), 1e-3, 1e-5), `SGD parameter ${i}`).toBeNull();
    }
  });
});
