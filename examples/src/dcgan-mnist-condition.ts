/**
 * What a conditional dcgan-mnist generator is conditioned on. A single generator maps the
 * connected Gaussian of z onto ten separate digit shapes, so some of its samples fall between
 * two digits; conditioning it on a discrete code removes most of those. The code is either
 * unsupervised, a k-means cluster of the training images' pixels (cluster-conditioned GANs:
 * Sage et al., 2018; Liu et al., 2020), or the digit's label (a class-conditional GAN).
 */
import { MnistDataset } from '@tessera/data';
import { Generator, tensor } from '@tessera/tensor';
import { kmeans } from './lib/kmeans.js';

/** What a generator can be conditioned on: nothing, k-means clusters (no labels used) or labels. */
export const GAN_CONDITIONS = ['clusters', 'labels', 'none'] as const;
/** One of GAN_CONDITIONS. */
export type GanCondition = (typeof GAN_CONDITIONS)[number];

/** Whether `v` names a condition (for options and flags from outside the type system). */
export function isGanCondition(v: unknown): v is GanCondition {
  return (GAN_CONDITIONS as readonly unknown[]).includes(v);
}

/** The training images with the code of each, and how often each code occurs. */
export interface ConditionCodes {
  /** The training images; its labels are the codes. */
  dataset: MnistDataset;
  /** Number of codes. */
  codes: number;
  /** Images per code (the generator draws its codes with these weights). */
  prior: number[];
  /** One line saying what the codes are. */
  description: string;
}

/**
 * The share of items whose label is the most common label of their cluster (1: every cluster
 * holds one class). A diagnostic only: the clusters are found without the labels.
 */
export function clusterPurity(clusters: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  if (clusters.length !== labels.length || clusters.length === 0) {
    throw new RangeError(`clusterPurity: ${clusters.length} clusters for ${labels.length} labels`);
  }
  const counts = new Map<number, number>();
  const best = new Array<number>(k).fill(0);
  for (let i = 0; i < clusters.length; i++) {
    const key = clusters[i]! * 256 + labels[i]!;
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    best[clusters[i]!] = Math.max(best[clusters[i]!]!, c);
  }
  return best.reduce((a, b) => a + b, 0) / clusters.length;
}

/** GAN_CONDITIONS as words for a message: 'clusters', 'labels' or 'none' (quoted with `q`). */
export function conditionList(q = ''): string {
  const w = GAN_CONDITIONS.map((c) => `${q}${c}${q}`);
  return `${w.slice(0, -1).join(', ')} or ${w.at(-1)}`;
}

/** The default number of clusters: 50, fewer for a small training set (at least 10 images each). */
export function defaultClusters(images: number): number {
  return Math.min(50, Math.max(2, Math.floor(images / 10)));
}

/**
 * The codes of `train`'s images for `condition` ('clusters': `clusters` k-means clusters of the
 * pixels, seeded by `seed`, default `defaultClusters`; 'labels': the digits' classes); undefined
 * for 'none'.
 */
export async function conditionCodes(
  train: MnistDataset,
  condition: GanCondition,
  clusters: number | undefined,
  seed: number,
): Promise<ConditionCodes | undefined> {
  if (condition === 'none') return undefined;
  const n = train.length;
  if (condition === 'labels') {
    const prior = new Array<number>(10).fill(0);
    for (const y of train.labels) prior[y]!++;
    return { dataset: train, codes: 10, prior, description: 'the digit labels (class-conditional)' };
  }
  if (condition !== 'clusters') {
    throw new RangeError(`dcgan-mnist: condition must be ${conditionList("'")}, got '${condition}'`);
  }
  const k = clusters ?? defaultClusters(n);
  if (!(Number.isInteger(k) && k >= 2 && k <= 255 && k <= n)) {
    throw new RangeError(
      `dcgan-mnist: clusters must be an integer in [2, ${Math.min(255, n)}] (at most the ${n} training images), got ${k}`,
    );
  }
  const px = train.rows * train.cols;
  const pixels = new Float32Array(train.images.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = train.images[i]! / 255;
  const found = await kmeans(tensor(pixels, { shape: [n, px] }), k, { generator: new Generator(seed + 7) });
  const dataset = new MnistDataset(train.images, Uint8Array.from(found.assignments), train.rows, train.cols);
  const purity = clusterPurity(found.assignments, train.labels, k);
  return {
    dataset,
    codes: k,
    prior: found.sizes,
    description:
      `${k} k-means clusters of the training pixels (no labels; ${found.iterations} iterations; ` +
      `${(100 * purity).toFixed(1)}% of the images share their cluster's most common digit, ` +
      'measured with the labels, which training does not see)',
  };
}
