import {
  CLAMP_OP,
  type Conv2dParams,
  ELU_OP,
  LEAKY_RELU_OP,
  type Pool2dParams,
  SOFTPLUS_OP,
} from '@tessera/tensor';
import type { AttrValue, EmitCall, EmitContext, Emitter } from './emit.js';
import { onnxType } from './proto.js';

/** One-to-one unary ops: Tessera name -> ONNX op type. */
const UNARY: Record<string, string> = {
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  exp: 'Exp',
  log: 'Log',
  neg: 'Neg',
  abs: 'Abs',
  sqrt: 'Sqrt',
  reciprocal: 'Reciprocal',
  erf: 'Erf',
  sin: 'Sin',
  cos: 'Cos',
  tan: 'Tan',
  asin: 'Asin',
  acos: 'Acos',
  atan: 'Atan',
  sinh: 'Sinh',
  cosh: 'Cosh',
  asinh: 'Asinh',
  acosh: 'Acosh',
  atanh: 'Atanh',
  floor: 'Floor',
  ceil: 'Ceil',
  round: 'Round',
  sign: 'Sign',
  not: 'Not',
  isnan: 'IsNaN',
  isinf: 'IsInf',
  contiguous: 'Identity',
  clone: 'Identity',
};

/** Elementwise binary ops (inputs already broadcastable, as ONNX's multidirectional broadcasting). */
const BINARY: Record<string, string> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  pow: 'Pow',
  minimum: 'Min',
  maximum: 'Max',
  eq: 'Equal',
  lt: 'Less',
  le: 'LessOrEqual',
  gt: 'Greater',
  ge: 'GreaterOrEqual',
  and: 'And',
  or: 'Or',
  xor: 'Xor',
  matmul: 'MatMul',
};

const one =
  (op: string): Emitter =>
  (ctx, c) =>
    void ctx.node(op, c.names, c.outNames);

const num = (v: unknown, dflt: number): number => (typeof v === 'number' ? v : dflt);

/** y = x * g(x)-style decompositions: builds `op(x)` then multiplies by x. */
function timesX(ctx: EmitContext, c: EmitCall, inner: string): void {
  const s = ctx.node(inner, [c.names[0]!], [ctx.fresh(inner)]);
  ctx.node('Mul', [c.names[0]!, s], c.outNames);
}

/** gelu: 0.5 x (1 + erf(x / sqrt 2)) or its tanh form; ONNX has Gelu only from opset 20. */
function gelu(approximate: 'none' | 'tanh'): Emitter {
  return (ctx, c) => {
    if (ctx.opset >= 20 && approximate === 'none') return void ctx.node('Gelu', c.names, c.outNames);
    const dt = c.inputs[0]!.dtype;
    const x = c.names[0]!;
    let inner: string;
    if (approximate === 'none') {
      const d = ctx.node('Div', [x, ctx.scalar(Math.SQRT2, dt)], [ctx.fresh('gelu')]);
      inner = ctx.node('Erf', [d], [ctx.fresh('gelu')]);
    } else {
      // tanh(sqrt(2/pi) (x + 0.044715 x^3))
      const x3 = ctx.node('Mul', [x, ctx.node('Mul', [x, x], [ctx.fresh('gelu')])], [ctx.fresh('gelu')]);
      const s = ctx.node(
        'Add',
        [x, ctx.node('Mul', [x3, ctx.scalar(0.044715, dt)], [ctx.fresh('gelu')])],
        [ctx.fresh('gelu')],
      );
      const k = ctx.node('Mul', [s, ctx.scalar(Math.sqrt(2 / Math.PI), dt)], [ctx.fresh('gelu')]);
      inner = ctx.node('Tanh', [k], [ctx.fresh('gelu')]);
    }
    const p = ctx.node('Add', [inner, ctx.scalar(1, dt)], [ctx.fresh('gelu')]);
    const h = ctx.node('Mul', [x, ctx.scalar(0.5, dt)], [ctx.fresh('gelu')]);
    ctx.node('Mul', [h, p], c.outNames);
  };
}

function conv2d(ctx: EmitContext, c: EmitCall): void {
  const p = c.attrs.params as Conv2dParams;
  const w = c.inputs[1]!.shape;
  ctx.node('Conv', c.names, c.outNames, {
    kernel_shape: [w[2]!, w[3]!],
    strides: [...p.stride],
    pads: [p.padding[0], p.padding[2], p.padding[1], p.padding[3]],
    dilations: [...p.dilation],
    group: p.groups,
  });
}

/** conv2dBackwardInput is a transposed convolution (convTranspose2d records it): ConvTranspose. */
function convTranspose(ctx: EmitContext, c: EmitCall): void {
  const p = c.attrs.params as Conv2dParams;
  const out = c.attrs.inputShape as readonly number[];
  const dy = c.inputs[0]!.shape;
  const w = c.inputs[1]!.shape;
  const k = [w[2]!, w[3]!];
  const pads = [p.padding[0], p.padding[2], p.padding[1], p.padding[3]];
  // The output size is fixed by inputShape; output_padding makes up what the stride leaves over.
  const outputPadding = [0, 1].map(
    (i) =>
      out[2 + i]! -
      (p.stride[i]! * (dy[2 + i]! - 1) + (k[i]! - 1) * p.dilation[i]! + 1 - pads[i]! - pads[i + 2]!),
  );
  ctx.node('ConvTranspose', c.names, c.outNames, {
    kernel_shape: k,
    strides: [...p.stride],
    pads,
    dilations: [...p.dilation],
    group: p.groups,
    output_padding: outputPadding,
  });
}

function pool(op: 'MaxPool' | 'AveragePool'): Emitter {
  return (ctx, c) => {
    const p = c.attrs.params as Pool2dParams;
    const attrs: Record<string, AttrValue> = {
      kernel_shape: [...p.kernel],
      strides: [...p.stride],
      pads: [p.padding[0], p.padding[1], p.padding[0], p.padding[1]],
      ceil_mode: p.ceilMode ? 1 : 0,
    };
    if (op === 'MaxPool') attrs.dilations = [...p.dilation];
    else {
      if (p.divisorOverride !== undefined)
        throw new Error('exportOnnx: avgPool2d with divisorOverride has no ONNX AveragePool equivalent');
      if (p.dilation[0] !== 1 || p.dilation[1] !== 1) {
        if (ctx.opset < 19) throw new Error('exportOnnx: avgPool2d with dilation needs opset >= 19');
        attrs.dilations = [...p.dilation];
      }
      attrs.count_include_pad = p.countIncludePad ? 1 : 0;
    }
    // Only the values: Tessera's indices (per-plane flat positions) differ from ONNX's.
    ctx.node(op, [c.names[0]!], [c.outNames[0]!], attrs);
  };
}

function reshape(ctx: EmitContext, c: EmitCall): void {
  const from = c.inputs[0]!.shape;
  const to = c.attrs.shape as readonly number[];
  const core = (s: readonly number[]): string => s.filter((d) => d !== 1).join(',');
  if (core(from) === core(to) && from.length !== to.length) {
    // Only unit dims come or go (unsqueeze, squeeze): Squeeze/Unsqueeze leave the other dims free.
    const units = (s: readonly number[]): number[] => s.flatMap((d, i) => (d === 1 ? [i] : []));
    const fromUnits = units(from);
    const toUnits = units(to);
    const mid = fromUnits.length
      ? ctx.node('Squeeze', [c.names[0]!, ctx.int64(fromUnits)], [ctx.fresh('squeeze')])
      : c.names[0]!;
    if (toUnits.length) ctx.node('Unsqueeze', [mid, ctx.int64(toUnits)], c.outNames);
    else ctx.node('Identity', [mid], c.outNames);
    return;
  }
  // A leading run of unchanged dims is written as 0 ("copy from the input") and the next dim as -1
  // (inferred), so a dynamic batch stays dynamic, also when merged with heads ([B*H, T, D]).
  const target = [...to];
  let i = 0;
  for (; i < target.length && i < from.length && target[i] === from[i] && target[i] !== 0; i++) target[i] = 0;
  if (i < target.length && !to.includes(0)) target[i] = -1;
  ctx.node('Reshape', [c.names[0]!, ctx.int64(target)], c.outNames);
}

/** Expand broadcasts both ways, so a kept dim is written as 1 and stays free (a dynamic batch). */
function expand(ctx: EmitContext, c: EmitCall): void {
  const from = c.inputs[0]!.shape;
  const to = c.attrs.shape as readonly number[];
  const lead = to.length - from.length;
  const target = to.map((s, i) => (i >= lead && from[i - lead] === s ? 1 : s));
  ctx.node('Expand', [c.names[0]!, ctx.int64(target)], c.outNames);
}

function slice(ctx: EmitContext, c: EmitCall): void {
  const { dim, start, length, step } = c.attrs as {
    dim: number;
    start: number;
    length: number;
    step: number;
  };
  let end = start + length * step;
  // A negative step that runs past index 0 has no non-negative end: use "before the start".
  if (end < 0) end = Number.MIN_SAFE_INTEGER;
  const names = [c.names[0]!, ctx.int64([start]), ctx.int64([end]), ctx.int64([dim]), ctx.int64([step])];
  ctx.node('Slice', names, c.outNames);
}

function reduce(op: string, attrAxesBelow: number): Emitter {
  return (ctx, c) => {
    const dims = c.attrs.dims as readonly number[];
    const keepdims = c.attrs.keepdim === true ? 1 : 0;
    if (dims.length === 0) return void ctx.node('Identity', [c.names[0]!], c.outNames);
    if (ctx.opset < attrAxesBelow) ctx.node(op, [c.names[0]!], c.outNames, { axes: [...dims], keepdims });
    else ctx.node(op, [c.names[0]!, ctx.int64(dims)], c.outNames, { keepdims });
  };
}

function clamp(ctx: EmitContext, c: EmitCall): void {
  const dt = c.inputs[0]!.dtype;
  const lo = num(c.attrs.min, CLAMP_OP.attrs.min);
  const hi = num(c.attrs.max, CLAMP_OP.attrs.max);
  const min = lo === Number.NEGATIVE_INFINITY ? '' : ctx.scalar(lo, dt);
  const max = hi === Number.POSITIVE_INFINITY ? '' : ctx.scalar(hi, dt);
  ctx.node('Clip', [c.names[0]!, min, max], c.outNames);
}

function pad(ctx: EmitContext, c: EmitCall): void {
  const p = c.attrs.pad as readonly number[];
  const rank = c.inputs[0]!.ndim;
  const begins = new Array<number>(rank).fill(0);
  const ends = new Array<number>(rank).fill(0);
  for (let i = 0; i < p.length / 2; i++) {
    begins[rank - 1 - i] = p[2 * i]!;
    ends[rank - 1 - i] = p[2 * i + 1]!;
  }
  const value = Number(c.attrs.value ?? 0);
  ctx.node(
    'Pad',
    [c.names[0]!, ctx.int64([...begins, ...ends]), ctx.scalar(value, c.inputs[0]!.dtype)],
    c.outNames,
    {},
  );
}

function argReduce(op: 'ArgMax' | 'ArgMin'): Emitter {
  return (ctx, c) => {
    let x = c.names[0]!;
    let axis = c.attrs.dim as number | null;
    if (axis === null) {
      x = ctx.node('Reshape', [x, ctx.int64([-1])], [ctx.fresh('flat')]);
      axis = 0;
    }
    const i64 = ctx.node(op, [x], [ctx.fresh(op)], { axis, keepdims: c.attrs.keepdim === true ? 1 : 0 });
    // ONNX gives int64 indices; Tessera's are int32.
    ctx.node('Cast', [i64], c.outNames, { to: onnxType('int32') });
  };
}

/** Tessera op name -> export rule. */
export const EMITTERS: Record<string, Emitter> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([k, v]) => [k, one(v)])),
  ...Object.fromEntries(Object.entries(BINARY).map(([k, v]) => [k, one(v)])),
  ne: (ctx, c) => void ctx.node('Not', [ctx.node('Equal', c.names, [ctx.fresh('eq')])], c.outNames),
  where: one('Where'),
  square: (ctx, c) => void ctx.node('Mul', [c.names[0]!, c.names[0]!], c.outNames),
  rsqrt: (ctx, c) =>
    void ctx.node('Reciprocal', [ctx.node('Sqrt', c.names, [ctx.fresh('sqrt')])], c.outNames),
  silu: (ctx, c) => timesX(ctx, c, 'Sigmoid'),
  log1p: (ctx, c) =>
    void ctx.node(
      'Log',
      [ctx.node('Add', [c.names[0]!, ctx.scalar(1, c.inputs[0]!.dtype)], [ctx.fresh('p1')])],
      c.outNames,
    ),
  expm1: (ctx, c) =>
    void ctx.node(
      'Sub',
      [ctx.node('Exp', c.names, [ctx.fresh('exp')]), ctx.scalar(1, c.inputs[0]!.dtype)],
      c.outNames,
    ),
  elu: (ctx, c) =>
    void ctx.node('Elu', c.names, c.outNames, { alpha: { float: num(c.attrs.alpha, ELU_OP.attrs.alpha) } }),
  leakyRelu: (ctx, c) =>
    void ctx.node('LeakyRelu', c.names, c.outNames, {
      alpha: { float: num(c.attrs.alpha, LEAKY_RELU_OP.attrs.alpha) },
    }),
  softplus: (ctx, c) => {
    const beta = num(c.attrs.beta, SOFTPLUS_OP.attrs.beta);
    if (beta !== 1) throw new Error(`exportOnnx: softplus with beta ${beta} has no ONNX Softplus equivalent`);
    ctx.node('Softplus', c.names, c.outNames);
  },
  gelu: gelu('none'),
  geluTanh: gelu('tanh'),
  clamp,
  conv2d,
  conv2dBackwardInput: convTranspose,
  maxPool2d: pool('MaxPool'),
  avgPool2d: pool('AveragePool'),
  reshape,
  permute: (ctx, c) =>
    void ctx.node('Transpose', c.names, c.outNames, { perm: [...(c.attrs.dims as number[])] }),
  expand,
  slice,
  select: (ctx, c) =>
    void ctx.node('Gather', [c.names[0]!, ctx.int64([c.attrs.index as number], true)], c.outNames, {
      axis: c.attrs.dim as number,
    }),
  cat: (ctx, c) => void ctx.node('Concat', c.names, c.outNames, { axis: c.attrs.dim as number }),
  cast: (ctx, c) => void ctx.node('Cast', c.names, c.outNames, { to: onnxType(c.outputs[0]!.dtype) }),
  softmax: (ctx, c) => void ctx.node('Softmax', c.names, c.outNames, { axis: c.attrs.dim as number }),
  logSoftmax: (ctx, c) => void ctx.node('LogSoftmax', c.names, c.outNames, { axis: c.attrs.dim as number }),
  sum: reduce('ReduceSum', 13),
  amax: reduce('ReduceMax', 18),
  amin: reduce('ReduceMin', 18),
  prod: reduce('ReduceProd', 18),
  argmax: argReduce('ArgMax'),
  argmin: argReduce('ArgMin'),
  gather: (ctx, c) => void ctx.node('GatherElements', c.names, c.outNames, { axis: c.attrs.dim as number }),
  indexSelect: (ctx, c) => void ctx.node('Gather', c.names, c.outNames, { axis: c.attrs.dim as number }),
  pad,
  flip: (ctx, c) => {
    const dims = c.attrs.dims as readonly number[];
    const big = Number.MIN_SAFE_INTEGER;
    const ins = [c.names[0]!, ctx.int64(dims.map(() => -1)), ctx.int64(dims.map(() => big)), ctx.int64(dims)];
    ctx.node('Slice', [...ins, ctx.int64(dims.map(() => -1))], c.outNames);
  },
  cumsum: (ctx, c) =>
    void ctx.node('CumSum', [c.names[0]!, ctx.int64([c.attrs.dim as number], true)], c.outNames),
};

/** The Tessera op names `exportOnnx` can write (each becomes one or a few ONNX nodes). */
export const EXPORTED_OPS: readonly string[] = Object.keys(EMITTERS).sort();
