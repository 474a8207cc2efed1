import { h } from '../lib/dom.js';
import { absMax, drawGrid } from '../lib/heatmap.js';

/** Draws a grey image (values in [0, 1], ink white on black, as MNIST) into a canvas. */
export function drawGray(c: HTMLCanvasElement, v: ArrayLike<number>, rows: number, cols: number): void {
  const img = new ImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const g = Math.max(0, Math.min(255, v[i]! * 255));
    img.data[4 * i] = g;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = g;
    img.data[4 * i + 3] = 255;
  }
  c.width = cols;
  c.height = rows;
  c.getContext('2d')!.putImageData(img, 0, 0);
}

/**
 * A row of small canvases, one per [count, rows, cols] slice: signed values (filters) with the
 * diverging palette scaled to the largest magnitude, non-negative ones (activations) in blues.
 */
export function drawTiles(
  root: HTMLElement,
  values: Float32Array,
  shape: readonly [number, number, number],
  opts: { signed: boolean; size: number; label: string },
): void {
  const [n, rows, cols] = shape;
  const per = rows * cols;
  const tiles: HTMLCanvasElement[] = [];
  for (let k = 0; k < n; k++) {
    const v = values.subarray(k * per, (k + 1) * per);
    const c = h('canvas', {
      width: cols,
      height: rows,
      title: `${opts.label} ${k + 1}`,
      style: `width:${opts.size}px;height:${Math.round((opts.size * rows) / cols)}px`,
    });
    if (opts.signed) {
      drawGrid(c, v, rows, cols, { scale: absMax(v), smooth: false });
    } else {
      drawGrid(c, v, rows, cols, { palette: 'sequential', scale: absMax(v), smooth: false });
    }
    tiles.push(c);
  }
  root.replaceChildren(...tiles);
}

/** The confusion matrix: rows are true digits, columns predictions; cell shade = share of the row. */
export function drawConfusion(c: HTMLCanvasElement, m: Int32Array): void {
  const size = c.clientWidth || 300;
  const dpr = Math.min(globalThis.devicePixelRatio || 1, 2);
  c.width = Math.round(size * dpr);
  c.height = Math.round(size * dpr);
  const ctx = c.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, size, size);
  const pad = 22;
  const cell = (size - pad) / 10;
  ctx.font = `${Math.max(8, Math.min(12, cell * 0.34))}px system-ui`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let t = 0; t < 10; t++) {
    let rowSum = 0;
    for (let p = 0; p < 10; p++) rowSum += m[t * 10 + p]!;
    ctx.fillStyle = '#5f6b7a';
    ctx.fillText(String(t), pad / 2, pad + (t + 0.5) * cell);
    ctx.fillText(String(t), pad + (t + 0.5) * cell, pad / 2);
    for (let p = 0; p < 10; p++) {
      const v = m[t * 10 + p]!;
      const share = rowSum > 0 ? v / rowSum : 0;
      const a = t === p ? share : Math.min(1, share * 4);
      const [r, g, b] = t === p ? [8, 119, 189] : [214, 39, 40];
      ctx.fillStyle = `rgb(${255 + (r - 255) * a},${255 + (g - 255) * a},${255 + (b - 255) * a})`;
      ctx.fillRect(pad + p * cell, pad + t * cell, cell - 1, cell - 1);
      if (v > 0 && cell > 16) {
        ctx.fillStyle = a > 0.55 ? '#fff' : '#1f2933';
        ctx.fillText(String(v), pad + (p + 0.5) * cell, pad + (t + 0.5) * cell);
      }
    }
  }
}

/** A probability as a percentage for display ("<0.1%" for tiny ones). */
export function percent(p: number): string {
  const v = p * 100;
  if (v < 0.1) return '<0.1%';
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}%`;
}

/** Probability bars for the ten digits; returns an updater. */
export function probabilityBars(root: HTMLElement): (probs: Float32Array | null) => void {
  const rows = Array.from({ length: 10 }, (_, d) => {
    const bar = h('span');
    const val = h('span', {}, '–');
    const label = h('span', {}, String(d));
    root.append(label, h('div', { class: 'bar' }, bar), val);
    return { bar, val, label };
  });
  return (probs) => {
    let best = -1;
    if (probs) for (let d = 0; d < 10; d++) if (best < 0 || probs[d]! > probs[best]!) best = d;
    rows.forEach((r, d) => {
      const p = probs ? probs[d]! : 0;
      r.bar.style.width = `${(p * 100).toFixed(1)}%`;
      r.val.textContent = probs ? percent(p) : '–';
      r.label.className = d === best ? 'top' : '';
      r.val.className = d === best ? 'top' : '';
    });
  };
}
