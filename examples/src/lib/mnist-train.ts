import { DataLoader, type MnistDataset, randomAffine } from '@tessera/data';
import { CrossEntropyLoss, type Module } from '@tessera/nn';
import { Adam, CosineAnnealingLR } from '@tessera/optim';
import { Generator, manualSeed, type Tensor } from '@tessera/tensor';
import { Accuracy, evaluate } from '@tessera/train';
import { mapBatches } from './batches.js';
import { loadMnist, type MnistData } from './mnist-data.js';
import { type ExampleOptions, logOf, type Metrics, percent, positiveInt, positiveNumber } from './options.js';
import { train } from './training.js';

/** Options of the MNIST examples. */
export interface MnistExampleOptions extends ExampleOptions {
  /** URL of a folder serving the four MNIST `.gz` files, used when there is no data folder. */
  baseUrl?: string;
  /** Folder for downloaded files (default `.cache/mnist` at the repository root). */
  cacheDir?: string;
  /** Train on only the first `trainSize` training images (quick runs). */
  trainSize?: number;
  /** Test on only the first `testSize` test images (quick runs). */
  testSize?: number;
  /** Random shifts, rotations and scaling of the training images (default true). */
  augment?: boolean;
}

/** Per-example defaults of the MNIST training recipe. */
export interface MnistRecipe {
  epochs: number;
  batchSize: number;
  lr: number;
}

/** Mean and standard deviation of MNIST pixels (in [0, 1]), the usual normalisation constants. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** Scales pixels in [0, 1] to zero mean and unit variance. */
export function normalize(x: Tensor): Tensor {
  return x.sub(MNIST_MEAN).div(MNIST_STD);
}

/**
 * The training recipe shared by the MNIST examples: Adam with a cosine learning-rate schedule
 * (per epoch), cross-entropy, batches shuffled every epoch and, by default, augmented with small
 * random affine transforms (the digits are few: 8,000 when only the test files are at hand).
 * Evaluates on the test images after every epoch and returns the final test accuracy.
 */
export async function trainMnist(
  name: string,
  model: Module,
  options: MnistExampleOptions,
  recipe: MnistRecipe,
  data?: MnistData,
): Promise<Metrics> {
  const epochs = positiveInt(name, 'epochs', options.epochs, recipe.epochs);
  const batchSize = positiveInt(name, 'batchSize', options.batchSize, recipe.batchSize);
  const lr = positiveNumber(name, 'lr', options.lr, recipe.lr);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  const mnistData =
    data ??
    (await loadMnist({
      dataDir: options.dataDir,
      download: options.download,
      baseUrl: options.baseUrl,
      cacheDir: options.cacheDir,
      trainSize: options.trainSize,
      testSize: options.testSize,
      log,
    }));
  if (data === undefined) log(`${name}: ${mnistData.description}`);
  log(`${name}: ${mnistData.train.length} training and ${mnistData.test.length} test images`);

  manualSeed(seed);
  model.to(device);
  const augGen = new Generator(seed + 1);
  const augment = options.augment ?? true;
  const affine = randomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1], generator: augGen });
  const loader = new DataLoader(mnistData.train, {
    batchSize,
    shuffle: true,
    generator: new Generator(seed + 2),
  });
  const trainBatches = mapBatches(loader, ([x, y]: [Tensor, Tensor]) => [
    normalize(augment ? affine(x) : x),
    y,
  ]);
  const testBatches = testLoader(mnistData.test);

  const optimizer = new Adam(model.parameters(), { lr });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: epochs });
  const loss = new CrossEntropyLoss();
  const history = await train(
    model,
    { train: trainBatches, val: testBatches, loss, optimizer, scheduler, epochs, metrics: [new Accuracy()] },
    { options, generators: { augment: augGen } },
  );
  const test = await evaluate(model, testBatches, { loss, metrics: [new Accuracy()], device });
  log(`${name}: test accuracy ${percent(test.accuracy!)} on ${mnistData.test.length} images`);
  return {
    testAccuracy: test.accuracy!,
    testLoss: test.loss!,
    trainLoss: history.epochs.at(-1)?.logs.loss ?? Number.NaN,
    epochs: history.epochs.length,
  };
}

/** Normalised batches of a test set, in order. */
export function testLoader(test: MnistDataset, batchSize = 500) {
  return mapBatches(new DataLoader(test, { batchSize }), ([x, y]: [Tensor, Tensor]) => [normalize(x), y]);
}
