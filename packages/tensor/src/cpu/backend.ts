import type {
  Backend,
  BinaryOp,
  BufferHandle,
  Conv2dParams,
  ElementwiseExtension,
  Pool2dParams,
  RandomDist,
  RandomParams,
  ReduceOp,
  ScanOp,
  UnaryAttrs,
  UnaryOp,
  UpdateOp,
  View,
} from '../backend.js';
import { allocArray, type DType, type TypedArray } from '../dtype.js';
import { sizeOf } from '../shape.js';
import { MIN_TRANSPOSE_SIZE, wasmKernels } from '../wasm/index.js';
import { binaryScalar } from './binary-scalar.js';
import { allocBuffer, arr, type CpuBuffer, freeBuffer, handle } from './buffer.js';
import * as conv from './conv.js';
import * as ew from './elementwise.js';
import { elementwiseExtension } from './extension.js';
import * as ix from './indexing.js';
import * as mm from './matmul.js';
import * as pool from './pool.js';
import { random } from './random.js';
import * as red from './reduce.js';
import * as sm from './softmax.js';
import { thresholdBackward } from './threshold.js';
import { update } from './update.js';
import { where } from './where.js';

/**
 * The embedded CPU backend: typed arrays in the JS heap and kernels in plain TypeScript that walk
 * strides directly. Supports every dtype, float64 included.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';

  supportsDType(_dtype: DType): boolean {
    return true;
  }

  alloc(dtype: DType, size: number): BufferHandle {
    return allocBuffer(dtype, size);
  }

  allocUninitialized(dtype: DType, size: number): BufferHandle {
    return allocBuffer(dtype, size, false);
  }

  upload(dtype: DType, data: TypedArray): BufferHandle {
    const a = allocArray(dtype, data.length);
    a.set(data);
    return handle(a);
  }

  async read(buffer: BufferHandle, dtype: DType, offset: number, size: number): Promise<TypedArray> {
    return this.readSync(buffer, dtype, offset, size);
  }

  readSync(buffer: BufferHandle, dtype: DType, offset: number, size: number): TypedArray {
    const src = (buffer as CpuBuffer).data;
    const out = allocArray(dtype, size);
    out.set(src.subarray(offset, offset + size));
    return out;
  }

  free(buffer: BufferHandle): void {
    freeBuffer(buffer);
  }

  fill(out: View, value: number): void {
    ew.fill(out, value);
  }
  copy(out: View, x: View): void {
    // Large transposing copies go to a cache-blocked WebAssembly kernel.
    if (wasmKernels(sizeOf(out.shape), MIN_TRANSPOSE_SIZE)?.transposeCopy(out, x)) return;
    ew.copy(out, x);
  }
  unary(op: UnaryOp, out: View, x: View, attrs: UnaryAttrs): void {
    ew.unary(op, out, x, attrs);
  }
  binary(op: BinaryOp, out: View, a: View, b: View): void {
    ew.binary(op, out, a, b);
  }
  binaryScalar(op: BinaryOp, out: View, x: View, s: number, scalarFirst: boolean): void {
    binaryScalar(op, out, x, s, scalarFirst);
  }
  where(out: View, cond: View, a: View, b: View): void {
    where(out, cond, a, b);
  }
  reduce(op: ReduceOp, out: View, x: View, axes: readonly number[]): void {
    red.reduce(op, out, x, axes);
  }
  scan(op: ScanOp, out: View, x: View, axis: number): void {
    red.scan(op, out, x, axis);
  }
  matmul(out: View, a: View, b: View): void {
    mm.matmul(out, a, b);
  }
  conv2d(out: View, x: View, w: View, p: Conv2dParams): void {
    conv.conv2d(out, x, w, p);
  }
  conv2dBackwardInput(out: View, dy: View, w: View, p: Conv2dParams): void {
    conv.conv2dBackwardInput(out, dy, w, p);
  }
  conv2dBackwardWeight(out: View, x: View, dy: View, p: Conv2dParams): void {
    conv.conv2dBackwardWeight(out, x, dy, p);
  }
  maxPool2d(out: View, indices: View | null, x: View, p: Pool2dParams): void {
    pool.maxPool2d(out, indices, x, p);
  }
  maxPool2dBackward(out: View, dy: View, indices: View): void {
    pool.maxPool2dBackward(out, dy, indices);
  }
  avgPool2d(out: View, x: View, p: Pool2dParams): void {
    pool.avgPool2d(out, x, p);
  }
  avgPool2dBackward(out: View, dy: View, p: Pool2dParams): void {
    pool.avgPool2dBackward(out, dy, p);
  }
  im2col(out: View, x: View, kernel: readonly [number, number], p: Conv2dParams): void {
    conv.im2col(out, x, kernel, p);
  }
  col2im(out: View, cols: View, kernel: readonly [number, number], p: Conv2dParams): void {
    conv.col2im(out, cols, kernel, p);
  }
  gather(out: View, x: View, dim: number, index: View): void {
    ix.gather(out, x, dim, index);
  }
  scatter(out: View, dim: number, index: View, src: View, reduce: 'assign' | 'add'): void {
    ix.scatter(out, dim, index, src, reduce);
  }
  indexSelect(out: View, x: View, dim: number, index: View): void {
    ix.indexSelect(out, x, dim, index);
  }
  indexAdd(out: View, dim: number, index: View, src: View): void {
    ix.indexAdd(out, dim, index, src);
  }
  sort(values: View, indices: View, x: View, dim: number, descending: boolean): void {
    red.sort(values, indices, x, dim, descending);
  }
  random(out: View, dist: RandomDist, p: RandomParams): void {
    random(out, dist, p);
  }
  /** Fused, numerically stable softmax along `axis`. */
  softmax(out: View, x: View, axis: number): void {
    sm.softmax(out, x, axis);
  }
  /** Fused, numerically stable log-softmax along `axis`. */
  logSoftmax(out: View, x: View, axis: number): void {
    sm.logSoftmax(out, x, axis);
  }
  /** An extension op's scalar kernel over strided views (see `registerOp`). */
  elementwiseExtension(
    op: ElementwiseExtension,
    out: View,
    inputs: readonly View[],
    attrs: Readonly<Record<string, number>>,
  ): void {
    elementwiseExtension(op, out, inputs, attrs);
  }
  /** Fused in-place optimizer updates (see `UpdateOp`). */
  update(op: UpdateOp, out: View, b: View, c: View | null, s: number): void {
    update(op, out, b, c, s);
  }
  /** Fused relu / threshold gradient: out = x <= threshold ? 0 : g. */
  thresholdBackward(out: View, g: View, x: View, threshold: number): void {
    thresholdBackward(out, g, x, threshold);
  }
}

/** The typed array behind a CPU tensor's view (for kernels in other CPU modules). */
export { arr };
