/**
 * The lectures' one-hidden-layer autoencoder: 784 pixels -> 256 ReLU units -> 784 pixels, trained
 * on MNIST to reproduce its input, once plainly and once with dropout 0.5 on the hidden code (as in
 * Srivastava et al., 2014, figure 7). Writes the 256 learned features of each (the rows of the
 * encoder's weight, each a 28x28 image scaled to its own range) as a PNG grid, and prints the
 * held-out reconstruction error of both. Without dropout many features are noisy and hardly
 * local; with dropout each hidden unit must be useful on its own, and the features become
 * strokes and blobs.
 *
 *   npx tessera-train --example autoencoder-features
 */
import { join } from 'node:path';
import { DataLoader, type MnistDataset } from '@tessera/data';
import { Dropout, Flatten, Linear, MSELoss, ReLU, Sequential, Sigmoid } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { Generator, manualSeed, type Tensor } from '@tessera/tensor';
import { evaluate } from '@tessera/train';
import { mapBatches } from './lib/batches.js';
import { defaultOutDir, grayGrid, writePng } from './lib/image-grid.js';
import { loadMnist } from './lib/mnist-data.js';
import type { MnistExampleOptions } from './lib/mnist-train.js';
import { logOf, type Metrics, positiveInt, positiveNumber } from './lib/options.js';
import { runIfMain } from './lib/run.js';
import { train } from './lib/training.js';

const NAME = 'autoencoder-features';

/** Options of the autoencoder-features example. */
export interface AutoencoderFeaturesOptions extends MnistExampleOptions {
  /** Hidden units (default 256, as in the lecture). */
  hidden?: number;
  /** Folder for the two PNG grids (default `.cache/examples/autoencoder-features` at the repository root). */
  outDir?: string;
}

/** A 784-`hidden`-784 autoencoder for [N, 1, 28, 28] images in [0, 1], with optional dropout on the code. */
export function autoencoder(hidden: number, dropout: number): { model: Sequential; encoder: Linear } {
  const encoder = new Linear(28 * 28, hidden);
  const code = dropout > 0 ? [new ReLU(), new Dropout(dropout)] : [new ReLU()];
  const model = new Sequential(new Flatten(), encoder, ...code, new Linear(hidden, 28 * 28), new Sigmoid());
  return { model, encoder };
}

/** Batches of (image, flattened image): an autoencoder's input is its target. */
function selfTargets(ds: MnistDataset, batchSize: number, generator?: Generator) {
  const loader = new DataLoader(ds, { batchSize, shuffle: generator !== undefined, generator });
  return mapBatches(loader, ([x]: [Tensor, Tensor]) => [x, x.reshape([x.shape[0]!, 28 * 28])]);
}

/** Trains both autoencoders, writes their feature grids; returns both held-out reconstruction errors. */
export async function main(options: AutoencoderFeaturesOptions = {}): Promise<Metrics> {
  const epochs = positiveInt(NAME, 'epochs', options.epochs, 20);
  const batchSize = positiveInt(NAME, 'batchSize', options.batchSize, 100);
  const lr = positiveNumber(NAME, 'lr', options.lr, 1e-3);
  const hidden = positiveInt(NAME, 'hidden', options.hidden, 256);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  const outDir = options.outDir ?? defaultOutDir(NAME);
  const data = await loadMnist({ ...options, log });
  log(`${NAME}: ${data.description}`);
  log(`${NAME}: ${data.train.length} training and ${data.test.length} held-out images`);

  const metrics: Metrics = {};
  for (const [key, dropout] of [
    ['plain', 0],
    ['dropout', 0.5],
  ] as const) {
    manualSeed(seed);
    const { model, encoder } = autoencoder(hidden, dropout);
    model.to(device);
    const shuffle = new Generator(seed + 2);
    const optimizer = new Adam(model.parameters(), { lr });
    const loss = new MSELoss();
    const checkpointDir = options.checkpointDir === undefined ? undefined : join(options.checkpointDir, key);
    const history = await train(
      model,
      { train: selfTargets(data.train, batchSize, shuffle), loss, optimizer, epochs },
      { options: { ...options, checkpointDir }, generators: { shuffle } },
    );
    const test = await evaluate(model, selfTargets(data.test, 500), { loss, device });
    const weights = await encoder.weight.data();
    const file = writePng(join(outDir, `features-${key}.png`), grayGrid(weights, hidden, 28, 28), 2);
    log(
      `${NAME}: ${key === 'plain' ? 'without dropout' : 'dropout 0.5 on the code'}: held-out reconstruction ` +
        `MSE ${test.loss!.toFixed(5)} per pixel; ${hidden} features in ${file}`,
    );
    metrics[`${key}TestMse`] = test.loss!;
    metrics[`${key}TrainMse`] = history.epochs.at(-1)?.logs.loss ?? Number.NaN;
  }
  return metrics;
}

await runIfMain(import.meta.url, NAME, main);
