import type { Generator, Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { uniforms } from '../random.js';
import {
  allocLike,
  checkRatio,
  fillValues,
  generatorOf,
  readImages,
  regionSides,
  roundEven,
  sizePair,
  toImages,
} from './image-util.js';
import { checkInterpolation, type Interpolation, resizeInto } from './sample.js';

/** How `randomCrop` fills the padding: a constant, the edge pixel, or a mirror image. */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** Options of `randomCrop`. */
export interface RandomCropOptions {
  /** Padding added before cropping: all sides, [left/right, top/bottom] or [left, top, right, bottom]. */
  padding?: number | readonly number[];
  /** Pad images smaller than the crop size up to it (default false: error). */
  padIfNeeded?: boolean;
  /** Value of constant padding: one number or one per channel (default 0). */
  fill?: number | readonly number[];
  /** Padding mode (default 'constant'). */
  paddingMode?: PaddingMode;
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

function paddingOf(op: string, p: unknown): [number, number, number, number] {
  const ok = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  if (p === undefined) return [0, 0, 0, 0];
  if (ok(p)) return [p, p, p, p];
  if (Array.isArray(p) && p.every(ok)) {
    // The length checks make the tuple casts exact.
    if (p.length === 2) {
      const [x, y] = p as [number, number];
      return [x, y, x, y];
    }
    if (p.length === 4) return [...(p as [number, number, number, number])];
  }
  throw new RangeError(
    `${op}: padding must be a non-negative integer, [left/right, top/bottom] or [left, top, right, bottom], got ${JSON.stringify(p)}`,
  );
}

/** Source index for padded coordinate `q` (already shifted by the padding) in [0, n), or -1 for fill. */
function sourceIndex(q: number, n: number, mode: PaddingMode): number {
  if (q >= 0 && q < n) return q;
  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return q < 0 ? 0 : n - 1;
    case 'reflect':
      return q < 0 ? -q : 2 * (n - 1) - q;
    case 'symmetric':
      return q < 0 ? -q - 1 : 2 * n - 1 - q;
  }
}

/**
 * Crops a random `size` window (torchvision's `RandomCrop`), after optional padding: with
 * padding 4 a 28x28 image becomes 36x36 and a random 28x28 window of it is kept, the standard
 * shift augmentation. Works on [C,H,W] and on batches [N,C,H,W] (a window per image).
 */
export function randomCrop(
  size: number | readonly [number, number],
  opts: RandomCropOptions = {},
): (x: Tensor) => Tensor {
  checkOptions('randomCrop', opts, {
    padding: 'any',
    padIfNeeded: 'any',
    fill: 'any',
    paddingMode: 'any',
    generator: 'any',
  });
  const op = 'randomCrop';
  const [th, tw] = sizePair(op, 'size', size);
  const [pl, pt, pr, pb] = paddingOf(op, opts.padding);
  const mode = opts.paddingMode ?? 'constant';
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) {
    throw new RangeError(
      `${op}: paddingMode must be 'constant', 'edge', 'reflect' or 'symmetric', got ${JSON.stringify(mode)}`,
    );
  }
  const gen = generatorOf(op, opts.generator);
  return (x) => {
    const img = readImages(op, x);
    const { data, n, c, h, w } = img;
    const fill = fillValues(op, opts.fill ?? 0, c);
    let [l, t, r, b] = [pl, pt, pr, pb];
    if (opts.padIfNeeded) {
      if (h + t + b < th) {
        const extra = th - (h + t + b);
        t += extra;
        b += extra;
      }
      if (w + l + r < tw) {
        const extra = tw - (w + l + r);
        l += extra;
        r += extra;
      }
    }
    const hp = h + t + b;
    const wp = w + l + r;
    if (hp < th || wp < tw) {
      throw new RangeError(
        `${op}: crop size [${th},${tw}] is larger than the padded image [${hp},${wp}] (image [${h},${w}]); use padIfNeeded`,
      );
    }
    if (
      (mode === 'reflect' || mode === 'symmetric') &&
      (Math.max(l, r) > (mode === 'reflect' ? w - 1 : w) || Math.max(t, b) > (mode === 'reflect' ? h - 1 : h))
    ) {
      throw new RangeError(
        `${op}: ${mode} padding [${l},${t},${r},${b}] is too large for an image of size [${h},${w}]`,
      );
    }
    const u = uniforms(gen, 2 * n);
    const out = allocLike(img, n * c * th * tw);
    const cols = new Int32Array(tw);
    const plane = h * w;
    for (let s = 0; s < n; s++) {
      const i = Math.floor(u[2 * s]! * (hp - th + 1));
      const j = Math.floor(u[2 * s + 1]! * (wp - tw + 1));
      let full = true;
      for (let xx = 0; xx < tw; xx++) {
        cols[xx] = sourceIndex(j + xx - l, w, mode);
        if (cols[xx]! < 0) full = false;
      }
      const c0 = cols[0]!;
      const contiguous = full && cols[tw - 1] === c0 + tw - 1;
      for (let ch = 0; ch < c; ch++) {
        const src = (s * c + ch) * plane;
        const dst = (s * c + ch) * th * tw;
        const f = fill[ch]!;
        for (let y = 0; y < th; y++) {
          const sy = sourceIndex(i + y - t, h, mode);
          const o = dst + y * tw;
          if (sy < 0) {
            out.fill(f, o, o + tw);
            continue;
          }
          const row = src + sy * w;
          if (contiguous) {
            out.set(data.subarray(row + c0, row + c0 + tw), o);
            continue;
          }
          for (let xx = 0; xx < tw; xx++) {
            const sx = cols[xx]!;
            out[o + xx] = sx >= 0 ? data[row + sx]! : f;
          }
        }
      }
    }
    return toImages(img, out, th, tw);
  };
}

/** Options of `randomResizedCrop`. */
export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image (default [0.08, 1]). */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio width/height (default [3/4, 4/3]). */
  ratio?: readonly [number, number];
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

/**
 * Crops a random region of random area and aspect ratio and resizes it to `size`
 * (torchvision's `RandomResizedCrop`, same sampling procedure: up to 10 tries, then a centre
 * crop). Per image in a batch.
 */
export function randomResizedCrop(
  size: number | readonly [number, number],
  opts: RandomResizedCropOptions = {},
): (x: Tensor) => Tensor {
  checkOptions('randomResizedCrop', opts, {
    scale: 'any',
    ratio: 'any',
    interpolation: 'any',
    generator: 'any',
  });
  const op = 'randomResizedCrop';
  const [oh, ow] = sizePair(op, 'size', size);
  const scale = opts.scale ?? [0.08, 1];
  const ratio = opts.ratio ?? [3 / 4, 4 / 3];
  if (!(scale[0] > 0 && scale[0] <= scale[1]))
    throw new RangeError(`${op}: scale must be [min, max] with 0 < min <= max, got ${JSON.stringify(scale)}`);
  checkRatio(op, ratio);
  const interp = checkInterpolation(op, opts.interpolation ?? 'bilinear');
  const gen = generatorOf(op, opts.generator);
  const sides = regionSides(scale, ratio);
  return (x) => {
    const img = readImages(op, x);
    const { data, n, c, h, w } = img;
    const u = uniforms(gen, 40 * n);
    const out = allocLike(img, n * c * oh * ow);
    const area = h * w;
    for (let s = 0; s < n; s++) {
      let box: [number, number, number, number] | undefined;
      for (let k = 0; k < 10 && box === undefined; k++) {
        const r = u.subarray(40 * s + 4 * k, 40 * s + 4 * k + 4);
        const [cw, ch] = sides(area, r[0]!, r[1]!);
        if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
          box = [Math.floor(r[2]! * (h - ch + 1)), Math.floor(r[3]! * (w - cw + 1)), ch, cw];
        }
      }
      if (box === undefined) {
        const inRatio = w / h;
        let cw = w;
        let ch = h;
        if (inRatio < ratio[0]) ch = roundEven(w / ratio[0]);
        else if (inRatio > ratio[1]) cw = roundEven(h * ratio[1]);
        box = [Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), ch, cw];
      }
      const [top, left, ch, cw] = box;
      for (let k = 0; k < c; k++) {
        resizeInto(
          data,
          (s * c + k) * area,
          w,
          top,
          left,
          ch,
          cw,
          out,
          (s * c + k) * oh * ow,
          oh,
          ow,
          interp,
        );
      }
    }
    return toImages(img, out, oh, ow);
  };
}

/** Resizes images to `size` (torchvision's `Resize` with an exact size; bilinear uses half-pixel centres, no antialiasing). */
export function resize(
  size: number | readonly [number, number],
  opts: { interpolation?: Interpolation } = {},
): (x: Tensor) => Tensor {
  checkOptions('resize', opts, { interpolation: 'any' });
  const op = 'resize';
  const [oh, ow] = sizePair(op, 'size', size);
  const interp = checkInterpolation(op, opts.interpolation ?? 'bilinear');
  return (x) => {
    const img = readImages(op, x);
    const { data, n, c, h, w } = img;
    const out = allocLike(img, n * c * oh * ow);
    for (let p = 0; p < n * c; p++)
      resizeInto(data, p * h * w, w, 0, 0, h, w, out, p * oh * ow, oh, ow, interp);
    return toImages(img, out, oh, ow);
  };
}
