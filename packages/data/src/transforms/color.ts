import type { Generator, Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { uniforms } from '../random.js';
import { generatorOf, rangeOf, readImages, toImages } from './image-util.js';

/** Options of `colorJitter`: each a strength s (factor in [max(0, 1-s), 1+s]) or a [min, max] factor range. */
export interface ColorJitterOptions {
  brightness?: number | readonly [number, number];
  contrast?: number | readonly [number, number];
  saturation?: number | readonly [number, number];
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

const R = 0.299;
const G = 0.587;
const B = 0.114;

/**
 * Randomly changes brightness, contrast and saturation of images with values in [0, 1]
 * (torchvision's `ColorJitter` without hue; results are clamped to [0, 1]). Brightness scales
 * the pixels; contrast blends with the image's mean grey level; saturation blends with its
 * greyscale version (RGB only; a 1-channel image is unchanged by it). Applied in that order, with
 * factors drawn per image.
 */
export function colorJitter(opts: ColorJitterOptions = {}): (x: Tensor) => Tensor {
  checkOptions('colorJitter', opts, {
    brightness: 'any',
    contrast: 'any',
    saturation: 'any',
    generator: 'any',
  });
  const op = 'colorJitter';
  const range = (v: number | readonly [number, number] | undefined, what: string) =>
    v === undefined ? undefined : rangeOf(op, what, v, 1, 0);
  const br = range(opts.brightness, 'brightness');
  const co = range(opts.contrast, 'contrast');
  const sa = range(opts.saturation, 'saturation');
  const gen = generatorOf(op, opts.generator);
  return (x) => {
    const img = readImages(op, x);
    const { data, n, c, h, w } = img;
    if ((co || sa) && c !== 1 && c !== 3) {
      throw new RangeError(`${op}: contrast and saturation need 1 or 3 channels (images [${c},${h},${w}])`);
    }
    const u = uniforms(gen, 3 * n);
    const out = data; // a fresh copy of the input (readImages): work in place
    const plane = h * w;
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    for (let s = 0; s < n; s++) {
      const base = s * c * plane;
      const end = base + c * plane;
      if (br) {
        const f = br[0] + u[3 * s]! * (br[1] - br[0]);
        for (let i = base; i < end; i++) out[i] = clamp(out[i]! * f);
      }
      if (co) {
        const f = co[0] + u[3 * s + 1]! * (co[1] - co[0]);
        let mean = 0;
        if (c === 3) {
          for (let i = 0; i < plane; i++)
            mean += R * out[base + i]! + G * out[base + plane + i]! + B * out[base + 2 * plane + i]!;
        } else for (let i = base; i < end; i++) mean += out[i]!;
        mean /= plane;
        const add = (1 - f) * mean;
        for (let i = base; i < end; i++) out[i] = clamp(f * out[i]! + add);
      }
      if (sa && c === 3) {
        const f = sa[0] + u[3 * s + 2]! * (sa[1] - sa[0]);
        for (let i = 0; i < plane; i++) {
          const r = base + i;
          const g = r + plane;
          const b = g + plane;
          const grey = (1 - f) * (R * out[r]! + G * out[g]! + B * out[b]!);
          out[r] = clamp(f * out[r]! + grey);
          out[g] = clamp(f * out[g]! + grey);
          out[b] = clamp(f * out[b]! + grey);
        }
      }
    }
    return toImages(img, out);
  };
}
