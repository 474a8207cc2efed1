/**
 * Two interleaved spirals (@tessera/data's `spiral`), classified by a 2-64-64-2 ReLU MLP trained
 * with cross-entropy, Adam and a cosine learning-rate schedule. Reports accuracy on held-out
 * points drawn from the same spirals.
 *
 *   npx tessera-train --example spiral
 */
import { DataLoader, spiral, TensorDataset } from '@tessera/data';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@tessera/nn';
import { Adam, CosineAnnealingLR } from '@tessera/optim';
import { manualSeed } from '@tessera/tensor';
import { Accuracy, evaluate } from '@tessera/train';
import { type ExampleOptions, type Metrics, positiveInt, positiveNumber } from './lib/options.js';
import { runIfMain } from './lib/run.js';
import { train } from './lib/training.js';

/** Options of the spiral example. */
export interface SpiralOptions extends ExampleOptions {
  /** Training points (default 2,000; another 1,000 are held out). */
  trainSize?: number;
  /** Hidden units per layer (default 64). */
  width?: number;
}

/** Trains the MLP on the spirals; returns train and held-out accuracy. */
export async function main(options: SpiralOptions = {}): Promise<Metrics> {
  const epochs = positiveInt('spiral', 'epochs', options.epochs, 60);
  const batchSize = positiveInt('spiral', 'batchSize', options.batchSize, 64);
  const lr = positiveNumber('spiral', 'lr', options.lr, 0.01);
  const trainSize = positiveInt('spiral', 'trainSize', options.trainSize, 2000);
  const width = positiveInt('spiral', 'width', options.width, 64);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  manualSeed(seed);

  // Same spirals, two draws of the point noise: one to train on, one to test on.
  const noise = 0.15;
  const trainSet = spiral({ n: trainSize, noise, seed: seed + 1 });
  const testSet = spiral({ n: 1000, noise, seed: seed + 2 });
  // Inputs span about [-5, 5]: scale them to about [-1, 1].
  const loader = new DataLoader(new TensorDataset(trainSet.x.div(5), trainSet.y), {
    batchSize,
    shuffle: true,
  });

  const model = new Sequential(
    new Linear(2, width),
    new ReLU(),
    new Linear(width, width),
    new ReLU(),
    new Linear(width, 2),
  ).to(device);
  const optimizer = new Adam(model.parameters(), { lr });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: epochs });
  const loss = new CrossEntropyLoss();
  const history = await train(
    model,
    { train: loader, loss, optimizer, scheduler, epochs, metrics: [new Accuracy()] },
    { options },
  );

  const test = await evaluate(model, [[testSet.x.div(5), testSet.y]], {
    loss,
    metrics: [new Accuracy()],
    device,
  });
  const last = history.epochs.at(-1)?.logs ?? {};
  return {
    trainAccuracy: last.accuracy ?? Number.NaN,
    testAccuracy: test.accuracy!,
    testLoss: test.loss!,
    epochs: history.epochs.length,
  };
}

await runIfMain(import.meta.url, 'spiral', main);
