import { LineChart } from '../lib/chart.js';
import { SERIES } from '../lib/colors.js';
import { panel } from '../lib/controls.js';
import { h } from '../lib/dom.js';

/** What the empty charts say before training. */
export const TRAIN_HINT = 'Press Train: the curves appear here as the network learns.';

/** The Digits page's "Loss and accuracy" panel: train and test curves over the steps. */
export class CurvesPanel {
  readonly root: HTMLElement;
  private readonly lossEl = h('div');
  private readonly accEl = h('div');
  private charts: { loss: LineChart; acc: LineChart } | null = null;

  constructor() {
    this.root = panel('Loss and accuracy', this.lossEl, this.accEl);
    this.root.classList.add('wide');
  }

  /** Creates the charts; call once the panel is on the page (they take its width). */
  attach(): void {
    const chart = (el: HTMLElement, what: string, yRange?: [number, number]) =>
      new LineChart(el, {
        xLabel: 'step',
        height: 170,
        empty: TRAIN_HINT,
        ...(yRange ? { yRange } : {}),
        series: [
          { label: `train ${what}`, color: SERIES[1]! },
          { label: `test ${what}`, color: SERIES[0]!, points: true },
        ],
      });
    this.charts = { loss: chart(this.lossEl, 'loss'), acc: chart(this.accEl, 'accuracy', [0, 1]) };
  }

  /** Adds a training point (mean loss and accuracy since the last one). */
  pushTrain(step: number, loss: number, acc: number): void {
    this.charts?.loss.push(step, loss, null);
    this.charts?.acc.push(step, acc, null);
  }

  /** Adds a test evaluation point. */
  pushTest(step: number, loss: number, acc: number): void {
    this.charts?.loss.push(step, null, loss);
    this.charts?.acc.push(step, null, acc);
  }

  /** Empties both charts; `hint`, when given, goes over them. */
  clear(hint?: string): void {
    for (const c of this.charts ? [this.charts.loss, this.charts.acc] : []) {
      c.clear();
      if (hint !== undefined) c.hint(hint);
    }
  }

  /** Frees the charts. */
  destroy(): void {
    this.charts?.loss.destroy();
    this.charts?.acc.destroy();
  }
}
