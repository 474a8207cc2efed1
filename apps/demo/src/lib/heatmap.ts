import { diverging, sequential } from './colors.js';

/**
 * Draws a row-major grid of values (`rows` x `cols`, row 0 at the top) onto a canvas, stretched to
 * its size, with the diverging palette (values in [-1, 1]) or the sequential one (values in [0, 1]).
 * `scale` divides values first (so e.g. activations can be normalised).
 */
export function drawGrid(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  opts: { palette?: 'diverging' | 'sequential'; scale?: number; smooth?: boolean } = {},
): void {
  const img = new ImageData(cols, rows);
  const colour = opts.palette === 'sequential' ? sequential : diverging;
  const s = opts.scale ?? 1;
  for (let i = 0; i < rows * cols; i++) colour(values[i]! / s, img.data, 4 * i);
  const off = scratch(cols, rows);
  off.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = opts.smooth ?? true;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  ctx.restore();
}

const scratches = new Map<string, HTMLCanvasElement>();
function scratch(w: number, h: number): HTMLCanvasElement {
  const key = `${w}x${h}`;
  let c = scratches.get(key);
  if (!c) {
    c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    scratches.set(key, c);
  }
  return c;
}

/** Largest absolute value (at least `floor`), for symmetric colour scales. */
export function absMax(values: ArrayLike<number>, floor = 1e-6): number {
  let m = floor;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > m) m = a;
  }
  return m;
}
