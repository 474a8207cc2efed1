/**
 * Differentiable augmentation (DiffAugment, Zhao et al., 2020) for a GAN trained on few images:
 * the same random transforms are applied to real and generated images before the discriminator,
 * in both its step and the generator's, so the discriminator cannot memorise the real set and
 * the generator still gets gradients through the transform (it is a gather and a mask, both
 * differentiable). Images are in the generator's range [-1, 1]; the background is -1.
 */
import { cat, full, type Tensor, tensor } from '@tessera/tensor';
import { uniforms } from './lib/prng.js';

/** The transforms: a random shift of the whole image, and a blanked-out square. */
export type DiffAugmentOp = 'translation' | 'cutout';

/** The DiffAugment transforms in one object: `apply` augments a batch, each call with fresh draws. */
export interface DiffAugment {
  ops: readonly DiffAugmentOp[];
  apply(x: Tensor): Tensor;
}

/** Options of `diffAugment`. */
export interface DiffAugmentOptions {
  /** Largest shift in pixels along each axis (default 3); vacated pixels become background. */
  maxShift?: number;
  /** Side of the cutout square in pixels (default 14: half the image, as in the paper). */
  cutout?: number;
  /** Seed of the transforms' draws (default 0). */
  seed?: number;
}

/** The pixel each output pixel reads for a shift by (dy, dx), `hw` (a background pixel) when outside. */
function shiftIndex(out: Int32Array, offset: number, h: number, w: number, dy: number, dx: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sy = y - dy;
      const sx = x - dx;
      out[offset + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? sy * w + sx : h * w;
    }
  }
}

/**
 * DiffAugment for images [N, 1, H, W] in [-1, 1]: 'translation' shifts every image by its own
 * random whole-pixel offset in [-maxShift, maxShift] per axis (pixels moved in from outside are
 * background, -1); 'cutout' sets a `cutout`-pixel square at a random place of every image to the
 * background (parts of it may fall outside the image). The draws come from a seeded generator,
 * so a run is reproducible.
 */
export function diffAugment(ops: readonly DiffAugmentOp[], opts: DiffAugmentOptions = {}): DiffAugment {
  const maxShift = opts.maxShift ?? 3;
  const side = opts.cutout ?? 14;
  for (const op of ops) {
    if (op !== 'translation' && op !== 'cutout') throw new RangeError(`diffAugment: unknown op '${op}'`);
  }
  if (!(Number.isInteger(maxShift) && maxShift >= 0)) {
    throw new RangeError(`diffAugment: maxShift must be an integer >= 0, got ${maxShift}`);
  }
  if (!(Number.isInteger(side) && side >= 1)) {
    throw new RangeError(`diffAugment: cutout must be a positive integer, got ${side}`);
  }
  const u = uniforms(opts.seed ?? 0);
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1)); // in [lo, hi]
  const translate = (x: Tensor): Tensor => {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const idx = new Int32Array(n * c * h * w);
    for (let i = 0; i < n; i++) {
      const dy = int(-maxShift, maxShift);
      const dx = int(-maxShift, maxShift);
      for (let k = 0; k < c; k++) shiftIndex(idx, (i * c + k) * h * w, h, w, dy, dx);
    }
    // One background pixel after each image's pixels, for the pixels shifted in from outside.
    const flat = cat([x.reshape([n * c, h * w]), full([n * c, 1], -1, { device: x.device })], 1);
    const index = tensor(idx, { shape: [n * c, h * w], dtype: 'int32' }).to(x.device);
    return flat.gather(1, index).reshape([n, c, h, w]);
  };
  const cut = (x: Tensor): Tensor => {
    const [n, , h, w] = x.shape as [number, number, number, number];
    const keep = new Float32Array(n * h * w).fill(1);
    for (let i = 0; i < n; i++) {
      // The square's centre is anywhere in the image, as in the paper.
      const y0 = int(0, h - 1) - Math.floor(side / 2);
      const x0 = int(0, w - 1) - Math.floor(side / 2);
      for (let y = Math.max(0, y0); y < Math.min(h, y0 + side); y++) {
        for (let xx = Math.max(0, x0); xx < Math.min(w, x0 + side); xx++) keep[i * h * w + y * w + xx] = 0;
      }
    }
    const mask = tensor(keep, { shape: [n, 1, h, w] }).to(x.device);
    // keep * x + (1 - keep) * (-1) = keep * (x + 1) - 1: cut pixels become background.
    return x.add(1).mul(mask).sub(1);
  };
  return {
    ops: [...ops],
    apply(x: Tensor): Tensor {
      if (x.ndim !== 4) throw new RangeError(`diffAugment: expected images [N, C, H, W], got [${x.shape}]`);
      let y = x;
      for (const op of ops) y = op === 'translation' ? translate(y) : cut(y);
      return y;
    },
  };
}
