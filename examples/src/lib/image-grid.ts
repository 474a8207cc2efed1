import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { REPO_ROOT } from './mnist-data.js';

/** Where an example writes its images unless told otherwise (gitignored). */
export function defaultOutDir(example: string): string {
  return join(REPO_ROOT, '.cache/examples', example);
}

/** How `grayGrid` lays out and scales its tiles. */
export interface GridOptions {
  /** Tiles per row (default: the square root of the count, rounded up). */
  cols?: number;
  /** Pixels of background between tiles (default 1). */
  gap?: number;
  /** Scale each tile to its own min..max (default true); otherwise values are clamped to [0, 1]. */
  normalizeEach?: boolean;
  /** Gray level of the gaps in [0, 255] (default 128). */
  background?: number;
}

/** An 8-bit grayscale image: `width * height` bytes, row by row. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/**
 * Lays `count` tiles of `h` x `w` values (row-major, one after another in `values`) out in a
 * grid. Each tile is scaled to its own range (a learned feature's sign and size are arbitrary)
 * unless `normalizeEach` is false.
 */
export function grayGrid(
  values: ArrayLike<number>,
  count: number,
  h: number,
  w: number,
  opts: GridOptions = {},
): GrayImage {
  if (!Number.isInteger(count) || count < 1 || values.length !== count * h * w) {
    throw new RangeError(
      `grayGrid: expected ${count} tiles of ${h}x${w} (${count * h * w} values), got ${values.length}`,
    );
  }
  const cols = opts.cols ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const gap = opts.gap ?? 1;
  const width = cols * (w + gap) + gap;
  const height = rows * (h + gap) + gap;
  const pixels = new Uint8Array(width * height).fill(opts.background ?? 128);
  const per = h * w;
  for (let t = 0; t < count; t++) {
    let lo = 0;
    let hi = 1;
    if (opts.normalizeEach ?? true) {
      lo = Number.POSITIVE_INFINITY;
      hi = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < per; i++) {
        const v = values[t * per + i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const scale = hi > lo ? 255 / (hi - lo) : 0;
    const x0 = gap + (t % cols) * (w + gap);
    const y0 = gap + Math.floor(t / cols) * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = (values[t * per + y * w + x]! - lo) * scale;
        pixels[(y0 + y) * width + x0 + x] = Math.round(Math.min(255, Math.max(0, v)));
      }
    }
  }
  return { width, height, pixels };
}

/** Encodes a grayscale image as PNG bytes (pngjs; RGBA with opaque alpha). */
export function encodePng(image: GrayImage, upscale = 1): Buffer {
  const width = image.width * upscale;
  const height = image.height * upscale;
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const g = image.pixels[Math.floor(y / upscale) * image.width + Math.floor(x / upscale)]!;
      const o = 4 * (y * width + x);
      png.data[o] = g;
      png.data[o + 1] = g;
      png.data[o + 2] = g;
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** Writes a grayscale image to `path` as PNG, creating the folder; returns the path. */
export function writePng(path: string, image: GrayImage, upscale = 1): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(image, upscale));
  return path;
}
