import { LineChart } from '../lib/chart.js';
import { SERIES } from '../lib/colors.js';
import { checkField, panel } from '../lib/controls.js';
import { DIVERGED_HINT } from '../lib/divergence.js';
import { fmtNum, h } from '../lib/dom.js';
import { OutputView } from './output-view.js';
import type { PointsMessage } from './protocol.js';

const CHART_HINT = 'Press play to train: the loss per epoch appears here.';

/**
 * The Playground's Output panel: test and training loss, the loss chart per epoch, the output
 * heatmap with the data points (OutputView), its colour legend, and the Show test data and
 * Discretize output switches.
 */
export class OutputPanel {
  readonly root: HTMLElement;
  private readonly view = new OutputView();
  private readonly chartEl = h('div', { class: 'loss-chart' });
  private readonly trainLossOut = h('span', { class: 'v', 'data-testid': 'train-loss' }, '–');
  private readonly testLossOut = h('span', { class: 'v', 'data-testid': 'test-loss' }, '–');
  private chart: LineChart | null = null;

  constructor() {
    const out = this.view;
    const showTest = checkField('Show test data', false, (v) => {
      out.showTest = v;
      out.redraw();
    });
    const discretize = checkField('Discretize output', false, (v) => {
      out.discretize = v;
      out.redraw();
    });
    const stat = (k: string, v: HTMLElement) => h('div', { class: 'stat' }, h('span', { class: 'k' }, k), v);
    this.root = panel(
      'Output',
      h(
        'div',
        { class: 'losses' },
        stat('Test loss', this.testLossOut),
        stat('Training loss', this.trainLossOut),
      ),
      this.chartEl,
      out.root,
      h('div', { class: 'legend-bar', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'legend-ticks', 'aria-hidden': 'true' },
        h('span', {}, '−1'),
        h('span', {}, '0'),
        h('span', {}, '+1'),
      ),
      h('div', { class: 'row', style: 'margin-top:8px' }, showTest.root, discretize.root),
    );
    this.root.classList.add('pg-output');
  }

  /** Creates the loss chart; call once the panel is on the page (it takes its width). */
  attach(): void {
    this.chart = new LineChart(this.chartEl, {
      xLabel: 'epoch',
      height: 150,
      empty: CHART_HINT,
      series: [
        { label: 'train', color: SERIES[1]! },
        { label: 'test', color: SERIES[0]! },
      ],
    });
  }

  /** Draws the heatmap as regression (one colour scale) or classification. */
  setRegression(regression: boolean): void {
    this.view.regression = regression;
  }

  /** The data points drawn over the heatmap. */
  setPoints(m: PointsMessage): void {
    this.view.setPoints(m);
  }

  /** Adds an epoch's losses to the chart (a NaN test loss: no test data). Epoch 0 starts it over. */
  pushLosses(epoch: number, trainLoss: number, testLoss: number): void {
    const chart = this.chart;
    if (!chart) return;
    if (epoch === 0) {
      chart.clear();
      chart.hint(CHART_HINT);
    }
    if (chart.length === 0 || epoch > 0)
      chart.push(epoch, trainLoss, Number.isNaN(testLoss) ? null : testLoss);
  }

  /** Shows a snapshot's losses and output. */
  show(trainLoss: number, testLoss: number, output: Float32Array): void {
    this.trainLossOut.textContent = fmtNum(trainLoss);
    this.testLossOut.textContent = Number.isNaN(testLoss) ? '–' : fmtNum(testLoss);
    this.view.setOutput(output);
  }

  /** A diverged run: dashes for the losses; the chart keeps its finite points, with a hint. */
  showDiverged(): void {
    this.trainLossOut.textContent = '–';
    this.testLossOut.textContent = '–';
    this.chart?.hint(DIVERGED_HINT);
  }

  /** Empties the loss chart (the network was rebuilt). */
  clearChart(): void {
    this.chart?.clear();
  }

  /** Frees the chart and the heatmap's observer. */
  dispose(): void {
    this.view.dispose();
    this.chart?.destroy();
  }
}
