import { type Backend, getBackend } from './backend.js';
import { runOp } from './dispatch.js';
import { allocArray, checkDType, type DType, isFloating, type TypedArray } from './dtype.js';
import { checkTensor, empty, emptyOut, storedValue, syncValues } from './ops/util.js';
import { defaultGenerator, Generator, philox } from './random.js';
import { checkShape, contiguousStrides, fmt, sizeOf } from './shape.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

/** Options of creation functions. */
export interface CreationOptions {
  /** Element type; inferred from the data when omitted (float32 for most functions). */
  dtype?: DType;
  /** Backend name (`'cpu'`, `'webgpu'`); the current default when omitted. */
  device?: string;
  /** Record operations for autograd (needs `@tessera/autograd` imported). */
  requiresGrad?: boolean;
}

/** Options of random creation functions. */
export interface RandomOptions extends CreationOptions {
  /** Generator to draw from; the global one (`manualSeed`) when omitted. */
  generator?: Generator;
}

/** Nested arrays of numbers/booleans accepted by `tensor()`. */
export type NestedInput = number | boolean | readonly NestedInput[];

/** Anything `tensor()` accepts. */
export type TensorData =
  | NestedInput
  | TypedArray
  | Int8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Uint32Array;

/** Applies `requiresGrad` (provided by @tessera/autograd when loaded). */
export function finish(t: Tensor, opts: CreationOptions | undefined): Tensor {
  if (opts?.requiresGrad) {
    const fn = (t as unknown as { requiresGrad_?: (v: boolean) => Tensor }).requiresGrad_;
    if (typeof fn !== 'function') {
      throw new Error(
        "requiresGrad: gradients need '@tessera/autograd'; import it once before creating tensors that require grad",
      );
    }
    fn.call(t, true);
  }
  return t;
}

function backendFor(op: string, opts: CreationOptions | undefined, dtype: DType): Backend {
  const b = getBackend(opts?.device);
  if (!b.supportsDType(dtype))
    throw new TypeError(`${op}: dtype ${dtype} is not supported on the ${b.name} backend`);
  return b;
}

function dtypeOpt(op: string, opts: CreationOptions | undefined, dflt: DType): DType {
  return opts?.dtype === undefined ? dflt : checkDType(op, opts.dtype);
}

function shapeArg(op: string, shape: number | readonly number[]): number[] {
  if (typeof shape === 'number') return checkShape(op, [shape]);
  if (!Array.isArray(shape))
    throw new TypeError(`${op}: shape must be a number or an array of integers, got ${String(shape)}`);
  return checkShape(op, shape);
}

/** Wraps a typed array of the right element type as a new contiguous tensor (the data is copied). */
export function fromTypedArray(
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  device?: string,
): Tensor {
  const b = backendFor('tensor', { device }, dtype);
  const storage = new Storage(b, b.upload(dtype, data), dtype, data.length);
  return new Tensor(storage, [...shape], contiguousStrides(shape), 0);
}

function dtypeOfTyped(data: ArrayBufferView): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

/**
 * Creates a tensor from nested arrays, a typed array or a number (always a copy of the data).
 * dtype is inferred as PyTorch does: all booleans → bool, all integers (booleans allowed) → int32,
 * otherwise float32; Float32Array/Float64Array keep their type and integer typed arrays give
 * int32. `opts.shape` reshapes the flat data. Ragged nested arrays are an error.
 */
export function tensor(data: TensorData, opts?: CreationOptions & { shape?: readonly number[] }): Tensor {
  if (opts?.dtype !== undefined) checkDType('tensor', opts.dtype);
  let shape: number[];
  let flat: ArrayLike<number | boolean>;
  let inferred: DType;
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView)
      throw new TypeError('tensor: a DataView is not supported; pass a typed array');
    flat = data as unknown as ArrayLike<number>;
    shape = [flat.length];
    inferred = dtypeOfTyped(data);
  } else {
    const r = flattenNested(data as NestedInput);
    flat = r.values;
    shape = r.shape;
    inferred = r.allBool ? 'bool' : r.allInt ? 'int32' : 'float32';
  }
  if (opts?.shape !== undefined) {
    const s = checkShape('tensor', opts.shape);
    if (sizeOf(s) !== flat.length) {
      throw new RangeError(`tensor: shape ${fmt(s)} does not match the ${flat.length} values given`);
    }
    shape = s;
  }
  const dtype = opts?.dtype ?? inferred;
  const arr = allocArray(dtype, flat.length);
  const sameType =
    (dtype === 'float32' && data instanceof Float32Array) ||
    (dtype === 'float64' && data instanceof Float64Array) ||
    (dtype === 'int32' && data instanceof Int32Array);
  if (sameType) arr.set(flat as TypedArray);
  else if (dtype === 'float32' || dtype === 'float64')
    for (let i = 0; i < flat.length; i++) arr[i] = +flat[i]!;
  else for (let i = 0; i < flat.length; i++) arr[i] = storedValue('tensor', dtype, flat[i]!);
  return finish(fromTypedArray(arr, shape, dtype, opts?.device), opts);
}

interface Flattened {
  values: (number | boolean)[];
  shape: number[];
  allBool: boolean;
  allInt: boolean;
}

function flattenNested(data: NestedInput): Flattened {
  if (!Array.isArray(data)) {
    if (typeof data !== 'number' && typeof data !== 'boolean') {
      throw new TypeError(
        `tensor: expected nested arrays of numbers or booleans, got ${describeValue(data)}`,
      );
    }
    const isBool = typeof data === 'boolean';
    return { values: [data], shape: [], allBool: isBool, allInt: isBool || Number.isInteger(data) };
  }
  // The shape comes from the first element at each depth; every other element must match it.
  const shape: number[] = [];
  for (let d: unknown = data; Array.isArray(d); d = d[0]) {
    shape.push(d.length);
    if (d.length === 0) break;
  }
  const st: Flattened = { values: [], shape, allBool: true, allInt: true };
  const path: number[] = [];
  walk(data, 0, path, st);
  if (st.values.length === 0) {
    st.allBool = false;
    st.allInt = false;
  }
  return st;
}

function walk(node: unknown, depth: number, path: number[], st: Flattened): void {
  const shape = st.shape;
  if (depth === shape.length) {
    if (typeof node === 'number') {
      st.allBool = false;
      if (st.allInt && !Number.isInteger(node)) st.allInt = false;
    } else if (typeof node !== 'boolean') {
      if (Array.isArray(node)) {
        throw new RangeError(
          `tensor: ragged nested array: element at [${path.join(',')}] is an array but the first element at that depth is a scalar (expected shape ${fmt(shape)})`,
        );
      }
      throw new TypeError(
        `tensor: element at [${path.join(',')}] is ${describeValue(node)}, expected a number or boolean`,
      );
    }
    st.values.push(node);
    return;
  }
  if (!Array.isArray(node) || node.length !== shape[depth]) {
    throw new RangeError(
      `tensor: ragged nested array: at [${path.join(',')}] expected ${shape[depth]} elements (from the first element at that depth) but got ${Array.isArray(node) ? node.length : 'a scalar'} (expected shape ${fmt(shape)})`,
    );
  }
  for (let i = 0; i < node.length; i++) {
    path.push(i);
    walk(node[i], depth + 1, path, st);
    path.pop();
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `a ${typeof v}`;
}

/** The dtype PyTorch infers for a fill value: bool, int32 for integers, else float32. */
function valueDType(value: number | boolean): DType {
  return typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int32' : 'float32';
}

/** A tensor of `shape` filled with `value`. dtype: from opts, else inferred from the value. */
export function full(
  shape: number | readonly number[],
  value: number | boolean,
  opts?: CreationOptions,
): Tensor {
  return filled('full', shape, value, opts);
}

function filled(
  op: string,
  shape: number | readonly number[],
  value: number | boolean,
  opts?: CreationOptions,
): Tensor {
  const s = shapeArg(op, shape);
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError(`${op}: value must be a number or boolean, got ${describeValue(value)}`);
  }
  const dtype = dtypeOpt(op, opts, valueDType(value));
  const v = storedValue(op, dtype, value);
  const b = backendFor(op, opts, dtype);
  const out = emptyOut(b, dtype, s);
  if (out.numel() > 0) b.fill(out.viewFor(op), v);
  return finish(out, opts);
}

/** A float32 (or `opts.dtype`) tensor of zeros. */
export function zeros(shape: number | readonly number[], opts?: CreationOptions): Tensor {
  return filled('zeros', shape, 0, { ...opts, dtype: opts?.dtype ?? 'float32' });
}

/** A float32 (or `opts.dtype`) tensor of ones. */
export function ones(shape: number | readonly number[], opts?: CreationOptions): Tensor {
  return filled('ones', shape, 1, { ...opts, dtype: opts?.dtype ?? 'float32' });
}

/**
 * A tensor whose contents are not meant to be read before being written (PyTorch's `empty`).
 * The CPU backend zero-fills it; other backends may not.
 */
export function empty_(shape: number | readonly number[], opts?: CreationOptions): Tensor {
  const s = shapeArg('empty', shape);
  const dtype = dtypeOpt('empty', opts, 'float32');
  return finish(empty(backendFor('empty', opts, dtype), dtype, s), opts);
}

function likeOpts(op: string, t: Tensor, opts?: CreationOptions): CreationOptions {
  checkTensor(op, t);
  return {
    dtype: opts?.dtype ?? t.dtype,
    device: opts?.device ?? t.device,
    requiresGrad: opts?.requiresGrad ?? false,
  };
}

/** zeros with `t`'s shape, dtype and device. */
export const zerosLike = (t: Tensor, opts?: CreationOptions): Tensor =>
  zeros(t.shape, likeOpts('zerosLike', t, opts));
/** ones with `t`'s shape, dtype and device. */
export const onesLike = (t: Tensor, opts?: CreationOptions): Tensor =>
  ones(t.shape, likeOpts('onesLike', t, opts));
/** full with `t`'s shape, dtype and device. */
export const fullLike = (t: Tensor, value: number | boolean, opts?: CreationOptions): Tensor =>
  full(t.shape, value, likeOpts('fullLike', t, opts));
/** empty with `t`'s shape, dtype and device. */
export const emptyLike = (t: Tensor, opts?: CreationOptions): Tensor =>
  empty_(t.shape, likeOpts('emptyLike', t, opts));

/**
 * Values from `start` to `end` (exclusive) by `step`; `arange(n)` is 0..n-1. int32 when all
 * arguments are integers, else float32. Options may also come second: `arange(5, { dtype })`.
 */
export function arange(
  start: number,
  end?: number | CreationOptions,
  step: number | CreationOptions = 1,
  opts?: CreationOptions,
): Tensor {
  if (typeof end === 'object' && end !== null) {
    opts = end;
    end = undefined;
  } else if (typeof step === 'object' && step !== null) {
    opts = step;
    step = 1;
  }
  if (end === undefined) {
    end = start;
    start = 0;
  }
  const st = step as number;
  for (const [name, v] of [
    ['start', start],
    ['end', end],
    ['step', st],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RangeError(`arange: ${name} must be a finite number, got ${v}`);
  }
  if (st === 0) throw new RangeError('arange: step must be non-zero');
  if ((end - start) / st < 0) {
    throw new RangeError(`arange: step ${st} has the wrong sign to go from start ${start} to end ${end}`);
  }
  const n = Math.ceil((end - start) / st);
  const dtype = dtypeOpt('arange', opts, [start, end, st].every(Number.isInteger) ? 'int32' : 'float32');
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) data[i] = storedValue('arange', dtype, start + i * st);
  return finish(fromTypedArray(data, [n], dtype, opts?.device), opts);
}

/** `steps` evenly spaced values from start to end inclusive (float32 unless `opts.dtype`). */
export function linspace(start: number, end: number, steps: number, opts?: CreationOptions): Tensor {
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new RangeError(`linspace: start ${start} and end ${end} must be finite`);
  }
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  }
  const dtype = dtypeOpt('linspace', opts, 'float32');
  const data = allocArray(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends as PyTorch does, so the first value is exactly `start` and the last `end`.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    const v = i < half || steps === 1 ? start + step * i : end - step * (steps - 1 - i);
    data[i] = storedValue('linspace', dtype, v);
  }
  return finish(fromTypedArray(data, [steps], dtype, opts?.device), opts);
}

/** An n x m identity matrix (m defaults to n; `eye(n, opts)` works too). */
export function eye(n: number, m?: number | CreationOptions, opts?: CreationOptions): Tensor {
  if (typeof m === 'object' && m !== null) {
    opts = m;
    m = undefined;
  }
  const cols = m ?? n;
  checkShape('eye', [n, cols]);
  const dtype = dtypeOpt('eye', opts, 'float32');
  const data = allocArray(dtype, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return finish(fromTypedArray(data, [n, cols], dtype, opts?.device), opts);
}

function generatorOf(op: string, opts: RandomOptions | undefined): Generator {
  const gen = opts?.generator ?? defaultGenerator;
  if (!(gen instanceof Generator)) throw new TypeError(`${op}: generator must be a Generator`);
  return gen;
}

function draw(
  op: string,
  shape: number[],
  dist: 'uniform' | 'normal' | 'randint',
  params: { low: number; high: number; mean: number; std: number },
  opts: RandomOptions | undefined,
  dflt: DType,
): Tensor {
  const dtype = dtypeOpt(op, opts, dflt);
  if (dist !== 'randint' && !isFloating(dtype))
    throw new TypeError(`${op}: dtype must be floating point, got ${dtype}`);
  if (dist === 'randint' && dtype === 'bool') throw new TypeError(`${op}: dtype must be numeric, got bool`);
  const gen = generatorOf(op, opts);
  const b = backendFor(op, opts, dtype);
  const out = emptyOut(b, dtype, shape);
  const n = out.numel();
  const offset = gen.advance(n);
  if (n > 0) b.random(out.viewFor(op), dist, { seed: gen.seed, offset, ...params });
  return finish(out, opts);
}

/** Uniform samples in [0, 1). */
export function rand(shape: number | readonly number[], opts?: RandomOptions): Tensor {
  return draw(
    'rand',
    shapeArg('rand', shape),
    'uniform',
    { low: 0, high: 1, mean: 0, std: 1 },
    opts,
    'float32',
  );
}

/** Standard normal samples. */
export function randn(shape: number | readonly number[], opts?: RandomOptions): Tensor {
  return draw(
    'randn',
    shapeArg('randn', shape),
    'normal',
    { low: 0, high: 1, mean: 0, std: 1 },
    opts,
    'float32',
  );
}

/** Uniform samples in [low, high) (PyTorch's `uniform_`). */
export function uniform(
  shape: number | readonly number[],
  low: number,
  high: number,
  opts?: RandomOptions,
): Tensor {
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(high >= low)) {
    throw new RangeError(`uniform: expected finite low <= high, got low ${low} and high ${high}`);
  }
  return draw(
    'uniform',
    shapeArg('uniform', shape),
    'uniform',
    { low, high, mean: 0, std: 1 },
    opts,
    'float32',
  );
}

/** Normal samples with the given mean and standard deviation (PyTorch's `normal_`). */
export function normal(
  shape: number | readonly number[],
  mean: number,
  std: number,
  opts?: RandomOptions,
): Tensor {
  if (!Number.isFinite(mean)) throw new RangeError(`normal: mean must be finite, got ${mean}`);
  if (!(std >= 0) || !Number.isFinite(std))
    throw new RangeError(`normal: std must be finite and non-negative, got ${std}`);
  return draw('normal', shapeArg('normal', shape), 'normal', { low: 0, high: 1, mean, std }, opts, 'float32');
}

/**
 * Integers uniform in [low, high) (int32 unless `opts.dtype`). `randint(high, shape)` draws
 * from [0, high), as PyTorch's.
 */
export function randint(
  low: number,
  high: number | readonly number[],
  shape?: number | readonly number[] | RandomOptions,
  opts?: RandomOptions,
): Tensor {
  if (typeof high !== 'number') {
    if (shape !== undefined && (typeof shape !== 'object' || Array.isArray(shape))) {
      throw new TypeError('randint: expected randint(low, high, shape) or randint(high, shape)');
    }
    opts = shape as RandomOptions | undefined;
    shape = high;
    high = low;
    low = 0;
  }
  if (shape === undefined || (typeof shape === 'object' && !Array.isArray(shape))) {
    throw new TypeError('randint: a shape is required: randint(low, high, shape) or randint(high, shape)');
  }
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: expected integers low < high, got low ${low} and high ${high}`);
  }
  if (high - low > 2 ** 32) throw new RangeError(`randint: range ${high - low} is larger than 2^32`);
  const s = shapeArg('randint', shape as number | readonly number[]);
  return draw('randint', s, 'randint', { low, high, mean: 0, std: 1 }, opts, 'int32');
}

/** rand with `t`'s shape, dtype and device. */
export const randLike = (t: Tensor, opts?: RandomOptions): Tensor =>
  rand(t.shape, { ...likeOpts('randLike', t, opts), generator: opts?.generator });
/** randn with `t`'s shape, dtype and device. */
export const randnLike = (t: Tensor, opts?: RandomOptions): Tensor =>
  randn(t.shape, { ...likeOpts('randnLike', t, opts), generator: opts?.generator });

/**
 * Samples 1 with probability `p` else 0. `p` is a number (with `opts.shape`, default a 0-d
 * result) or a tensor of probabilities in [0, 1] (one sample per element, recorded as the
 * non-differentiable op `bernoulli`). The result has p's floating dtype (float32 otherwise) or
 * `opts.dtype`. Draws the same uniform stream as `rand`: element i is 1 when u_i < p_i.
 */
export function bernoulli(p: Tensor | number, opts?: RandomOptions & { shape?: readonly number[] }): Tensor {
  const gen = generatorOf('bernoulli', opts);
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`);
    const shape = checkShape('bernoulli', opts?.shape ?? []);
    const dtype = dtypeOpt('bernoulli', opts, 'float32');
    const b = backendFor('bernoulli', opts, dtype);
    return finish(sampleBernoulli(b, gen, shape, null, p, dtype), opts);
  }
  checkTensor('bernoulli', p);
  if (opts?.shape !== undefined)
    throw new TypeError('bernoulli: opts.shape is only for a number p; p is a tensor');
  if (opts?.device !== undefined && opts.device !== p.device) {
    throw new Error(`bernoulli: p is on ${p.device} but device ${opts.device} was requested`);
  }
  const dtype = dtypeOpt('bernoulli', opts, isFloating(p.dtype) ? p.dtype : 'float32');
  checkProbabilities(p);
  const out = runOp('bernoulli', [p], undefined, () =>
    sampleBernoulli(p.storage('bernoulli').backend, gen, p.shape, p, 0, dtype),
  );
  return finish(out, opts);
}

/**
 * Throws, as PyTorch does, when a probability tensor holds a value outside [0, 1] (or NaN). Only
 * where the values can be read synchronously (see syncValues).
 */
function checkProbabilities(p: Tensor): void {
  const v = syncValues(p);
  if (v === null) return;
  for (let i = 0; i < v.length; i++) {
    const x = Number(v[i]);
    if (!(x >= 0 && x <= 1)) {
      throw new RangeError(
        `bernoulli: p must be in [0, 1], got ${x} at flat index ${i} of p with shape [${p.shape.join(', ')}]`,
      );
    }
  }
}

/** Kernel-only bernoulli sampling: uniform draws compared with p (a tensor, or the number pv). */
function sampleBernoulli(
  b: Backend,
  gen: Generator,
  shape: readonly number[],
  p: Tensor | null,
  pv: number,
  dtype: DType,
): Tensor {
  const udt: DType = p !== null && p.dtype === 'float64' ? 'float64' : 'float32';
  const u = emptyOut(b, udt, shape);
  const n = u.numel();
  const offset = gen.advance(n);
  const out = emptyOut(b, dtype, shape);
  if (n === 0) {
    u.dispose();
    return out;
  }
  b.random(u.viewFor('bernoulli'), 'uniform', { seed: gen.seed, offset, low: 0, high: 1, mean: 0, std: 1 });
  let pt: Tensor;
  if (p === null) {
    pt = emptyOut(b, udt, []);
    b.fill(pt.viewFor('bernoulli'), pv);
  } else if (p.dtype !== udt) {
    pt = emptyOut(b, udt, p.shape);
    b.copy(pt.viewFor('bernoulli'), p.viewFor('bernoulli'));
  } else {
    pt = p;
  }
  const mask = emptyOut(b, 'bool', shape);
  const pv2 = pt.viewFor('bernoulli');
  const pview = pt.ndim === 0 && shape.length > 0 ? { ...pv2, shape, strides: shape.map(() => 0) } : pv2;
  b.binary('lt', mask.viewFor('bernoulli'), u.viewFor('bernoulli'), pview);
  b.copy(out.viewFor('bernoulli'), mask.viewFor('bernoulli'));
  mask.dispose();
  u.dispose();
  if (pt !== p) pt.dispose();
  return out;
}

/**
 * A random permutation of 0..n-1 (int32 unless `opts.dtype`), by Fisher-Yates on the host from
 * the generator's Philox stream: swap i with j = word_i mod (i + 1), for i = n-1 down to 1, where
 * word_i is the 32-bit word a draw of n elements would give element i.
 */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const dtype = dtypeOpt('randperm', opts, 'int32');
  if (dtype === 'bool') throw new TypeError('randperm: dtype must be numeric, got bool');
  if (dtype === 'float32' && n > 2 ** 24)
    throw new RangeError(`randperm: n ${n} is too large for float32 values`);
  const gen = generatorOf('randperm', opts);
  const offset = gen.advance(n);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const words = new Uint32Array(4);
  const k0 = Number(gen.seed & 0xffffffffn);
  const k1 = Number((gen.seed >> 32n) & 0xffffffffn);
  let block = -1;
  for (let i = n - 1; i > 0; i--) {
    const blk = Math.floor(i / 4);
    if (blk !== block) {
      const c = offset + BigInt(blk);
      philox(k0, k1, Number(c & 0xffffffffn), Number((c >> 32n) & 0xffffffffn), words);
      block = blk;
    }
    const j = words[i % 4]! % (i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const data = dtype === 'int32' ? perm : allocArray(dtype, n);
  if (data !== perm) data.set(perm);
  return finish(fromTypedArray(data, [n], dtype, opts?.device), opts);
}
