import * as T from '@tessera/tensor';
import { broadcastShapes, type DType, type Tensor, tensor } from '@tessera/tensor';
import { RNN_IMPORTERS } from './import-rnn.js';
import { ONNX_TYPE } from './proto.js';

/** A node's attributes, decoded: numbers, number arrays, strings or tensors. */
export type Attrs = Readonly<Record<string, number | number[] | string | Tensor>>;

/** Runs one ONNX node on Tessera tensors (absent optional inputs are undefined). */
export type Importer = (ins: readonly (Tensor | undefined)[], a: Attrs, op: string) => Tensor | Tensor[];

/** The integer values of a shape-like input (shapes, axes, pads, slice bounds). */
export function ints(t: Tensor | undefined): number[] {
  return t === undefined ? [] : Array.from(t.contiguous().dataSync(), Number);
}

const need = (ins: readonly (Tensor | undefined)[], i: number, op: string): Tensor => {
  const t = ins[i];
  if (t === undefined) throw new Error(`importOnnx: ${op} is missing its input ${i}`);
  return t;
};

const int = (a: Attrs, k: string, d: number): number => (typeof a[k] === 'number' ? (a[k] as number) : d);
const intList = (a: Attrs, k: string): number[] | undefined =>
  Array.isArray(a[k]) ? (a[k] as number[]) : undefined;
const norm = (d: number, rank: number): number => (d < 0 ? d + rank : d);

/** Tessera dtype of an ONNX element type (int64 is held as int32). */
export function tesseraType(t: number, op: string): DType {
  switch (t) {
    case ONNX_TYPE.FLOAT:
      return 'float32';
    case ONNX_TYPE.DOUBLE:
      return 'float64';
    case ONNX_TYPE.INT32:
    case ONNX_TYPE.INT64:
      return 'int32';
    case ONNX_TYPE.BOOL:
      return 'bool';
    default:
      throw new Error(`importOnnx: ${op} to ONNX data type ${t}, which Tessera cannot hold`);
  }
}

const unary =
  (f: (x: Tensor) => Tensor): Importer =>
  (ins, _a, op) =>
    f(need(ins, 0, op));
const binary =
  (f: (a: Tensor, b: Tensor) => Tensor): Importer =>
  (ins, _a, op) =>
    f(need(ins, 0, op), need(ins, 1, op));

/** Axes from the attribute (older opsets) or the second input (newer ones). */
function axesOf(ins: readonly (Tensor | undefined)[], a: Attrs, rank: number): number[] | undefined {
  const v = ins[1] !== undefined ? ints(ins[1]) : intList(a, 'axes');
  return v?.map((d) => norm(d, rank));
}

function reduce(f: (x: Tensor, dims: number[], keep: boolean) => Tensor): Importer {
  return (ins, a, op) => {
    const x = need(ins, 0, op);
    let axes = axesOf(ins, a, x.ndim);
    if (axes === undefined || axes.length === 0) {
      if (int(a, 'noop_with_empty_axes', 0) === 1) return x;
      axes = x.shape.map((_, i) => i);
    }
    return f(x, axes, int(a, 'keepdims', 1) === 1);
  };
}

function conv(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  const autoPad = a.auto_pad;
  if (autoPad !== undefined && autoPad !== 'NOTSET')
    throw new Error(`importOnnx: Conv auto_pad ${autoPad} is not supported`);
  let x = need(ins, 0, op);
  let w = need(ins, 1, op);
  const oneD = w.ndim === 3;
  if (!oneD && w.ndim !== 4)
    throw new Error(`importOnnx: Conv with a ${w.ndim - 2}-D kernel is not supported`);
  const k = oneD ? 1 : 2;
  const pads = intList(a, 'pads') ?? new Array<number>(2 * k).fill(0);
  const strides = intList(a, 'strides') ?? new Array<number>(k).fill(1);
  const dil = intList(a, 'dilations') ?? new Array<number>(k).fill(1);
  if (oneD) {
    x = x.unsqueeze(2);
    w = w.unsqueeze(2);
  }
  const y = T.conv2d(x, w, ins[2] ?? null, {
    stride: oneD ? [1, strides[0]!] : [strides[0]!, strides[1]!],
    padding: oneD ? [0, 0, pads[0]!, pads[1]!] : [pads[0]!, pads[2]!, pads[1]!, pads[3]!],
    dilation: oneD ? [1, dil[0]!] : [dil[0]!, dil[1]!],
    groups: int(a, 'group', 1),
  });
  return oneD ? y.squeeze(2) : y;
}

function convTranspose(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  const autoPad = a.auto_pad;
  if (autoPad !== undefined && autoPad !== 'NOTSET')
    throw new Error(`importOnnx: ${op} auto_pad ${autoPad} is not supported`);
  const w = need(ins, 1, op);
  if (w.ndim !== 4) throw new Error(`importOnnx: ${op} with a ${w.ndim - 2}-D kernel is not supported`);
  if (a.output_shape !== undefined) throw new Error(`importOnnx: ${op} with output_shape is not supported`);
  const pads = intList(a, 'pads') ?? [0, 0, 0, 0];
  if (pads[0] !== pads[2] || pads[1] !== pads[3])
    throw new Error(`importOnnx: ${op} with asymmetric pads [${pads}]`);
  const pair = (k: string, d: number): [number, number] => {
    const v = intList(a, k) ?? [d, d];
    return [v[0]!, v[1]!];
  };
  return T.convTranspose2d(need(ins, 0, op), w, ins[2] ?? null, {
    stride: pair('strides', 1),
    padding: [pads[0]!, pads[1]!],
    outputPadding: pair('output_padding', 0),
    dilation: pair('dilations', 1),
    groups: int(a, 'group', 1),
  });
}

function pool(kind: 'max' | 'avg'): Importer {
  return (ins, a, op) => {
    const x = need(ins, 0, op);
    const kernel = intList(a, 'kernel_shape');
    if (kernel?.length !== 2) throw new Error(`importOnnx: ${op} supports 2-D windows only`);
    const pads = intList(a, 'pads') ?? [0, 0, 0, 0];
    if (pads[0] !== pads[2] || pads[1] !== pads[3])
      throw new Error(`importOnnx: ${op} with asymmetric pads [${pads}]`);
    const s = intList(a, 'strides') ?? [1, 1];
    const d = intList(a, 'dilations') ?? [1, 1];
    const opts = {
      stride: [s[0]!, s[1]!] as [number, number],
      padding: [pads[0]!, pads[1]!] as [number, number],
      dilation: [d[0]!, d[1]!] as [number, number],
      ceilMode: int(a, 'ceil_mode', 0) === 1,
    };
    const k: [number, number] = [kernel[0]!, kernel[1]!];
    if (kind === 'max') return T.maxPool2d(x, k, opts);
    if (d[0] !== 1 || d[1] !== 1) throw new Error('importOnnx: AveragePool with dilations is not supported');
    const { dilation: _, ...rest } = opts;
    return T.avgPool2d(x, k, { ...rest, countIncludePad: int(a, 'count_include_pad', 0) === 1 });
  };
}

function reshape(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  const x = need(ins, 0, op);
  const allowZero = int(a, 'allowzero', 0) === 1;
  const shape = ints(ins[1]).map((s, i) => (s === 0 && !allowZero ? x.shape[i]! : s));
  return x.reshape(shape);
}

function slice(ins: readonly (Tensor | undefined)[], _a: Attrs, op: string): Tensor {
  let x = need(ins, 0, op);
  const starts = ints(ins[1]);
  const ends = ints(ins[2]);
  const axes = ins[3] ? ints(ins[3]).map((d) => norm(d, x.ndim)) : starts.map((_, i) => i);
  const steps = ins[4] ? ints(ins[4]) : starts.map(() => 1);
  axes.forEach((dim, i) => {
    const n = x.shape[dim]!;
    const step = steps[i]!;
    if (step === 0) throw new Error('importOnnx: Slice step 0');
    let start = starts[i]!;
    let end = ends[i]!;
    if (start < 0) start += n;
    if (end < 0) end += n;
    const idx: number[] = [];
    if (step > 0) {
      for (let j = Math.max(start, 0); j < Math.min(end, n); j += step) idx.push(j);
    } else {
      for (let j = Math.min(start, n - 1); j > Math.max(end, -1); j += step) idx.push(j);
    }
    x = T.indexSelect(x, dim, tensor(idx, { dtype: 'int32', shape: [idx.length] }));
  });
  return x;
}

function gather(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  const x = need(ins, 0, op);
  const axis = norm(int(a, 'axis', 0), x.ndim);
  let idx = need(ins, 1, op);
  const n = x.shape[axis]!;
  idx = T.where(idx.lt(0), idx.add(n), idx);
  const flat = T.indexSelect(x, axis, idx.reshape([-1]));
  return flat.reshape([...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)]);
}

function unsqueeze(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  let x = need(ins, 0, op);
  const raw = ins[1] !== undefined ? ints(ins[1]) : (intList(a, 'axes') ?? []);
  const rank = x.ndim + raw.length;
  for (const d of raw.map((d) => norm(d, rank)).sort((p, q) => p - q)) x = x.unsqueeze(d);
  return x;
}

function squeeze(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  const x = need(ins, 0, op);
  const axes = axesOf(ins, a, x.ndim);
  return axes === undefined ? x.squeeze() : x.squeeze(axes);
}

function constant(_ins: readonly (Tensor | undefined)[], a: Attrs): Tensor {
  if (a.value !== undefined) return a.value as Tensor;
  if (typeof a.value_float === 'number') return tensor(a.value_float);
  if (typeof a.value_int === 'number') return tensor(a.value_int, { dtype: 'int32' });
  if (Array.isArray(a.value_floats)) return tensor(a.value_floats);
  if (Array.isArray(a.value_ints)) return tensor(a.value_ints, { dtype: 'int32' });
  throw new Error('importOnnx: Constant with an unsupported value attribute');
}

function padOp(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  const x = need(ins, 0, op);
  const mode = a.mode ?? 'constant';
  if (mode !== 'constant') throw new Error(`importOnnx: Pad mode '${mode}' is not supported`);
  if (ins[3] !== undefined) throw new Error('importOnnx: Pad with an axes input is not supported');
  const p = ints(ins[1]);
  const r = x.ndim;
  const pairs: number[] = [];
  for (let d = r - 1; d >= 0; d--) pairs.push(p[d]!, p[d + r]!);
  const value = ins[2] === undefined ? 0 : Number(ins[2].item());
  return T.pad(x, pairs, 'constant', value);
}

function batchNorm(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  if (int(a, 'training_mode', 0) !== 0) throw new Error('importOnnx: BatchNormalization in training mode');
  const x = need(ins, 0, op);
  const eps = typeof a.epsilon === 'number' ? a.epsilon : 1e-5;
  const shape = [1, x.shape[1]!, ...x.shape.slice(2).map(() => 1)];
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => need(ins, i, op).reshape(shape));
  return x.sub(mean!).div(variance!.add(eps).sqrt()).mul(scale!).add(bias!);
}

function layerNorm(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  const x = need(ins, 0, op);
  const axis = norm(int(a, 'axis', -1), x.ndim);
  const eps = typeof a.epsilon === 'number' ? a.epsilon : 1e-5;
  const dims = x.shape.map((_, i) => i).filter((i) => i >= axis);
  const d = x.sub(x.mean(dims, true));
  const y = d.div(d.mul(d).mean(dims, true).add(eps).sqrt()).mul(need(ins, 1, op));
  return ins[2] === undefined ? y : y.add(ins[2]);
}

function gemm(ins: readonly (Tensor | undefined)[], a: Attrs, op: string): Tensor {
  let x = need(ins, 0, op);
  let w = need(ins, 1, op);
  if (int(a, 'transA', 0) === 1) x = x.T;
  if (int(a, 'transB', 0) === 1) w = w.T;
  const alpha = typeof a.alpha === 'number' ? a.alpha : 1;
  const beta = typeof a.beta === 'number' ? a.beta : 1;
  let y = T.matmul(x, w);
  if (alpha !== 1) y = y.mul(alpha);
  const c = ins[2];
  return c === undefined ? y : y.add(beta === 1 ? c : c.mul(beta));
}

function argReduce(f: typeof T.argmax): Importer {
  return (ins, a, op) => {
    if (int(a, 'select_last_index', 0) !== 0)
      throw new Error(`importOnnx: ${op} select_last_index is not supported`);
    return f(need(ins, 0, op), int(a, 'axis', 0), int(a, 'keepdims', 1) === 1);
  };
}

/** ONNX op type -> eager implementation on Tessera tensors (default domain, opset 13 and later). */
export const IMPORTERS: Record<string, Importer> = {
  Relu: unary(T.relu),
  Tanh: unary(T.tanh),
  Sigmoid: unary(T.sigmoid),
  Exp: unary(T.exp),
  Log: unary(T.log),
  Neg: unary(T.neg),
  Abs: unary(T.abs),
  Sqrt: unary(T.sqrt),
  Reciprocal: unary(T.reciprocal),
  Erf: unary(T.erf),
  Sin: unary(T.sin),
  Cos: unary(T.cos),
  Tan: unary(T.tan),
  Asin: unary(T.asin),
  Acos: unary(T.acos),
  Atan: unary(T.atan),
  Sinh: unary(T.sinh),
  Cosh: unary(T.cosh),
  Asinh: unary(T.asinh),
  Acosh: unary(T.acosh),
  Atanh: unary(T.atanh),
  Round: unary(T.round),
  IsNaN: unary(T.isnan),
  IsInf: (ins, a, op) => {
    const x = need(ins, 0, op);
    const neg = int(a, 'detect_negative', 1) === 1;
    const pos = int(a, 'detect_positive', 1) === 1;
    return neg && pos
      ? T.isinf(x)
      : neg
        ? T.isneginf(x)
        : pos
          ? T.isposinf(x)
          : T.zeros(x.shape, { dtype: 'bool' });
  },
  Floor: unary(T.floor),
  Ceil: unary(T.ceil),
  Sign: unary(T.sign),
  Not: unary(T.not),
  Softplus: unary((x) => T.softplus(x)),
  Identity: unary((x) => x),
  Dropout: unary((x) => x),
  Elu: (ins, a, op) => T.elu(need(ins, 0, op), typeof a.alpha === 'number' ? a.alpha : 1),
  LeakyRelu: (ins, a, op) => T.leakyRelu(need(ins, 0, op), typeof a.alpha === 'number' ? a.alpha : 0.01),
  Gelu: (ins, a, op) => T.gelu(need(ins, 0, op), a.approximate === 'tanh' ? 'tanh' : 'none'),
  Add: binary(T.add),
  Sub: binary(T.sub),
  Mul: binary(T.mul),
  // ONNX divides integers with truncation.
  Div: binary((x, y) => (x.dtype === 'int32' && y.dtype === 'int32' ? T.div(x, y, 'trunc') : T.div(x, y))),
  Pow: binary(T.pow),
  Min: (ins) => (ins as Tensor[]).reduce((p, q) => T.minimum(p, q)),
  Max: (ins) => (ins as Tensor[]).reduce((p, q) => T.maximum(p, q)),
  Equal: binary(T.eq),
  Less: binary(T.lt),
  LessOrEqual: binary(T.le),
  Greater: binary(T.gt),
  GreaterOrEqual: binary(T.ge),
  And: binary(T.and),
  Or: binary(T.or),
  Xor: binary(T.xor),
  Where: (ins, _a, op) => T.where(need(ins, 0, op), need(ins, 1, op), need(ins, 2, op)),
  MatMul: binary(T.matmul),
  Gemm: gemm,
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: unary((x) =>
    x.mean(
      x.shape.slice(2).map((_, i) => i + 2),
      true,
    ),
  ),
  Reshape: reshape,
  Flatten: (ins, a, op) => {
    const x = need(ins, 0, op);
    const axis = norm(int(a, 'axis', 1), x.ndim);
    return x.reshape([x.shape.slice(0, axis).reduce((p, q) => p * q, 1), -1]);
  },
  Transpose: (ins, a, op) => {
    const x = need(ins, 0, op);
    return x.permute(intList(a, 'perm') ?? x.shape.map((_, i) => x.ndim - 1 - i));
  },
  Expand: (ins, _a, op) => {
    const x = need(ins, 0, op);
    return x.expand(broadcastShapes('importOnnx Expand', x.shape, ints(ins[1])));
  },
  Slice: slice,
  Gather: gather,
  GatherElements: (ins, a, op) => T.gather(need(ins, 0, op), int(a, 'axis', 0), need(ins, 1, op)),
  Cast: (ins, a, op) => T.cast(need(ins, 0, op), tesseraType(int(a, 'to', 0), op)),
  Concat: (ins, a) =>
    T.cat(
      ins.filter((t): t is Tensor => t !== undefined),
      int(a, 'axis', 0),
    ),
  Softmax: (ins, a, op) => T.softmax(need(ins, 0, op), int(a, 'axis', -1)),
  LogSoftmax: (ins, a, op) => T.logSoftmax(need(ins, 0, op), int(a, 'axis', -1)),
  ReduceSum: reduce((x, d, k) => T.sum(x, d, k)),
  ReduceMean: reduce((x, d, k) => T.mean(x, d, k)),
  ReduceMax: reduce((x, d, k) => T.amax(x, d, k)),
  ReduceMin: reduce((x, d, k) => T.amin(x, d, k)),
  ReduceProd: reduce((x, d, k) => T.prod(x, d, k)),
  ArgMax: argReduce(T.argmax),
  ArgMin: argReduce(T.argmin),
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Constant: constant,
  Shape: (ins, a, op) => {
    const s = need(ins, 0, op).shape;
    const r = s.length;
    const lo = Math.min(Math.max(norm(int(a, 'start', 0), r), 0), r);
    const hi = Math.min(Math.max(norm(int(a, 'end', r), r), 0), r);
    return tensor(s.slice(lo, hi), { dtype: 'int32', shape: [Math.max(hi - lo, 0)] });
  },
  Clip: (ins, _a, op) => T.clamp(need(ins, 0, op), ins[1] ?? null, ins[2] ?? null),
  Pad: padOp,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  ...RNN_IMPORTERS,
  CumSum: (ins, a, op) => {
    if (int(a, 'exclusive', 0) !== 0 || int(a, 'reverse', 0) !== 0)
      throw new Error('importOnnx: CumSum exclusive/reverse is not supported');
    return T.cumsum(need(ins, 0, op), Number(need(ins, 1, op).item()));
  },
};

/** The ONNX op types `importOnnx` can run. */
export const IMPORTED_OPS: readonly string[] = Object.keys(IMPORTERS).sort();
