/**
 * A convolutional autoencoder with a 2-D code: two strided convolutions and a linear layer
 * squeeze each 28x28 MNIST digit into 2 numbers; a linear layer and two ConvTranspose2d layers
 * (stride 2, kernel 4) rebuild it. With only 2 dimensions the code is a map of the digits: the
 * example writes held-out digits above their reconstructions, and the latent-space grid, the
 * decoder's output at a regular 15x15 grid of codes spanning where the held-out digits fall.
 *
 *   npx tessera-train --example conv-autoencoder
 */
import { join } from 'node:path';
import { noGrad } from '@tessera/autograd';
import { DataLoader, type MnistDataset } from '@tessera/data';
import {
  BCELoss,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  Linear,
  Module,
  ReLU,
  Sequential,
  Sigmoid,
  Unflatten,
} from '@tessera/nn';
import { Adam, CosineAnnealingLR } from '@tessera/optim';
import { Generator, manualSeed, type Tensor, tensor } from '@tessera/tensor';
import { evaluate } from '@tessera/train';
import { mapBatches } from './lib/batches.js';
import { defaultOutDir, grayGrid, writePng } from './lib/image-grid.js';
import { loadMnist } from './lib/mnist-data.js';
import type { MnistExampleOptions } from './lib/mnist-train.js';
import { logOf, type Metrics, positiveInt, positiveNumber } from './lib/options.js';
import { runIfMain } from './lib/run.js';
import { train } from './lib/training.js';

const NAME = 'conv-autoencoder';

/** Options of the conv-autoencoder example. */
export interface ConvAutoencoderOptions extends MnistExampleOptions {
  /** Channels of the first convolution (the second has twice as many; default 16). */
  width?: number;
  /** Codes per side of the latent-space grid (default 15). */
  gridSize?: number;
  /** Folder for the PNGs (default `.cache/examples/conv-autoencoder` at the repository root). */
  outDir?: string;
}

/** Encoder [N, 1, 28, 28] -> [N, 2] and decoder [N, 2] -> [N, 1, 28, 28] (pixels in (0, 1)). */
export class ConvAutoencoder extends Module {
  encoder: Sequential;
  decoder: Sequential;

  constructor(width = 16, latent = 2) {
    super();
    const c = 2 * width;
    this.encoder = new Sequential(
      new Conv2d(1, width, 3, { stride: 2, padding: 1 }), // 14x14
      new ReLU(),
      new Conv2d(width, c, 3, { stride: 2, padding: 1 }), // 7x7
      new ReLU(),
      new Flatten(),
      new Linear(c * 7 * 7, latent),
    );
    this.decoder = new Sequential(
      new Linear(latent, c * 7 * 7),
      new ReLU(),
      new Unflatten(1, [c, 7, 7]),
      new ConvTranspose2d(c, width, 4, { stride: 2, padding: 1 }), // 14x14
      new ReLU(),
      new ConvTranspose2d(width, 1, 4, { stride: 2, padding: 1 }), // 28x28
      new Sigmoid(),
    );
  }

  /** Reconstructs `x` through the 2-D code. */
  forward(x: Tensor): Tensor {
    return this.decoder.call(this.encoder.call(x));
  }
}

function selfTargets(ds: MnistDataset, batchSize: number, generator?: Generator) {
  const loader = new DataLoader(ds, { batchSize, shuffle: generator !== undefined, generator });
  return mapBatches(loader, ([x]: [Tensor, Tensor]) => [x, x]);
}

/** The `q` quantile of `values` (sorted copy, nearest rank). */
function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
}

/** Writes the reconstruction and latent-grid PNGs; returns their paths and the code ranges. */
async function writeImages(
  model: ConvAutoencoder,
  test: MnistDataset,
  outDir: string,
  gridSize: number,
  device: string,
) {
  model.eval();
  const n = Math.min(test.length, 1000);
  const [x] = test.getBatch(Array.from({ length: n }, (_, i) => i)) as [Tensor, Tensor];
  const shown = Math.min(n, 10);
  const { codes, recon } = noGrad(() => {
    const codes = model.encoder.call(x.to(device));
    return { codes, recon: model.decoder.call(codes.narrow(0, 0, shown)) };
  });
  const z = await codes.data();
  const originals = await x.narrow(0, 0, shown).data();
  const rebuilt = await recon.data();
  const pairs = new Float32Array(2 * shown * 784);
  pairs.set(originals, 0);
  pairs.set(rebuilt, shown * 784);
  const reconFile = writePng(
    join(outDir, 'reconstructions.png'),
    grayGrid(pairs, 2 * shown, 28, 28, { cols: shown, normalizeEach: false }),
    3,
  );
  // The grid spans the middle 90% of the held-out codes along each axis.
  const axis = (d: number) => {
    const v = Array.from({ length: n }, (_, i) => z[2 * i + d]!);
    return [quantile(v, 0.05), quantile(v, 0.95)] as const;
  };
  const [[x0, x1], [y0, y1]] = [axis(0), axis(1)];
  const grid: number[] = [];
  for (let r = 0; r < gridSize; r++) {
    for (let c = 0; c < gridSize; c++) {
      const t = (k: number) => (gridSize > 1 ? k / (gridSize - 1) : 0.5);
      grid.push(x0 + t(c) * (x1 - x0), y1 - t(r) * (y1 - y0));
    }
  }
  const decoded = noGrad(() =>
    model.decoder.call(tensor(grid, { dtype: 'float32' }).reshape([-1, 2]).to(device)),
  );
  const latentFile = writePng(
    join(outDir, 'latent-grid.png'),
    grayGrid(await decoded.data(), gridSize * gridSize, 28, 28, { cols: gridSize, normalizeEach: false }),
    2,
  );
  return { reconFile, latentFile, range: [x0, x1, y0, y1] };
}

/** Trains the autoencoder; writes reconstructions and the latent grid; returns the held-out error. */
export async function main(options: ConvAutoencoderOptions = {}): Promise<Metrics> {
  const epochs = positiveInt(NAME, 'epochs', options.epochs, 15);
  const batchSize = positiveInt(NAME, 'batchSize', options.batchSize, 64);
  const lr = positiveNumber(NAME, 'lr', options.lr, 2e-3);
  const width = positiveInt(NAME, 'width', options.width, 16);
  const gridSize = positiveInt(NAME, 'gridSize', options.gridSize, 15);
  const seed = options.seed ?? 0;
  const device = options.device ?? 'cpu';
  const log = logOf(options);
  const outDir = options.outDir ?? defaultOutDir(NAME);
  const data = await loadMnist({ ...options, log });
  log(`${NAME}: ${data.description}`);

  manualSeed(seed);
  const model = new ConvAutoencoder(width).to(device);
  const shuffle = new Generator(seed + 2);
  const optimizer = new Adam(model.parameters(), { lr });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: epochs });
  const loss = new BCELoss();
  const history = await train(
    model,
    { train: selfTargets(data.train, batchSize, shuffle), loss, optimizer, scheduler, epochs },
    { options, generators: { shuffle } },
  );
  const bce = (await evaluate(model, selfTargets(data.test, 500), { loss, device })).loss!;
  const mse = (
    await evaluate(model, selfTargets(data.test, 500), {
      loss: (y: Tensor, t: Tensor) => y.sub(t).square().mean(),
      device,
    })
  ).loss!;
  const { reconFile, latentFile, range } = await writeImages(model, data.test, outDir, gridSize, device);
  log(`${NAME}: held-out reconstruction BCE ${bce.toFixed(4)}, MSE ${mse.toFixed(4)} per pixel (2-D code)`);
  log(`${NAME}: codes span [${range.map((v) => v.toFixed(2)).join(', ')}] (x0, x1, y0, y1)`);
  log(`${NAME}: reconstructions in ${reconFile}; latent grid in ${latentFile}`);
  return { testBce: bce, testMse: mse, trainBce: history.epochs.at(-1)?.logs.loss ?? Number.NaN };
}

await runIfMain(import.meta.url, NAME, main);
