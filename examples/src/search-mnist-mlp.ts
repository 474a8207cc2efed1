/**
 * Hyper-parameter search for the MNIST MLP: random search over the learning rate (log-uniform)
 * and the width (a choice), next to a small grid over the same space for comparison. Every
 * trial trains a fresh MLP for a few epochs on 80% of the training images and is scored on the
 * other 20% (the test images stay untouched); both searches print their trials ranked.
 *
 *   npx tessera-train --example search-mnist-mlp
 */
import { randomSplit } from '@tessera/data';
import { Generator, manualSeed } from '@tessera/tensor';
import { choice, gridSearch, logUniform, randomSearch, type SearchResult, type Space } from '@tessera/train';
import { loadMnist, type MnistData, selectMnist } from './lib/mnist-data.js';
import { type MnistExampleOptions, trainMnist } from './lib/mnist-train.js';
import { logOf, type Metrics, percent, positiveInt } from './lib/options.js';
import { runIfMain } from './lib/run.js';
import { mlp } from './mnist-mlp.js';

/** Options of the search example (`epochs` is per trial). */
export interface SearchMnistOptions extends MnistExampleOptions {
  /** Random-search trials (default 6). */
  trials?: number;
  /** Grid points along the learning rate (default 3; times the 2 grid widths). */
  gridPoints?: number;
}

/** The random-search space: learning rate log-uniform in [1e-4, 3e-2], width one of four. */
export const randomSpace = { lr: logUniform(1e-4, 3e-2), width: choice([64, 128, 256, 512]) } satisfies Space;
/** The grid: the same learning-rate range, two widths. */
export const gridSpace = { lr: logUniform(1e-4, 3e-2), width: choice([128, 512]) } satisfies Space;

type SearchSpace = typeof randomSpace;

/** The trials of a search as a ranked table. */
export function rankedTable(title: string, result: SearchResult<SearchSpace>): string {
  const rows = result.trials.map(
    (t, i) =>
      `${String(i + 1).padStart(4)}  ${t.params.lr.toExponential(2).padStart(9)}  ${String(t.params.width).padStart(5)}  ` +
      `${percent(t.score).padStart(8)}  ${(t.durationMs / 1000).toFixed(1).padStart(6)} s`,
  );
  const header = `rank  ${'lr'.padStart(9)}  ${'width'.padStart(5)}  ${'val acc'.padStart(8)}  ${'time'.padStart(8)}`;
  return [title, header, ...rows].join('\n');
}

/** Runs both searches; returns the best validation accuracy and parameters of each. */
export async function main(options: SearchMnistOptions = {}): Promise<Metrics> {
  const trials = positiveInt('search-mnist-mlp', 'trials', options.trials, 6);
  const gridPoints = positiveInt('search-mnist-mlp', 'gridPoints', options.gridPoints, 3);
  const epochs = positiveInt('search-mnist-mlp', 'epochs', options.epochs, 2);
  const seed = options.seed ?? 0;
  const log = logOf(options);
  const data = await loadMnist({
    dataDir: options.dataDir,
    download: options.download,
    baseUrl: options.baseUrl,
    cacheDir: options.cacheDir,
    trainSize: options.trainSize,
    log,
  });
  // Hold out 20% of the training images for scoring the trials.
  const nFit = Math.round(data.train.length * 0.8);
  const [fit, val] = randomSplit(data.train, [nFit, data.train.length - nFit], new Generator(seed));
  const searchData: MnistData = {
    train: selectMnist(data.train, fit!.indices),
    test: selectMnist(data.train, val!.indices),
    description: `${data.description}; trials train on ${nFit} and score on ${data.train.length - nFit} training images`,
  };
  log(`search-mnist-mlp: ${searchData.description}`);
  if (options.checkpointDir !== undefined)
    log('search-mnist-mlp: trials are short and not checkpointed; ignoring checkpointDir');

  const objective = async (params: { lr: number; width: number }) => {
    manualSeed(seed);
    const m = await trainMnist(
      'search-mnist-mlp',
      mlp(params.width),
      {
        ...options,
        lr: params.lr,
        epochs,
        augment: false,
        progress: false,
        checkpointDir: undefined,
        log: () => {},
      },
      { epochs, batchSize: 64, lr: params.lr },
      searchData,
    );
    return m.testAccuracy!;
  };
  const onTrial = (t: { index: number; params: { lr: number; width: number }; score: number }) =>
    log(
      `  trial ${t.index + 1}: lr ${t.params.lr.toExponential(2)}, width ${t.params.width} -> ${percent(t.score)}`,
    );

  log(`random search: ${trials} trials`);
  const random = await randomSearch({ space: randomSpace, objective, trials, seed, onTrial });
  log(`grid search: ${gridPoints} learning rates x 2 widths`);
  const grid = await gridSearch({ space: gridSpace, objective, pointsPerDim: gridPoints, onTrial });

  log(rankedTable('\nrandom search, best first:', random));
  log(rankedTable('\ngrid search, best first:', grid));
  return {
    randomBestAccuracy: random.best.score,
    randomBestLr: random.best.params.lr,
    randomBestWidth: random.best.params.width,
    gridBestAccuracy: grid.best.score,
    gridBestLr: grid.best.params.lr,
    gridBestWidth: grid.best.params.width,
    trials: random.trials.length + grid.trials.length,
  };
}

await runIfMain(import.meta.url, 'search-mnist-mlp', main);
