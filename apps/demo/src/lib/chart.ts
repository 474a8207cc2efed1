import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtNum } from './dom.js';
import { ticks } from './ticks.js';

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
            font: '11px system-ui',
            labelFont: '11px system-ui',
          },
          {
            size: 50,
            font: '11px system-ui',
            values: (_u, vals) => ticks(vals, opts.yLog === true),
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
            points: { show: s.points ?? false, size: 4, fill: s.color },
            value: (_u: uPlot, v: number | null) => (v == null ? '–' : fmtNum(v)),
          })),
        ],
      },
      [[], ...opts.series.map(() => [])],
      target,
    );
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
