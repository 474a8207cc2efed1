import { BLUE, divergingCss, ORANGE } from '../lib/colors.js';
import { h, sizeCanvas } from '../lib/dom.js';
import { drawGrid } from '../lib/heatmap.js';
import { DOMAIN, GRID, type PointsMessage } from './protocol.js';

/**
 * The output heatmap with the data points on top: training points outlined in white, test
 * points in black. Canvas sizes follow the container.
 */
export class OutputView {
  readonly root: HTMLElement;
  readonly heat: HTMLCanvasElement;
  private readonly dots: HTMLCanvasElement;
  private readonly observer: ResizeObserver;
  private output: Float32Array | null = null;
  private points: PointsMessage | null = null;
  private size = 0;
  showTest = false;
  discretize = false;
  regression = false;

  constructor() {
    this.heat = h('canvas', { 'aria-hidden': 'true', class: 'heat' });
    this.dots = h('canvas', {
      role: 'img',
      'aria-label': 'Decision map of the network output, with the training points',
    });
    this.root = h('div', { class: 'out-canvas-wrap' }, this.heat, this.dots);
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.root);
  }

  private resize(): void {
    const w = Math.round(this.root.clientWidth);
    if (w === 0 || w === this.size) return;
    this.size = w;
    sizeCanvas(this.dots, w, w);
    this.dots.style.width = '100%';
    this.dots.style.height = '100%';
    this.drawHeat();
    this.drawPoints();
  }

  /** New network output on the grid. */
  setOutput(output: Float32Array): void {
    this.output = output;
    this.drawHeat();
  }

  /** New data points. */
  setPoints(p: PointsMessage): void {
    this.points = p;
    this.drawPoints();
  }

  /** Redraws after an option change. */
  redraw(): void {
    this.drawHeat();
    this.drawPoints();
  }

  private drawHeat(): void {
    if (!this.output || this.size === 0) return;
    const v = this.discretize ? this.output.map((x) => (x >= 0 ? 1 : -1)) : this.output;
    drawGrid(this.heat, v, GRID, GRID, { smooth: !this.discretize });
  }

  private drawPoints(): void {
    if (!this.points || this.size === 0) return;
    const ctx = this.dots.getContext('2d')!;
    const s = this.size;
    ctx.clearRect(0, 0, s, s);
    const px = (v: number) => ((v + DOMAIN) / (2 * DOMAIN)) * s;
    const py = (v: number) => ((DOMAIN - v) / (2 * DOMAIN)) * s;
    const r = Math.max(2.5, s / 110);
    const draw = (x: Float32Array, y: Float32Array, stroke: string) => {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1;
      for (let i = 0; i < y.length; i++) {
        ctx.beginPath();
        ctx.arc(px(x[2 * i]!), py(x[2 * i + 1]!), r, 0, 2 * Math.PI);
        ctx.fillStyle = this.regression ? divergingCss(y[i]!) : rgb(y[i]! > 0.5 ? BLUE : ORANGE);
        ctx.fill();
        ctx.stroke();
      }
    };
    draw(this.points.trainX, this.points.trainY, '#ffffff');
    if (this.showTest) draw(this.points.testX, this.points.testY, '#000000');
  }

  /** Stops following resizes. */
  dispose(): void {
    this.observer.disconnect();
  }
}

function rgb(c: readonly number[]): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Draws a dataset preview (points only) into a small canvas. */
export function drawThumb(c: HTMLCanvasElement, x: Float32Array, y: Float32Array, regression: boolean): void {
  const ctx = c.getContext('2d')!;
  const s = c.width;
  ctx.fillStyle = '#f4f6f8';
  ctx.fillRect(0, 0, s, s);
  for (let i = 0; i < y.length; i++) {
    const px = ((x[2 * i]! + DOMAIN) / (2 * DOMAIN)) * s;
    const py = ((DOMAIN - x[2 * i + 1]!) / (2 * DOMAIN)) * s;
    ctx.fillStyle = regression ? divergingCss(y[i]!) : rgb(y[i]! > 0.5 ? BLUE : ORANGE);
    ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
  }
}
