/**
 * @tessera/tensor: n-dimensional tensors with PyTorch semantics, computed eagerly by a pluggable
 * backend. The embedded CPU backend is registered as `'cpu'` and is the default.
 */
import { registerBackend } from './backend.js';
import { CpuBackend } from './cpu/backend.js';

registerBackend('cpu', () => new CpuBackend());

export {
  type Backend,
  type BackendMemory,
  type BinaryOp,
  type BufferHandle,
  type Conv2dParams,
  type FusedKernels,
  type Pool2dParams,
  type PrimitiveKernels,
  type RandomDist,
  type RandomParams,
  type ReduceOp,
  type ScanOp,
  type UnaryAttrs,
  type UnaryOp,
  type View,
  BINARY_OPS,
  REDUCE_OPS,
  UNARY_OPS,
  currentBackend,
  getBackend,
  listBackends,
  registerBackend,
  setBackend,
} from './backend.js';
export { CpuBackend } from './cpu/backend.js';
export { cpuBufferCacheBytes, setCpuBufferCacheLimit } from './cpu/buffer.js';
export {
  type CreationOptions,
  type NestedInput,
  type RandomOptions,
  type TensorData,
  arange,
  bernoulli,
  emptyLike,
  empty_ as empty,
  eye,
  full,
  fullLike,
  linspace,
  normal,
  ones,
  onesLike,
  rand,
  randLike,
  randint,
  randn,
  randnLike,
  randperm,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from './creation.js';
export { type OpCall, type OpObserver, getOpObserver, runOp, setOpObserver } from './dispatch.js';
export { type DType, DTYPES, type TypedArray, canCast, isFloating, itemSize, promoteTypes } from './dtype.js';
export { and, eq, ge, gt, le, lt, ne, not, or, xor } from './ops/compare.js';
export * from './ops/conv.js';
export {
  abs, add, atan2, cast, ceil, clamp, cos, div, elu, erf, exp, exp2, expm1, floor, gelu, isfinite, isnan,
  leakyRelu, log, log1p, log2, maximum, minimum, mul, neg, pow, reciprocal, relu, remainder, round, rsqrt,
  sigmoid, sign, silu, sin, softplus, sqrt, square, sub, tan, tanh, trunc, where,
} from './ops/elementwise.js';
export {
  gather, indexAdd, indexSelect, maskedFill, maskedSelect, maskedSelectAsync, oneHot, scatter, scatterAdd,
} from './ops/indexing.js';
export { bmm, dot, einsum, matmul, mm, outer } from './ops/linalg.js';
export {
  broadcastTo, clone, contiguous, diagonal, expand, flatten, narrow, permute, reshape, select, slice, squeeze,
  toAsync, transpose, unflatten, unsqueeze, view,
} from './ops/movement.js';
export {
  all, amax, amin, any, argmax, argmin, argsort, cumprod, cumsum, logSoftmax, logsumexp, maxDim, mean, minDim,
  norm, prod, softmax, sort, std, sum, topk, variance as var_, variance,
} from './ops/reduce.js';
export {
  type PadMode, cat, chunk, diagonalScatter, flip, pad, repeat, roll, selectScatter, sliceScatter, split, stack,
  tile, tril, triu,
} from './ops/shaping.js';
export { Generator, defaultGenerator, manualSeed, philox } from './random.js';
export { type Shape, broadcastShapes, contiguousStrides, sizeOf } from './shape.js';
export {
  type CpuKernelInfo,
  type CpuKernelMode,
  type CpuKernelStats,
  cpuKernelInfo,
  cpuKernelStats,
  getCpuKernels,
  getNumThreads,
  initCpuKernels,
  setCpuKernels,
  setNumThreads,
} from './wasm/runtime.js';
export { type MemoryInfo, memory } from './storage.js';
export { type NestedArray, Tensor, type TensorLike } from './tensor.js';
