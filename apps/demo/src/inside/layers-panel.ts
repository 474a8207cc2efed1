import { LineChart } from '../lib/chart.js';
import { panel } from '../lib/controls.js';
import { DIVERGED_HINT } from '../lib/divergence.js';
import { h } from '../lib/dom.js';
import { LayerView } from './layer-view.js';
import type { InsideConfig, LayerStats } from './protocol.js';

/** Blues from light (first layer) to dark (output), one per series. */
function layerColours(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const t = n === 1 ? 1 : i / (n - 1);
    const c = (a: number, b: number) => Math.round(a + (b - a) * t);
    return `rgb(${c(120, 8)},${c(190, 48)},${c(230, 107)})`;
  });
}

/**
 * The Inside page's "Every layer, over time" panel: histogram strips of activations and gradients
 * per layer, the weight-gradient norm of every layer (log chart) and the dead/saturated units.
 */
export class LayersPanel {
  readonly root: HTMLElement;
  private readonly layers = new LayerView();
  private readonly stripHint = h(
    'p',
    { class: 'hint', 'data-testid': 'strips-hint' },
    'Press Train: every snapshot adds a column on the right of each strip.',
  );
  private readonly normEl = h('div');
  private readonly deadTitle = h('h3', {}, 'Dead units');
  private normChart: LineChart | null = null;

  constructor() {
    this.root = panel(
      'Every layer, over time',
      h(
        'p',
        { class: 'hint', style: 'margin-top:0' },
        'Each strip is a histogram per snapshot (time flows to the right, over the last 120 snapshots; darker = more values in that bin), measured on all 500 points. Hover a layer number for its statistics.',
      ),
      this.stripHint,
      this.layers.root,
      h('h3', {}, 'Weight-gradient norm per layer (log scale)'),
      this.normEl,
      this.deadTitle,
      this.layers.deadRoot,
    );
  }

  /** Starts the strips and the chart over for `config`'s network (call once the panel is on the page). */
  reset(config: InsideConfig): void {
    this.normChart?.destroy();
    this.normEl.replaceChildren();
    const names = [...Array.from({ length: config.depth }, (_, i) => `L${i + 1}`), 'out'];
    const colours = layerColours(names.length);
    this.normChart = new LineChart(this.normEl, {
      xLabel: 'step',
      yLog: true,
      height: 190,
      empty: 'Press Train: the gradient norm of every layer appears here, step by step.',
      series: names.map((n, i) => ({ label: n, color: colours[i]! })),
    });
    const relu = config.activation === 'relu' || config.activation === 'leakyrelu';
    const deadLabel = relu
      ? 'Share of units whose ReLU output is 0 on every point (they get no gradient)'
      : 'Share of units saturated on every point (|output| near the limits)';
    this.deadTitle.textContent = relu ? 'Dead ReLU units' : 'Saturated units';
    this.layers.reset(config.depth, deadLabel);
  }

  /** Adds a snapshot's statistics (one column per strip, one point per chart line). */
  push(step: number, layers: LayerStats[], outputGradNorm: number): void {
    this.normChart?.push(step, ...layers.map((l) => l.gradNorm), outputGradNorm);
    this.layers.push(layers);
  }

  /** A diverged run: the strips and chart keep the last finite statistics, with a hint. */
  showDiverged(): void {
    this.stripHint.hidden = true;
    this.normChart?.hint(DIVERGED_HINT);
  }

  /** Hides the "press Train" hint once training has started. */
  showStarted(step: number): void {
    this.stripHint.hidden = step > 0;
  }

  /** Frees the chart. */
  destroy(): void {
    this.normChart?.destroy();
  }
}
