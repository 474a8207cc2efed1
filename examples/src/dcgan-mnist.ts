/**
 * A DCGAN (Radford et al., 2016) draws handwritten digits. The generator turns a latent vector
 * z ~ N(0, 1) into a 28x28 image (ConvTranspose2d + BatchNorm2d + ReLU, Tanh output); the
 * discriminator (strided Conv2d + LeakyReLU(0.2), optionally spectrally normalised) tells real
 * digits from generated ones; both train with Adam (betas 0.5, 0.999, as in the paper; lr 5e-4,
 * which learns faster here than the paper's 2e-4) and BCEWithLogits. By default the generator is
 * also conditioned on a cluster of the training images, found by k-means on their pixels without
 * the labels: one generator cannot map the connected Gaussian of z onto ten separate digit
 * shapes without drawing shapes between them, and a code per cluster removes most of those; the
 * discriminator's code head learns the real images' clusters (AC-GAN, Odena et al., 2017). The
 * samples come from a moving average of the generator's weights. After every epoch a grid of 64
 * samples from fixed latent vectors is written, and a LeNet-5 trained first on the real training
 * digits judges 1,000 samples: the share it recognises with probability >= 0.9, and the share of
 * each digit class (no mode collapse: every class should get some).
 *
 *   npx tessera-train --example dcgan-mnist
 *   npx tessera-train --example dcgan-mnist --condition none --spectral-norm
 *   node examples/dist/dcgan-mnist.js --condition labels
 */
import { join } from 'node:path';
import { DataLoader, type MnistDataset } from '@tessera/data';
import type { Module } from '@tessera/nn';
import { Adam, LambdaLR } from '@tessera/optim';
import { Generator, manualSeed, type Tensor } from '@tessera/tensor';
import { type DiffAugmentOp, diffAugment } from './dcgan-mnist-augment.js';
import {
  type ConditionCodes,
  conditionCodes,
  conditionList,
  type GanCondition,
  isGanCondition,
} from './dcgan-mnist-condition.js';
import { DcganDiscriminator, DcganGenerator, dcganInit } from './dcgan-mnist-models.js';
import { generateDigits, judgeDigits, QUALITY_BAR, type SampleQuality } from './dcgan-mnist-quality.js';
import { type GanBatch, type GanLoss, type GanSetup, trainGanEpoch, updateEma } from './dcgan-mnist-train.js';
import { UsageError } from './lib/args.js';
import { defaultOutDir, grayGrid, writePng } from './lib/image-grid.js';
import { loadMnist } from './lib/mnist-data.js';
import { type MnistExampleOptions, trainMnist } from './lib/mnist-train.js';
import {
  logOf,
  type Metrics,
  percent,
  positiveInt,
  positiveNumber,
  type ScriptFlags,
} from './lib/options.js';
import { consoleIO, exitWith, isMain, runScript } from './lib/run.js';
import { lenet5 } from './mnist-lenet.js';

const NAME = 'dcgan-mnist';
/** Samples in each epoch's grid (8x8), always from the same latent vectors. */
const GRID = 64;

/** Options of the dcgan-mnist example. */
export interface DcganOptions extends MnistExampleOptions {
  /** Length of the latent vector (default 64). */
  latent?: number;
  /** Channels of the generator at 14x14, twice as many at 7x7 (default 64). */
  width?: number;
  /** Channels of the discriminator at 14x14, twice as many at 7x7 (default 32). */
  discriminatorWidth?: number;
  /** Spectral normalisation in the discriminator (default false). */
  spectralNorm?: boolean;
  /** Discriminator target for real digits with the BCE loss: 1, or below for one-sided label smoothing (default 0.9). */
  realLabel?: number;
  /** The adversarial loss: 'bce' (non-saturating BCEWithLogits) or 'hinge' (default 'bce'). */
  loss?: GanLoss;
  /** Adam's betas of both networks (default [0.5, 0.999]). */
  betas?: [number, number];
  /** Learning rate of the discriminator (default `lr`, the generator's; a larger one is TTUR). */
  discriminatorLr?: number;
  /**
   * Share of the run, at its end, over which both learning rates fall linearly to 0, step by step
   * (default 0: constant rates; 1: from the first step).
   */
  lrDecay?: number;
  /** DiffAugment transforms of real and generated images before the discriminator (default none). */
  diffAugment?: readonly DiffAugmentOp[];
  /**
   * Categories of a categorical latent code given to the generator beside z, drawn uniformly,
   * with InfoGAN's code head on the discriminator (default 0: none; 10 for MNIST's digits).
   */
  codes?: number;
  /**
   * What the generator is conditioned on (default 'clusters'): 'clusters', k-means clusters of
   * the training images' pixels (unsupervised: no labels), 'labels', the digit classes, or 'none';
   * the discriminator's code head learns the real images' codes (AC-GAN). `codes` needs 'none'.
   */
  condition?: GanCondition;
  /** Number of k-means clusters with condition 'clusters' (default 50; fewer below 500 training images). */
  clusters?: number;
  /** Weight of the code loss (InfoGAN's, or the conditional GAN's; default 1). */
  codeWeight?: number;
  /** Weight gamma of the R1 gradient penalty on real images (default 0: none). */
  r1Gamma?: number;
  /** Steps between R1 penalties (lazy regularisation, default 4). */
  r1Every?: number;
  /**
   * Decay of the moving average of the generator's weights that draws the samples (default
   * 0.998, an average over about the last 500 steps; 0 samples from the trained generator itself).
   */
  emaDecay?: number;
  /** Generated digits the classifier judges (default 1000). */
  samples?: number;
  /**
   * Also judge, after the last epoch, samples drawn with z ~ N(0, truncation²) (the truncation
   * trick; default 1: not measured). Only reported (`truncatedConfidentShare`, `truncatedMinClassShare`):
   * the verdict on the bar is always for z ~ N(0, 1).
   */
  truncation?: number;
  /** Epochs of the LeNet-5 judge on the real training digits (default 6). */
  classifierEpochs?: number;
  /** Folder for the sample grids (default `.cache/examples/dcgan-mnist` at the repository root). */
  outDir?: string;
}

/** What the generator is conditioned on when `condition` is not given. */
export const DEFAULT_CONDITION: GanCondition = 'clusters';

function conditionOf(options: DcganOptions): GanCondition {
  return options.condition ?? DEFAULT_CONDITION;
}

function checkOptions(options: DcganOptions): void {
  if (options.checkpointDir !== undefined || options.exportOnnx !== undefined) {
    const flag = options.checkpointDir !== undefined ? 'checkpointDir' : 'exportOnnx';
    throw new Error(
      `${NAME}: ${flag} is not supported (two networks trained by a hand-written loop, not by fit)`,
    );
  }
  const e = options.emaDecay;
  if (e !== undefined && !(e >= 0 && e < 1))
    throw new RangeError(`${NAME}: emaDecay must be in [0, 1), got ${e}`);
  const r = options.realLabel;
  if (r !== undefined && !(r > 0.5 && r <= 1)) {
    throw new RangeError(`${NAME}: realLabel must be in (0.5, 1], got ${r}`);
  }
  const l = options.loss;
  if (l !== undefined && l !== 'bce' && l !== 'hinge') {
    throw new RangeError(`${NAME}: loss must be 'bce' or 'hinge', got '${l}'`);
  }
  const b = options.betas;
  if (b !== undefined && !(b.length === 2 && b.every((v) => v >= 0 && v < 1))) {
    throw new RangeError(`${NAME}: betas must be two numbers in [0, 1), got [${b}]`);
  }
  const decay = options.lrDecay;
  if (decay !== undefined && !(decay >= 0 && decay <= 1)) {
    throw new RangeError(`${NAME}: lrDecay must be in [0, 1], got ${decay}`);
  }
  const t = options.truncation;
  if (t !== undefined && !(t > 0 && t <= 1)) {
    throw new RangeError(`${NAME}: truncation must be in (0, 1], got ${t}`);
  }
  const c = options.codes;
  if (c !== undefined && !(Number.isInteger(c) && c >= 0)) {
    throw new RangeError(`${NAME}: codes must be an integer >= 0, got ${c}`);
  }
  const cond = options.condition;
  if (cond !== undefined && !isGanCondition(cond)) {
    throw new RangeError(`${NAME}: condition must be ${conditionList("'")}, got '${cond}'`);
  }
  const k = options.clusters;
  if (k !== undefined && !(Number.isInteger(k) && k >= 2 && k <= 255)) {
    throw new RangeError(`${NAME}: clusters must be an integer in [2, 255], got ${k}`);
  }
  if (conditionOf(options) !== 'none' && (options.codes ?? 0) > 0) {
    throw new RangeError(
      `${NAME}: codes (InfoGAN's latent code) and condition '${conditionOf(options)}' exclude each other (codes needs condition 'none')`,
    );
  }
  const g = options.r1Gamma;
  if (g !== undefined && !(g >= 0 && Number.isFinite(g))) {
    throw new RangeError(`${NAME}: r1Gamma must be a finite number >= 0, got ${g}`);
  }
}

/**
 * The factor of the learning rates at step t of `total`: 1, then falling linearly to 0 over the
 * last `share` of the steps (reaching 0 after the last step).
 */
export function linearDecayFactor(t: number, total: number, share: number): number {
  const span = share * total;
  if (span <= 0) return 1;
  return Math.max(0, Math.min(1, (total - t) / span));
}

/** Networks, optimizers, the weight average and the learning-rate schedules of a run. */
function ganSetup(options: DcganOptions, device: string, totalSteps: number, cond?: ConditionCodes) {
  const seed = options.seed ?? 0;
  const latent = positiveInt(NAME, 'latent', options.latent, 64);
  const width = positiveInt(NAME, 'width', options.width, 64);
  const dWidth = positiveInt(NAME, 'discriminatorWidth', options.discriminatorWidth, 32);
  const lr = positiveNumber(NAME, 'lr', options.lr, 5e-4);
  const dLr = positiveNumber(NAME, 'discriminatorLr', options.discriminatorLr, lr);
  const r1Every = positiveInt(NAME, 'r1Every', options.r1Every, 4);
  const codes = cond?.codes ?? options.codes ?? 0;
  const codePrior = cond?.prior;
  manualSeed(seed);
  const generator = new DcganGenerator({ latent, width, codes, codePrior }).to(device);
  const discriminator = new DcganDiscriminator({
    width: dWidth,
    spectralNorm: options.spectralNorm,
    codes,
  }).to(device);
  dcganInit(generator);
  dcganInit(discriminator);
  // The sampling generator: a moving average of the trained one's weights (starts as a copy).
  const averaged = new DcganGenerator({ latent, width, codes, codePrior }).to(device);
  updateEma(averaged, generator, 0);
  const betas = options.betas ?? [0.5, 0.999];
  const optG = new Adam(generator.parameters(), { lr, betas });
  const optD = new Adam(discriminator.parameters(), { lr: dLr, betas });
  const share = options.lrDecay ?? 0;
  const lrLambda = (t: number) => linearDecayFactor(t, totalSteps, share);
  const schedulers = share > 0 ? [new LambdaLR(optG, { lrLambda }), new LambdaLR(optD, { lrLambda })] : [];
  const setup: GanSetup = {
    generator,
    discriminator,
    optG,
    optD,
    noise: new Generator(seed + 3),
    realLabel: options.realLabel ?? 0.9,
    device,
    loss: options.loss ?? 'bce',
    codeWeight: options.codeWeight ?? 1,
    ema: { model: averaged, decay: options.emaDecay ?? 0.998, updates: 0 },
  };
  if (options.diffAugment !== undefined && options.diffAugment.length > 0) {
    setup.augment = diffAugment(options.diffAugment, { seed: seed + 6 });
  }
  if ((options.r1Gamma ?? 0) > 0) setup.r1 = { gamma: options.r1Gamma!, every: r1Every, steps: 0 };
  return { setup, averaged, schedulers };
}

/**
 * Images of a dataset in shuffled batches: with `withCodes`, images and their labels (the codes
 * of a conditional GAN); without, the images alone (an unconditional GAN).
 */
function imageBatches(ds: MnistDataset, batchSize: number, generator: Generator, withCodes: boolean) {
  const loader = new DataLoader(ds, { batchSize, shuffle: true, generator, dropLast: ds.length > batchSize });
  return {
    setEpoch: (e: number) => loader.setEpoch(e),
    /** Batches per epoch. */
    steps: loader.length,
    async *[Symbol.asyncIterator](): AsyncGenerator<GanBatch> {
      for await (const [x, y] of loader as AsyncIterable<[Tensor, Tensor]>) yield withCodes ? [x, y] : x;
    },
  };
}

/** Writes the 8x8 grid of `images` (pixels in [0, 1]) for `epoch`; returns the path. */
async function writeGrid(images: Tensor, outDir: string, epoch: number): Promise<string> {
  const n = images.shape[0]!;
  const file = join(outDir, `samples-epoch-${String(epoch).padStart(3, '0')}.png`);
  return writePng(file, grayGrid(await images.data(), n, 28, 28, { cols: 8, normalizeEach: false }), 2);
}

/** With `options.truncation` < 1, judges samples of z ~ N(0, truncation²) and logs the verdict. */
async function judgeTruncated(
  options: DcganOptions,
  judge: Module,
  g: DcganGenerator,
  samples: number,
  seed: number,
  device: string,
  log: (line: string) => void,
): Promise<Metrics> {
  const spread = options.truncation ?? 1;
  if (spread === 1) return {};
  const images = generateDigits(g, samples, new Generator(seed + 5), device, 500, spread);
  const t = await judgeDigits(judge, images);
  log(
    `${NAME}: truncation trick, z ~ N(0, ${spread}^2) (not the bar's samples): ${percent(t.confidentShare)} ` +
      `confident, smallest class ${percent(t.minClassShare)}`,
  );
  return { truncatedConfidentShare: t.confidentShare, truncatedMinClassShare: t.minClassShare };
}

/**
 * Trains the judge (LeNet-5 on the real training digits), then the GAN, writing a sample grid
 * per epoch; returns the losses and the judge's verdict on `samples` generated digits.
 */
export async function main(options: DcganOptions = {}): Promise<Metrics> {
  checkOptions(options);
  const epochs = positiveInt(NAME, 'epochs', options.epochs, 10);
  const batchSize = positiveInt(NAME, 'batchSize', options.batchSize, 32);
  const samples = positiveInt(NAME, 'samples', options.samples, 1000);
  const classifierEpochs = positiveInt(NAME, 'classifierEpochs', options.classifierEpochs, 6);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  const outDir = options.outDir ?? defaultOutDir(NAME);
  const data = await loadMnist({ ...options, log });
  log(`${NAME}: ${data.description}`);

  // The judge first: a LeNet-5 on the same real training digits, scored on the held-out ones.
  const judge = lenet5();
  const judged = await trainMnist(
    `${NAME} judge`,
    judge,
    { epochs: classifierEpochs, seed, device, progress: options.progress, log },
    { epochs: classifierEpochs, batchSize: 64, lr: 2e-3 },
    data,
  );

  const cond = await conditionCodes(data.train, conditionOf(options), options.clusters, seed);
  if (cond !== undefined) log(`${NAME}: the generator is conditioned on ${cond.description}`);
  const batches = imageBatches(
    cond?.dataset ?? data.train,
    batchSize,
    new Generator(seed + 2),
    cond !== undefined,
  );
  const { setup, averaged, schedulers } = ganSetup(options, device, epochs * batches.steps, cond);
  let last = { dLoss: Number.NaN, gLoss: Number.NaN, dReal: Number.NaN, dFake: Number.NaN, steps: 0 };
  let q: SampleQuality | undefined;
  // The trained generator itself, on the same latent vectors: what the averaging adds.
  let raw: SampleQuality | undefined;
  let grid = '';
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    batches.setEpoch(epoch - 1);
    last = await trainGanEpoch(setup, batches, () => {
      for (const s of schedulers) s.step();
    });
    // The same 64 latent vectors every epoch (a fresh generator with the same seed), and the
    // same `samples` latent vectors for the judge: the epochs are compared on equal terms.
    const [shown] = generateDigits(averaged, GRID, new Generator(seed + 4), device, GRID);
    grid = await writeGrid(shown!, outDir, epoch);
    q = await judgeDigits(judge, generateDigits(averaged, samples, new Generator(seed + 5), device));
    raw = await judgeDigits(judge, generateDigits(setup.generator, samples, new Generator(seed + 5), device));
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    log(
      `${NAME}: epoch ${epoch}/${epochs}: D loss ${last.dLoss.toFixed(3)}, G loss ${last.gLoss.toFixed(3)}, ` +
        `D(real) ${last.dReal.toFixed(2)}, D(fake) ${last.dFake.toFixed(2)}; judge: ${percent(q.confidentShare)} ` +
        `confident, smallest class ${percent(q.minClassShare)}; trained generator ${percent(raw.confidentShare)} ` +
        `(${last.steps} steps, ${s} s)`,
    );
  }
  log(`${NAME}: sample grids in ${outDir} (last: ${grid})`);
  if (q === undefined || raw === undefined) throw new Error(`${NAME}: no epoch trained`);
  log(
    `${NAME}: without the weight average: ${percent(raw.confidentShare)} confident, smallest class ` +
      `${percent(raw.minClassShare)}`,
  );
  const shares = q.classShares.map((v, c) => `${c}: ${(100 * v).toFixed(1)}%`).join(', ');
  log(
    `${NAME}: the judge (LeNet-5, ${percent(judged.testAccuracy!)} on held-out real digits) on ${q.count} samples:`,
  );
  log(
    `${NAME}: ${percent(q.confidentShare)} recognised with probability >= ${QUALITY_BAR.threshold} ` +
      `(bar ${percent(QUALITY_BAR.confidentShare)}); per class ${shares}; smallest ${percent(q.minClassShare)} ` +
      `(bar ${percent(QUALITY_BAR.minClassShare)}): ${q.meetsBar ? 'bar met' : 'bar NOT met'}`,
  );
  const truncated = await judgeTruncated(options, judge, averaged, samples, seed, device, log);
  return {
    ...truncated,
    confidentShare: q.confidentShare,
    minClassShare: q.minClassShare,
    meetsBar: q.meetsBar ? 1 : 0,
    rawConfidentShare: raw.confidentShare,
    rawMinClassShare: raw.minClassShare,
    judgeAccuracy: judged.testAccuracy!,
    dLoss: last.dLoss,
    gLoss: last.gLoss,
  };
}

/**
 * dcgan-mnist's own flags, on the script's command line and tessera-train's: `--spectral-norm`
 * and `--condition <clusters|labels|none>` (or `--condition=...`).
 */
export const scriptFlags: ScriptFlags = {
  help: [
    '  --spectral-norm             spectral norm in the discriminator instead of its BatchNorm',
    `  --condition <c>             ${conditionList()} (default clusters: k-means clusters, no labels; none: unconditional)`,
  ].join('\n'),
  apply(argv) {
    const rest: string[] = [];
    const extra: DcganOptions = {};
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--spectral-norm') extra.spectralNorm = true;
      else if (a === '--condition' || a.startsWith('--condition=')) {
        const v = a === '--condition' ? argv[++i] : a.slice('--condition='.length);
        if (!isGanCondition(v)) {
          throw new UsageError(
            `--condition must be ${conditionList()}, got ${v === undefined ? 'nothing' : `'${v}'`}`,
          );
        }
        extra.condition = v;
      } else rest.push(a);
    }
    return { argv: rest, main: Object.keys(extra).length === 0 ? main : (o) => main({ ...o, ...extra }) };
  },
};

if (isMain(import.meta.url))
  exitWith(await runScript(NAME, main, process.argv.slice(2), consoleIO, scriptFlags));
