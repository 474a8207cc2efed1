/** One line of a chart: its name in the legend, its y values (x is the index), its colour. */
export interface ChartSeries {
  name: string;
  values: readonly number[];
  color: string;
}

/** Labels and size of a chart. */
export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round numbers for axis ticks between `lo` and `hi` (about five). */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * A line chart of one or more series as a standalone SVG document (axes, ticks, legend).
 * Non-finite values are left out of the lines; a chart with no finite value is an error.
 */
export function lineChart(series: readonly ChartSeries[], opts: ChartOptions): string {
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  if (finite.length === 0) throw new RangeError(`lineChart: '${opts.title}' has no finite value to draw`);
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const m = { left: 60, right: 20, top: 40, bottom: 50 };
  const n = Math.max(...series.map((s) => s.values.length));
  const yTicks = ticks(Math.min(0, ...finite), Math.max(...finite));
  const yMin = Math.min(yTicks[0]!, ...finite);
  const yMax = Math.max(yTicks.at(-1)!, ...finite);
  const px = (i: number) => m.left + (n > 1 ? (i / (n - 1)) * (width - m.left - m.right) : 0);
  const py = (v: number) =>
    height - m.bottom - (yMax > yMin ? ((v - yMin) / (yMax - yMin)) * (height - m.top - m.bottom) : 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(opts.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title)}</text>`,
    `<line x1="${m.left}" y1="${height - m.bottom}" x2="${width - m.right}" y2="${height - m.bottom}" stroke="black"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${height - m.bottom}" stroke="black"/>`,
  ];
  for (const v of yTicks) {
    const y = py(v).toFixed(1);
    parts.push(`<line x1="${m.left - 4}" y1="${y}" x2="${width - m.right}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${v}</text>`);
  }
  for (const v of ticks(0, Math.max(0, n - 1))) {
    const x = px(v).toFixed(1);
    parts.push(`<text x="${x}" y="${height - m.bottom + 16}" text-anchor="middle">${v}</text>`);
  }
  parts.push(`<text x="${width / 2}" y="${height - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(16 ${height / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const pts = s.values.flatMap((v, i) =>
      Number.isFinite(v) ? [`${px(i).toFixed(1)},${py(v).toFixed(1)}`] : [],
    );
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    const ly = m.top + 8 + 18 * k;
    parts.push(
      `<line x1="${width - 190}" y1="${ly}" x2="${width - 170}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${width - 165}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The mean of each window of `k` consecutive values ending at each index (shorter at the start). */
export function runningMean(values: readonly number[], k: number): number[] {
  let sum = 0;
  return values.map((v, i) => {
    sum += v;
    if (i >= k) sum -= values[i - k]!;
    return sum / Math.min(i + 1, k);
  });
}
