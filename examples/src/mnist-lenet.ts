/**
 * MNIST digits with LeNet-5 (LeCun et al., 1998) in its modern form: two 5x5 convolutions with
 * ReLU and max-pooling, then three fully connected layers. Trained with Adam, a cosine schedule
 * and light augmentation; with the shared 10,000 test images split 8,000 / 2,000 it reaches
 * about 98.5% on the 2,000 held-out images.
 *
 *   npx tessera-train --example mnist-lenet
 */
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '@tessera/nn';
import { manualSeed } from '@tessera/tensor';
import { type MnistExampleOptions, trainMnist } from './lib/mnist-train.js';
import type { Metrics } from './lib/options.js';
import { runIfMain } from './lib/run.js';

/** LeNet-5 for [N, 1, 28, 28] images (padding 2 gives the original 32x32 input size). */
export function lenet5(): Sequential {
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2 }), // [N, 6, 28, 28]
    new ReLU(),
    new MaxPool2d(2), // [N, 6, 14, 14]
    new Conv2d(6, 16, 5), // [N, 16, 10, 10]
    new ReLU(),
    new MaxPool2d(2), // [N, 16, 5, 5]
    new Flatten(),
    new Linear(16 * 5 * 5, 120),
    new ReLU(),
    new Linear(120, 84),
    new ReLU(),
    new Linear(84, 10),
  );
}

/** Trains LeNet-5 on MNIST; returns the test accuracy. */
export async function main(options: MnistExampleOptions = {}): Promise<Metrics> {
  manualSeed(options.seed ?? 0);
  return trainMnist('mnist-lenet', lenet5(), options, { epochs: 15, batchSize: 64, lr: 2e-3 });
}

await runIfMain(import.meta.url, 'mnist-lenet', main);
