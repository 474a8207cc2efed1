import type { Tensor } from '@tessera/tensor';
import * as T from '@tessera/tensor';

/** Keyword arguments of a fixture case, as the generator recorded them. */
export type Kwargs = Record<string, unknown>;
/** One output or several (tuple results). */
export type OpResult = Tensor | Tensor[] | boolean;
/** Runs a case through Tessera. */
export type RefOp = (xs: Tensor[], kw: Kwargs) => OpResult;

const num = (kw: Kwargs, key: string, fallback: number): number =>
  (kw[key] as number | undefined) ?? fallback;
const unary =
  (f: (x: Tensor) => Tensor): RefOp =>
  (xs) =>
    f(xs[0]!);
const binary =
  (f: (a: Tensor, b: Tensor) => Tensor): RefOp =>
  (xs) =>
    f(xs[0]!, xs[1]!);

/**
 * The Tessera side of every case name in scripts/torch_reference_cases.py: the same call with
 * Tessera's names and argument order (kwargs translated from PyTorch's snake_case).
 */
export const REFERENCE_OPS: Readonly<Record<string, RefOp>> = {
  asin: unary(T.asin),
  acos: unary(T.acos),
  atan: unary(T.atan),
  sinh: unary(T.sinh),
  cosh: unary(T.cosh),
  asinh: unary(T.asinh),
  acosh: unary(T.acosh),
  atanh: unary(T.atanh),
  log10: unary(T.log10),
  neg: unary(T.neg),
  abs: unary(T.abs),
  exp: unary(T.exp),
  exp2: unary(T.exp2),
  log: unary(T.log),
  log2: unary(T.log2),
  log1p: unary(T.log1p),
  expm1: unary(T.expm1),
  sqrt: unary(T.sqrt),
  rsqrt: unary(T.rsqrt),
  square: unary(T.square),
  sin: unary(T.sin),
  cos: unary(T.cos),
  tan: unary(T.tan),
  tanh: unary(T.tanh),
  sigmoid: unary(T.sigmoid),
  erf: unary(T.erf),
  relu: unary(T.relu),
  reciprocal: unary(T.reciprocal),
  floor: unary(T.floor),
  ceil: unary(T.ceil),
  round: unary(T.round),
  trunc: unary(T.trunc),
  sign: unary(T.sign),
  silu: unary(T.silu),
  gelu: unary((x) => T.gelu(x)),
  gelu_tanh: unary((x) => T.gelu(x, 'tanh')),
  elu: unary((x) => T.elu(x, 1.5)),
  leaky_relu: unary((x) => T.leakyRelu(x, 0.1)),
  softplus: unary((x) => T.softplus(x, 2, 1.5)),
  isinf: unary(T.isinf),
  isposinf: unary(T.isposinf),
  isneginf: unary(T.isneginf),
  isnan: unary(T.isnan),
  isfinite: unary(T.isfinite),
  add: binary(T.add),
  sub: binary(T.sub),
  mul: binary(T.mul),
  div: binary(T.div),
  maximum: binary(T.maximum),
  minimum: binary(T.minimum),
  atan2: binary(T.atan2),
  pow: binary(T.pow),
  remainder: binary(T.remainder),
  isclose: ([a, b], kw) =>
    T.isclose(a!, b!, {
      rtol: num(kw, 'rtol', 1e-5),
      atol: num(kw, 'atol', 1e-8),
      equalNan: (kw.equal_nan as boolean | undefined) ?? false,
    }),
  allclose: ([a, b]) => T.allclose(a!, b!),
  lerp: ([a, b], kw) => T.lerp(a!, b!, kw.weight as number),
  lerp_tensor: ([a, b, w]) => T.lerp(a!, b!, w!),
  addcmul: ([x, a, b], kw) => T.addcmul(x!, a!, b!, num(kw, 'value', 1)),
  addcdiv: ([x, a, b], kw) => T.addcdiv(x!, a!, b!, num(kw, 'value', 1)),
  unbind: ([x], kw) => T.unbind(x!, num(kw, 'dim', 0)),
  movedim: ([x], kw) => T.movedim(x!, kw.source as number | number[], kw.destination as number | number[]),
  diff: ([x], kw) => T.diff(x!, num(kw, 'n', 1), num(kw, 'dim', -1)),
  diff_pa: ([x, p, a]) => T.diff(x!, 1, 1, p, a),
  trace: unary(T.trace),
  diag: ([x], kw) => T.diag(x!, num(kw, 'diagonal', 0)),
  cross: ([a, b], kw) => T.cross(a!, b!, num(kw, 'dim', -1)),
  median: unary((x) => T.median(x)),
  median_dim: ([x], kw) => {
    const r = T.median(x!, kw.dim as number, (kw.keepdim as boolean | undefined) ?? false);
    return [r.values, r.indices];
  },
  nonzero: unary(T.nonzero),
  unique: ([x], kw) => {
    const r = T.unique(x!, {
      returnInverse: (kw.return_inverse as boolean | undefined) ?? false,
      returnCounts: (kw.return_counts as boolean | undefined) ?? false,
      ...(kw.dim !== undefined ? { dim: kw.dim as number } : {}),
    });
    if (r instanceof T.Tensor) return r;
    return [r.values, ...(r.inverse ? [r.inverse] : []), ...(r.counts ? [r.counts] : [])];
  },
  clamp_tensor: ([x, lo, hi]) => T.clamp(x!, lo, hi),
  clamp_min_tensor: ([x, lo]) => T.clamp(x!, lo),
  clamp_max_tensor: ([x, hi]) => T.clamp(x!, null, hi),
  clamp: ([x], kw) => T.clamp(x!, kw.min as number, kw.max as number),
  scatter_reduce: ([x, i, s], kw) =>
    T.scatterReduce(x!, 1, i!, s!, kw.reduce as T.ScatterReduce, { includeSelf: kw.include_self as boolean }),
  scatter_reduce_dim0: ([x, i, s], kw) =>
    T.scatterReduce(x!, 0, i!, s!, kw.reduce as T.ScatterReduce, { includeSelf: kw.include_self as boolean }),
  sum: unary((x) => T.sum(x, 1)),
  mean: unary((x) => T.mean(x, 0)),
  prod: unary((x) => T.prod(x, 1)),
  amax: unary((x) => T.amax(x, 1)),
  amin: unary((x) => T.amin(x, 0)),
  var: unary((x) => T.variance(x, 1)),
  std: unary((x) => T.std(x, 0)),
  logsumexp: unary((x) => T.logsumexp(x, 1)),
  softmax: unary((x) => T.softmax(x, 1)),
  log_softmax: unary((x) => T.logSoftmax(x, 0)),
  cumsum: unary((x) => T.cumsum(x, 1)),
  cumprod: unary((x) => T.cumprod(x, 1)),
  norm: unary((x) => T.norm(x)),
  matmul: binary(T.matmul),
  mm: binary(T.mm),
  bmm: binary(T.bmm),
  outer: binary(T.outer),
  dot: binary(T.dot),
  cat: ([a, b]) => T.cat([a!, b!], 1),
  stack: ([a, b]) => T.stack([a!, b!], 1),
  flip: unary((x) => T.flip(x, [0, 1])),
  roll: unary((x) => T.roll(x, 1, 1)),
  tril: unary((x) => T.tril(x)),
  triu: unary((x) => T.triu(x, 1)),
  gather: ([x, i]) => T.gather(x!, 1, i!),
  index_select: ([x, i]) => T.indexSelect(x!, 1, i!),
  where: ([c, a, b]) => T.where(c!, a!, b!),
  einsum: binary((a, b) => T.einsum('bij,bjk->bik', a, b)),
  einsum_trace: unary((a) => T.einsum('ii->', a)),
  pad_constant: unary((x) => T.pad(x, [1, 2, 0, 1], 'constant', 0.5)),
  pad_reflect: unary((x) => T.pad(x, [2, 1], 'reflect')),
  pad_replicate: unary((x) => T.pad(x, [1, 2, 2, 0], 'replicate')),
  pad_circular: unary((x) => T.pad(x, [1, 2], 'circular')),
  sort_values: ([x]) => {
    const r = T.sort(x!, 1, true);
    return [r.values, r.indices];
  },
  topk: ([x]) => {
    const r = T.topk(x!, 2, 1);
    return [r.values, r.indices];
  },
  max_dim: ([x]) => {
    const r = T.maxDim(x!, 1);
    return [r.values, r.indices];
  },
  min_dim: ([x]) => {
    const r = T.minDim(x!, 0, true);
    return [r.values, r.indices];
  },
  argmax: unary((x) => T.argmax(x, 1)),
  repeat: unary((x) => T.repeat(x, [2, 1, 3])),
  tile: unary((x) => T.tile(x, [2])),
  split: ([x]) => T.split(x!, [1, 3], 1),
  chunk: ([x]) => T.chunk(x!, 2, 0),
  expand: unary((x) => T.expand(x, [2, 3, 4])),
  narrow: unary((x) => T.narrow(x, 1, 1, 2)),
  diagonal: unary((x) => T.diagonal(x, 1)),
  transpose: unary((x) => T.transpose(x, 0, 2)),
  permute: unary((x) => T.permute(x, [2, 0, 1])),
  index_add: ([x, i, s]) => T.indexAdd(x!, 0, i!, s!, 2),
  scatter: ([x, i, s]) => T.scatter(x!, 1, i!, s!),
  scatter_add: ([x, i, s]) => T.scatterAdd(x!, 1, i!, s!),
  masked_fill: ([x, m]) => T.maskedFill(x!, m!, -1.5),
  masked_select: ([x, m]) => T.maskedSelect(x!, m!),
  slice_scatter: ([x, s]) => T.sliceScatter(x!, s!, 1, 1, 4, 2),
  select_scatter: ([x, s]) => T.selectScatter(x!, s!, 0, 1),
  diagonal_scatter: ([x, s]) => T.diagonalScatter(x!, s!, 1),
  norm_p1: unary((x) => T.norm(x, 1, 1)),
  norm_p3: unary((x) => T.norm(x, 3, 0)),
  var_unbiased_false: unary((x) => T.variance(x, 0, { correction: 0 })),
  mean_all: unary((x) => T.mean(x)),
  sum_keepdim: unary((x) => T.sum(x, [0, 2], true)),
  logsumexp_2: unary((x) => T.logsumexp(x, [0, 1])),
  clamp_int: unary((x) => T.clamp(x, 1, 4)),
  eq: binary(T.eq),
  ne: binary(T.ne),
  lt: binary(T.lt),
  le: binary(T.le),
  gt: binary(T.gt),
  ge: binary(T.ge),
  logical_and: binary(T.and),
  logical_or: binary(T.or),
  logical_xor: binary(T.xor),
  logical_not: unary(T.not),
  cast_int: unary((x) => T.cast(x, 'int32')),
  cast_bool: unary((x) => T.cast(x, 'bool')),
  one_hot: unary((i) => T.oneHot(i, 4)),
  all: unary((x) => T.all(x, 1)),
  any: unary((x) => T.any(x, 0)),
  argmin: unary((x) => T.argmin(x, 0)),
  argsort: unary((x) => T.argsort(x, 1, true)),
  reshape: unary((x) => T.reshape(x, [2, -1, 3])),
  view: unary((x) => T.view(T.contiguous(x.T), [6, 2])),
  flatten: unary((x) => T.flatten(x, 1)),
  unflatten: unary((x) => T.unflatten(x, 1, [2, 2])),
  squeeze: unary((x) => T.squeeze(x, 1)),
  unsqueeze: unary((x) => T.unsqueeze(x, -1)),
  broadcast_to: unary((x) => T.broadcastTo(x, [2, 3, 4])),
  select: unary((x) => T.select(x, 1, 2)),
  slice_step: unary((x) => T.slice(x, 1, 1, undefined, 2)),
  clone: unary(T.clone),
  unfold: unary((x) => T.unfold(x, 2, { padding: 1, stride: 2 })),
  fold: unary((x) => T.fold(x, [4, 5], 2, { padding: 1, stride: 2 })),
};
