import { h } from '../lib/dom.js';

/** Backing-store size of the drawing canvas (CSS size is set in the stylesheet). */
const RES = 280;

/**
 * A canvas to draw a digit on with mouse, pen or touch (white ink on black, as MNIST). Calls
 * `onInk` at most once per animation frame while drawing, with the ink as grey levels in [0, 1].
 * Keyboard users can clear it; the page offers test images as the keyboard alternative to drawing.
 */
export class DrawPad {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: [number, number] | null = null;
  private pending = false;
  empty = true;

  constructor(private readonly onInk: (ink: Float32Array, size: number) => void) {
    this.canvas = h('canvas', {
      class: 'draw-canvas',
      width: RES,
      height: RES,
      role: 'img',
      'aria-label': 'Drawing area: draw a digit with the mouse, a pen or a finger',
    });
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    c.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [e];
      for (const ev of events.length > 0 ? events : [e]) {
        const p = this.point(ev);
        this.stroke(this.last ?? p, p);
        this.last = p;
      }
    });
    const end = () => {
      this.drawing = false;
      this.last = null;
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * RES, ((e.clientY - r.top) / r.height) * RES];
  }

  /** Draws a line segment of ink (also used by tests through pointer events). */
  stroke(a: [number, number], b: [number, number]): void {
    const ctx = this.ctx;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = RES / 14;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
    this.empty = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.onInk(this.ink(), RES);
    });
  }

  /** The ink as grey levels in [0, 1], row-major RES x RES. */
  ink(): Float32Array {
    const px = this.ctx.getImageData(0, 0, RES, RES).data;
    const out = new Float32Array(RES * RES);
    for (let i = 0; i < out.length; i++) out[i] = px[4 * i]! / 255;
    return out;
  }

  /** Erases the drawing. */
  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, RES, RES);
    this.empty = true;
  }
}
