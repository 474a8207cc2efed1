import { type DType, isFloating, type TypedArray } from './dtype.js';
import { fmt } from './shape.js';
import type { Tensor } from './tensor.js';

// PyTorch's tensor printing (torch/_tensor_str.py) with its default options: 4 decimals, tensors
// of more than 1000 elements summarised to 3 items at each end of every dim, rows wrapped at 80
// characters, values right-aligned to a common width. Instead of PyTorch's optional suffixes the
// shape, dtype and device are always printed.

const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 4;
const LINE_WIDTH = 80;

/** PyTorch-style printout: `tensor([[1., 2.], ...], shape=[2,2], dtype=float32, device=cpu)`. */
export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return `tensor(<disposed>, shape=${fmt(t.shape)}, dtype=${t.dtype})`;
  const tail = `shape=${fmt(t.shape)}, dtype=${t.dtype}, device=${t.device}`;
  if (t.backend.readSync === undefined) return `tensor(<on ${t.device}: await t.data()>, ${tail})`;
  return `tensor(${formatValues(t.dataSync(), t.shape, t.dtype)}, ${tail})`;
}

/**
 * The printout `console.log` shows (Node's `util.inspect`): `formatTensor`, except that a tensor
 * whose values cannot be read prints the reason instead of throwing out of a log call.
 */
export function inspectTensor(t: Tensor): string {
  try {
    return formatTensor(t);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return `tensor(<unreadable: ${why}>, shape=${fmt(t.shape)}, dtype=${t.dtype})`;
  }
}

/**
 * The bracketed body of a printout for row-major `data` of `shape` (without `tensor(` and the
 * tail), as PyTorch lays it out after the 7 characters of `tensor(`.
 */
export function formatValues(data: TypedArray, shape: readonly number[], dtype: DType): string {
  if (data.length === 0) return '[]';
  const summarise = data.length > THRESHOLD;
  const f = new Formatter(summarise ? visibleValues(data, shape) : Array.from(data), dtype);
  if (shape.length === 0) return f.format(data[0]!);
  return render(data, shape, rowMajorStrides(shape), 0, 0, f, summarise, 'tensor('.length);
}

/** Chooses integer, fixed or scientific notation and the common width, as PyTorch's _Formatter. */
class Formatter {
  private readonly floating: boolean;
  private readonly bool: boolean;
  private intMode = true;
  private sciMode = false;
  private width = 1;

  constructor(values: readonly number[], dtype: DType) {
    this.floating = isFloating(dtype);
    this.bool = dtype === 'bool';
    if (!this.floating) {
      for (const v of values) this.width = Math.max(this.width, this.format(v, false).length);
      return;
    }
    const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (nz.length === 0) return;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const v of nz) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (this.intMode && v !== Math.ceil(v)) this.intMode = false;
    }
    this.sciMode = max / min > 1000 || max > 1e8 || (!this.intMode && min < 1e-4);
    for (const v of nz) {
      const s = this.sciMode ? sci(v) : this.intMode ? `${v.toFixed(0)}.` : v.toFixed(PRECISION);
      this.width = Math.max(this.width, s.length);
    }
  }

  /** One value, right-aligned to the common width unless `pad` is false. */
  format(v: number, pad = true): string {
    let s: string;
    if (this.bool) s = v !== 0 ? 'True' : 'False';
    else if (!this.floating) s = String(v);
    else if (Number.isNaN(v)) s = 'nan';
    else if (!Number.isFinite(v)) s = v > 0 ? 'inf' : '-inf';
    else if (this.sciMode) s = sci(v);
    else if (this.intMode) s = `${v.toFixed(0)}.`;
    else s = v.toFixed(PRECISION);
    return pad && s.length < this.width ? ' '.repeat(this.width - s.length) + s : s;
  }

  /** Width of one formatted value. */
  get valueWidth(): number {
    return this.width;
  }
}

/** Python's `{:.4e}`: the exponent has at least two digits. */
function sci(v: number): string {
  const s = v.toExponential(PRECISION);
  const e = s.indexOf('e');
  const sign = s[e + 1]!;
  const digits = s.slice(e + 2);
  return `${s.slice(0, e)}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Indices shown along a dim of size n: all, or EDGE at each end with -1 marking the gap. */
function shownIndices(n: number, summarise: boolean): number[] {
  if (!summarise || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [
    ...Array.from({ length: EDGE }, (_, i) => i),
    -1,
    ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i),
  ];
}

/** The values a summarised printout shows (the formatter is fitted to these only). */
function visibleValues(data: TypedArray, shape: readonly number[]): number[] {
  const out: number[] = [];
  const strides = rowMajorStrides(shape);
  const walk = (d: number, off: number): void => {
    if (d === shape.length) {
      out.push(data[off]!);
      return;
    }
    for (const i of shownIndices(shape[d]!, true)) if (i >= 0) walk(d + 1, off + i * strides[d]!);
  };
  walk(0, 0);
  return out;
}

function render(
  data: TypedArray,
  shape: readonly number[],
  strides: readonly number[],
  d: number,
  off: number,
  f: Formatter,
  summarise: boolean,
  indent: number,
): string {
  const idx = shownIndices(shape[d]!, summarise);
  if (d === shape.length - 1) {
    const items = idx.map((i) => (i < 0 ? ' ...' : f.format(data[off + i]!)));
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (f.valueWidth + 2)));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  const parts = idx.map((i) =>
    i < 0 ? '...' : render(data, shape, strides, d + 1, off + i * strides[d]!, f, summarise, indent + 1),
  );
  return `[${parts.join(`,${'\n'.repeat(shape.length - d - 1)}${' '.repeat(indent + 1)}`)}]`;
}
