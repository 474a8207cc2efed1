import { noGrad } from '@tessera/autograd';
import {
  checkOptions,
  eye,
  type Generator,
  normal,
  randn,
  type Tensor,
  tensor,
  uniform,
} from '@tessera/tensor';
import { fmt, isFloat } from './functional/util.js';

export { truncNormal_ } from './init-trunc-normal.js';

// Parameter initialisation (PyTorch's torch.nn.init), in place and under noGrad. Random ones draw
// from the global generator (seed it with `manualSeed`) or from `opts.generator`.

// Option names of the initialisers (values are checked where used).
const INIT = { generator: 'object' } as const;
const KAIMING = { generator: 'object', a: 'number', mode: 'string', nonlinearity: 'string' } as const;

/** Options of the random initialisers. */
export interface InitOptions {
  /** Generator to draw from (default: the global one). */
  generator?: Generator;
}

/** Nonlinearities known to `calculateGain` (PyTorch's names; camelCase accepted too). */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu'
  | 'convTranspose1d'
  | 'convTranspose2d'
  | 'convTranspose3d'
  | 'leakyRelu';

/** Fan mode of the Kaiming initialisers. */
export type FanMode = 'fan_in' | 'fan_out' | 'fanIn' | 'fanOut';

/**
 * The recommended gain for a nonlinearity (PyTorch's calculate_gain): 1 for linear, convolutions
 * and sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope
 * `param`, default 0.01) and 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'convTranspose1d':
    case 'convTranspose2d':
    case 'convTranspose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || Number.isNaN(slope)) {
        throw new TypeError(`calculateGain: negative slope ${JSON.stringify(param)} is not a valid number`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * fan_in and fan_out of a weight (PyTorch's _calculate_fan_in_and_fan_out): for [out, in, *k],
 * fan_in = in * prod(k) and fan_out = out * prod(k). Needs at least 2 dims.
 */
export function calculateFanInAndFanOut(
  t: Tensor,
  op = 'calculateFanInAndFanOut',
): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new RangeError(
      `${op}: fan in and fan out can not be computed for a tensor with fewer than 2 dims, got shape ${fmt(t.shape)}`,
    );
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

function checkTarget(op: string, t: Tensor): void {
  if (!isFloat(t.dtype))
    throw new TypeError(`${op}: expected a floating-point tensor, got ${t.dtype} (shape ${fmt(t.shape)})`);
}

/** Copies `src` into `t` without recording, returning `t`. */
function fill<T extends Tensor>(t: T, src: Tensor | number): T {
  noGrad(() => (typeof src === 'number' ? t.fill_(src) : t.copy_(src)));
  return t;
}

/** Fills `t` with samples of U(a, b). */
export function uniform_<T extends Tensor>(t: T, a = 0, b = 1, opts: InitOptions = {}): T {
  checkOptions('uniform_', opts, INIT);
  checkTarget('uniform_', t);
  if (!(b >= a)) throw new RangeError(`uniform_: expected a <= b, got a ${a} and b ${b}`);
  return fill(t, uniform(t.shape, a, b, { dtype: t.dtype, device: t.device, generator: opts.generator }));
}

/** Fills `t` with samples of N(mean, std^2). */
export function normal_<T extends Tensor>(t: T, mean = 0, std = 1, opts: InitOptions = {}): T {
  checkOptions('normal_', opts, INIT);
  checkTarget('normal_', t);
  if (!(std >= 0)) throw new RangeError(`normal_: std must be non-negative, got ${std}`);
  return fill(t, normal(t.shape, mean, std, { dtype: t.dtype, device: t.device, generator: opts.generator }));
}

/** Fills `t` with `value`. */
export function constant_<T extends Tensor>(t: T, value: number): T {
  return fill(t, value);
}

/** Fills `t` with zeros. */
export function zeros_<T extends Tensor>(t: T): T {
  return fill(t, 0);
}

/** Fills `t` with ones. */
export function ones_<T extends Tensor>(t: T): T {
  return fill(t, 1);
}

/** Fills the 2-D `t` with the identity matrix (ones on the diagonal of a rectangle). */
export function eye_<T extends Tensor>(t: T): T {
  if (t.ndim !== 2) throw new RangeError(`eye_: only 2-D tensors are supported, got shape ${fmt(t.shape)}`);
  return fill(t, eye(t.shape[0]!, t.shape[1]!, { dtype: t.dtype, device: t.device }));
}

/**
 * Fills a 3-, 4- or 5-D convolution weight [out, in, *k] with the Dirac delta (PyTorch's dirac_):
 * the convolution keeps the input channels (per group).
 */
export function dirac_<T extends Tensor>(t: T, groups = 1): T {
  if (t.ndim < 3 || t.ndim > 5)
    throw new RangeError(`dirac_: only 3-, 4- and 5-D tensors are supported, got shape ${fmt(t.shape)}`);
  const out = t.shape[0]!;
  if (out % groups !== 0)
    throw new RangeError(
      `dirac_: dim 0 (${out}) of shape ${fmt(t.shape)} must be divisible by groups=${groups}`,
    );
  const perGroup = out / groups;
  const minDim = Math.min(perGroup, t.shape[1]!);
  const values = new Float64Array(t.numel());
  const strides: number[] = [];
  let s = 1;
  for (let i = t.ndim - 1; i >= 0; i--) {
    strides[i] = s;
    s *= t.shape[i]!;
  }
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++) {
      let pos = (g * perGroup + d) * strides[0]! + d * strides[1]!;
      for (let k = 2; k < t.ndim; k++) pos += Math.floor(t.shape[k]! / 2) * strides[k]!;
      values[pos] = 1;
    }
  }
  return fill(t, tensor(values, { dtype: t.dtype, device: t.device, shape: t.shape }));
}

/** Xavier/Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_<T extends Tensor>(t: T, gain = 1, opts: InitOptions = {}): T {
  checkOptions('xavierUniform_', opts, INIT);
  checkTarget('xavierUniform_', t);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t, 'xavierUniform_');
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, opts);
}

/** Xavier/Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_<T extends Tensor>(t: T, gain = 1, opts: InitOptions = {}): T {
  checkOptions('xavierNormal_', opts, INIT);
  checkTarget('xavierNormal_', t);
  const { fanIn, fanOut } = calculateFanInAndFanOut(t, 'xavierNormal_');
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

/** Options of the Kaiming (He) initialisers. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only; default 0). */
  a?: number;
  /** 'fan_in' (default) preserves the forward pass's variance, 'fan_out' the backward's. */
  mode?: FanMode;
  /** The nonlinearity after this layer (default 'leaky_relu'). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, opts: KaimingOptions): number {
  checkTarget(op, t);
  const mode = opts.mode ?? 'fan_in';
  const { fanIn, fanOut } = calculateFanInAndFanOut(t, op);
  let fan: number;
  if (mode === 'fan_in' || mode === 'fanIn') fan = fanIn;
  else if (mode === 'fan_out' || mode === 'fanOut') fan = fanOut;
  else throw new RangeError(`${op}: mode must be 'fan_in' or 'fan_out', got ${JSON.stringify(mode)}`);
  if (fan === 0)
    throw new RangeError(`${op}: cannot initialise a tensor of shape ${fmt(t.shape)} with a zero fan`);
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/** Kaiming/He uniform: U(-b, b) with b = gain * sqrt(3 / fan) (PyTorch's kaiming_uniform_). */
export function kaimingUniform_<T extends Tensor>(t: T, opts: KaimingOptions = {}): T {
  checkOptions('kaimingUniform_', opts, KAIMING);
  if (t.numel() === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, opts);
  return uniform_(t, -bound, bound, { generator: opts.generator });
}

/** Kaiming/He normal: N(0, std^2) with std = gain / sqrt(fan) (PyTorch's kaiming_normal_). */
export function kaimingNormal_<T extends Tensor>(t: T, opts: KaimingOptions = {}): T {
  checkOptions('kaimingNormal_', opts, KAIMING);
  if (t.numel() === 0) return t;
  return normal_(t, 0, kaimingStd('kaimingNormal_', t, opts), { generator: opts.generator });
}

/**
 * (Semi-)orthogonal initialisation (PyTorch's orthogonal_): `t` viewed as [rows, numel/rows] is
 * filled with Q from the QR decomposition of a standard normal matrix (signs fixed so R has a
 * positive diagonal), times `gain`. Computed in float64 by modified Gram-Schmidt.
 */
export function orthogonal_<T extends Tensor>(t: T, gain = 1, opts: InitOptions = {}): T {
  checkOptions('orthogonal_', opts, INIT);
  checkTarget('orthogonal_', t);
  if (t.ndim < 2)
    throw new RangeError(
      `orthogonal_: only tensors with 2 or more dims are supported, got shape ${fmt(t.shape)}`,
    );
  if (t.numel() === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.numel() / rows;
  const flat = randn([rows, cols], { dtype: 'float64', device: 'cpu', generator: opts.generator }).dataSync();
  const transpose = rows < cols;
  const m = transpose ? cols : rows; // tall matrix m x n, m >= n
  const n = transpose ? rows : cols;
  // a[i][j] of the tall matrix (column j as a vector of length m).
  const cols_: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = transpose ? flat[j * cols + i]! : flat[i * cols + j]!;
    cols_.push(c);
  }
  // Modified Gram-Schmidt: Q columns orthonormal, R upper triangular with positive diagonal,
  // which equals PyTorch's Q * sign(diag(R)).
  for (let j = 0; j < n; j++) {
    const v = cols_[j]!;
    for (let p = 0; p < j; p++) {
      const q = cols_[p]!;
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[i]! * v[i]!;
      for (let i = 0; i < m; i++) v[i]! -= dot * q[i]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error('orthogonal_: the random matrix is rank deficient; try again');
    for (let i = 0; i < m; i++) v[i]! /= norm;
  }
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      const val = cols_[j]![i]! * gain;
      if (transpose) out[j * cols + i] = val;
      else out[i * cols + j] = val;
    }
  }
  return fill(t, tensor(out, { dtype: t.dtype, device: t.device, shape: t.shape }));
}
