import type { DType, TypedArray } from './dtype.js';
import type { BinaryOp } from './ops/binary-decls.js';
import type { OpDecl } from './ops/declare.js';
import type { UnaryOp } from './ops/unary-decls.js';

/**
 * The backend interface. A backend owns buffers and runs a small set of primitive kernels on
 * strided views of them; every public op of `@tessera/tensor` is built from these (see
 * BACKENDS.md). Kernels never allocate their outputs: the caller allocates `out` and passes it in.
 *
 * Conventions shared by every kernel:
 * - `out` is contiguous (row-major strides) unless the kernel says otherwise; its `offset` may be
 *   non-zero (in-place ops write into a slice of a larger buffer).
 * - Inputs are arbitrary strided views: any strides, including 0 (broadcast) and negative (flip),
 *   and any offset. Kernels read them in place without first copying to contiguous form.
 * - Binary inputs arrive already broadcast to `out.shape` (broadcast dims have stride 0).
 * - Shapes, dims and dtypes have been validated by the caller.
 */
export interface Backend
  extends BackendMemory,
    PrimitiveKernels,
    Partial<FusedKernels>,
    Partial<ExtensionKernels> {
  /** Registry name, also the `device` string of tensors on it: `'cpu'`, `'webgpu'`, ... */
  readonly name: string;
  /** Whether buffers of this dtype can be created (the CPU backend supports all four). */
  supportsDType(dtype: DType): boolean;
}

/** Opaque handle to a buffer owned by a backend. */
export type BufferHandle = object;

/** A strided window onto a backend buffer: what every kernel reads and writes. */
export interface View {
  readonly buffer: BufferHandle;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Buffer management. */
export interface BackendMemory {
  /** Allocates a buffer of `size` elements (contents unspecified; zero on the CPU backend). */
  alloc(dtype: DType, size: number): BufferHandle;
  /**
   * Optional: allocates a buffer every element of which the caller overwrites before reading it,
   * so its contents need not be cleared (the CPU backend reuses freed memory without zeroing it).
   * Ops fall back to `alloc` when a backend lacks it.
   */
  allocUninitialized?(dtype: DType, size: number): BufferHandle;
  /** Creates a buffer holding a copy of `data` (whose element type matches `dtype`). */
  upload(dtype: DType, data: TypedArray): BufferHandle;
  /** Reads `size` elements from `offset` of a buffer into a new typed array. */
  read(buffer: BufferHandle, dtype: DType, offset: number, size: number): Promise<TypedArray>;
  /** Synchronous read, for backends whose memory the JS thread can see (the CPU backend). */
  readSync?(buffer: BufferHandle, dtype: DType, offset: number, size: number): TypedArray;
  /** Releases a buffer; called exactly once, when no tensor uses it any more. */
  free(buffer: BufferHandle): void;
  /** Resolves when all queued work has finished (for timing). */
  sync?(): Promise<void>;
}

// The op names come from the declarations (ops/*-decls.ts); index.ts exports the lists.
export type { BinaryOp } from './ops/binary-decls.js';
export type { UnaryOp } from './ops/unary-decls.js';

/**
 * Scalar parameters of unary ops: `alpha` (leakyRelu slope, elu alpha), `beta` and `threshold`
 * (softplus), `min` / `max` (clamp). Kernels receive them complete: the op fills every attribute
 * the op's declaration lists with its default (defaults live only in the declarations, see
 * `ops/unary-decls.ts`).
 */
export type UnaryAttrs = {
  readonly alpha?: number;
  readonly beta?: number;
  readonly threshold?: number;
  readonly min?: number;
  readonly max?: number;
};

/**
 * Reductions. `out.shape` is the input's with `axes` removed. sum/prod keep float dtypes and
 * produce int32 from int32/bool; max/min keep the dtype; any/all produce bool; argmax/argmin
 * take exactly one axis and produce int32 (first index of the extreme value).
 */
export const REDUCE_OPS = ['sum', 'prod', 'max', 'min', 'any', 'all', 'argmax', 'argmin'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Inclusive scans along one axis. */
export type ScanOp = 'cumsum' | 'cumprod';

/** Geometry of a 2-D convolution. `padding` is [top, bottom, left, right]. */
export interface Conv2dParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/** Geometry of a 2-D pooling window. `padding` is symmetric: [height, width]. */
export interface Pool2dParams {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;
  /** avgPool2d: whether zero padding counts in the divisor. */
  readonly countIncludePad: boolean;
  /** avgPool2d: a fixed divisor instead of the window size. */
  readonly divisorOverride?: number;
}

/** Distributions of `random`. All come from the counter-based Philox4x32-10 stream. */
export type RandomDist = 'uniform' | 'normal' | 'randint';

/** Parameters of `random`: uniform in [low, high), normal(mean, std), randint in [low, high). */
export interface RandomParams {
  readonly seed: bigint;
  /** Counter offset: element i of the output uses counter `offset + i` (see random.ts). */
  readonly offset: bigint;
  readonly low: number;
  readonly high: number;
  readonly mean: number;
  readonly std: number;
}

/** The primitive kernel set every backend implements. */
export interface PrimitiveKernels {
  /** Sets every element of `out` (contiguous) to `value`. */
  fill(out: View, value: number): void;
  /** Copies `x` into `out`, both any strides, converting dtype when they differ
   * (float → int truncates toward zero; anything → bool is `!= 0`). Shapes are equal. */
  copy(out: View, x: View): void;
  unary(op: UnaryOp, out: View, x: View, attrs: UnaryAttrs): void;
  binary(op: BinaryOp, out: View, a: View, b: View): void;
  /** out = cond ? a : b, with `cond` bool and all three broadcast to `out.shape`. */
  where(out: View, cond: View, a: View, b: View): void;
  /** Reduces `x` over the sorted, distinct `axes`. */
  reduce(op: ReduceOp, out: View, x: View, axes: readonly number[]): void;
  /** Inclusive cumulative sum/product along `axis`. */
  scan(op: ScanOp, out: View, x: View, axis: number): void;
  /**
   * Batched matrix product: `a` is [...B, M, K], `b` is [...B, K, N] (same batch rank, batch dims
   * already broadcast with stride 0), `out` is [...B, M, N]. Float dtypes only.
   */
  matmul(out: View, a: View, b: View): void;
  /** x [N, C, H, W] * w [O, C/groups, KH, KW] → out [N, O, OH, OW] (no bias). */
  conv2d(out: View, x: View, w: View, p: Conv2dParams): void;
  /** Gradient of conv2d with respect to its input: out [N, C, H, W] from dy [N, O, OH, OW]. */
  conv2dBackwardInput(out: View, dy: View, w: View, p: Conv2dParams): void;
  /** Gradient of conv2d with respect to its weight: out [O, C/groups, KH, KW]. */
  conv2dBackwardWeight(out: View, x: View, dy: View, p: Conv2dParams): void;
  /** Max pooling; `indices` (int32, may be null) receive the flat h*W+w index of each maximum. */
  maxPool2d(out: View, indices: View | null, x: View, p: Pool2dParams): void;
  /** Adds each dy element to out[n, c] at its saved flat index (out zero-filled by the caller). */
  maxPool2dBackward(out: View, dy: View, indices: View): void;
  avgPool2d(out: View, x: View, p: Pool2dParams): void;
  /** Gradient of avgPool2d: out [N, C, H, W] (fully written) from dy. */
  avgPool2dBackward(out: View, dy: View, p: Pool2dParams): void;
  /** im2col: x [N, C, H, W] → out [N, C*KH*KW, L] (padding with zeros; L = OH*OW). */
  im2col(out: View, x: View, kernel: readonly [number, number], p: Conv2dParams): void;
  /** col2im (sum of overlapping patches): cols [N, C*KH*KW, L] → out [N, C, H, W]. */
  col2im(out: View, cols: View, kernel: readonly [number, number], p: Conv2dParams): void;
  /** out[i][j][k] = x[index[i][j][k]][j][k] (dim 0 shown); `index` int32 with out's shape. */
  gather(out: View, x: View, dim: number, index: View): void;
  /** out[index[i][j]][j] (op)= src[i][j] (dim 0 shown); `out` already holds the base values. */
  scatter(out: View, dim: number, index: View, src: View, reduce: 'assign' | 'add'): void;
  /** out = x indexed by the 1-D int32 `index` along `dim`. */
  indexSelect(out: View, x: View, dim: number, index: View): void;
  /** out[..., index[i], ...] += src[..., i, ...] along `dim`; `out` already holds the base. */
  indexAdd(out: View, dim: number, index: View, src: View): void;
  /** Sorts along `dim` (stable): values into `values`, original positions into `indices` (int32). */
  sort(values: View, indices: View, x: View, dim: number, descending: boolean): void;
  /** Fills `out` (contiguous) from the seeded counter-based stream. */
  random(out: View, dist: RandomDist, p: RandomParams): void;
}

/** Optional fused kernels a backend may add for speed; ops fall back to primitives without them. */
export interface FusedKernels {
  /** Numerically stable softmax along `axis`. */
  softmax(out: View, x: View, axis: number): void;
  /** Numerically stable log-softmax along `axis`. */
  logSoftmax(out: View, x: View, axis: number): void;
  /** out = x <= threshold ? 0 : g (relu's gradient); `g` and `x` have out's shape and dtype. */
  thresholdBackward(out: View, g: View, x: View, threshold: number): void;
  /**
   * In-place update of the contiguous float `out` (see `UpdateOp`), with `b` and `c` contiguous
   * and of out's shape and dtype (`c` null for 'axpy' and 'lerp'). Rounds every intermediate to
   * the dtype as the unfused chain of ops would.
   */
  update(op: UpdateOp, out: View, b: View, c: View | null, s: number): void;
  /**
   * out = x op s, or s op x when `scalarFirst`: a binary op with a JS-number operand (`x.mul(0.5)`,
   * `2 - x`), computed in x's dtype exactly as `binary` would with `s` as a 0-d operand of that
   * dtype (so a float32 kernel rounds `s` to float32). `s` arrives converted to the dtype (bool
   * 0/1, int32 an integer); `out` has x's shape and may be x itself (in-place ops). Without it,
   * ops pass `binary` a 0-d tensor holding `s`.
   */
  binaryScalar(op: BinaryOp, out: View, x: View, s: number, scalarFirst: boolean): void;
}

/**
 * The kernels of an elementwise op registered from outside @tessera/tensor (see `registerOp`):
 * a scalar function for the CPU backend and, optionally, a WGSL expression for WebGPU.
 */
export interface ElementwiseExtension {
  readonly decl: OpDecl;
  /**
   * The CPU kernel: the result for one element from the inputs' values (one for a unary op, two
   * for a binary one) followed by the resolved attributes.
   */
  readonly cpu: (...args: never[]) => number | boolean;
  /**
   * The WGSL kernel: an expression of the inputs (`x`; or `a`, `b`) in f32, and of the attributes
   * by their upper-cased names (`lo` is `LO`); the WGSL helpers of @tessera/gpu may be called.
   */
  readonly wgsl?: string;
}

/** Kernels a backend may add to run extension ops (see `registerOp`). */
export interface ExtensionKernels {
  /**
   * out = op(inputs...) elementwise for a registered extension op; inputs arrive in one dtype,
   * broadcast to `out.shape`; `attrs` are complete.
   */
  elementwiseExtension(
    op: ElementwiseExtension,
    out: View,
    inputs: readonly View[],
    attrs: Readonly<Record<string, number>>,
  ): void;
}

/**
 * Fused in-place updates, out ← 'axpy': out + s·b; 'addcmul': out + (s·b)·c; 'addcdiv':
 * out + (s·b)/c; 'lerp': out + s·(b − out) for |s| < 0.5, else b − (b − out)·(1 − s) (PyTorch's
 * two-sided lerp).
 */
export type UpdateOp = 'axpy' | 'addcmul' | 'addcdiv' | 'lerp';

const factories = new Map<string, () => Backend>();
const instances = new Map<string, Backend>();
let current = 'cpu';

/**
 * Registers a backend under a name. `factory` runs on first use. Registering an existing name
 * replaces it (the old instance is dropped).
 */
export function registerBackend(name: string, factory: () => Backend): void {
  factories.set(name, factory);
  instances.delete(name);
}

/** Names of all registered backends. */
export function listBackends(): string[] {
  return [...factories.keys()];
}

/** The backend registered as `name` (default: the current one), creating it on first use. */
export function getBackend(name: string = current): Backend {
  let b = instances.get(name);
  if (b !== undefined) return b;
  const f = factories.get(name);
  if (f === undefined) {
    throw new Error(
      `backend '${name}' is not registered (registered: ${[...factories.keys()].join(', ') || 'none'})` +
        (name === 'webgpu' ? '; call `await initWebGPU()` (package @tessera/gpu) first' : ''),
    );
  }
  b = f();
  instances.set(name, b);
  return b;
}

/** Makes `name` the default device for new tensors. */
export function setBackend(name: string): void {
  getBackend(name);
  current = name;
}

/** The name of the default device for new tensors. */
export function currentBackend(): string {
  return current;
}
