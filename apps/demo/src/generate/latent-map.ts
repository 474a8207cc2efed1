import { h } from '../lib/dom.js';
import { putDigit } from './digit-strip.js';

/** One colour per digit class (matplotlib's tab10). */
export const DIGIT_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const SIZE = 320;

/** Bounds of the map in code space: the codes' extent with a margin (a unit square before any). */
function boundsOf(codes: Float32Array): [number, number, number, number] {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i + 1 < codes.length; i += 2) {
    const x = codes[i]!;
    const y = codes[i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  if (!(x1 > x0) || !(y1 > y0)) return [-1, 1, -1, 1];
  const mx = (x1 - x0) * 0.08;
  const my = (y1 - y0) * 0.08;
  return [x0 - mx, x1 + mx, y0 - my, y1 + my];
}

/**
 * The 2-D latent map: a scatter of test codes coloured by label; a click, a drag or the arrow keys
 * pick a point, whose code `onPick` receives (to decode it), marked with a cross. The decoded
 * image is drawn by `showDecoded`.
 */
export class LatentMap {
  readonly canvas: HTMLCanvasElement;
  readonly decoded: HTMLCanvasElement;
  /** The picked point in map fractions [0, 1] (x right, y up). */
  private pick = { u: 0.5, v: 0.5 };
  private bounds: [number, number, number, number] = [-1, 1, -1, 1];
  private codes: Float32Array = new Float32Array(0);
  private labels: Int32Array = new Int32Array(0);

  constructor(private readonly onPick: (x: number, y: number) => void) {
    this.canvas = h('canvas', {
      class: 'ae-map',
      width: SIZE,
      height: SIZE,
      tabindex: 0,
      role: 'img',
      'aria-label':
        'Latent map: the 2-D codes of test digits, coloured by digit. Click or drag to decode a point; arrow keys move it.',
    });
    this.decoded = h('canvas', {
      class: 'ae-decoded',
      width: 28,
      height: 28,
      role: 'img',
      'aria-label': 'The digit decoded from the picked point of the latent map',
    });
    this.canvas.addEventListener('pointerdown', (e) => {
      this.canvas.setPointerCapture(e.pointerId);
      this.pointer(e);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (e.buttons & 1) this.pointer(e);
    });
    this.canvas.addEventListener('keydown', (e) => this.key(e));
  }

  private pointer(e: PointerEvent): void {
    const r = this.canvas.getBoundingClientRect();
    this.pick = {
      u: Math.min(Math.max((e.clientX - r.left) / r.width, 0), 1),
      v: Math.min(Math.max(1 - (e.clientY - r.top) / r.height, 0), 1),
    };
    this.picked();
  }

  private key(e: KeyboardEvent): void {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!d) return;
    e.preventDefault();
    const clamp = (t: number) => Math.min(Math.max(t, 0), 1);
    this.pick = { u: clamp(this.pick.u + d[0]! * 0.02), v: clamp(this.pick.v + d[1]! * 0.02) };
    this.picked();
  }

  /** The picked point in code space. */
  code(): [number, number] {
    const [x0, x1, y0, y1] = this.bounds;
    return [x0 + this.pick.u * (x1 - x0), y0 + this.pick.v * (y1 - y0)];
  }

  private picked(): void {
    this.draw();
    const [x, y] = this.code();
    this.onPick(x, y);
  }

  /** New codes: rescales the map to them and redraws (the pick keeps its place on the map). */
  setCodes(codes: Float32Array, labels: Int32Array): void {
    this.codes = codes;
    this.labels = labels;
    this.bounds = boundsOf(codes);
    this.draw();
  }

  /** Draws the decoded image of the picked point. */
  showDecoded(pixels: Float32Array): void {
    const ctx = this.decoded.getContext('2d')!;
    const img = ctx.createImageData(28, 28);
    putDigit(img, pixels, 0, 0, 0);
    ctx.putImageData(img, 0, 0);
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d')!;
    const [x0, x1, y0, y1] = this.bounds;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, SIZE, SIZE);
    for (let i = 0; i < this.labels.length; i++) {
      const px = ((this.codes[2 * i]! - x0) / (x1 - x0)) * SIZE;
      const py = (1 - (this.codes[2 * i + 1]! - y0) / (y1 - y0)) * SIZE;
      ctx.fillStyle = DIGIT_COLORS[this.labels[i]!] ?? '#000';
      ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
    }
    const cx = this.pick.u * SIZE;
    const cy = (1 - this.pick.v) * SIZE;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(cx - 8, cy);
    ctx.lineTo(cx + 8, cy);
    ctx.moveTo(cx, cy - 8);
    ctx.lineTo(cx, cy + 8);
    ctx.stroke();
  }

  /** A legend: one coloured swatch per digit. */
  legend(): HTMLElement {
    return h(
      'p',
      { class: 'hint ae-legend' },
      DIGIT_COLORS.map((c, d) =>
        h(
          'span',
          { class: 'ae-key' },
          h('span', { class: 'ae-swatch', style: `background:${c}` }),
          String(d),
        ),
      ),
    );
  }
}
