import { h } from '../lib/dom.js';

/** Pixels per image pixel in the strip (28x28 digits drawn at 56x56). */
const SCALE = 2;

/** Writes a 28x28 grey image (values in [0, 1], ink dark on white) into `img` at column `x0`, row `y0`. */
export function putDigit(img: ImageData, pixels: Float32Array, offset: number, x0: number, y0: number): void {
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const v = pixels[offset + r * 28 + c]!;
      const g = 255 - Math.round(255 * (v > 1 ? 1 : v < 0 || Number.isNaN(v) ? 0 : v));
      const o = ((y0 + r) * img.width + x0 + c) * 4;
      img.data[o] = g;
      img.data[o + 1] = g;
      img.data[o + 2] = g;
      img.data[o + 3] = 255;
    }
  }
}

/**
 * The reconstruction view: the shown test digits in the top row and the autoencoder's
 * reconstructions below, redrawn at each update.
 */
export class DigitStrip {
  readonly canvas: HTMLCanvasElement;
  /** Draws done (the tests wait for one after training). */
  draws = 0;
  private readonly small: HTMLCanvasElement;

  constructor(readonly count: number) {
    this.canvas = h('canvas', {
      class: 'ae-strip',
      width: count * 28 * SCALE,
      height: 2 * 28 * SCALE,
      role: 'img',
      'aria-label': 'Test digits (top row) and their reconstructions by the autoencoder (bottom row)',
    });
    this.small = h('canvas', { width: count * 28, height: 56 });
  }

  /** Draws `originals` and `recons` (count images of 784 values each). */
  show(originals: Float32Array, recons: Float32Array): void {
    const ctx = this.small.getContext('2d')!;
    const img = ctx.createImageData(this.count * 28, 56);
    for (let i = 0; i < this.count; i++) {
      putDigit(img, originals, i * 784, i * 28, 0);
      putDigit(img, recons, i * 784, i * 28, 28);
    }
    ctx.putImageData(img, 0, 0);
    const out = this.canvas.getContext('2d')!;
    out.imageSmoothingEnabled = false;
    out.drawImage(this.small, 0, 0, this.canvas.width, this.canvas.height);
    // A line between the originals and the reconstructions.
    out.fillStyle = '#f59322';
    out.fillRect(0, 28 * SCALE - 1, this.canvas.width, 2);
    this.draws += 1;
  }
}
