/**
 * The lectures' point about depth, made measurable (He et al., 2016, figure 1): a 20-layer plain
 * CNN (a 3x3 stem, 18 convolutions with BatchNorm, a linear layer) and the same network with skip
 * connections around every pair of convolutions, trained on MNIST with the same budget (same
 * steps, data order, optimizer and learning rate). The deeper plain network is harder to optimise:
 * its training loss ends higher. Writes both training-loss curves to one SVG chart.
 *
 *   npx tessera-train --example plain-vs-residual
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataLoader } from '@tessera/data';
import {
  AdaptiveAvgPool2d,
  BatchNorm2d,
  Conv2d,
  CrossEntropyLoss,
  Flatten,
  Linear,
  ReLU,
  Sequential,
} from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { Generator, manualSeed, type Tensor } from '@tessera/tensor';
import type { Callback } from '@tessera/train';
import { mapBatches } from './lib/batches.js';
import { defaultOutDir } from './lib/image-grid.js';
import { loadMnist } from './lib/mnist-data.js';
import { type MnistExampleOptions, normalize } from './lib/mnist-train.js';
import { logOf, type Metrics, positiveInt, positiveNumber } from './lib/options.js';
import { residualStages } from './lib/residual.js';
import { runIfMain } from './lib/run.js';
import { lineChart, runningMean } from './lib/svg-chart.js';
import { train } from './lib/training.js';

const NAME = 'plain-vs-residual';

/** Options of the plain-vs-residual example. */
export interface PlainVsResidualOptions extends MnistExampleOptions {
  /** Channels of the first stage (doubled at each of the two later stages; default 8). */
  width?: number;
  /** Basic blocks (two convolutions each) per stage, 3 stages (default 3: 1 + 18 + 1 = 20 layers). */
  blocks?: number;
  /** Folder for the chart (default `.cache/examples/plain-vs-residual` at the repository root). */
  outDir?: string;
}

/**
 * The 20-layer network of the comparison (with `blocks` 3): a stem convolution, three stages of
 * `blocks` basic blocks at 14x14, 7x7 and 4x4 (the stem has stride 2), average pooling and a linear layer. `skip`
 * chooses the residual or the plain version; everything else is identical.
 */
export function deepCnn(skip: boolean, width = 8, blocks = 3): Sequential {
  return new Sequential(
    new Conv2d(1, width, 3, { padding: 1, stride: 2, bias: false }),
    new BatchNorm2d(width),
    new ReLU(),
    ...residualStages(width, [width, 2 * width, 4 * width], blocks, skip),
    new AdaptiveAvgPool2d(1),
    new Flatten(),
    new Linear(4 * width, 10),
  );
}

/**
 * Records the loss of every batch: it wraps the loss function (keeping each batch's loss) and
 * reads it after the step (fit's batch logs hold the epoch's running mean instead).
 */
class BatchLosses implements Callback {
  losses: number[] = [];
  private last: Tensor | null = null;
  private ce = new CrossEntropyLoss();

  loss = (logits: Tensor, target: Tensor): Tensor => {
    const l = this.ce.call(logits, target);
    this.last = l.detach();
    return l;
  };

  async onBatchEnd(): Promise<void> {
    if (this.last !== null) this.losses.push(Number((await this.last.data())[0]));
    this.last = null;
  }
}

/** Trains both networks with the same budget; returns both final training losses. */
export async function main(options: PlainVsResidualOptions = {}): Promise<Metrics> {
  const epochs = positiveInt(NAME, 'epochs', options.epochs, 3);
  const batchSize = positiveInt(NAME, 'batchSize', options.batchSize, 64);
  const lr = positiveNumber(NAME, 'lr', options.lr, 0.05);
  const width = positiveInt(NAME, 'width', options.width, 8);
  const blocks = positiveInt(NAME, 'blocks', options.blocks, 3);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  const outDir = options.outDir ?? defaultOutDir(NAME);
  const data = await loadMnist({ ...options, trainSize: options.trainSize ?? 4000, log });
  log(`${NAME}: ${data.description}; training on ${data.train.length} images`);

  const metrics: Metrics = {};
  const curves: Record<string, number[]> = {};
  for (const [key, skip] of [
    ['plain', false],
    ['residual', true],
  ] as const) {
    manualSeed(seed);
    const model = deepCnn(skip, width, blocks).to(device);
    const shuffle = new Generator(seed + 2);
    const loader = new DataLoader(data.train, { batchSize, shuffle: true, generator: shuffle });
    const batches = mapBatches(loader, ([x, y]: [Tensor, Tensor]) => [normalize(x), y]);
    const optimizer = new SGD(model.parameters(), { lr, momentum: 0.9 });
    const recorder = new BatchLosses();
    const checkpointDir = options.checkpointDir === undefined ? undefined : join(options.checkpointDir, key);
    const history = await train(
      model,
      { train: batches, loss: recorder.loss, optimizer, epochs, callbacks: [recorder] },
      { options: { ...options, checkpointDir }, generators: { shuffle } },
    );
    const final = history.epochs.at(-1)?.logs.loss ?? Number.NaN;
    log(`${NAME}: ${key}: training loss of the last epoch ${final.toFixed(4)}`);
    metrics[`${key}FinalLoss`] = final;
    curves[key] = recorder.losses;
  }
  const steps = curves.plain!.length;
  const smooth = Math.max(1, Math.round(steps / 40));
  const svg = lineChart(
    [
      {
        name: `plain (${2 * 3 * blocks + 2} layers)`,
        values: runningMean(curves.plain!, smooth),
        color: '#d62728',
      },
      {
        name: `residual (${2 * 3 * blocks + 2} layers)`,
        values: runningMean(curves.residual!, smooth),
        color: '#1f77b4',
      },
    ],
    {
      title: `Training loss, plain vs residual (mean of ${smooth} steps)`,
      xLabel: 'step',
      yLabel: 'cross-entropy',
    },
  );
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'loss-curves.svg');
  writeFileSync(file, svg);
  log(`${NAME}: loss curves in ${file}`);
  return metrics;
}

await runIfMain(import.meta.url, NAME, main);
