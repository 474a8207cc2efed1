import { noGrad } from '@tessera/autograd';
import { DataLoader, SubsetRandomSampler } from '@tessera/data';
import {
  Conv2d,
  ConvTranspose2d,
  F,
  Flatten,
  Linear,
  type Module,
  ReLU,
  Sequential,
  Unflatten,
  Upsample,
} from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { Generator, manualSeed, type Tensor, tensor } from '@tessera/tensor';
import type { DigitsData } from '../digits/trainer.js';
import { type AeConfig, type AeDecoder, MAP_POINTS, SHOWN_DIGITS } from './protocol.js';

/** Encoder: two stride-2 3x3 convolutions (28 -> 14 -> 7) and a linear map to the 2-D code. */
export function buildEncoder(): Sequential {
  return new Sequential(
    new Conv2d(1, 16, 3, { stride: 2, padding: 1 }),
    new ReLU(),
    new Conv2d(16, 32, 3, { stride: 2, padding: 1 }),
    new ReLU(),
    new Flatten(),
    new Linear(32 * 7 * 7, 2),
  );
}

/** Upsamples 7 -> 14 or 14 -> 28: a 4x4 stride-2 ConvTranspose2d, or nearest Upsample and a 3x3 Conv2d. */
function up(decoder: AeDecoder, cin: number, cout: number): Module[] {
  return decoder === 'convtranspose'
    ? [new ConvTranspose2d(cin, cout, 4, { stride: 2, padding: 1 })]
    : [new Upsample({ scaleFactor: 2, mode: 'nearest' }), new Conv2d(cin, cout, 3, { padding: 1 })];
}

/** Decoder: the 2-D code to 32x7x7, two upsampling steps to 1x28x28 logits. */
export function buildDecoder(decoder: AeDecoder): Sequential {
  return new Sequential(
    new Linear(2, 32 * 7 * 7),
    new ReLU(),
    new Unflatten(1, [32, 7, 7]),
    ...up(decoder, 32, 16),
    new ReLU(),
    ...up(decoder, 16, 1),
  );
}

/** The shown digits: the first test image of each class in turn (indices into data.test). */
function shownIndices(data: DigitsData): number[] {
  const out: number[] = [];
  for (let d = 0; out.length < SHOWN_DIGITS; d = (d + 1) % 10) {
    const i = data.testIndices.find((j) => data.test.labels[j] === d && !out.includes(j));
    if (i === undefined) break;
    out.push(i);
  }
  return out;
}

/**
 * A convolutional autoencoder with a 2-D code, trained on MNIST with Adam on binary
 * cross-entropy (sigmoid outputs against pixels in [0, 1]). Independent of the page: runs in the
 * worker and in Node tests.
 */
export class AutoencoderTrainer {
  readonly encoder = buildEncoder();
  readonly decoder: Sequential;
  step = 0;
  epoch = 0;
  private readonly optimizer: Adam;
  private readonly loader: DataLoader<unknown, [Tensor, Tensor]>;
  private iter: AsyncIterator<[Tensor, Tensor]> | null = null;
  private lossSum: Tensor | null = null;
  private lossSteps = 0;
  readonly shown: number[];

  constructor(
    readonly data: DigitsData,
    readonly config: AeConfig,
  ) {
    manualSeed(0);
    this.decoder = buildDecoder(config.decoder);
    this.optimizer = new Adam([...this.encoder.parameters(), ...this.decoder.parameters()], {
      lr: config.lr,
    });
    this.loader = new DataLoader(data.train, {
      batchSize: config.batchSize,
      sampler: new SubsetRandomSampler(data.trainIndices, { generator: new Generator(1) }),
    }) as unknown as DataLoader<unknown, [Tensor, Tensor]>;
    this.shown = shownIndices(data);
  }

  private async nextBatch(): Promise<Tensor> {
    for (;;) {
      this.iter ??= this.loader[Symbol.asyncIterator]();
      const r = await this.iter.next();
      if (!r.done) return r.value[0];
      this.iter = null;
      this.epoch += 1;
    }
  }

  /** One optimisation step on the next batch. */
  async trainStep(): Promise<void> {
    const x = await this.nextBatch();
    const logits = this.decoder.call(this.encoder.call(x));
    const loss = F.binaryCrossEntropyWithLogits(logits, x);
    this.optimizer.zeroGrad();
    loss.backward();
    this.optimizer.step();
    this.lossSum = this.lossSum === null ? loss.detach() : this.lossSum.add(loss.detach());
    this.lossSteps += 1;
    this.step += 1;
  }

  /** Mean training loss (binary cross-entropy per pixel) since the last call; null before a step. */
  async takeLoss(): Promise<number | null> {
    if (this.lossSum === null) return null;
    const [sum, n] = [this.lossSum, this.lossSteps];
    this.lossSum = null;
    this.lossSteps = 0;
    return (await sum.data())[0]! / n;
  }

  /** The shown test digits and their reconstructions (784 values in [0, 1] each). */
  async reconstruct(): Promise<{ originals: Float32Array; recons: Float32Array }> {
    const [x] = this.data.test.getBatch(this.shown);
    const y = noGrad(() => F.sigmoid(this.decoder.call(this.encoder.call(x))));
    const [a, b] = await Promise.all([x.data(), y.data()]);
    return {
      originals: Float32Array.from(a as ArrayLike<number>),
      recons: Float32Array.from(b as ArrayLike<number>),
    };
  }

  /** 2-D codes and labels of the first MAP_POINTS test images. */
  async codes(): Promise<{ codes: Float32Array; labels: Int32Array }> {
    const idx = this.data.testIndices.slice(0, MAP_POINTS);
    const [x] = this.data.test.getBatch(idx);
    const z = noGrad(() => this.encoder.call(x));
    const codes = Float32Array.from((await z.data()) as ArrayLike<number>);
    return { codes, labels: Int32Array.from(idx, (i) => this.data.test.labels[i]!) };
  }

  /** The decoded 28x28 image (values in [0, 1]) of the code (x, y). */
  async decode(x: number, y: number): Promise<Float32Array> {
    const out = noGrad(() => F.sigmoid(this.decoder.call(tensor([[x, y]]))));
    return Float32Array.from((await out.data()) as ArrayLike<number>);
  }
}
