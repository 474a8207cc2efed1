// Quick runs of every example with small settings: each must train end to end and report sane
// metrics. The full-size results are in examples/README.md. The MNIST examples read
// TESSERA_MNIST_DIR, else ../shared/datasets/mnist; without either they are listed as skipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { itIfAvailable } from '../../tests/repo/requirements.js';
import { main as gaussianRegression } from '../src/gaussian-regression.js';
import { main as lstmSequence } from '../src/lstm-sequence.js';
import { main as mnistLenet } from '../src/mnist-lenet.js';
import { main as mnistMlp } from '../src/mnist-mlp.js';
import { rankedTable, main as searchMnistMlp } from '../src/search-mnist-mlp.js';
import { main as spiral } from '../src/spiral.js';
import { main as transformerToy } from '../src/transformer-toy.js';
import { main as xor } from '../src/xor.js';

const quiet = { progress: false, log: () => {} };
const tmp = mkdtempSync(join(tmpdir(), 'tessera-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Expects a share in [0, 1] above `min`. */
function share(x: number | undefined, min: number): void {
  expect(x).toBeGreaterThanOrEqual(min);
  expect(x).toBeLessThanOrEqual(1);
}

describe('examples (quick runs)', () => {
  it('xor: the 2-2-1 MLP reaches 100%', async () => {
    const m = await xor({ ...quiet, epochs: 30 });
    expect(m.accuracy).toBe(1);
    expect(m.loss).toBeLessThan(0.1);
    expect(m.epochs).toBe(30);
  });

  it('xor: a run interrupted and resumed from its checkpoints ends exactly like an uninterrupted one', async () => {
    const dir = join(tmp, 'xor-ckpt');
    const lines: string[] = [];
    await xor({ ...quiet, epochs: 2, checkpointDir: dir });
    const resumed = await xor({ ...quiet, epochs: 4, checkpointDir: dir, log: (l) => lines.push(l) });
    const straight = await xor({ ...quiet, epochs: 4 });
    expect(lines.some((l) => l.startsWith(`resumed from ${dir}/ckpt-000002.json at epoch 3 of 4`))).toBe(
      true,
    );
    expect(resumed.loss).toBe(straight.loss);
    expect(resumed.epochs).toBe(4);
  });

  it('spiral: the MLP learns beyond chance in a few epochs', async () => {
    const m = await spiral({ ...quiet, epochs: 4, trainSize: 400 });
    share(m.trainAccuracy, 0.55);
    share(m.testAccuracy, 0.55);
    expect(m.testLoss).toBeLessThan(0.7);
  });

  itIfAvailable('mnist', 'mnist-mlp: trains on a subset of the MNIST test images', async () => {
    const m = await mnistMlp({ ...quiet, epochs: 1, trainSize: 640, testSize: 200 });
    share(m.testAccuracy, 0.5);
    expect(m.testLoss).toBeLessThan(2);
  });

  itIfAvailable('mnist', 'mnist-lenet: trains on a subset of the MNIST test images', async () => {
    const m = await mnistLenet({ ...quiet, epochs: 1, trainSize: 384, testSize: 100, batchSize: 32 });
    share(m.testAccuracy, 0.2);
    expect(Number.isFinite(m.testLoss)).toBe(true);
  });

  it('lstm-sequence: runs and reports a finite loss', async () => {
    const m = await lstmSequence({ ...quiet, epochs: 1, trainSize: 256, seqLen: 6 });
    share(m.testAccuracy, 0);
    expect(m.testLoss).toBeLessThan(Math.log(10) + 0.5);
  });

  it('gaussian-regression: predicts a mean and a spread of the right size', async () => {
    const m = await gaussianRegression({ ...quiet, epochs: 4, trainSize: 1000 });
    expect(m.meanRmse).toBeLessThan(0.4);
    expect(m.stdMae).toBeLessThan(0.3);
    share(m.coverage95, 0.7);
    expect(m.testNll).toBeLessThan(0.5);
  });

  it('transformer-toy: runs and beats chance on the digits', async () => {
    const m = await transformerToy({ ...quiet, epochs: 1, trainSize: 512, seqLen: 4, dModel: 32 });
    share(m.digitAccuracy, 0.15);
    share(m.sequenceAccuracy, 0);
  });

  itIfAvailable('mnist', 'search-mnist-mlp: runs random and grid search and ranks the trials', async () => {
    const lines: string[] = [];
    const m = await searchMnistMlp({
      ...quiet,
      log: (l) => lines.push(l),
      epochs: 1,
      trainSize: 320,
      trials: 2,
      gridPoints: 1,
    });
    expect(m.trials).toBe(4);
    share(m.randomBestAccuracy, 0);
    share(m.gridBestAccuracy, 0);
    expect(m.gridBestWidth === 128 || m.gridBestWidth === 512).toBe(true);
    expect(m.randomBestLr).toBeGreaterThanOrEqual(1e-4);
    expect(m.randomBestLr).toBeLessThanOrEqual(3e-2);
    expect(lines.join('\n')).toMatch(/random search, best first:\nrank +lr +width +val acc +time\n +1 /);
  });

  it('rankedTable lists trials best first with their parameters', () => {
    const trial = (index: number, lr: number, width: number, score: number) => ({
      index,
      params: { lr, width },
      score,
      durationMs: 1500,
    });
    const trials = [trial(1, 1e-3, 256, 0.9), trial(0, 1e-2, 64, 0.5)];
    const table = rankedTable('t', { trials, best: trials[0]! });
    expect(table.split('\n')).toEqual([
      't',
      'rank         lr  width   val acc      time',
      '   1    1.00e-3    256    90.00%     1.5 s',
      '   2    1.00e-2     64    50.00%     1.5 s',
    ]);
  });

  it('rejects bad options with a message naming the example and option', async () => {
    await expect(xor({ ...quiet, epochs: 0 })).rejects.toThrow(
      'xor: epochs must be a positive integer, got 0',
    );
    await expect(spiral({ ...quiet, lr: -1 })).rejects.toThrow(
      'spiral: lr must be a positive number, got -1',
    );
    await expect(mnistMlp({ ...quiet, dataDir: join(tmp, 'missing') })).rejects.toThrow(
      `mnist: data folder ${join(tmp, 'missing')} does not exist`,
    );
  });
});
