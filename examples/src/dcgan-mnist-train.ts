/**
 * One epoch of DCGAN training, written out by hand (two models, two optimizers: `fit` trains
 * one). Each batch: a discriminator step on real digits and on generated ones, then a generator
 * step that asks the discriminator to call its images real. With the BCE loss the targets are
 * `realLabel` and 0, and the generator's target is 1 (the non-saturating loss of Goodfellow et
 * al.); with the hinge loss (Lim and Ye, 2017; Miyato et al., 2018) the discriminator minimises
 * relu(1 - D(x)) + relu(1 + D(G(z))) and the generator -D(G(z)).
 */
import { autogradGrad, noGrad } from '@tessera/autograd';
import { BCEWithLogitsLoss, CrossEntropyLoss, type Module } from '@tessera/nn';
import type { Optimizer } from '@tessera/optim';
import {
  cat,
  full,
  type Generator,
  multinomial,
  nextStep,
  oneHot,
  randint,
  randn,
  stack,
  type Tensor,
} from '@tessera/tensor';
import type { DiffAugment } from './dcgan-mnist-augment.js';
import type { DcganDiscriminator, DcganGenerator } from './dcgan-mnist-models.js';

/** The adversarial loss: 'bce' (non-saturating, BCEWithLogits) or 'hinge'. */
export type GanLoss = 'bce' | 'hinge';

/** Everything a GAN training step needs. */
export interface GanSetup {
  generator: DcganGenerator;
  discriminator: DcganDiscriminator;
  optG: Optimizer;
  optD: Optimizer;
  /** Draws the latent vectors (seeded: a run is reproducible). */
  noise: Generator;
  /** Target of real images in the discriminator's BCE loss (1, or 0.9 for one-sided label smoothing). */
  realLabel: number;
  device: string;
  /** The adversarial loss (default 'bce'; the hinge loss has no labels, `realLabel` is unused). */
  loss?: GanLoss;
  /** Differentiable augmentation of real and generated images before the discriminator (default none). */
  augment?: DiffAugment;
  /**
   * R1 penalty (Mescheder et al., 2018): gamma / 2 times the mean squared norm of the gradient of
   * D(real) with respect to the real images, added to the discriminator's loss every `every`-th
   * step, scaled by `every` (lazy regularisation). `steps` counts the steps so far.
   */
  r1?: { gamma: number; every: number; steps: number };
  /**
   * Weight of the code loss (InfoGAN's mutual-information term: the cross-entropy of the
   * discriminator's code head on generated images, added to both losses) when the generator has
   * a categorical code (default 1).
   */
  codeWeight?: number;
  /**
   * A copy of the generator that follows its weights as an exponential moving average;
   * `updates` counts the averaging steps so far (trainGanEpoch advances it), see `emaDecayAt`.
   */
  ema?: { model: DcganGenerator; decay: number; updates: number };
}

/** Mean losses and discriminator outputs of an epoch. */
export interface GanEpochStats {
  /** Discriminator loss (real + generated terms). */
  dLoss: number;
  /** Generator loss. */
  gLoss: number;
  /** Mean sigmoid(D(real)): how real the discriminator finds real digits. */
  dReal: number;
  /** Mean sigmoid(D(G(z))) before the generator step. */
  dFake: number;
  /** Batches trained. */
  steps: number;
}

/**
 * Moves `ema`'s parameters and floating-point buffers (BatchNorm's running statistics) toward
 * `model`'s: ema = decay * ema + (1 - decay) * model. Sampling from the average of the last
 * ~1 / (1 - decay) generators smooths out the step-to-step oscillation of GAN training
 * (Yazici et al., 2019; Karras et al., 2018). Both must be the same architecture.
 */
export function updateEma(ema: Module, model: Module, decay: number): void {
  if (!(decay >= 0 && decay < 1)) throw new RangeError(`updateEma: decay must be in [0, 1), got ${decay}`);
  const target = [...ema.parameters(), ...ema.buffers()];
  const source = [...model.parameters(), ...model.buffers()];
  if (target.length !== source.length) {
    throw new RangeError(`updateEma: the models differ (${target.length} vs ${source.length} tensors)`);
  }
  noGrad(() => {
    for (const [i, t] of target.entries()) {
      const s = source[i]!;
      if (t.dtype === 'float32') t.lerp_(s, 1 - decay);
      else t.copy_(s); // counters such as num_batches_tracked
    }
  });
}

/**
 * The decay of the `updates`-th average step: `decay`, but at most (1 + updates) / (10 + updates)
 * early on, so the average forgets the random initial generator within the first epochs instead
 * of keeping a share 0.998^steps of it (the warm-up of TensorFlow's ExponentialMovingAverage).
 */
export function emaDecayAt(decay: number, updates: number): number {
  if (!(Number.isInteger(updates) && updates >= 0)) {
    throw new RangeError(`emaDecayAt: updates must be an integer >= 0, got ${updates}`);
  }
  return Math.min(decay, (1 + updates) / (10 + updates));
}

/** Latent vectors z ~ N(0, 1) [n, latent] on `device`, drawn from `noise`. */
export function sampleLatent(n: number, latent: number, noise: Generator, device: string): Tensor {
  return randn([n, latent], { generator: noise }).to(device);
}

/**
 * The generator's input for `n` images: z ~ N(0, spread²) (spread 1 unless measuring the
 * truncation trick), then (with `g.codes` > 0) a one-hot categorical code, drawn uniformly or
 * with the weights `g.codePrior`; `code` is the code's index [n] (int32), for the code loss.
 */
export function sampleInput(
  g: DcganGenerator,
  n: number,
  noise: Generator,
  device: string,
  spread = 1,
): { input: Tensor; code?: Tensor } {
  let z = sampleLatent(n, g.latent, noise, device);
  if (spread !== 1) z = z.mul(spread);
  if (g.codes === 0) return { input: z };
  const code = (
    g.codePrior === undefined
      ? randint(0, g.codes, [n], { generator: noise, dtype: 'int32' })
      : multinomial(g.codePrior, n, true, { generator: noise })
  ).to(device);
  return { input: cat([z, oneHot(code, g.codes).to('float32')], 1), code };
}

/** Pixels in [0, 1] to the generator's range [-1, 1]. */
export function toTanhRange(x: Tensor): Tensor {
  return x.mul(2).sub(1);
}

/** The discriminator's and the generator's loss functions of logits, for `loss`. */
export function ganLosses(
  loss: GanLoss,
  realLabel: number,
  device: string,
): { d: (outReal: Tensor, outFake: Tensor) => Tensor; g: (outFake: Tensor) => Tensor } {
  if (loss === 'hinge') {
    return {
      d: (r, f) => r.neg().add(1).relu().mean().add(f.add(1).relu().mean()),
      g: (f) => f.mean().neg(),
    };
  }
  if (loss !== 'bce') throw new RangeError(`ganLosses: loss must be 'bce' or 'hinge', got '${loss}'`);
  const bce = new BCEWithLogitsLoss();
  const target = (t: Tensor, v: number) => full(t.shape, v, { dtype: 'float32', device });
  return {
    d: (r, f) => bce.call(r, target(r, realLabel)).add(bce.call(f, target(f, 0))),
    g: (f) => bce.call(f, target(f, 1)),
  };
}

/**
 * The R1 term: the mean over the batch of the squared norm of d(sum of `outReal`)/d`real`, with
 * the graph kept so the discriminator's weights get its gradient (a double backward).
 */
export function r1Penalty(outReal: Tensor, real: Tensor): Tensor {
  const [g] = autogradGrad(outReal.sum(), real, null, { createGraph: true });
  const n = real.shape[0]!;
  return g!.pow(2).reshape([n, -1]).sum(1).mean();
}

/**
 * A training batch: images [N, 1, 28, 28] in [0, 1], or images and the code [N] (int32) of each,
 * its class or cluster, for a conditional GAN.
 */
export type GanBatch = Tensor | readonly [Tensor, Tensor];

/**
 * Trains both networks on every batch of `batches`; returns the epoch's means. With codes in
 * the batches (a conditional GAN, AC-GAN style: Odena et al., 2017) the discriminator's code
 * head also learns the real images' codes, and the generator draws its codes with
 * `codePrior`. Throws when a loss stops being finite (a diverged run is an error).
 */
export async function trainGanEpoch(
  setup: GanSetup,
  batches: AsyncIterable<GanBatch> | Iterable<GanBatch>,
  onStep?: (step: number) => void,
): Promise<GanEpochStats> {
  const { generator: g, discriminator: d, optG, optD, noise, device } = setup;
  const losses = ganLosses(setup.loss ?? 'bce', setup.realLabel, device);
  const aug = (x: Tensor) => (setup.augment === undefined ? x : setup.augment.apply(x));
  const ce = new CrossEntropyLoss();
  const codeWeight = setup.codeWeight ?? 1;
  /**
   * The discriminator's logit of images `x` and, when their codes are known (a generated image's
   * drawn code, or a real image's class or cluster), its code head's weighted cross-entropy.
   */
  const judge = (x: Tensor, code: Tensor | undefined): { logit: Tensor; codeLoss?: Tensor } => {
    if (code === undefined) return { logit: d.call(aug(x)) };
    const out = d.withCode(aug(x));
    return { logit: out.logit, codeLoss: ce.call(out.code, code).mul(codeWeight) };
  };
  g.train();
  d.train();
  const sums = { dLoss: 0, gLoss: 0, dReal: 0, dFake: 0 };
  const pending: Tensor[] = [];
  let steps = 0;
  for await (const batch of batches) {
    const [raw, realCode] = Array.isArray(batch) ? (batch as readonly [Tensor, Tensor]) : [batch as Tensor];
    if (realCode !== undefined && d.q === undefined) {
      throw new Error('dcgan-mnist: batches with codes need a discriminator with a code head (codes > 0)');
    }
    let real = toTanhRange(raw.to(device));
    const n = real.shape[0]!;
    const { input, code } = sampleInput(g, n, noise, device);
    const fake = g.call(input);

    // Real and generated digits in separate passes: the discriminator's BatchNorm must not mix them.
    optD.zeroGrad();
    const r1 = setup.r1;
    const penalise = r1 !== undefined && r1.gamma > 0 && r1.steps % r1.every === 0;
    if (penalise) real = real.detach().requiresGrad_(true);
    const r = judge(real, realCode?.to(device));
    const f = judge(fake.detach(), code);
    const outReal = r.logit;
    const outFake = f.logit;
    let dLoss = losses.d(outReal, outFake);
    for (const extra of [r.codeLoss, f.codeLoss]) if (extra !== undefined) dLoss = dLoss.add(extra);
    if (penalise) dLoss = dLoss.add(r1Penalty(outReal, real).mul((r1.gamma / 2) * r1.every));
    if (r1 !== undefined) r1.steps++;
    dLoss.backward();
    optD.step();

    // The discriminator's weights are constants here: no gradient for them (saves their backward).
    optG.zeroGrad();
    d.requiresGrad_(false);
    const gf = judge(fake, code);
    const gLoss = gf.codeLoss === undefined ? losses.g(gf.logit) : losses.g(gf.logit).add(gf.codeLoss);
    gLoss.backward();
    d.requiresGrad_(true);
    optG.step();
    if (setup.ema !== undefined) {
      updateEma(setup.ema.model, g, emaDecayAt(setup.ema.decay, setup.ema.updates));
      setup.ema.updates++;
    }

    // Read back after the epoch, not per step (a read-back waits for the device).
    pending.push(
      stack([dLoss, gLoss, outReal.sigmoid().mean(), outFake.sigmoid().mean()].map((t) => t.detach())),
    );
    steps++;
    onStep?.(steps);
    // A macrotask per step: collected tensors' buffers are freed between macrotasks.
    await nextStep();
  }
  if (steps === 0) throw new Error('dcgan-mnist: no training batches (empty training set)');
  for (const p of pending) {
    const [dl, gl, dr, df] = await p.data();
    sums.dLoss += dl!;
    sums.gLoss += gl!;
    sums.dReal += dr!;
    sums.dFake += df!;
  }
  const stats = {
    dLoss: sums.dLoss / steps,
    gLoss: sums.gLoss / steps,
    dReal: sums.dReal / steps,
    dFake: sums.dFake / steps,
    steps,
  };
  if (!Number.isFinite(stats.dLoss) || !Number.isFinite(stats.gLoss)) {
    throw new Error(`dcgan-mnist: losses are not finite (D ${stats.dLoss}, G ${stats.gLoss}); lower --lr`);
  }
  return stats;
}
