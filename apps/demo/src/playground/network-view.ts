import { divergingCss } from '../lib/colors.js';
import { fmtNum, h, svg } from '../lib/dom.js';
import { absMax, drawGrid } from '../lib/heatmap.js';
import { DOMAIN, GRID, type SnapshotMessage } from './protocol.js';
import {
  FEATURE_LABELS,
  FEATURES,
  type FeatureName,
  featureValue,
  MAX_LAYERS,
  MAX_NEURONS,
  type PlaygroundState,
} from './state.js';

/** What the diagram's buttons ask for. */
export interface NetworkEdits {
  toggleFeature(f: FeatureName): void;
  setLayers(layers: number[]): void;
}

const NODE = 34;
const GAP = 10;
const HEAD = 58;
const FEATURE_RES = 24;

/**
 * The network diagram: input features (toggle buttons with their heatmaps), hidden layers (a
 * heatmap per neuron, buttons to add and remove layers and neurons), the output node, and a link
 * per weight whose width and colour show its value (hover for the number).
 */
export class NetworkView {
  readonly root: HTMLElement;
  private readonly net: HTMLElement;
  private readonly links: SVGSVGElement;
  private readonly layerCount: HTMLElement;
  private state: PlaygroundState | null = null;
  /** Neuron canvases per hidden layer, and the output node's canvas. */
  private neuronCanvases: HTMLCanvasElement[][] = [];
  private outputCanvas: HTMLCanvasElement | null = null;
  /** Link paths per linear layer, [out][in] flattened. */
  private linkPaths: SVGPathElement[][] = [];
  private readonly observer: ResizeObserver;
  private width = 0;

  constructor(private readonly edits: NetworkEdits) {
    this.layerCount = h('span', { class: 'layer-count' });
    const add = h(
      'button',
      { type: 'button', 'aria-label': 'Add a hidden layer', onclick: () => this.addLayer() },
      '+',
    );
    const remove = h(
      'button',
      { type: 'button', 'aria-label': 'Remove the last hidden layer', onclick: () => this.removeLayer() },
      '−',
    );
    this.links = svg('svg', { class: 'links', 'aria-hidden': 'true' });
    this.net = h('div', { class: 'net' });
    this.root = h(
      'div',
      {},
      h('div', { class: 'row', style: 'margin-bottom:6px' }, add, remove, this.layerCount),
      h('div', { class: 'net-wrap' }, this.net),
      h(
        'p',
        { class: 'hint' },
        'Click a feature to use it or not. Link colour: weight sign (blue +, orange −); width: magnitude. Hover a link for its value.',
      ),
    );
    this.observer = new ResizeObserver(() => {
      const w = this.root.clientWidth;
      if (w > 0 && Math.abs(w - this.width) > 4 && this.state) {
        this.width = w;
        this.layout(this.state);
      }
    });
    this.observer.observe(this.root);
  }

  private addLayer(): void {
    const s = this.state;
    if (s && s.layers.length < MAX_LAYERS) this.edits.setLayers([...s.layers, s.layers.at(-1) ?? 2]);
  }

  private removeLayer(): void {
    const s = this.state;
    if (s && s.layers.length > 0) this.edits.setLayers(s.layers.slice(0, -1));
  }

  private changeNeurons(layer: number, delta: number): void {
    const s = this.state;
    if (!s) return;
    const n = s.layers[layer]! + delta;
    if (n < 1 || n > MAX_NEURONS) return;
    const layers = s.layers.slice();
    layers[layer] = n;
    this.edits.setLayers(layers);
  }

  /** Rebuilds the diagram for a (new) network structure. */
  setStructure(state: PlaygroundState): void {
    this.state = state;
    this.width = this.root.clientWidth;
    this.layout(state);
  }

  private layout(s: PlaygroundState): void {
    const cols = s.layers.length + 2;
    const avail = Math.max(this.width - 70, 300);
    const colW = Math.max(72, Math.min(120, Math.floor(avail / cols)));
    const rows = Math.max(FEATURES.length, ...s.layers);
    const width = 70 + colW * (cols - 1) + NODE;
    const height = HEAD + rows * (NODE + GAP);
    this.net.style.width = `${width}px`;
    this.net.style.height = `${height}px`;
    this.links.setAttribute('width', String(width));
    this.links.setAttribute('height', String(height));
    this.links.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.net.replaceChildren(this.links);
    this.links.replaceChildren();
    this.layerCount.textContent = `${s.layers.length} hidden layer${s.layers.length === 1 ? '' : 's'}`;

    const x = (col: number) => 70 + col * colW;
    const y = (row: number) => HEAD + row * (NODE + GAP);
    const centre = (col: number, row: number): [number, number] => [x(col) + NODE / 2, y(row) + NODE / 2];

    // Features.
    this.net.append(this.head(x(0), 'Features', null));
    const featurePos = new Map<FeatureName, number>();
    FEATURES.forEach((f, i) => {
      const on = s.features.includes(f);
      featurePos.set(f, i);
      const c = h('canvas', { width: FEATURE_RES, height: FEATURE_RES });
      const btn = h(
        'button',
        {
          type: 'button',
          class: 'neuron feature',
          'aria-pressed': String(on),
          'aria-label': `Feature ${FEATURE_LABELS[f]}${on ? ' (in use)' : ''}`,
          'data-feature': f,
          style: `left:${x(0)}px;top:${y(i)}px;width:${NODE}px;height:${NODE}px`,
          onclick: () => this.edits.toggleFeature(f),
        },
        c,
        h('span', { class: 'name', 'aria-hidden': 'true' }, FEATURE_LABELS[f]),
      );
      drawFeature(c, f);
      this.net.append(btn);
    });

    // Hidden layers.
    this.neuronCanvases = s.layers.map((n, l) => {
      const col = l + 1;
      this.net.append(this.head(x(col), `${n} neuron${n === 1 ? '' : 's'}`, l));
      return Array.from({ length: n }, (_, j) => {
        const c = h('canvas', { width: GRID, height: GRID });
        this.net.append(
          h(
            'div',
            {
              class: 'neuron',
              title: `Layer ${l + 1}, neuron ${j + 1}`,
              style: `left:${x(col)}px;top:${y(j)}px;width:${NODE}px;height:${NODE}px`,
            },
            c,
          ),
        );
        return c;
      });
    });

    // Output.
    const outCol = s.layers.length + 1;
    this.net.append(this.head(x(outCol), 'Output', null));
    this.outputCanvas = h('canvas', { width: GRID, height: GRID });
    this.net.append(
      h(
        'div',
        {
          class: 'neuron',
          title: 'Output',
          style: `left:${x(outCol)}px;top:${y(0)}px;width:${NODE}px;height:${NODE}px`,
        },
        this.outputCanvas,
      ),
    );

    // Links: one per weight, from each input of a linear layer to each of its outputs.
    const sources: [number, number][][] = [s.features.map((f) => centre(0, featurePos.get(f)!))];
    s.layers.forEach((n, l) => {
      sources.push(Array.from({ length: n }, (_, j) => centre(l + 1, j)));
    });
    sources.push([centre(outCol, 0)]);
    this.linkPaths = [];
    for (let l = 0; l + 1 < sources.length; l++) {
      const from = sources[l]!;
      const to = sources[l + 1]!;
      const paths: SVGPathElement[] = [];
      for (const [tx, ty] of to) {
        for (const [fx, fy] of from) {
          const x0 = fx + NODE / 2;
          const x1 = tx - NODE / 2;
          const mx = (x0 + x1) / 2;
          const p = svg('path', {
            d: `M${x0},${fy} C${mx},${fy} ${mx},${ty} ${x1},${ty}`,
            fill: 'none',
            stroke: '#c8ced6',
            'stroke-width': 1,
          });
          p.append(svg('title', {}, ''));
          paths.push(p);
          this.links.append(p);
        }
      }
      this.linkPaths.push(paths);
    }
  }

  private head(left: number, text: string, layer: number | null): HTMLElement {
    const el = h('div', { class: 'col-head', style: `left:${left - 20}px;top:0;width:${NODE + 40}px` });
    if (layer !== null) {
      el.append(
        h(
          'div',
          { class: 'row' },
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Add a neuron to layer ${layer + 1}`,
              onclick: () => this.changeNeurons(layer, 1),
            },
            '+',
          ),
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Remove a neuron from layer ${layer + 1}`,
              onclick: () => this.changeNeurons(layer, -1),
            },
            '−',
          ),
        ),
      );
    } else {
      el.append(h('div', { style: 'height:24px' }));
    }
    el.append(h('div', {}, text));
    return el;
  }

  /** Draws neuron heatmaps and link weights from a snapshot. */
  update(snap: SnapshotMessage): void {
    const cells = GRID * GRID;
    snap.neurons.forEach((acts, l) => {
      const canvases = this.neuronCanvases[l];
      if (!canvases) return;
      canvases.forEach((c, j) => {
        const v = acts.subarray(j * cells, (j + 1) * cells);
        drawGrid(c, v, GRID, GRID, { scale: absMax(v) });
      });
    });
    if (this.outputCanvas) drawGrid(this.outputCanvas, snap.output, GRID, GRID);
    snap.weights.forEach((w, l) => {
      const paths = this.linkPaths[l];
      if (!paths || paths.length !== w.length) return;
      for (let i = 0; i < w.length; i++) {
        const p = paths[i]!;
        const v = w[i]!;
        p.setAttribute('stroke', divergingCss(Math.sign(v) * Math.min(1, 0.25 + Math.abs(v))));
        p.setAttribute('stroke-width', String(0.6 + Math.min(Math.abs(v), 3) * 1.6));
        p.firstChild!.textContent = `weight ${fmtNum(v)}`;
      }
    });
  }

  /** Stops following resizes. */
  dispose(): void {
    this.observer.disconnect();
  }
}

function drawFeature(c: HTMLCanvasElement, f: FeatureName): void {
  const vals = new Float32Array(FEATURE_RES * FEATURE_RES);
  for (let r = 0; r < FEATURE_RES; r++) {
    for (let q = 0; q < FEATURE_RES; q++) {
      const x1 = -DOMAIN + ((q + 0.5) * 2 * DOMAIN) / FEATURE_RES;
      const x2 = DOMAIN - ((r + 0.5) * 2 * DOMAIN) / FEATURE_RES;
      vals[r * FEATURE_RES + q] = featureValue(f, x1, x2);
    }
  }
  drawGrid(c, vals, FEATURE_RES, FEATURE_RES, { scale: absMax(vals) });
}
