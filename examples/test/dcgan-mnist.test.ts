// The DCGAN's networks, one training epoch, the weight average, the judge's scoring, and a quick
// run on an MNIST subset.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linear } from '@tessera/nn';
import { Generator, manualSeed, rand, randn, type Tensor, tensor, zeros } from '@tessera/tensor';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { itIfAvailable } from '../../tests/repo/requirements.js';
import { linearDecayFactor, main, scriptFlags } from '../src/dcgan-mnist.js';
import { diffAugment } from '../src/dcgan-mnist-augment.js';
import { DcganDiscriminator, DcganGenerator, dcganInit } from '../src/dcgan-mnist-models.js';
import { QUALITY_BAR, scoreProbabilities } from '../src/dcgan-mnist-quality.js';
import {
  emaDecayAt,
  ganLosses,
  r1Penalty,
  sampleInput,
  trainGanEpoch,
  updateEma,
} from '../src/dcgan-mnist-train.js';
import { tinyGanSetup } from './gan-setup.js';

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
      tinyGanSetup(generator, discriminator, { lr: 1e-3, betas: [0.5, 0.999] }),
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

describe('dcgan-mnist losses, penalty and augmentation', () => {
  it('the hinge loss: D relu(1 - D(x)) + relu(1 + D(G(z))), G -D(G(z)), as means', () => {
    const { d, g } = ganLosses('hinge', 0.9, 'cpu');
    const real = tensor([[2], [0.5], [-1]], { dtype: 'float32' });
    const fake = tensor([[-2], [0], [1]], { dtype: 'float32' });
    // real: relu(1 - [2, 0.5, -1]) = [0, 0.5, 2], mean 5/6; fake: relu(1 + [-2, 0, 1]) = [0, 1, 2], mean 1.
    expect(d(real, fake).item()).toBeCloseTo(5 / 6 + 1, 6);
    expect(g(fake).item()).toBeCloseTo(1 / 3, 6);
    expect(g(real).item()).toBeCloseTo(-0.5, 6);
    expect(() => ganLosses('wasserstein' as 'bce', 1, 'cpu')).toThrow(
      "ganLosses: loss must be 'bce' or 'hinge'",
    );
  });

  it('the BCE loss uses the real label for real digits, 0 for generated ones and 1 in the G step', () => {
    const { d, g } = ganLosses('bce', 1, 'cpu');
    const zero = zeros([4, 1]);
    // Logit 0 is probability 1/2: ln 2 per term whatever the target.
    expect(d(zero, zero).item()).toBeCloseTo(2 * Math.LN2, 6);
    expect(g(tensor([[20]], { dtype: 'float32' })).item()).toBeCloseTo(0, 6);
    const smooth = ganLosses('bce', 0.9, 'cpu');
    // A real logit of ln 9 (probability 0.9) is optimal for the target 0.9: the entropy of 0.9.
    const h = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1));
    expect(smooth.d(tensor([[Math.log(9)]]), tensor([[-30]], { dtype: 'float32' })).item()).toBeCloseTo(h, 5);
  });

  it('R1 is the mean squared norm of dD(x)/dx, and it is differentiable in the weights', () => {
    manualSeed(0);
    const lin = new Linear(6, 1);
    const x = rand([3, 6]).requiresGrad_(true);
    const p = r1Penalty(lin.call(x) as Tensor, x);
    // D is linear: the gradient of each row is the weight row, so the penalty is |w|^2.
    const w = lin.weight;
    expect(p.item()).toBeCloseTo(w.pow(2).sum().item() as number, 5);
    p.backward();
    // d|w|^2/dw = 2w.
    expect(lin.weight.grad!.sub(w.mul(2)).abs().max().item()).toBeLessThan(1e-5);
    // Through the discriminator's convolutions, LeakyReLU and BatchNorm (a double backward).
    const disc = new DcganDiscriminator({ width: 2 });
    const img = rand([4, 1, 28, 28]).requiresGrad_(true);
    const q = r1Penalty(disc.call(img) as Tensor, img);
    expect(q.item()).toBeGreaterThan(0);
    q.backward();
    // (The last layer's bias has no gradient: dD/dx does not depend on it.)
    for (const param of disc.parameters()) {
      if (param.grad !== null) expect(Number.isFinite(param.grad.abs().sum().item())).toBe(true);
    }
    expect(disc.parameters()[0]!.grad!.abs().sum().item()).toBeGreaterThan(0);
  });

  it('DiffAugment translation moves each image by whole pixels and fills in background', () => {
    // Background (-1) with one bright pixel in the middle of every image.
    const px = new Float32Array(8 * 784).fill(-1);
    for (let i = 0; i < 8; i++) px[i * 784 + 14 * 28 + 14] = 1;
    const one = tensor(px, { shape: [8, 1, 28, 28] });
    const y = diffAugment(['translation'], { maxShift: 2, seed: 1 }).apply(one);
    expect(y.shape).toEqual([8, 1, 28, 28]);
    const flat = y.reshape([8, 784]);
    const data = flat.dataSync();
    const moves = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const row = Array.from(data.slice(i * 784, (i + 1) * 784));
      expect(row.filter((v) => v === 1)).toHaveLength(1); // the pixel moved, nothing else changed
      expect(row.filter((v) => v === -1)).toHaveLength(783);
      const at = row.indexOf(1);
      const [dy, dx] = [Math.floor(at / 28) - 14, (at % 28) - 14];
      expect(Math.abs(dy)).toBeLessThanOrEqual(2);
      expect(Math.abs(dx)).toBeLessThanOrEqual(2);
      moves.add(`${dy},${dx}`);
    }
    expect(moves.size).toBeGreaterThan(1); // each image its own shift
    // The same seed, the same shifts.
    const again = diffAugment(['translation'], { maxShift: 2, seed: 1 }).apply(one);
    expect(again.sub(y).abs().max().item()).toBe(0);
  });

  it('DiffAugment cutout blanks a square to background, and gradients pass through', () => {
    const x = rand([5, 1, 28, 28]).requiresGrad_(true);
    const aug = diffAugment(['translation', 'cutout'], { cutout: 6, seed: 2 });
    const y = aug.apply(x);
    expect(aug.ops).toEqual(['translation', 'cutout']);
    const cut = diffAugment(['cutout'], { cutout: 6, seed: 3 }).apply(x.detach());
    const blanked = cut.eq(-1).sum().item() as number;
    // Each image loses a 6x6 square (less where it falls off the edge), at least 3x3 of it inside.
    expect(blanked).toBeGreaterThanOrEqual(5 * 9);
    expect(blanked).toBeLessThanOrEqual(5 * 36);
    y.sum().backward();
    const g = x.grad!;
    // A gradient of 1 for every pixel that was kept in place of another, 0 for the ones cut or shifted out.
    expect(g.max().item()).toBe(1);
    expect(g.min().item()).toBe(0);
    expect(() => diffAugment(['flip' as 'cutout'])).toThrow("diffAugment: unknown op 'flip'");
    expect(() => aug.apply(rand([3, 28, 28]))).toThrow('diffAugment: expected images [N, C, H, W]');
  });

  it('a training epoch with the hinge loss, DiffAugment and lazy R1 counts its penalty steps', async () => {
    manualSeed(0);
    const generator = new DcganGenerator({ latent: 4, width: 2 });
    const discriminator = new DcganDiscriminator({ width: 2, spectralNorm: true });
    const before = discriminator.parameters()[0]!.clone();
    const r1 = { gamma: 10, every: 2, steps: 0 };
    const stats = await trainGanEpoch(
      tinyGanSetup(
        generator,
        discriminator,
        { lr: 1e-3, dLr: 4e-3, betas: [0, 0.9] },
        { realLabel: 1, loss: 'hinge', augment: diffAugment(['translation', 'cutout'], { seed: 0 }), r1 },
      ),
      [rand([4, 1, 28, 28]), rand([4, 1, 28, 28]), rand([4, 1, 28, 28])],
    );
    expect(stats.steps).toBe(3);
    expect(r1.steps).toBe(3);
    for (const v of [stats.dLoss, stats.gLoss]) expect(Number.isFinite(v)).toBe(true);
    expect(discriminator.parameters()[0]!.sub(before).abs().max().item()).toBeGreaterThan(0);
  });

  it('the linear decay holds the rate, then falls to 0 over the last share of the steps', () => {
    expect(linearDecayFactor(0, 100, 0)).toBe(1);
    expect(linearDecayFactor(99, 100, 0)).toBe(1);
    expect(linearDecayFactor(40, 100, 0.5)).toBe(1);
    expect(linearDecayFactor(50, 100, 0.5)).toBe(1);
    expect(linearDecayFactor(75, 100, 0.5)).toBeCloseTo(0.5, 12);
    expect(linearDecayFactor(100, 100, 0.5)).toBe(0);
    expect(linearDecayFactor(0, 100, 1)).toBe(1);
    expect(linearDecayFactor(25, 100, 1)).toBeCloseTo(0.75, 12);
  });
});

describe('dcgan-mnist categorical latent code (InfoGAN)', () => {
  it('the generator takes z and a one-hot code drawn uniformly; the discriminator predicts the code', () => {
    manualSeed(0);
    const g = new DcganGenerator({ latent: 8, width: 4, codes: 10 });
    const { input, code } = sampleInput(g, 400, new Generator(3), 'cpu');
    expect(input.shape).toEqual([400, 18]);
    expect(code!.shape).toEqual([400]);
    // The last 10 columns are the one-hot code; every category turns up.
    const oneHot = input.narrow(1, 8, 10);
    expect(oneHot.sum(1).eq(1).all().item()).toBe(true);
    expect(oneHot.argmax(1).eq(code!).all().item()).toBe(true);
    expect(new Set(code!.dataSync()).size).toBe(10);
    expect((g.call(input) as Tensor).shape).toEqual([400, 1, 28, 28]);
    expect(() => g.call(randn([2, 8]))).toThrow('DcganGenerator: expected z of shape [N, 18], got [2,8]');
    // Without a code the input is z alone.
    expect(sampleInput(new DcganGenerator({ latent: 8, width: 4 }), 3, new Generator(3), 'cpu').code).toBe(
      undefined,
    );
    const d = new DcganDiscriminator({ width: 4, codes: 10 });
    const x = rand([5, 1, 28, 28]);
    const out = d.withCode(x);
    expect(out.logit.shape).toEqual([5, 1]);
    expect(out.code.shape).toEqual([5, 10]);
    // The same logit as forward: the code head shares the features.
    expect(
      out.logit
        .sub(d.call(x) as Tensor)
        .abs()
        .max()
        .item(),
    ).toBeLessThan(1e-6);
    expect(() => new DcganDiscriminator({ width: 4 }).withCode(x)).toThrow('no code head');
  });

  it('the truncation trick scales z by the spread and leaves the code one-hot', () => {
    const g = new DcganGenerator({ latent: 8, width: 4, codes: 3 });
    const full = sampleInput(g, 50, new Generator(5), 'cpu');
    const half = sampleInput(g, 50, new Generator(5), 'cpu', 0.5);
    expect(
      half.input
        .narrow(1, 0, 8)
        .sub(full.input.narrow(1, 0, 8).mul(0.5))
        .abs()
        .max()
        .item(),
    ).toBeLessThan(1e-6);
    expect(
      half.input
        .narrow(1, 8, 3)
        .sub(full.input.narrow(1, 8, 3))
        .abs()
        .max()
        .item(),
    ).toBe(0);
  });

  it('a training epoch trains the code head with the discriminator', async () => {
    manualSeed(0);
    const generator = new DcganGenerator({ latent: 4, width: 2, codes: 3 });
    const discriminator = new DcganDiscriminator({ width: 2, codes: 3 });
    const q = discriminator.q!.weight.clone();
    const stats = await trainGanEpoch(
      tinyGanSetup(generator, discriminator, { lr: 1e-3 }, { codeWeight: 2 }),
      [rand([4, 1, 28, 28]), rand([4, 1, 28, 28])],
    );
    expect(Number.isFinite(stats.gLoss)).toBe(true);
    expect(discriminator.q!.weight.sub(q).abs().max().item()).toBeGreaterThan(0);
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
    await trainGanEpoch(tinyGanSetup(generator, discriminator, { lr: 1e-2 }, { realLabel: 1, ema }), [
      rand([4, 1, 28, 28]),
      rand([4, 1, 28, 28]),
    ]);
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
    const plain = scriptFlags.apply(['--epochs', '2']);
    expect(plain.argv).toEqual(['--epochs', '2']);
    expect(plain.main).toBe(main);
    const sn = scriptFlags.apply(['--spectral-norm', '--epochs', '2']);
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
    await expect(main({ loss: 'l2' as 'bce' })).rejects.toThrow(
      "dcgan-mnist: loss must be 'bce' or 'hinge', got 'l2'",
    );
    await expect(main({ betas: [0.5, 1] })).rejects.toThrow(
      'dcgan-mnist: betas must be two numbers in [0, 1)',
    );
    await expect(main({ lrDecay: 1.5 })).rejects.toThrow('dcgan-mnist: lrDecay must be in [0, 1], got 1.5');
    await expect(main({ truncation: 0 })).rejects.toThrow('dcgan-mnist: truncation must be in (0, 1], got 0');
    await expect(main({ codes: 1.5 })).rejects.toThrow('dcgan-mnist: codes must be an integer >= 0, got 1.5');
    await expect(main({ r1Gamma: -1 })).rejects.toThrow('dcgan-mnist: r1Gamma must be a finite number >= 0');
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
      // The default: conditioned on k-means clusters, one per 10 of the 64 training images.
      expect(lines).toContainEqual(
        expect.stringMatching(/conditioned on 6 k-means clusters of the training pixels/),
      );
      const verdict = lines.find((l) => l.includes('per class'));
      expect(verdict).toMatch(/per class 0: [\d.]+%, 1: .* 9: [\d.]+%; smallest [\d.]+%/);
    },
  );
});
