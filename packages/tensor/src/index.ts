/**
 * @tessera/tensor: n-dimensional tensors with PyTorch semantics, computed eagerly by a pluggable
 * backend. The embedded CPU backend is registered as `'cpu'` and is the default.
 */
import { registerBackend } from './backend.js';
import { CpuBackend } from './cpu/backend.js';
// Also the Tensor method declarations (module augmentation) that declaration files must carry.
import './methods/math.js';
import './methods/elementwise.js';
import './methods/reduce.js';
import './methods/inplace.js';
import './methods/structure.js';
// Lets the declaration files compile without the DOM lib (see the file).
import './webassembly-types.js';
import { installElementwiseMethods } from './methods/elementwise.js';
import { installInPlaceMethods } from './methods/inplace.js';
import { installMathMethods } from './methods/math.js';
import { installReduceMethods } from './methods/reduce.js';
import { installStructureMethods } from './methods/structure.js';
import { checkSingleCopy } from './single-copy.js';
import { VERSION } from './version.js';

// First, before this copy registers anything: a second, different copy of the package is an error.
checkSingleCopy(VERSION, import.meta.url);
registerBackend('cpu', () => new CpuBackend());
installMathMethods();
installElementwiseMethods();
installReduceMethods();
installInPlaceMethods();
installStructureMethods();

export {
  type Backend,
  type BackendMemory,
  type BinaryOp,
  type BufferHandle,
  type Conv2dParams,
  currentBackend,
  type ElementwiseExtension,
  type ExtensionKernels,
  type FusedKernels,
  getBackend,
  listBackends,
  type Pool2dParams,
  type PrimitiveKernels,
  type RandomDist,
  type RandomParams,
  REDUCE_OPS,
  type ReduceOp,
  registerBackend,
  type ScanOp,
  setBackend,
  type UnaryAttrs,
  type UnaryOp,
  type UpdateOp,
  type View,
} from './backend.js';
export { CpuBackend } from './cpu/backend.js';
export { cpuBufferCacheBytes, setCpuBufferCacheLimit } from './cpu/buffer.js';
export {
  arange,
  type CreationOptions,
  empty_ as empty,
  emptyLike,
  eye,
  full,
  fullLike,
  linspace,
  type NestedInput,
  ones,
  onesLike,
  type RandomOptions,
  type TensorData,
  tensor,
  zeros,
  zerosLike,
} from './creation/factories.js';
export { type MultinomialOptions, multinomial } from './creation/multinomial.js';
export {
  bernoulli,
  normal,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  randperm,
  uniform,
} from './creation/random-factories.js';
export {
  getOpObserver,
  hasOpObservers,
  type OpCall,
  type OpObserver,
  type OpObserverHandle,
  pushOpObserver,
  runOp,
  setOpObserver,
} from './dispatch.js';
export { canCast, DTYPES, type DType, isFloating, itemSize, promoteTypes, type TypedArray } from './dtype.js';
// The backend kit (with formatShape, sameShape, contiguousStrides, sizeOf, isFloating): see BACKENDS.md.
export { checkTensor, describeValue } from './kit-checks.js';
export {
  type ConvGeometry,
  convGeometry,
  convOutputSize,
  isPointwiseConv,
  type PoolGeometry,
  poolGeometry,
} from './kit-geometry.js';
export { type CollapsedStrides, collapseStrides } from './kit-strides.js';
export {
  currentOpContext,
  describeOpContextShapes,
  type OpContext,
  withOpContext,
} from './op-context.js';
export * from './ops/all-decls.js';
export { BINARY_DECLS, BINARY_OPS, CORE_BINARY, type DifferentiableBinaryOp } from './ops/binary-decls.js';
export { and, eq, ge, gt, le, lt, ne, not, or, xor } from './ops/compare.js';
export * from './ops/conv.js';
export {
  type AttrArgs,
  type AttrEntry,
  type AttrSpec,
  type AttrSpecValue,
  type AttrsOf,
  type AttrValue,
  attr,
  type BoolInput,
  type DTypeRule,
  getOpDecl,
  type NoAttrs,
  type NumericAttrSpec,
  type OpDecl,
  type OpDeclInput,
  type OpKind,
  opDeclarations,
} from './ops/declare.js';
export {
  abs,
  add,
  atan2,
  cast,
  ceil,
  clamp,
  clamp as clip,
  cos,
  div,
  elu,
  erf,
  exp,
  exp2,
  expm1,
  floor,
  gelu,
  isfinite,
  isnan,
  leakyRelu,
  log,
  log1p,
  log2,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  reciprocal,
  relu,
  remainder,
  round,
  rsqrt,
  sigmoid,
  sign,
  silu,
  sin,
  softplus,
  sqrt,
  square,
  sub,
  tan,
  tanh,
  trunc,
  where,
} from './ops/elementwise.js';
export {
  callOp,
  type ExtensionDTypeRule,
  type OpKernels,
  registerOp,
  type ScalarKernel,
} from './ops/extension.js';
export * from './ops/index-decls.js';
export {
  gather,
  indexAdd,
  indexSelect,
  maskedFill,
  maskedSelect,
  maskedSelectAsync,
  oneHot,
  scatter,
  scatterAdd,
} from './ops/indexing.js';
export * from './ops/inplace-decls.js';
export { bmm, dot, einsum, matmul, mm, outer } from './ops/linalg.js';
export {
  acos,
  acosh,
  addcdiv,
  addcmul,
  allclose,
  allcloseAsync,
  asin,
  asinh,
  atan,
  atanh,
  clampTensor,
  cosh,
  type IsCloseOptions,
  isclose,
  isinf,
  isneginf,
  isposinf,
  lerp,
  log10,
  sinh,
} from './ops/math.js';
export {
  broadcastTo,
  clone,
  contiguous,
  diagonal,
  expand,
  flatten,
  narrow,
  permute,
  reshape,
  select,
  slice,
  squeeze,
  toAsync,
  transpose,
  unflatten,
  unsqueeze,
  view,
} from './ops/movement.js';
export * from './ops/movement-decls.js';
export * from './ops/nn-decls.js';
export {
  all,
  amax,
  amin,
  any,
  argmax,
  argmin,
  argsort,
  cumprod,
  cumsum,
  logSoftmax,
  logsumexp,
  maxDim,
  mean,
  minDim,
  norm,
  prod,
  softmax,
  sort,
  std,
  sum,
  topk,
  variance as var_,
  variance,
} from './ops/reduce.js';
export * from './ops/reduce-decls.js';
export { isScalarAttrs, type ScalarAttrs } from './ops/scalar-binary.js';
export {
  type ScatterOptions,
  type ScatterReduce,
  type ScatterReduceOptions,
  scatterReduce,
} from './ops/scatter-reduce.js';
export {
  median,
  nonzero,
  nonzeroAsync,
  type UniqueAsked,
  type UniqueOptions,
  type UniqueResult,
  unique,
  uniqueAsync,
} from './ops/selection.js';
export {
  cat,
  chunk,
  diagonalScatter,
  flip,
  type PadMode,
  pad,
  repeat,
  roll,
  selectScatter,
  sliceScatter,
  split,
  stack,
  tile,
  tril,
  triu,
} from './ops/shaping.js';
export { cross, diag, diff, movedim, trace, unbind } from './ops/structural.js';
export { thresholdBackward } from './ops/threshold.js';
export * from './ops/unary-decls.js';
export {
  checkOptions,
  describeOptionValue,
  type OptionKind,
  type OptionRule,
  type OptionSpec,
  suggestOption,
  unknownOptionError,
} from './options.js';
export { ProfileResult, profile, profileAsync, recordFunction } from './profile.js';
export type { ProfileRow, ProfileSortKey, ProfileTableOptions } from './profile-table.js';
export { defaultGenerator, Generator, manualSeed, philox } from './random.js';
export {
  broadcastShapes,
  contiguousStrides,
  fmt as formatShape,
  type Shape,
  shapesEqual as sameShape,
  sizeOf,
} from './shape.js';
export { type MemoryInfo, memory, nextStep } from './storage.js';
export { type NestedArray, Tensor, type TensorLike } from './tensor.js';
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
} from './wasm/index.js';
