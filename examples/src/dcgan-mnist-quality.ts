/**
 * How good are the generated digits? A classifier trained on real digits (LeNet-5) judges them:
 * the share it recognises with probability >= 0.9 (sharp, digit-like samples), and the share of
 * samples in each class (its argmax), whose minimum shows mode collapse (a generator that draws
 * only some digits).
 */
import { noGrad } from '@tessera/autograd';
import type { Module } from '@tessera/nn';
import type { Generator, Tensor } from '@tessera/tensor';
import type { DcganGenerator } from './dcgan-mnist-models.js';
import { sampleInput } from './dcgan-mnist-train.js';
import { normalize } from './lib/mnist-train.js';

/** The bar: at least 80% confident samples, every class at least 3% of the samples. */
export const QUALITY_BAR = { confidentShare: 0.8, minClassShare: 0.03, threshold: 0.9 } as const;

/** What the classifier says about a set of samples. */
export interface SampleQuality {
  /** Samples judged. */
  count: number;
  /** Share of samples whose top class has probability >= the threshold. */
  confidentShare: number;
  /** Share of samples per class 0-9 (by the top class, confident or not). */
  classShares: number[];
  /** The smallest of `classShares`. */
  minClassShare: number;
  /** Whether both parts of QUALITY_BAR are met. */
  meetsBar: boolean;
}

/**
 * Scores class probabilities `probs` (row-major [count, classes]): the share of rows whose
 * maximum is at least `threshold`, and the share of rows per argmax class.
 */
export function scoreProbabilities(
  probs: ArrayLike<number>,
  count: number,
  classes = 10,
  threshold: number = QUALITY_BAR.threshold,
): SampleQuality {
  if (!Number.isInteger(count) || count < 1 || probs.length !== count * classes) {
    throw new RangeError(
      `scoreProbabilities: expected ${count} rows of ${classes} probabilities, got ${probs.length} values`,
    );
  }
  const perClass = new Array<number>(classes).fill(0);
  let confident = 0;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    perClass[best]!++;
    if (probs[i * classes + best]! >= threshold) confident++;
  }
  const classShares = perClass.map((k) => k / count);
  const confidentShare = confident / count;
  const minClassShare = Math.min(...classShares);
  return {
    count,
    confidentShare,
    classShares,
    minClassShare,
    meetsBar: confidentShare >= QUALITY_BAR.confidentShare && minClassShare >= QUALITY_BAR.minClassShare,
  };
}

/**
 * `count` images [count, 1, 28, 28] with pixels in [0, 1] from the generator in eval mode
 * (BatchNorm's running statistics), drawn in chunks of `chunk`. `spread` scales z (below 1: the
 * truncation trick, which trades variety for cleaner samples; 1, the default, is z ~ N(0, 1)).
 */
export function generateDigits(
  g: DcganGenerator,
  count: number,
  noise: Generator,
  device: string,
  chunk = 500,
  spread = 1,
): Tensor[] {
  g.eval();
  const out: Tensor[] = [];
  for (let i = 0; i < count; i += chunk) {
    const n = Math.min(chunk, count - i);
    out.push(
      noGrad(() =>
        g
          .call(sampleInput(g, n, noise, device, spread).input)
          .add(1)
          .div(2),
      ),
    );
  }
  return out;
}

/** Classifies `images` (chunks of [n, 1, 28, 28] in [0, 1]) with `classifier`; returns the scores. */
export async function judgeDigits(classifier: Module, images: readonly Tensor[]): Promise<SampleQuality> {
  classifier.eval();
  const rows: number[] = [];
  for (const x of images) {
    const p = noGrad(() => (classifier.call(normalize(x)) as Tensor).softmax(-1));
    rows.push(...(await p.data()));
  }
  return scoreProbabilities(rows, rows.length / 10);
}
