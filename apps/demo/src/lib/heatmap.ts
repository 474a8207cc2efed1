import { diverging, sequential } from './colors.js';

/**
 * Draws a row-major grid of values (`rows` x `cols`, row 0 at the top) onto a canvas, with the
 * diverging palette (values in [-1, 1]) or the sequential one (values in [0, 1]). `scale` divides
 * values first (so e.g. activations can be normalised). The canvas gets one pixel per cell and
 * CSS stretches it to its display size (smoothly, or pixelated with `smooth: false`): the pixels
 * go straight into the canvas, with no intermediate canvas to copy, which keeps frames short.
 */
export function drawGrid(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  opts: { palette?: 'diverging' | 'sequential'; scale?: number; smooth?: boolean } = {},
): void {
  if (values.length < rows * cols) {
    throw new RangeError(`drawGrid: ${values.length} values for a ${rows}x${cols} grid`);
  }
  const img = new ImageData(cols, rows);
  const colour = opts.palette === 'sequential' ? sequential : diverging;
  const s = opts.scale ?? 1;
  for (let i = 0; i < rows * cols; i++) colour(values[i]! / s, img.data, 4 * i);
  if (canvas.width !== cols) canvas.width = cols;
  if (canvas.height !== rows) canvas.height = rows;
  const rendering = (opts.smooth ?? true) ? 'auto' : 'pixelated';
  if (canvas.style.imageRendering !== rendering) canvas.style.imageRendering = rendering;
  canvas.getContext('2d')!.putImageData(img, 0, 0);
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
