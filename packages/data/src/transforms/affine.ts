import type { Generator, Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { uniforms } from '../random.js';
import {
  allocLike,
  fillValues,
  generatorOf,
  rangeOf,
  readImages,
  roundEven,
  toImages,
} from './image-util.js';
import { affineInto, checkInterpolation, type Interpolation, inverseAffine } from './sample.js';

/** Options of `randomAffine`. */
export interface RandomAffineOptions {
  /** Rotation range in degrees: d means [-d, d]; positive is counter-clockwise. Default 0. */
  degrees?: number | readonly [number, number];
  /** Maximum shift as fractions [a, b] of width and height: dx in [-a*W, a*W], dy in [-b*H, b*H] (rounded to pixels). */
  translate?: readonly [number, number];
  /** Scale factor range [min, max] (default: no scaling). */
  scale?: readonly [number, number];
  /** Shear in degrees: d means x-shear in [-d, d]; [min, max] an x range; [xmin, xmax, ymin, ymax] both. */
  shear?: number | readonly number[];
  /** 'nearest' (default, as torchvision) or 'bilinear'. */
  interpolation?: Interpolation;
  /** Value for pixels that come from outside the image: one number or one per channel (default 0). */
  fill?: number | readonly number[];
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

function shearRanges(op: string, s: unknown): [number, number, number, number] {
  if (s === undefined) return [0, 0, 0, 0];
  if (typeof s === 'number') {
    const [a, b] = rangeOf(op, 'shear', s, 0);
    return [a, b, 0, 0];
  }
  if (Array.isArray(s) && (s.length === 2 || s.length === 4) && s.every(Number.isFinite)) {
    if (s[0] > s[1] || (s.length === 4 && s[2] > s[3]))
      throw new RangeError(
        `${op}: shear ranges must be [min, max] with min <= max, got ${JSON.stringify(s)}`,
      );
    return s.length === 2 ? [s[0], s[1], 0, 0] : [s[0], s[1], s[2], s[3]];
  }
  throw new RangeError(
    `${op}: shear must be a number, [min, max] or [xmin, xmax, ymin, ymax], got ${JSON.stringify(s)}`,
  );
}

/**
 * Random affine transformation of images, keeping their size (torchvision's `RandomAffine`):
 * rotation, translation, scale and shear about the image centre, with parameters drawn per
 * image. Pixels from outside the image get `fill`.
 */
export function randomAffine(opts: RandomAffineOptions = {}): (x: Tensor) => Tensor {
  checkOptions('randomAffine', opts, {
    degrees: 'any',
    translate: 'any',
    scale: 'any',
    shear: 'any',
    interpolation: 'any',
    fill: 'any',
    generator: 'any',
  });
  return affineTransform('randomAffine', opts);
}

/** Options of `randomRotation`. */
export type RandomRotationOptions = Omit<RandomAffineOptions, 'degrees' | 'translate' | 'scale' | 'shear'>;

/**
 * Rotates images by a random angle in [-degrees, degrees] (or the given [min, max]) about the
 * centre, counter-clockwise for positive angles (torchvision's `RandomRotation`, without expand).
 */
export function randomRotation(
  degrees: number | readonly [number, number],
  opts: RandomRotationOptions = {},
): (x: Tensor) => Tensor {
  checkOptions('randomRotation', opts, { interpolation: 'any', fill: 'any', generator: 'any' });
  return affineTransform('randomRotation', { ...opts, degrees });
}

function affineTransform(op: string, opts: RandomAffineOptions): (x: Tensor) => Tensor {
  const deg = rangeOf(op, 'degrees', opts.degrees ?? 0, 0);
  const translate = opts.translate;
  if (
    translate !== undefined &&
    !(Array.isArray(translate) && translate.length === 2 && translate.every((v) => v >= 0 && v <= 1))
  ) {
    throw new RangeError(
      `${op}: translate must be [a, b] with fractions in [0, 1], got ${JSON.stringify(translate)}`,
    );
  }
  const scale = opts.scale;
  if (
    scale !== undefined &&
    !(Array.isArray(scale) && scale.length === 2 && scale[0]! > 0 && scale[0]! <= scale[1]!)
  ) {
    throw new RangeError(`${op}: scale must be [min, max] with 0 < min <= max, got ${JSON.stringify(scale)}`);
  }
  const shear = shearRanges(op, opts.shear);
  const interp = checkInterpolation(op, opts.interpolation ?? 'nearest');
  const gen = generatorOf(op, opts.generator);
  const lerp = (lo: number, hi: number, t: number) => lo + t * (hi - lo);
  return (x) => {
    const img = readImages(op, x);
    const { data, n, c, h, w } = img;
    const fill = fillValues(op, opts.fill ?? 0, c);
    const u = uniforms(gen, 6 * n);
    const out = allocLike(img, data.length);
    const plane = h * w;
    for (let s = 0; s < n; s++) {
      const r = u.subarray(6 * s, 6 * s + 6);
      const angle = lerp(deg[0], deg[1], r[0]!);
      const tx = translate ? roundEven(lerp(-translate[0]! * w, translate[0]! * w, r[1]!)) : 0;
      const ty = translate ? roundEven(lerp(-translate[1]! * h, translate[1]! * h, r[2]!)) : 0;
      const sc = scale ? lerp(scale[0]!, scale[1]!, r[3]!) : 1;
      const m = inverseAffine(
        angle,
        tx,
        ty,
        sc,
        lerp(shear[0], shear[1], r[4]!),
        lerp(shear[2], shear[3], r[5]!),
      );
      for (let ch = 0; ch < c; ch++) {
        const at = (s * c + ch) * plane;
        affineInto(data, at, h, w, m, out, at, interp, fill[ch]!);
      }
    }
    return toImages(img, out);
  };
}
