import type { Generator, Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { normals, uniforms } from '../random.js';
import { checkProb, checkRatio, generatorOf, readImages, regionSides, toImages } from './image-util.js';

/** Options of `randomErasing`. */
export interface RandomErasingOptions {
  /** Probability of erasing each image (default 0.5). */
  p?: number;
  /** Range of the erased area as a fraction of the image (default [0.02, 0.33]). */
  scale?: readonly [number, number];
  /** Range of the erased box's aspect ratio (default [0.3, 3.3]). */
  ratio?: readonly [number, number];
  /** Erase with a number, one number per channel, or 'random' (standard normal noise). Default 0. */
  value?: number | readonly number[] | 'random';
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

/**
 * Erases a random rectangle of each image with probability p (torchvision's `RandomErasing`,
 * same sampling: up to 10 tries for a box that fits, else the image is left as is). Usually
 * applied after normalisation.
 */
export function randomErasing(opts: RandomErasingOptions = {}): (x: Tensor) => Tensor {
  checkOptions('randomErasing', opts, {
    p: 'any',
    scale: 'any',
    ratio: 'any',
    value: 'any',
    generator: 'any',
  });
  const op = 'randomErasing';
  const p = checkProb(op, opts.p ?? 0.5);
  const scale = opts.scale ?? [0.02, 0.33];
  const ratio = opts.ratio ?? [0.3, 3.3];
  if (!(scale[0] >= 0 && scale[0] <= scale[1] && scale[1] <= 1))
    throw new RangeError(`${op}: scale must be [min, max] within [0, 1], got ${JSON.stringify(scale)}`);
  checkRatio(op, ratio);
  const value = opts.value ?? 0;
  if (
    !(value === 'random' || Number.isFinite(value) || (Array.isArray(value) && value.every(Number.isFinite)))
  ) {
    throw new RangeError(
      `${op}: value must be a number, one number per channel, or 'random', got ${JSON.stringify(value)}`,
    );
  }
  const gen = generatorOf(op, opts.generator);
  const sides = regionSides(scale, ratio);
  return (x) => {
    const img = readImages(op, x);
    const { data, n, c, h, w } = img;
    if (Array.isArray(value) && value.length !== c) {
      throw new RangeError(`${op}: value has ${value.length} entries but the images have ${c} channels`);
    }
    const u = uniforms(gen, 41 * n);
    const out = data; // a fresh copy of the input (readImages): work in place
    const plane = h * w;
    for (let s = 0; s < n; s++) {
      const r = u.subarray(41 * s, 41 * s + 41);
      if (!(r[0]! < p)) continue;
      for (let k = 0; k < 10; k++) {
        const [eh, ew] = sides(plane, r[1 + 4 * k]!, r[2 + 4 * k]!);
        if (!(eh < h && ew < w)) continue;
        const top = Math.floor(r[3 + 4 * k]! * (h - eh + 1));
        const left = Math.floor(r[4 + 4 * k]! * (w - ew + 1));
        const noise = value === 'random' ? normals(gen, c * eh * ew) : undefined;
        let q = 0;
        for (let ch = 0; ch < c; ch++) {
          const v = typeof value === 'number' ? value : Array.isArray(value) ? value[ch]! : 0;
          const pb = (s * c + ch) * plane;
          for (let y = top; y < top + eh; y++) {
            for (let xx = left; xx < left + ew; xx++) out[pb + y * w + xx] = noise ? noise[q++]! : v;
          }
        }
        break;
      }
    }
    return toImages(img, out);
  };
}
