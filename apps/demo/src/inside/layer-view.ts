import { fmtNum, h } from '../lib/dom.js';
import { BINS, GRAD_LOG_RANGE, type LayerStats } from './protocol.js';

/** Snapshots kept per layer (columns of the histogram strips). */
const HISTORY = 120;

/**
 * Per-layer histograms over time (x: time, y: value bin, shade: share of the values), for the
 * activations and for their gradients, plus bars with the share of dead units per layer.
 */
export class LayerView {
  readonly root: HTMLElement;
  readonly deadRoot: HTMLElement;
  private rows: {
    label: HTMLElement;
    act: HTMLCanvasElement;
    grad: HTMLCanvasElement;
    actCols: Uint32Array[];
    gradCols: Uint32Array[];
  }[] = [];
  private deadRows: { bar: HTMLElement; val: HTMLElement }[] = [];
  private readonly actHead = h('span', { class: 'head' });

  constructor() {
    this.root = h('div', { class: 'layer-rows' });
    this.deadRoot = h('div', { class: 'bars', 'data-testid': 'dead-units' });
  }

  /** Starts over for a network with `depth` hidden layers. */
  reset(depth: number, deadLabel: string): void {
    this.actHead.textContent = 'Activations';
    this.root.replaceChildren(
      h('span', { class: 'head' }, 'Layer'),
      this.actHead,
      h(
        'span',
        { class: 'head grad-col' },
        `Gradients: log₁₀|∂L/∂a| from ${GRAD_LOG_RANGE[0]} (bottom) to ${GRAD_LOG_RANGE[1]}`,
      ),
    );
    this.rows = Array.from({ length: depth }, (_, l) => {
      const label = h('span', { class: 'lname' }, `${l + 1}`);
      const act = h('canvas', {
        width: HISTORY,
        height: BINS,
        role: 'img',
        'aria-label': `Layer ${l + 1} activation histograms over time`,
      });
      const grad = h('canvas', {
        width: HISTORY,
        height: BINS,
        class: 'grad-col',
        role: 'img',
        'aria-label': `Layer ${l + 1} gradient histograms over time`,
      });
      this.root.append(label, act, grad);
      return { label, act, grad, actCols: [], gradCols: [] };
    });
    this.deadRoot.replaceChildren(
      h('span', { class: 'head', style: 'grid-column:1/-1;font-size:12px;color:var(--muted)' }, deadLabel),
    );
    this.deadRows = Array.from({ length: depth }, (_, l) => {
      const bar = h('span');
      const val = h('span', {}, '–');
      this.deadRoot.append(h('span', {}, `Layer ${l + 1}`), h('div', { class: 'bar' }, bar), val);
      return { bar, val };
    });
  }

  /** Adds one snapshot. */
  push(layers: LayerStats[]): void {
    const first = layers[0];
    if (first)
      this.actHead.textContent = `Activations from ${first.actRange[0]} (bottom) to ${first.actRange[1]}`;
    layers.forEach((s, l) => {
      const row = this.rows[l];
      if (!row) return;
      row.actCols.push(s.actHist);
      row.gradCols.push(s.gradHist);
      if (row.actCols.length > HISTORY) row.actCols.shift();
      if (row.gradCols.length > HISTORY) row.gradCols.shift();
      row.label.textContent = `${l + 1}`;
      row.label.title = `mean ${fmtNum(s.actMean)}, std ${fmtNum(s.actStd)}, weight-gradient norm ${fmtNum(s.gradNorm)}`;
      draw(row.act, row.actCols, [8, 119, 189]);
      draw(row.grad, row.gradCols, [194, 65, 12]);
      const d = this.deadRows[l];
      if (d) {
        d.bar.style.width = `${(s.dead * 100).toFixed(1)}%`;
        d.val.textContent = `${Math.round(s.dead * 100)}%`;
      }
    });
  }
}

function draw(c: HTMLCanvasElement, cols: Uint32Array[], rgb: [number, number, number]): void {
  const img = new ImageData(HISTORY, BINS);
  img.data.fill(255);
  // Time flows to the right from the left edge; once full, the oldest column drops off the left.
  cols.forEach((col, t) => {
    let max = 1;
    for (const v of col) if (v > max) max = v;
    for (let b = 0; b < BINS; b++) {
      const a = Math.sqrt(col[b]! / max);
      const o = 4 * ((BINS - 1 - b) * HISTORY + t);
      img.data[o] = 255 + (rgb[0] - 255) * a;
      img.data[o + 1] = 255 + (rgb[1] - 255) * a;
      img.data[o + 2] = 255 + (rgb[2] - 255) * a;
    }
  });
  c.getContext('2d')!.putImageData(img, 0, 0);
}
