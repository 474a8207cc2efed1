// The DCGAN's networks, one training epoch, the weight average, the judge's scoring, and a quick
// run on an MNIST subset.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Adam } from '@tessera/optim';
import { Generator, manualSeed, rand, randn, type Tensor } from '@tessera/tensor';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { itIfAvailable } from '../../tests/repo/requirements.js';
import { main, withScriptFlags } from '../src/dcgan-mnist.js';
import { DcganDiscriminator, DcganGenerator, dcganInit } from '../src/dcgan-mnist-models.js';
import { QUALITY_BAR, scoreProbabilities } from '../src/dcgan-mnist-quality.js';
import { emaDecayAt, trainGanEpoch, updateEma } from '../src/dcgan-mnist-train.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-dcgan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dcgan-mnist networks', () => {
  it('the generator maps z [N, latent] to images [N, 1, 28, 28] in (-1, 1)', () => {
    manualSeed(0);
    const g = new DcganGenerator({ latent: 16, width: 4 });
    dcganInit(g);
    const x = g.call(randn([3, 16])) as Tensor;
    expect(x.shape).toEqual([3, 1, 28, 28]);
    expect(x.min().item()).toBeGreaterThan(-1);
    expect(x.max().item()).toBeLessThan(1);
    expect(() => g.call(randn([3, 8]))).toThrow('DcganGenerator: expected z of shape [N, 16], got [3,8]');
  });

  it('the discriminator gives one logit per image, with or without spectral norm', () => {
    manualSeed(0);
    const plain = new DcganDiscriminator({ width: 4 });
    expect((plain.call(rand([5, 1, 28, 28])) as Tensor).shape).toEqual([5, 1]);
    const sn = new DcganDiscriminator({ width: 4, spectralNorm: true });
    expect((sn.call(rand([5, 1, 28, 28])) as Tensor).shape).toEqual([5, 1]);
    const names = [...sn.namedParameters()].map(([n]) => n);
    expect(names).toContain('net.0.weight_orig');
    expect(names).not.toContain('net.0.weight');
  });

  it('dcganInit draws weights from N(0, 0.02) and BatchNorm scales from N(1, 0.02)', () => {
    manualSeed(1);
    const g = new DcganGenerator({ latent: 64, width: 32 });
    dcganInit(g);
    const params = Object.fromEntries(g.namedParameters());
    const w = params['net.0.weight']!;
    expect(w.std().item()).toBeCloseTo(0.02, 3);
    expect(Math.abs(Number(w.mean().item()))).toBeLessThan(1e-3);
    expect(params['net.2.weight']!.sub(1).abs().max().item()).toBeLessThan(0.1);
    expect(params['net.2.bias']!.abs().max().item()).toBe(0);
  });
});

describe('dcgan-mnist training epoch', () => {
  it('updates both networks and returns finite means', async () => {
    manualSeed(0);
    const generator = new DcganGenerator({ latent: 8, width: 4 });
    const discriminator = new DcganDiscriminator({ width: 4, spectralNorm: true });
    dcganInit(generator);
    dcganInit(discriminator);
    const before = [generator, discriminator].map((m) => m.parameters()[0]!.clone());
    const batches = [rand([6, 1, 28, 28]), rand([6, 1, 28, 28])];
    const stats = await trainGanEpoch(
      {
        generator,
        discriminator,
        optG: new Adam(generator.parameters(), { lr: 1e-3, betas: [0.5, 0.999] }),
        optD: new Adam(discriminator.parameters(), { lr: 1e-3, betas: [0.5, 0.999] }),
        noise: new Generator(1),
        realLabel: 0.9,
        device: 'cpu',
      },
      batches,
    );
    expect(stats.steps).toBe(2);
    for (const v of [stats.dLoss, stats.gLoss]) expect(Number.isFinite(v)).toBe(true);
    for (const v of [stats.dReal, stats.dFake]) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    const after = [generator, discriminator].map((m) => m.parameters()[0]!);
    for (const [i, b] of before.entries()) expect(after[i]!.sub(b).abs().max().item()).toBeGreaterThan(0);
  });
});

describe('dcgan-mnist weight average', () => {
  it('moves every parameter and running statistic toward the model by 1 - decay', () => {
    manualSeed(0);
    const g = new DcganGenerator({ latent: 4, width: 2 });
    const ema = new DcganGenerator({ latent: 4, width: 2 });
    const before = [...ema.parameters(), ...ema.buffers()].map((t) => t.clone());
    g.call(randn([3, 4])); // training mode: the running statistics move away from their start
    updateEma(ema, g, 0.75);
    const source = [...g.parameters(), ...g.buffers()];
    for (const [i, t] of [...ema.parameters(), ...ema.buffers()].entries()) {
      const s = source[i]!;
      if (t.dtype !== 'float32') expect(t.item()).toBe(s.item());
      else
        expect(
          t
            .sub(before[i]!.mul(0.75).add(s.mul(0.25)))
            .abs()
            .max()
            .item(),
        ).toBeLessThan(1e-6);
    }
    updateEma(ema, g, 0);
    for (const [i, t] of ema.parameters().entries())
      expect(t.sub(g.parameters()[i]!).abs().max().item()).toBe(0);
  });

  it('warms up: the decay of step t is at most (1 + t) / (10 + t)', () => {
    expect(emaDecayAt(0.998, 0)).toBeCloseTo(0.1, 12);
    expect(emaDecayAt(0.998, 90)).toBeCloseTo(0.91, 12);
    expect(emaDecayAt(0.998, 10_000)).toBe(0.998);
    expect(emaDecayAt(0, 5)).toBe(0);
    expect(() => emaDecayAt(0.9, -1)).toThrow('emaDecayAt: updates must be an integer >= 0, got -1');
  });

  it('a training epoch averages after every step and counts the steps', async () => {
    manualSeed(0);
    const generator = new DcganGenerator({ latent: 4, width: 2 });
    const discriminator = new DcganDiscriminator({ width: 2 });
    const averaged = new DcganGenerator({ latent: 4, width: 2 });
    updateEma(averaged, generator, 0);
    const start = averaged.parameters()[0]!.clone();
    const ema = { model: averaged, decay: 0.99, updates: 3 };
    await trainGanEpoch(
      {
        generator,
        discriminator,
        optG: new Adam(generator.parameters(), { lr: 1e-2 }),
        optD: new Adam(discriminator.parameters(), { lr: 1e-2 }),
        noise: new Generator(1),
        realLabel: 1,
        device: 'cpu',
        ema,
      },
      [rand([4, 1, 28, 28]), rand([4, 1, 28, 28])],
    );
    expect(ema.updates).toBe(5);
    // The average moved from its start but, with decays 4/13 and 5/14, not all the way.
    const a = averaged.parameters()[0]!;
    expect(a.sub(start).abs().max().item()).toBeGreaterThan(0);
    expect(a.sub(generator.parameters()[0]!).abs().max().item()).toBeGreaterThan(0);
  });

  it('rejects a decay outside [0, 1) and models that differ', () => {
    const g = new DcganGenerator({ latent: 4, width: 2 });
    expect(() => updateEma(g, g, 1)).toThrow('updateEma: decay must be in [0, 1), got 1');
    expect(() => updateEma(new DcganDiscriminator({ width: 2 }), g, 0.5)).toThrow(
      'updateEma: the models differ',
    );
  });
});

describe('dcgan-mnist judge scores', () => {
  it('counts confident samples and the share of each class', () => {
    // 4 samples over 3 classes: two sure 0s, one unsure 1, one sure 2.
    const probs = [0.95, 0.03, 0.02, 0.9, 0.05, 0.05, 0.2, 0.5, 0.3, 0.0, 0.05, 0.95];
    const q = scoreProbabilities(probs, 4, 3);
    expect(q.count).toBe(4);
    expect(q.confidentShare).toBe(0.75);
    expect(q.classShares).toEqual([0.5, 0.25, 0.25]);
    expect(q.minClassShare).toBe(0.25);
    expect(q.meetsBar).toBe(false); // 75% confident is under the 80% bar
    const sure = scoreProbabilities([0.95, 0.05, 0.05, 0.95], 2, 2);
    expect(sure.meetsBar).toBe(true);
    expect(QUALITY_BAR).toEqual({ confidentShare: 0.8, minClassShare: 0.03, threshold: 0.9 });
  });

  it('a class nobody draws is mode collapse: the bar is not met', () => {
    const q = scoreProbabilities([0.99, 0.01, 0.99, 0.01], 2, 2);
    expect(q.confidentShare).toBe(1);
    expect(q.minClassShare).toBe(0);
    expect(q.meetsBar).toBe(false);
  });

  it('rejects probabilities of the wrong length', () => {
    expect(() => scoreProbabilities([0.5, 0.5, 1], 2, 2)).toThrow(
      'scoreProbabilities: expected 2 rows of 2 probabilities, got 3 values',
    );
  });
});

describe('dcgan-mnist options', () => {
  it('--spectral-norm is taken off the command line and turned into the option', () => {
    const plain = withScriptFlags(['--epochs', '2']);
    expect(plain.argv).toEqual(['--epochs', '2']);
    expect(plain.main).toBe(main);
    const sn = withScriptFlags(['--spectral-norm', '--epochs', '2']);
    expect(sn.argv).toEqual(['--epochs', '2']);
    expect(sn.main).not.toBe(main);
  });

  it('refuses checkpoints, ONNX export and a bad real label before loading anything', async () => {
    await expect(main({ checkpointDir: tmp })).rejects.toThrow('dcgan-mnist: checkpointDir is not supported');
    await expect(main({ exportOnnx: join(tmp, 'g.onnx') })).rejects.toThrow(
      'dcgan-mnist: exportOnnx is not supported',
    );
    await expect(main({ emaDecay: 1 })).rejects.toThrow('dcgan-mnist: emaDecay must be in [0, 1), got 1');
    await expect(main({ realLabel: 0.3 })).rejects.toThrow(
      'dcgan-mnist: realLabel must be in (0.5, 1], got 0.3',
    );
  });
});

describe('dcgan-mnist quick run', () => {
  itIfAvailable(
    'mnist',
    'trains on a subset, writes a grid per epoch and reports the judge in the right shape',
    async () => {
      const lines: string[] = [];
      const m = await main({
        progress: false,
        log: (l) => lines.push(l),
        epochs: 2,
        batchSize: 16,
        width: 4,
        discriminatorWidth: 4,
        latent: 8,
        trainSize: 64,
        testSize: 100,
        samples: 40,
        classifierEpochs: 1,
        outDir: tmp,
      });
      const grids = readdirSync(tmp).filter((f) => f.endsWith('.png'));
      expect(grids.sort()).toEqual(['samples-epoch-001.png', 'samples-epoch-002.png']);
      const png = PNG.sync.read(readFileSync(join(tmp, 'samples-epoch-002.png')));
      expect([png.width, png.height]).toEqual([2 * (8 * 29 + 1), 2 * (8 * 29 + 1)]);
      for (const k of ['dLoss', 'gLoss', 'judgeAccuracy'] as const) expect(Number.isFinite(m[k])).toBe(true);
      expect(m.confidentShare).toBeGreaterThanOrEqual(0);
      expect(m.confidentShare).toBeLessThanOrEqual(1);
      expect(m.minClassShare).toBeGreaterThanOrEqual(0);
      expect(m.minClassShare).toBeLessThanOrEqual(0.1); // the smallest of 10 shares summing to 1
      expect([0, 1]).toContain(m.meetsBar);
      for (const k of ['rawConfidentShare', 'rawMinClassShare'] as const) {
        expect(m[k]).toBeGreaterThanOrEqual(0);
        expect(m[k]).toBeLessThanOrEqual(1);
      }
      expect(lines.filter((l) => /^dcgan-mnist: epoch \d\/2: D loss/.test(l))).toHaveLength(2);
      const verdict = lines.find((l) => l.includes('per class'));
      expect(verdict).toMatch(/per class 0: [\d.]+%, 1: .* 9: [\d.]+%; smallest [\d.]+%/);
    },
  );
});
