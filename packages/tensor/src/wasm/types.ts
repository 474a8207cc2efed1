import type { Conv2dParams, Pool2dParams, UpdateOp, View } from '../backend.js';
import type { KernelVariant } from './features.js';
import type { CpuKernelMode } from './settings.js';

/** What the CPU kernels are doing, from `cpuKernelInfo()`. */
export interface CpuKernelInfo {
  /** The `setCpuKernels` setting. */
  readonly mode: CpuKernelMode;
  /** The WebAssembly variant in use, or null when the TypeScript kernels run (mode 'ts', no WebAssembly, or not loaded yet). */
  readonly variant: KernelVariant | null;
  /** Threads a large kernel may use (the `setNumThreads` setting or the default). */
  readonly threads: number;
  /** Worker threads started and ready. */
  readonly workers: number;
  /** Whether the kernels' memory is shared (needed for threads; browsers need cross-origin isolation). */
  readonly sharedMemory: boolean;
  /** Bytes of WebAssembly memory reserved so far (the high-water mark of one kernel call). */
  readonly memoryBytes: number;
  /** Why WebAssembly or threads are not in use, when they are not. */
  readonly note: string | null;
}

/** Unary ops with WebAssembly kernels (float32). */
export type WasmUnaryOp = 'relu' | 'sqrt' | 'square' | 'neg' | 'abs' | 'leakyRelu';
/** Arithmetic ops with WebAssembly kernels (float32 operands and result). */
export type WasmArithmeticOp = 'add' | 'sub' | 'mul' | 'div';
/** Comparisons with WebAssembly kernels (float32 operands, bool result). */
export type WasmCompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
/** Every binary op with WebAssembly kernels. */
export type WasmBinaryOp = WasmArithmeticOp | WasmCompareOp;

/** A collapsed reduction walk: shape, and the strides of [accumulators, input] per dim. */
export interface SumWalk {
  shape: readonly number[];
  strides: readonly (readonly number[])[];
}

/**
 * The WebAssembly kernels as the CPU backend sees them once they are loaded (`wasmKernels()` in
 * index.ts). Each kernel returns false, having done nothing, when it should not or cannot run the
 * call (not float32, too small in mode 'auto', out of WebAssembly memory...): the caller then runs
 * its TypeScript kernel. Outputs are contiguous and fully written.
 */
export interface WasmKernels {
  /** out[..., M, N] = a[..., M, K] @ b[..., K, N] (batch dims broadcast). */
  matmul(out: View, a: View, b: View): boolean;
  /** out [N, O, OH, OW] = conv2d(x [N, C, H, W], w [O, C/groups, KH, KW]). */
  conv2d(out: View, x: View, w: View, p: Conv2dParams): boolean;
  /** out = dx [N, C, H, W] of conv2d from dy and w. */
  conv2dBackwardInput(out: View, dy: View, w: View, p: Conv2dParams): boolean;
  /** out = dw [O, C/groups, KH, KW] of conv2d from x and dy. */
  conv2dBackwardWeight(out: View, x: View, dy: View, p: Conv2dParams): boolean;
  /** out = x when x is (a batch of) transposed matrices, float32 or int32 (bit-exact copy). */
  transposeCopy(out: View, x: View): boolean;
  /** out = op(x), dense float32 views of one shape (`alpha`: leakyRelu's negative slope). */
  unary(op: WasmUnaryOp, out: View, x: View, alpha?: number): boolean;
  /** out = x <= threshold ? 0 : g (relu's gradient), dense float32 views of one shape. */
  thresholdBackward(out: View, g: View, x: View, threshold: number): boolean;
  /**
   * out = a op b (a and b broadcast to out's shape): float32 add, sub, mul or div, or a comparison
   * of float32 operands into bool.
   */
  binary(op: WasmBinaryOp, out: View, a: View, b: View): boolean;
  /** out = cond ? a : b, a bool cond and float32 a, b, dense views of one shape. */
  where(out: View, cond: View, a: View, b: View): boolean;
  /** Max pooling over 2x2 windows with stride 2 (values and, when given, flat indices). */
  maxPool2x2(out: View, indices: View | null, x: View, p: Pool2dParams): boolean;
  /** maxPool2d's gradient: `out` = 0 plus dy added at each saved index. */
  maxPool2dBackward(out: View, dy: View, indices: View): boolean;
  /** The optimizers' fused in-place update of out (see src/cpu/update.ts), dense float32 views. */
  update(op: UpdateOp, out: View, b: View, c: View | null, s: number): boolean;
  /**
   * The float32 sum of src/cpu/reduce.ts over its collapsed walk (accumulator and input strides),
   * in float64 accumulators as there (bit-identical).
   */
  sum(out: View, x: View, walk: SumWalk, nOut: number): boolean;
  /** A snapshot of the kernels' state, compiling the selected variant if it can be synchronously. */
  info(): CpuKernelInfo;
  /** Compiles the selected variant and starts the worker threads; resolves when they are ready. */
  init(): Promise<void>;
}
