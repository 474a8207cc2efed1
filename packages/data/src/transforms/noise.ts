import type { Generator, Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { normals } from '../random.js';
import { generatorOf, readImages, toImages } from './image-util.js';

/** Options of `gaussianNoise`. */
export interface GaussianNoiseOptions {
  /** Mean of the noise (default 0). */
  mean?: number;
  /** Standard deviation of the noise (default 0.1). */
  std?: number;
  /** Clamp the result to [0, 1] (default true, as torchvision's `GaussianNoise`). */
  clip?: boolean;
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

/** Adds Gaussian noise N(mean, std^2) to every pixel of images [C,H,W] or [N,C,H,W] (torchvision's `GaussianNoise`). */
export function gaussianNoise(opts: GaussianNoiseOptions = {}): (x: Tensor) => Tensor {
  checkOptions('gaussianNoise', opts, { mean: 'any', std: 'any', clip: 'any', generator: 'any' });
  const op = 'gaussianNoise';
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 0.1;
  if (!Number.isFinite(mean)) throw new RangeError(`${op}: mean must be finite, got ${mean}`);
  if (!(std >= 0) || !Number.isFinite(std))
    throw new RangeError(`${op}: std must be a finite non-negative number, got ${std}`);
  const clip = opts.clip ?? true;
  const gen = generatorOf(op, opts.generator);
  return (x) => {
    const img = readImages(op, x);
    const { data } = img;
    const z = normals(gen, data.length);
    const out = data; // a fresh copy of the input (readImages): work in place
    for (let i = 0; i < data.length; i++) {
      const v = data[i]! + mean + std * z[i]!;
      out[i] = clip ? Math.min(1, Math.max(0, v)) : v;
    }
    return toImages(img, out);
  };
}
