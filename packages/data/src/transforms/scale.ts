import { checkOptions, Tensor, tensor } from '@tessera/tensor';
import { describeValue } from '../random.js';

/**
 * Which values share statistics: 'feature' = the last dim (tabular [N, F]), 'channel' = dim -3
 * (images [C,H,W] / [N,C,H,W]), 'all' = one value for the whole tensor. By default: 'channel'
 * for tensors with 3 or more dims, else 'feature'.
 */
export type StatsAxis = 'feature' | 'channel' | 'all';

type Stat = number | readonly number[] | Tensor;

interface Layout {
  /** Number of groups (features or channels); 1 for 'all'. */
  groups: number;
  /** Group of flat element i: Math.floor(i / inner) % groups. */
  inner: number;
}

function resolveAxis(op: string, x: Tensor, axis: StatsAxis | undefined): StatsAxis {
  const a = axis ?? (x.ndim >= 3 ? 'channel' : 'feature');
  if (a !== 'feature' && a !== 'channel' && a !== 'all')
    throw new RangeError(`${op}: axis must be 'feature', 'channel' or 'all', got ${JSON.stringify(a)}`);
  if (a === 'channel' && x.ndim < 3)
    throw new RangeError(
      `${op}: axis 'channel' needs an image tensor [C,H,W] or [N,C,H,W], got shape [${x.shape.join(',')}]`,
    );
  if (a === 'feature' && x.ndim < 1)
    throw new RangeError(`${op}: axis 'feature' needs at least 1 dim, got a 0-d tensor`);
  return a;
}

function layoutOf(x: Tensor, axis: StatsAxis): Layout {
  if (axis === 'all') return { groups: 1, inner: 1 };
  if (axis === 'feature') return { groups: x.shape[x.ndim - 1]!, inner: 1 };
  const s = x.shape;
  return { groups: s[s.length - 3]!, inner: s[s.length - 2]! * s[s.length - 1]! };
}

function statValues(op: string, what: string, v: Stat, groups: number): Float64Array {
  const arr = v instanceof Tensor ? Array.from(v.dataSync()) : typeof v === 'number' ? [v] : v;
  if (!Array.isArray(arr) || !arr.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new TypeError(
      `${op}: ${what} must be a finite number, an array of them or a tensor, got ${describeValue(v)}`,
    );
  }
  if (arr.length === 1) return new Float64Array(groups).fill(arr[0]!);
  if (arr.length !== groups)
    throw new RangeError(
      `${op}: ${what} has ${arr.length} values but the input has ${groups} groups along the stats axis`,
    );
  return Float64Array.from(arr);
}

function floatInput(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a tensor, got ${describeValue(x)}`);
  if (x.dtype === 'bool') throw new TypeError(`${op}: expected a numeric tensor, got dtype bool`);
  return x;
}

/** Checks `x` and resolves the stats axis; returns x's group layout along it. */
function groupLayout(op: string, x: Tensor, axis: StatsAxis | undefined): Layout {
  return layoutOf(x, resolveAxis(op, floatInput(op, x), axis));
}

/** The statistics of `x` along `axis` (resolved), for the fit* functions; `x` must not be empty. */
function fitStats(op: string, x: Tensor, axis: StatsAxis | undefined) {
  x = floatInput(op, x);
  const resolved = resolveAxis(op, x, axis);
  if (x.numel() === 0)
    throw new RangeError(
      `${op}: cannot compute statistics of an empty tensor of shape [${x.shape.join(',')}]`,
    );
  return { axis: resolved, ...groupStats(x, resolved) };
}

/** A statistic as a list of numbers, as the transforms report it. */
function statList(v: Stat): number[] {
  return v instanceof Tensor ? Array.from(v.dataSync()) : typeof v === 'number' ? [v] : [...v];
}

/** Applies out[i] = data[i] * scale[g] + shift[g] per group; keeps float64, else float32. */
function affinePerGroup(x: Tensor, layout: Layout, scale: Float64Array, shift: Float64Array): Tensor {
  const data = x.dataSync();
  const out = x.dtype === 'float64' ? new Float64Array(data.length) : new Float32Array(data.length);
  const { groups, inner } = layout;
  if (groups === 1 || inner === 1) {
    for (let i = 0, g = 0; i < data.length; i++) {
      out[i] = data[i]! * scale[g]! + shift[g]!;
      if (groups > 1 && ++g === groups) g = 0;
    }
  } else {
    for (let start = 0, g = 0; start < data.length; start += inner) {
      const a = scale[g]!;
      const b = shift[g]!;
      for (let i = start; i < start + inner; i++) out[i] = data[i]! * a + b;
      if (++g === groups) g = 0;
    }
  }
  return tensor(out, { shape: x.shape });
}

/** Per-group mean, population standard deviation, min and max (float64 accumulation). */
export function groupStats(
  x: Tensor,
  axis: StatsAxis,
): { mean: number[]; std: number[]; min: number[]; max: number[] } {
  const layout = layoutOf(x, axis);
  const data = x.dataSync();
  const { groups, inner } = layout;
  const sum = new Float64Array(groups);
  const count = new Float64Array(groups);
  const min = new Float64Array(groups).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(groups).fill(Number.NEGATIVE_INFINITY);
  const groupOf = (i: number) => Math.floor(i / inner) % groups;
  for (let i = 0; i < data.length; i++) {
    const g = groupOf(i);
    const v = data[i]!;
    sum[g]! += v;
    count[g]!++;
    if (v < min[g]!) min[g] = v;
    if (v > max[g]!) max[g] = v;
  }
  const mean = Array.from(sum, (s, g) => s / count[g]!);
  const sq = new Float64Array(groups);
  for (let i = 0; i < data.length; i++) {
    const g = groupOf(i);
    const d = data[i]! - mean[g]!;
    sq[g]! += d * d;
  }
  return {
    mean,
    std: Array.from(sq, (s, g) => Math.sqrt(s / count[g]!)),
    min: Array.from(min),
    max: Array.from(max),
  };
}

/** A standardize transform with the statistics it uses. */
export type StandardizeTransform = ((x: Tensor) => Tensor) & {
  readonly mean: number[];
  readonly std: number[];
  readonly axis: StatsAxis | undefined;
};

/** Options of `standardize`. */
export interface StandardizeOptions {
  mean: Stat;
  std: Stat;
  axis?: StatsAxis;
}

/**
 * (x - mean) / std with given statistics, per feature, per channel or overall (torchvision's
 * `Normalize` for images, sklearn's `StandardScaler.transform` for tables). `mean`/`std` are one
 * number or one per group. Output is float32 (float64 stays float64).
 */
export function standardize(opts: StandardizeOptions): StandardizeTransform {
  const op = 'standardize';
  if (opts === null || typeof opts !== 'object')
    throw new TypeError(`${op}: expected { mean, std }, got ${describeValue(opts)}`);
  checkOptions(op, opts, { mean: 'any', std: 'any', axis: 'any' });
  const fn = (x: Tensor): Tensor => {
    const layout = groupLayout(op, x, opts.axis);
    const mean = statValues(op, 'mean', opts.mean, layout.groups);
    const std = statValues(op, 'std', opts.std, layout.groups);
    std.forEach((s, g) => {
      if (s === 0) throw new RangeError(`${op}: std is 0 for group ${g}; division by zero`);
    });
    const scale = std.map((s) => 1 / s);
    const shift = mean.map((m, g) => -m * scale[g]!);
    return affinePerGroup(x, layout, scale, shift);
  };
  return Object.assign(fn, { mean: statList(opts.mean), std: statList(opts.std), axis: opts.axis });
}

/**
 * Computes mean and (population) std of `x` per feature / channel / overall and returns the
 * standardize transform for them (fit on training data, apply to any split). Groups with zero
 * spread get std 1, as sklearn does, so constant features become 0 instead of NaN.
 */
export function fitStandardize(x: Tensor, opts: { axis?: StatsAxis } = {}): StandardizeTransform {
  checkOptions('fitStandardize', opts, { axis: 'any' });
  const { axis, mean, std } = fitStats('fitStandardize', x, opts.axis);
  return standardize({ mean, std: std.map((s) => (s === 0 ? 1 : s)), axis });
}

/** A min-max scaling transform with the statistics it uses. */
export type MinMaxTransform = ((x: Tensor) => Tensor) & {
  readonly min: number[];
  readonly max: number[];
  readonly range: readonly [number, number];
};

/** Options of `minMaxScale`. */
export interface MinMaxOptions {
  min: Stat;
  max: Stat;
  /** Target range (default [0, 1]). */
  range?: readonly [number, number];
  axis?: StatsAxis;
}

/**
 * Maps [min, max] to `range` (default [0, 1]) linearly, per feature, channel or overall
 * (sklearn's `MinMaxScaler.transform`). Where max == min, values map to range[0].
 */
export function minMaxScale(opts: MinMaxOptions): MinMaxTransform {
  const op = 'minMaxScale';
  if (opts === null || typeof opts !== 'object')
    throw new TypeError(`${op}: expected { min, max }, got ${describeValue(opts)}`);
  checkOptions(op, opts, { min: 'any', max: 'any', range: 'any', axis: 'any' });
  const range = opts.range ?? [0, 1];
  if (!Array.isArray(range) || range.length !== 2 || !(range[0] < range[1])) {
    throw new RangeError(`${op}: range must be [low, high] with low < high, got ${JSON.stringify(range)}`);
  }
  const fn = (x: Tensor): Tensor => {
    const layout = groupLayout(op, x, opts.axis);
    const lo = statValues(op, 'min', opts.min, layout.groups);
    const hi = statValues(op, 'max', opts.max, layout.groups);
    const scale = lo.map((l, g) => {
      const span = hi[g]! - l;
      if (span < 0) throw new RangeError(`${op}: min ${l} > max ${hi[g]} for group ${g}`);
      return span === 0 ? 0 : (range[1] - range[0]) / span;
    });
    const shift = lo.map((l, g) => range[0] - l * scale[g]!);
    return affinePerGroup(x, layout, scale, shift);
  };
  return Object.assign(fn, {
    min: statList(opts.min),
    max: statList(opts.max),
    range: [range[0], range[1]] as const,
  });
}

/** Computes min and max of `x` per feature / channel / overall and returns the `minMaxScale` transform for them. */
export function fitMinMaxScale(
  x: Tensor,
  opts: { axis?: StatsAxis; range?: readonly [number, number] } = {},
): MinMaxTransform {
  checkOptions('fitMinMaxScale', opts, { axis: 'any', range: 'any' });
  const { axis, min, max } = fitStats('fitMinMaxScale', x, opts.axis);
  return minMaxScale({ min, max, axis, range: opts.range });
}
