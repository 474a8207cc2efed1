import type { Generator, Tensor } from '@tessera/tensor';
import { uniforms } from '../random.js';
import { allocLike, checkProb, generatorOf, readImages, toImages } from './image-util.js';

/** Options of the random flips. */
export interface RandomFlipOptions {
  /** Probability of flipping each image (default 0.5). */
  p?: number;
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

function randomFlip(op: string, horizontal: boolean, opts: RandomFlipOptions): (x: Tensor) => Tensor {
  const p = checkProb(op, opts.p ?? 0.5);
  const gen = generatorOf(op, opts.generator);
  return (x) => {
    const img = readImages(op, x);
    const { data, n, c, h, w } = img;
    const u = uniforms(gen, n);
    const out = allocLike(img, data.length);
    const plane = h * w;
    for (let s = 0; s < n; s++) {
      const base = s * c * plane;
      if (!(u[s]! < p)) {
        out.set(data.subarray(base, base + c * plane), base);
        continue;
      }
      for (let ch = 0; ch < c; ch++) {
        const pb = base + ch * plane;
        for (let y = 0; y < h; y++) {
          const src = pb + (horizontal ? y : h - 1 - y) * w;
          const dst = pb + y * w;
          if (horizontal) for (let xx = 0; xx < w; xx++) out[dst + xx] = data[src + w - 1 - xx]!;
          else out.set(data.subarray(src, src + w), dst);
        }
      }
    }
    return toImages(img, out);
  };
}

/**
 * Flips images left-right with probability p (torchvision's `RandomHorizontalFlip`). Works on
 * [C,H,W] and on batches [N,C,H,W], where each image gets its own coin flip.
 */
export function randomHorizontalFlip(opts: RandomFlipOptions = {}): (x: Tensor) => Tensor {
  return randomFlip('randomHorizontalFlip', true, opts);
}

/** Flips images top-bottom with probability p (per image in a batch). */
export function randomVerticalFlip(opts: RandomFlipOptions = {}): (x: Tensor) => Tensor {
  return randomFlip('randomVerticalFlip', false, opts);
}
