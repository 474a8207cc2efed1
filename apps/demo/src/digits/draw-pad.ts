import { h } from '../lib/dom.js';

/** Backing-store size of the drawing canvas (CSS size is set in the stylesheet). */
const RES = 280;
/** Width of a stroke, in backing-store pixels (two MNIST pixels once scaled to 28x28). */
const INK = RES / 14;
/** How far an arrow key moves the keyboard pen: one MNIST pixel (three with Shift). */
const KEY_STEP = RES / 28;

/**
 * A canvas to draw a digit on with mouse, pen, touch or keyboard (white ink on black, as MNIST).
 * Calls `onInk` at most once per animation frame while drawing, with the ink as grey levels in
 * [0, 1]. With the keyboard, the arrow keys move a pen (shown as a ring while the canvas has the
 * focus) and Space or Enter puts it down on the canvas or lifts it.
 */
export class DrawPad {
  /** The canvas and the keyboard pen's marker: what the page lays out. */
  readonly element: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly marker: HTMLDivElement;
  private drawing = false;
  private last: [number, number] | null = null;
  private pending = false;
  /** Keyboard pen: where it is, and whether it is down. */
  private pen: [number, number] = [RES / 2, RES / 2];
  private penDown = false;
  empty = true;

  constructor(private readonly onInk: (ink: Float32Array, size: number) => void) {
    this.canvas = h('canvas', {
      class: 'draw-canvas',
      width: RES,
      height: RES,
      tabindex: 0,
      role: 'application',
      'aria-roledescription': 'drawing pad',
      'aria-label':
        'Drawing area: draw a digit with the mouse, a pen or a finger, or with the keyboard: ' +
        'arrow keys move the pen, Space puts it down or lifts it',
    });
    this.marker = h('div', { class: 'draw-marker', 'aria-hidden': 'true' });
    this.element = h('div', { class: 'draw-pad' }, this.canvas, this.marker);
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    this.placeMarker();
    const c = this.canvas;
    c.addEventListener('keydown', (e) => this.key(e));
    c.addEventListener('blur', () => this.setPen(false));
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

  /** Keyboard drawing: arrows move the pen (drawing while it is down), Space/Enter toggle it. */
  private key(e: KeyboardEvent): void {
    const step = e.shiftKey ? 3 * KEY_STEP : KEY_STEP;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const move = moves[e.key];
    if (move) {
      const from = this.pen;
      const clamp = (v: number) => Math.min(RES - INK / 2, Math.max(INK / 2, v));
      this.pen = [clamp(from[0] + move[0]), clamp(from[1] + move[1])];
      if (this.penDown) this.stroke(from, this.pen);
      this.placeMarker();
    } else if (e.key === ' ' || e.key === 'Enter') {
      this.setPen(!this.penDown);
    } else if (e.key === 'Escape' && this.penDown) {
      this.setPen(false);
    } else {
      return;
    }
    e.preventDefault();
  }

  private setPen(down: boolean): void {
    this.penDown = down;
    if (down) this.stroke(this.pen, this.pen);
    this.placeMarker();
  }

  /** Shows the keyboard pen where it is, in CSS percentages of the canvas. */
  private placeMarker(): void {
    const m = this.marker.style;
    m.left = `${(this.pen[0] / RES) * 100}%`;
    m.top = `${(this.pen[1] / RES) * 100}%`;
    m.width = m.height = `${(INK / RES) * 100}%`;
    this.marker.classList.toggle('down', this.penDown);
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * RES, ((e.clientY - r.top) / r.height) * RES];
  }

  /** Draws a line segment of ink (also used by tests through pointer events). */
  stroke(a: [number, number], b: [number, number]): void {
    const ctx = this.ctx;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = INK;
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
