/** The two class colours (TensorFlow Playground's): negative / class 0 and positive / class 1. */
export const ORANGE: readonly [number, number, number] = [245, 147, 34];
export const BLUE: readonly [number, number, number] = [8, 119, 189];
const MID: readonly [number, number, number] = [232, 234, 235];

/** Diverging colour for v in [-1, 1]: orange (-1), light grey (0), blue (+1). Writes RGB into `out` at `o`. */
export function diverging(v: number, out: Uint8ClampedArray, o: number): void {
  const t = v > 1 ? 1 : v < -1 ? -1 : Number.isNaN(v) ? 0 : v;
  const end = t < 0 ? ORANGE : BLUE;
  const a = Math.abs(t);
  out[o] = MID[0] + (end[0] - MID[0]) * a;
  out[o + 1] = MID[1] + (end[1] - MID[1]) * a;
  out[o + 2] = MID[2] + (end[2] - MID[2]) * a;
  out[o + 3] = 255;
}

/** CSS colour of `diverging(v)`. */
export function divergingCss(v: number): string {
  const px = new Uint8ClampedArray(4);
  diverging(v, px, 0);
  return `rgb(${px[0]},${px[1]},${px[2]})`;
}

/** Sequential colour for t in [0, 1] (white to dark blue, for counts and probabilities). */
export function sequential(t: number, out: Uint8ClampedArray, o: number): void {
  const a = t > 1 ? 1 : t < 0 || Number.isNaN(t) ? 0 : t;
  out[o] = 255 - (255 - 12) * a;
  out[o + 1] = 255 - (255 - 44) * a;
  out[o + 2] = 255 - (255 - 132) * a;
  out[o + 3] = 255;
}

/** Colours of line-chart series and per-layer plots. */
export const SERIES = [
  '#0877bd',
  '#f59322',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];
