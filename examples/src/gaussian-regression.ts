/**
 * Regression with uncertainty: a network predicts, for each x, both the mean and the variance of
 * y, trained with GaussianNLLLoss (PyTorch's nn.GaussianNLLLoss). The data are noisy samples of
 * sin(1.5x) whose noise grows with |x|, so a good model widens its predicted spread where the
 * data are noisier. Reports how close the predicted mean and standard deviation come to the true
 * ones and how many held-out points fall within the predicted 95% interval.
 *
 *   npx tessera-train --example gaussian-regression
 */
import { DataLoader, TensorDataset } from '@tessera/data';
import { GaussianNLLLoss, Linear, Module, Tanh } from '@tessera/nn';
import { Adam, CosineAnnealingLR } from '@tessera/optim';
import { cat, Generator, manualSeed, randn, type Tensor, tensor, uniform } from '@tessera/tensor';
import { evaluate, predict } from '@tessera/train';
import {
  type ExampleOptions,
  logOf,
  type Metrics,
  percent,
  positiveInt,
  positiveNumber,
} from './lib/options.js';
import { runIfMain } from './lib/run.js';
import { train } from './lib/training.js';

/** Options of the Gaussian regression example. */
export interface GaussianRegressionOptions extends ExampleOptions {
  /** Training points (default 2,000; 1,000 more are held out). */
  trainSize?: number;
}

/** The true mean of y at x. */
export const trueMean = (x: number): number => Math.sin(1.5 * x);
/** The true standard deviation of y at x: 0.1 at x = 0, growing to 0.5 at |x| = 3. */
export const trueStd = (x: number): number => 0.1 + (0.4 * Math.abs(x)) / 3;

/** n points x ~ U(-3, 3) [n, 1] and y ~ N(trueMean(x), trueStd(x)^2) [n]. */
export function noisySine(n: number, generator: Generator): { x: Tensor; y: Tensor } {
  const x = uniform([n, 1], -3, 3, { generator });
  const flat = x.flatten();
  const mean = flat.mul(1.5).sin();
  const std = flat
    .abs()
    .mul(0.4 / 3)
    .add(0.1);
  return { x, y: mean.add(std.mul(randn([n], { generator }))) };
}

/** A tanh MLP with two outputs: the mean, and the variance through softplus (kept positive). */
export class MeanVarianceNet extends Module {
  hidden1: Linear;
  hidden2: Linear;
  act: Tanh;
  out: Linear;

  constructor(width = 64) {
    super();
    this.hidden1 = new Linear(1, width);
    this.hidden2 = new Linear(width, width);
    this.act = new Tanh();
    this.out = new Linear(width, 2);
  }

  /** x [N, 1] → [N, 2]: column 0 the mean, column 1 the variance. */
  forward(x: Tensor): Tensor {
    const h = this.act.call(this.hidden2.call(this.act.call(this.hidden1.call(x))));
    const o = this.out.call(h) as Tensor;
    const mean = o.narrow(1, 0, 1);
    const variance = o.narrow(1, 1, 1).softplus().add(1e-6);
    return cat([mean, variance], 1);
  }
}

/** Trains the mean-variance network; returns held-out NLL, errors of mean and std, and coverage. */
export async function main(options: GaussianRegressionOptions = {}): Promise<Metrics> {
  const epochs = positiveInt('gaussian-regression', 'epochs', options.epochs, 60);
  const batchSize = positiveInt('gaussian-regression', 'batchSize', options.batchSize, 64);
  const lr = positiveNumber('gaussian-regression', 'lr', options.lr, 3e-3);
  const trainSize = positiveInt('gaussian-regression', 'trainSize', options.trainSize, 2000);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  manualSeed(seed);

  const gen = new Generator(seed + 1);
  const trainSet = noisySine(trainSize, gen);
  const testSet = noisySine(1000, gen);
  const loader = new DataLoader(new TensorDataset(trainSet.x, trainSet.y), { batchSize, shuffle: true });

  const model = new MeanVarianceNet().to(device);
  const optimizer = new Adam(model.parameters(), { lr });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: epochs });
  const nll = new GaussianNLLLoss();
  // The model's two columns are the mean and the variance that GaussianNLLLoss takes.
  const loss = (pred: Tensor, y: Tensor) => nll.call(pred.select(1, 0), y, pred.select(1, 1));
  const history = await train(model, { train: loader, loss, optimizer, scheduler, epochs }, { options });

  const test = await evaluate(model, [[testSet.x, testSet.y]], { loss, device });
  const pred = await (await predict(model, testSet.x, { device })).data();
  const xs = await testSet.x.data();
  const ys = await testSet.y.data();
  let sqMean = 0;
  let absStd = 0;
  let covered = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = Number(xs[i]);
    const mean = Number(pred[2 * i]);
    const std = Math.sqrt(Number(pred[2 * i + 1]));
    sqMean += (mean - trueMean(x)) ** 2;
    absStd += Math.abs(std - trueStd(x));
    if (Math.abs(Number(ys[i]) - mean) <= 1.96 * std) covered++;
  }
  const n = xs.length;
  for (const x of [-3, -1.5, 0, 1.5, 3]) {
    const [m, v] = await (await predict(model, tensor([[x]], { dtype: 'float32' }), { device })).data();
    log(
      `x ${x.toFixed(1).padStart(4)}: mean ${Number(m).toFixed(3)} (true ${trueMean(x).toFixed(3)}), ` +
        `std ${Math.sqrt(Number(v)).toFixed(3)} (true ${trueStd(x).toFixed(3)})`,
    );
  }
  log(`gaussian-regression: ${percent(covered / n)} of held-out points lie in the predicted 95% interval`);
  return {
    testNll: test.loss!,
    meanRmse: Math.sqrt(sqMean / n),
    stdMae: absStd / n,
    coverage95: covered / n,
    trainNll: history.epochs.at(-1)?.logs.loss ?? Number.NaN,
    epochs: history.epochs.length,
  };
}

await runIfMain(import.meta.url, 'gaussian-regression', main);
