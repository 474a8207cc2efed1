// The Inside page's computations in Node: the backprop trace against the chain rule written out
// by hand, and the layer statistics showing what the presets claim.
import '@tessera/autograd';
import { describe, expect, it } from 'vitest';
import { traceBackprop } from '../src/inside/backprop.js';
import { DeepMonitor, histogram } from '../src/inside/monitor.js';
import { BINS, type InsideConfig } from '../src/inside/protocol.js';
import { DEFAULT_TINY_NET } from '../src/inside/tiny-net.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('backprop step-through', () => {
  it('matches the chain rule computed by hand, and the SGD step lowers the loss', async () => {
    const p = { ...DEFAULT_TINY_NET, x: [0.3, -1.2] as [number, number], target: 0.2, lr: 0.5 };
    const t = await traceBackprop(p);
    const z = [0, 1].map((i) => p.w[i]![0] * p.x[0] + p.w[i]![1] * p.x[1] + p.b[i]!);
    const h = z.map(sigmoid);
    const zo = p.v[0] * h[0]! + p.v[1] * h[1]! + p.c;
    const y = sigmoid(zo);
    const dy = y - p.target;
    const dzo = dy * y * (1 - y);
    const dh = [dzo * p.v[0], dzo * p.v[1]];
    const dz = [0, 1].map((i) => dh[i]! * h[i]! * (1 - h[i]!));
    const close = (a: number, b: number) => expect(a).toBeCloseTo(b, 5);
    close(t.loss, 0.5 * dy * dy);
    close(t.y, y);
    close(t.dzo, dzo);
    [0, 1].forEach((i) => {
      close(t.z[i]!, z[i]!);
      close(t.dh[i]!, dh[i]!);
      close(t.dz[i]!, dz[i]!);
      close(t.dv[i]!, dzo * h[i]!);
      close(t.db[i]!, dz[i]!);
      [0, 1].forEach((j) => {
        close(t.dw[i]![j]!, dz[i]! * p.x[j]!);
        close(t.next.w[i]![j]!, p.w[i]![j]! - p.lr * dz[i]! * p.x[j]!);
      });
    });
    close(t.dc, dzo);
    expect(t.lossAfter).toBeLessThan(t.loss);
  });
});

describe('layer statistics', () => {
  it('bins values, clamping those outside the range', () => {
    const hist = histogram([-5, 0, 0.49, 0.5, 0.99, 7], 0, 1);
    expect(hist.length).toBe(BINS);
    expect(hist[0]).toBe(2);
    expect(hist[BINS - 1]).toBe(2);
    expect(hist.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('shows vanishing gradients in a deep sigmoid network and not with He initialisation', async () => {
    const ratio = async (config: InsideConfig) => {
      const m = await DeepMonitor.create(config);
      const s = await m.probe();
      const norms = s.layers.map((l) => l.gradNorm);
      return norms[0]! / norms[norms.length - 1]!;
    };
    const vanishing = await ratio({
      depth: 10,
      activation: 'sigmoid',
      init: 'default',
      optimizer: 'sgd',
      lr: 0.1,
    });
    const healthy = await ratio({
      depth: 6,
      activation: 'relu',
      init: 'kaiming',
      optimizer: 'adam',
      lr: 0.01,
    });
    expect(vanishing).toBeLessThan(1e-3);
    expect(healthy).toBeGreaterThan(0.05);
  });

  it('finds dead ReLU units after a far too large learning rate', async () => {
    const m = await DeepMonitor.create({
      depth: 6,
      activation: 'relu',
      init: 'default',
      optimizer: 'sgd',
      lr: 1,
    });
    const before = (await m.probe()).layers.reduce((s, l) => s + l.dead, 0);
    for (let i = 0; i < 100; i++) await m.trainStep();
    const after = (await m.probe()).layers.reduce((s, l) => s + l.dead, 0);
    expect(after).toBeGreaterThan(before);
  });
});
