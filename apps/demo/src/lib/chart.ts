import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtNum, h } from './dom.js';
import { labelWidth, logSplits, ticks } from './ticks.js';

/** One line of a chart. */
export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
  /** Draw points (for sparse series such as test evaluations). */
  points?: boolean;
}

/** Options of `LineChart`. */
export interface LineChartOptions {
  series: SeriesSpec[];
  /** Label of the x axis. */
  xLabel: string;
  /** Fixed y range (default: fit the data). */
  yRange?: [number, number];
  /** Logarithmic y axis (base 10). */
  yLog?: boolean;
  height?: number;
  /** One line shown over the chart until it has a line (two points), such as "Press Train". */
  empty?: string;
}

const AXIS_FONT = '11px system-ui';
let measurer: CanvasRenderingContext2D | null = null;

/** Width of `text` in the axis font, in CSS pixels. */
function textWidth(text: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return text.length * 7;
  measurer.font = AXIS_FONT;
  return measurer.measureText(text).width;
}

/** The y axis's width: its widest label, the tick marks and a gap (so no label is clipped). */
function yAxisSize(_u: uPlot, values: string[] | null): number {
  return Math.max(36, Math.ceil(labelWidth(values, textWidth) + 10 + 5 + 6));
}

/**
 * A responsive line chart (uPlot): x values and one y array per series, nulls for gaps. It fills
 * the width of its container and follows its resizes. The container gets an aria-label with the
 * latest values, for screen readers.
 */
export class LineChart {
  private readonly plot: uPlot;
  private readonly observer: ResizeObserver;
  private x: number[] = [];
  private ys: (number | null)[][];
  private readonly emptyNote: HTMLElement | null;

  constructor(
    private readonly target: HTMLElement,
    private readonly opts: LineChartOptions,
  ) {
    this.ys = opts.series.map(() => []);
    target.classList.add('chart');
    target.setAttribute('role', 'img');
    const height = opts.height ?? 180;
    const width = Math.max(200, target.clientWidth || 300);
    this.plot = new uPlot(
      {
        width,
        height,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false }, points: { size: 5 } },
        scales: {
          // Curves start at step/epoch 0, even when the first point comes later.
          x: { time: false, range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] },
          y: opts.yLog
            ? { distr: 3, log: 10 }
            : opts.yRange
              ? { range: () => opts.yRange as [number, number] }
              : {},
        },
        axes: [
          {
            label: opts.xLabel,
            labelSize: 18,
            size: 30,
            font: AXIS_FONT,
            labelFont: AXIS_FONT,
          },
          {
            size: yAxisSize,
            font: AXIS_FONT,
            values: (_u, vals) => ticks(vals, opts.yLog === true),
            // Decades only, a few of them: a gradient norm can span ten.
            ...(opts.yLog
              ? { splits: (_u: uPlot, _i: number, min: number, max: number) => logSplits(min, max, 5) }
              : {}),
          },
        ],
        series: [
          {},
          ...opts.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 1.5,
            dash: s.dash,
            spanGaps: true,
            // A line needs two points: a lone one (the first report, a loaded model) is drawn as a dot.
            points: { show: s.points ? true : (u: uPlot) => u.data[0].length <= 2, size: 4, fill: s.color },
            value: (_u: uPlot, v: number | null) => (v == null ? '–' : fmtNum(v)),
          })),
        ],
      },
      [[], ...opts.series.map(() => [])],
      target,
    );
    this.emptyNote = opts.empty ? h('div', { class: 'chart-empty' }, opts.empty) : null;
    if (this.emptyNote) target.append(this.emptyNote);
    this.observer = new ResizeObserver(() => {
      const w = target.clientWidth;
      if (w > 0 && Math.abs(w - this.plot.width) > 2) this.plot.setSize({ width: w, height });
    });
    this.observer.observe(target);
    this.describe();
  }

  /** Replaces all data. */
  set(x: number[], ys: (number | null)[][]): void {
    this.x = x;
    this.ys = ys;
    this.redraw();
  }

  /** Appends one point per series (null: no value at this x); at the same x as the last point, fills its gaps. */
  push(x: number, ...ys: (number | null)[]): void {
    const v = (i: number) => (this.opts.yLog ? positive(ys[i] ?? null) : (ys[i] ?? null));
    if (this.x.length > 0 && this.x[this.x.length - 1] === x) {
      this.ys.forEach((arr, i) => {
        const y = v(i);
        if (y !== null) arr[arr.length - 1] = y;
      });
    } else {
      this.x.push(x);
      this.ys.forEach((arr, i) => {
        arr.push(v(i));
      });
    }
    this.redraw();
  }

  /** Changes the line shown over the chart until it has a line (see `empty`). */
  hint(text: string): void {
    if (this.emptyNote) this.emptyNote.textContent = text;
  }

  /** Removes all points. */
  clear(): void {
    this.set(
      [],
      this.opts.series.map(() => []),
    );
  }

  /** Number of points. */
  get length(): number {
    return this.x.length;
  }

  private pending = 0;

  /** Redraws at the next animation frame (many pushes in one frame cost one redraw). */
  private redraw(): void {
    if (this.pending !== 0) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.plot.setData([this.x, ...this.ys] as uPlot.AlignedData);
      if (this.emptyNote) {
        this.emptyNote.hidden = this.x.length > 1;
        // Over an empty chart; under a chart with one point, so that it does not hide the point.
        this.emptyNote.classList.toggle('below', this.x.length === 1);
      }
      this.describe();
    });
  }

  private describe(): void {
    const last = this.opts.series.map((s, i) => {
      const arr = this.ys[i] ?? [];
      let v: number | null = null;
      for (let j = arr.length - 1; j >= 0 && v === null; j--) v = arr[j] ?? null;
      return `${s.label} ${v === null ? 'none yet' : fmtNum(v)}`;
    });
    this.target.setAttribute('aria-label', `Chart over ${this.opts.xLabel}: ${last.join(', ')}`);
  }

  /** Stops following resizes and removes the chart. */
  destroy(): void {
    cancelAnimationFrame(this.pending);
    this.observer.disconnect();
    this.plot.destroy();
  }
}

function positive(v: number | null): number | null {
  return v === null || !(v > 0) ? null : v;
}
