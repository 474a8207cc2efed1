import { noGrad } from '@tessera/autograd';
import { DataLoader, type MnistDataset, randomSplit, SubsetRandomSampler } from '@tessera/data';
import { Conv2d, F, loadSafetensors, type Sequential, saveAsync, toBlob } from '@tessera/nn';
import { Adam, type Optimizer, RMSprop, SGD } from '@tessera/optim';
import { Generator, manualSeed, type Tensor, tensor } from '@tessera/tensor';
import { buildModel, firstLayer } from './models.js';
import {
  ARCHS,
  type ArchName,
  type DigitsConfig,
  type EvalMessage,
  type InspectionMessage,
} from './protocol.js';

/** Train and test images: the standard files, or the test file split 8,000 / 2,000 (fixed seed). */
export interface DigitsData {
  train: MnistDataset;
  trainIndices: number[];
  test: MnistDataset;
  testIndices: number[];
}

/** Train/test split of the data: both standard files, or only the 10,000 test images split 8,000 / 2,000. */
export function splitDigits(sets: { train?: MnistDataset; test: MnistDataset }): DigitsData {
  if (sets.train) {
    const all = (n: number) => Array.from({ length: n }, (_, i) => i);
    return {
      train: sets.train,
      trainIndices: all(sets.train.length),
      test: sets.test,
      testIndices: all(sets.test.length),
    };
  }
  const n = sets.test.length;
  const nTrain = Math.round(n * 0.8);
  const [tr, te] = randomSplit(sets.test, [nTrain, n - nTrain], new Generator(0));
  return { train: sets.test, trainIndices: [...tr!.indices], test: sets.test, testIndices: [...te!.indices] };
}

function makeOptimizer(cfg: DigitsConfig, params: Tensor[]): Optimizer {
  switch (cfg.optimizer) {
    case 'adam':
      return new Adam(params, { lr: cfg.lr });
    case 'sgd':
      return new SGD(params, { lr: cfg.lr, momentum: 0.9 });
    case 'rmsprop':
      return new RMSprop(params, { lr: cfg.lr });
  }
}

/** Test images per forward pass of an evaluation (small enough to keep the worker responsive). */
const EVAL_CHUNK = 250;

/** Running sums of the training loss and accuracy, kept on the device until read. */
interface Running {
  loss: Tensor | null;
  correct: Tensor | null;
  steps: number;
  images: number;
  /** When the first of these steps started (wall clock). */
  start: number;
}

/**
 * An MNIST classifier and its training loop, independent of the page (runs in the worker and in
 * Node tests). Training advances in time-boxed slices (`trainFor`) so the worker stays responsive.
 */
export class DigitsTrainer {
  model: Sequential;
  arch: ArchName;
  step = 0;
  epoch = 0;
  private optimizer: Optimizer;
  private loader: DataLoader<unknown, [Tensor, Tensor]>;
  private iter: AsyncIterator<[Tensor, Tensor]> | null = null;
  private running: Running = { loss: null, correct: null, steps: 0, images: 0, start: 0 };

  constructor(
    readonly data: DigitsData,
    private config: DigitsConfig,
  ) {
    manualSeed(0);
    this.arch = config.arch;
    this.model = buildModel(config.arch);
    this.optimizer = makeOptimizer(config, this.model.parameters());
    this.loader = this.makeLoader();
  }

  private makeLoader(): DataLoader<unknown, [Tensor, Tensor]> {
    return new DataLoader(this.data.train, {
      batchSize: this.config.batchSize,
      sampler: new SubsetRandomSampler(this.data.trainIndices, { generator: new Generator(1) }),
    }) as unknown as DataLoader<unknown, [Tensor, Tensor]>;
  }

  /** Changes optimizer settings and batch size, keeping the weights (a new optimizer state). */
  configure(config: DigitsConfig): void {
    if (config.arch !== this.arch)
      throw new Error(`configure: architecture change ${this.arch} -> ${config.arch} needs a new trainer`);
    const batch = config.batchSize !== this.config.batchSize;
    this.config = config;
    this.optimizer = makeOptimizer(config, this.model.parameters());
    if (batch) {
      this.loader = this.makeLoader();
      this.iter = null;
    }
  }

  private async nextBatch(): Promise<[Tensor, Tensor]> {
    for (;;) {
      this.iter ??= this.loader[Symbol.asyncIterator]();
      const r = await this.iter.next();
      if (!r.done) return r.value;
      this.iter = null;
      this.epoch += 1;
    }
  }

  /** One optimisation step on the next batch. */
  async trainStep(): Promise<void> {
    if (this.running.steps === 0) this.running.start = performance.now();
    const [x, y] = await this.nextBatch();
    this.model.train();
    const logits = this.model.call(x) as Tensor;
    const loss = F.crossEntropy(logits, y);
    this.optimizer.zeroGrad();
    loss.backward();
    this.optimizer.step();
    const correct = noGrad(() => logits.argmax(1).eq(y).sum());
    const r = this.running;
    r.loss = r.loss === null ? loss.detach() : r.loss.add(loss.detach());
    r.correct = r.correct === null ? correct : r.correct.add(correct);
    r.steps += 1;
    r.images += y.shape[0]!;
    this.step += 1;
  }

  /**
   * Trains for about `ms` milliseconds (at least one step), stopping early at a multiple of
   * `stopAt`; awaits `beforeStep` (if given) before each step.
   */
  async trainFor(ms: number, stopAt = 0, beforeStep?: () => Promise<void>): Promise<void> {
    const end = performance.now() + ms;
    do {
      if (beforeStep) await beforeStep();
      await this.trainStep();
    } while (performance.now() < end && !(stopAt > 0 && this.step % stopAt === 0));
  }

  /** Mean loss and accuracy since the last call, and throughput; null before any step. */
  async takeStats(): Promise<{ loss: number; acc: number; imagesPerSec: number } | null> {
    const r = this.running;
    if (r.steps === 0 || r.loss === null || r.correct === null) return null;
    this.running = { loss: null, correct: null, steps: 0, images: 0, start: 0 };
    const [loss, correct] = await Promise.all([r.loss.data(), r.correct.data()]);
    // Wall time from the first step to the values being read, so queued GPU work is included
    // (evaluations run after this read and before the next step, so they are not).
    const ms = Math.max(performance.now() - r.start, 1);
    return { loss: loss[0]! / r.steps, acc: correct[0]! / r.images, imagesPerSec: (1000 * r.images) / ms };
  }

  /**
   * Loss, accuracy and confusion matrix on the test images (eval mode, no gradients), in chunks
   * of EVAL_CHUNK images; awaits `beforeChunk` (if given) before each chunk.
   */
  async evaluate(beforeChunk?: () => Promise<void>): Promise<Omit<EvalMessage, 'type'>> {
    const idx = this.data.testIndices;
    const confusion = new Int32Array(100);
    let lossSum = 0;
    let correct = 0;
    for (let i = 0; i < idx.length; i += EVAL_CHUNK) {
      if (beforeChunk) await beforeChunk();
      const part = idx.slice(i, i + EVAL_CHUNK);
      const [x, y] = this.data.test.getBatch(part);
      this.model.eval();
      const [lossT, predT] = noGrad(() => {
        const logits = this.model.call(x) as Tensor;
        return [F.crossEntropy(logits, y, { reduction: 'sum' }), logits.argmax(1)];
      });
      this.model.train();
      const [l, pred] = await Promise.all([lossT.data(), predT.data()]);
      lossSum += l[0]!;
      part.forEach((j, k) => {
        const truth = this.data.test.labels[j]!;
        const p = pred[k]!;
        confusion[truth * 10 + p]! += 1;
        if (p === truth) correct += 1;
      });
    }
    return { step: this.step, testLoss: lossSum / idx.length, testAcc: correct / idx.length, confusion };
  }

  /** Class probabilities for one 28x28 image. */
  async predict(pixels: Float32Array): Promise<Float32Array> {
    this.model.eval();
    const p = noGrad(() =>
      F.softmax(this.model.call(tensor(pixels, { shape: [1, 1, 28, 28] })) as Tensor, 1),
    );
    this.model.train();
    return Float32Array.from((await p.data()) as ArrayLike<number>);
  }

  /** First-layer filters and activation maps for a test image (by index) or a drawing. */
  async inspect(index: number | null, pixels: Float32Array | null): Promise<InspectionMessage> {
    let image: Float32Array;
    let label: number | null = null;
    if (pixels) {
      image = pixels;
    } else {
      const i = this.data.testIndices[(index ?? 0) % this.data.testIndices.length]!;
      image = Float32Array.from(this.data.test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
      label = this.data.test.labels[i]!;
    }
    const { prefix, layer } = firstLayer(this.model);
    this.model.eval();
    const act = noGrad(() => {
      let h: Tensor = tensor(image, { shape: [1, 1, 28, 28] });
      for (const m of prefix) h = m.call(h) as Tensor;
      return h;
    });
    this.model.train();
    const w = Float32Array.from((await layer.weight.data()) as ArrayLike<number>);
    const maps = Float32Array.from((await act.data()) as ArrayLike<number>);
    if (layer instanceof Conv2d) {
      const [c, , kh, kw] = layer.weight.shape as number[];
      const [, mc, mh, mw] = act.shape as number[];
      return {
        type: 'inspection',
        image,
        label,
        filters: w,
        filterShape: [c!, kh!, kw!],
        maps,
        mapShape: [mc!, mh!, mw!],
      };
    }
    // MLP: the first 16 units' weights as 28x28 images; hidden activations as a 1-pixel-per-unit strip.
    const units = Math.min(16, layer.weight.shape[0]!);
    return {
      type: 'inspection',
      image,
      label,
      filters: w.slice(0, units * 784),
      filterShape: [units, 28, 28],
      maps,
      mapShape: [1, 8, maps.length / 8],
    };
  }

  /**
   * The model as a safetensors Blob (metadata: the architecture, steps and epochs trained). Reads
   * the weights asynchronously, so a model on WebGPU saves too.
   */
  async saveBlob(): Promise<Blob> {
    return toBlob(
      await saveAsync(this.model, {
        arch: this.arch,
        format: 'tessera-demo-digits',
        step: String(this.step),
        epoch: String(this.epoch),
      }),
    );
  }
}

/**
 * Builds a trainer for the architecture whose parameter names and shapes match a safetensors
 * file (the one its metadata names first), with its weights loaded and, when the file says, its
 * step and epoch counts; throws naming the mismatch when no architecture matches.
 */
export function trainerFromFile(data: DigitsData, config: DigitsConfig, bytes: Uint8Array): DigitsTrainer {
  const { tensors, metadata } = loadSafetensors(bytes, 'the model file');
  const named = ARCHS.find((a) => a === metadata.arch);
  const first = named ?? config.arch;
  const errors: string[] = [];
  for (const arch of [first, ...ARCHS.filter((a) => a !== first)]) {
    const t = new DigitsTrainer(data, { ...config, arch });
    try {
      t.model.loadStateDict(tensors);
      t.step = count(metadata.step);
      t.epoch = count(metadata.epoch);
      return t;
    } catch (e) {
      errors.push(`${arch}: ${(e as Error).message}`);
    }
  }
  throw new Error(`this file does not hold weights of any Digits architecture (${errors.join(' | ')})`);
}

/** A non-negative integer from file metadata, else 0. */
function count(text: string | undefined): number {
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}
