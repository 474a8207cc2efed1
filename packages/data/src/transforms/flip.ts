import type { Generator, Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { uniforms } from '../random.js';
import { checkProb, generatorOf, readImages, toImages } from './image-util.js';

/** Options of the random flips. */
export interface RandomFlipOptions {
  /** Probability of flipping each image (default 0.5). */
  p?: number;
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

function randomFlip(op: string, horizontal: boolean, opts: RandomFlipOptions): (x: Tensor) => Tensor {
  checkOptions(op, opts, { p: 'any', generator: 'any' });
  const p = checkProb(op, opts.p ?? 0.5);
  const gen = generatorOf(op, opts.generator);
  return (x) => {
    const img = readImages(op, x);
    const { data, n, c, h, w } = img;
    const u = uniforms(gen, n);
    // `data` is a fresh copy of the input's elements (readImages), so flip it in place.
    const plane = h * w;
    for (let s = 0; s < n; s++) {
      if (!(u[s]! < p)) continue;
      for (let ch = 0; ch < c; ch++) {
        const pb = (s * c + ch) * plane;
        if (horizontal) {
          for (let y = 0; y < h; y++) {
            for (let a = pb + y * w, b = a + w - 1; a < b; a++, b--) {
              const t = data[a]!;
              data[a] = data[b]!;
              data[b] = t;
            }
          }
        } else {
          for (let y = 0; y < h >> 1; y++) {
            const a = pb + y * w;
            const b = pb + (h - 1 - y) * w;
            for (let x = 0; x < w; x++) {
              const t = data[a + x]!;
              data[a + x] = data[b + x]!;
              data[b + x] = t;
            }
          }
        }
      }
    }
    return toImages(img, data);
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
