import type {
  Backend,
  BinaryOp,
  BufferHandle,
  Conv2dParams,
  DType,
  ElementwiseExtension,
  Pool2dParams,
  RandomDist,
  RandomParams,
  ReduceOp,
  ScanOp,
  TypedArray,
  UnaryAttrs,
  UnaryOp,
  UpdateOp,
  View,
} from '@tessera/tensor';
import { storageType } from './codegen/types.js';
import { Fuser } from './fusion/fuser.js';
import * as conv from './kernels/conv.js';
import * as ew from './kernels/elementwise.js';
import * as ix from './kernels/indexing.js';
import { matmul } from './kernels/matmul.js';
import { BINARY, BINARY_SCALAR_LEFT, BINARY_SCALAR_RIGHT, IDENTITY, UNARY, WHERE } from './kernels/ops.js';
import * as pool from './kernels/pool.js';
import { random } from './kernels/random.js';
import * as red from './kernels/reduce.js';
import { scan } from './kernels/scan.js';
import * as sm from './kernels/softmax.js';
import { sort } from './kernels/sort.js';
import { GpuBuffer, type GpuMemoryInfo } from './memory.js';
import { Runtime, type RuntimeOptions } from './runtime.js';

/**
 * Ops queued without the event loop turning before the next one throws (`maxUnawaitedOps`): a
 * training step queues tens to hundreds, and Dawn on lavapipe crashed past about 50,000.
 */
export const DEFAULT_MAX_UNAWAITED_OPS = 16384;

/**
 * The WebGPU backend: tensors live in GPU buffers (4 bytes per element; bool as one u32), every
 * primitive kernel is a WGSL compute shader generated per variant and cached, and dispatches are
 * batched into one command buffer that is submitted lazily. Reads are asynchronous only.
 */
export class WebGPUBackend implements Backend {
  /** The engine (device, pipelines, batching, memory). */
  readonly runtime: Runtime;
  /** Elementwise fusion (pending expressions, materialised on first use). */
  readonly fuser: Fuser;
  /** Objects that must live as long as the device (the GPU entry point and adapter). */
  keepAlive: unknown[] = [];

  constructor(
    /** The GPUDevice the backend runs on. */
    readonly device: GPUDevice,
    opts: Partial<RuntimeOptions> = {},
    /** Registry name and tensors' `device` string. */
    readonly name = 'webgpu',
  ) {
    this.runtime = new Runtime(device, {
      debug: opts.debug ?? false,
      maxBatch: opts.maxBatch ?? 256,
      maxUnawaitedOps: opts.maxUnawaitedOps ?? DEFAULT_MAX_UNAWAITED_OPS,
      subgroupSize: opts.subgroupSize ?? 0,
      subgroupReduce: opts.subgroupReduce ?? false,
      float16Matmul: opts.float16Matmul ?? false,
      parallelCompiles: opts.parallelCompiles ?? defaultParallelCompiles(),
      maxPoolBytes: opts.maxPoolBytes ?? 512 * 2 ** 20,
      maxPoolBuffers: opts.maxPoolBuffers ?? 2048,
      gcHintBytes: opts.gcHintBytes ?? 256 * 2 ** 20,
      gcHintBuffers: opts.gcHintBuffers ?? 4096,
      fusion: opts.fusion ?? true,
    });
    const rt = this.runtime;
    // Storage bindings left for an expression's leaves: all but the params and the output.
    const leaves = Math.min(8, (device.limits.maxStorageBuffersPerShaderStage ?? 8) - 2);
    this.fuser = new Fuser(rt, rt.opts.fusion && !rt.opts.debug, leaves);
    rt.onUse = (buf, write) => this.fuser.use(buf, write);
  }

  /** float32, int32 and bool; float64 has no WGSL type. */
  supportsDType(dtype: DType): boolean {
    return dtype !== 'float64';
  }

  alloc(dtype: DType, size: number): BufferHandle {
    this.checkDType('alloc', dtype);
    return this.runtime.alloc(dtype, size);
  }

  upload(dtype: DType, data: TypedArray): BufferHandle {
    this.checkDType('upload', dtype);
    const h = this.runtime.allocForWrite(dtype, data.length);
    if (data.length > 0) {
      const words = dtype === 'bool' ? Uint32Array.from(data as Uint8Array) : data;
      this.runtime.write(h, 0, words);
    }
    return h;
  }

  async read(buffer: BufferHandle, dtype: DType, offset: number, size: number): Promise<TypedArray> {
    const bytes = await this.runtime.read(buffer as GpuBuffer, offset * 4, size * 4);
    if (dtype === 'float32') return new Float32Array(bytes);
    if (dtype === 'int32') return new Int32Array(bytes);
    return Uint8Array.from(new Uint32Array(bytes));
  }

  free(buffer: BufferHandle): void {
    if (!(buffer instanceof GpuBuffer)) return;
    if (this.fuser.release(buffer)) this.runtime.pool.release(buffer);
  }

  /** Resolves when all queued GPU work is done; throws errors the GPU reported meanwhile. */
  sync(): Promise<void> {
    return this.runtime.sync();
  }

  /** Live buffers, bytes and pool size of this backend. */
  memory(): GpuMemoryInfo {
    return this.runtime.pool.info();
  }

  fill(out: View, value: number): void {
    const v = out.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
    const T = storageType(out.dtype);
    if (!this.fuser.lazy('fill', ew.FILL, out, [], { VALUE: v }, T)) ew.fill(this.runtime, out, value);
  }
  // Elementwise ops are recorded as pending expressions when the fuser can (see fusion/fuser.ts).
  copy(out: View, x: View): void {
    const x_ = { view: x, name: 'x', convert: true };
    if (!this.fuser.lazy('copy', IDENTITY, out, [x_], {}, storageType(x.dtype)))
      ew.copy(this.runtime, out, x);
  }
  unary(op: UnaryOp, out: View, x: View, attrs: UnaryAttrs): void {
    const x_ = { view: x, name: 'x', convert: true };
    if (!this.fuser.lazy(op, UNARY[op], out, [x_], ew.unaryAttrs(attrs)))
      ew.unary(this.runtime, op, out, x, attrs);
  }
  /** An extension op registered with a WGSL expression (see `registerOp` in @tessera/tensor). */
  elementwiseExtension(
    op: ElementwiseExtension,
    out: View,
    inputs: readonly View[],
    attrs: Readonly<Record<string, number>>,
  ): void {
    ew.extension(this.runtime, op, out, inputs, attrs);
  }
  binary(op: BinaryOp, out: View, a: View, b: View): void {
    const ins = [
      { view: a, name: 'a', convert: true },
      { view: b, name: 'b', convert: true },
    ];
    if (!this.fuser.lazy(op, BINARY[op], out, ins, {})) ew.binary(this.runtime, op, out, a, b);
  }
  /** A binary op with a JS-number operand: the number is a kernel parameter (SCALAR), no buffer. */
  binaryScalar(op: BinaryOp, out: View, x: View, s: number, scalarFirst: boolean): void {
    const def = scalarFirst ? BINARY_SCALAR_LEFT[op] : BINARY_SCALAR_RIGHT[op];
    const x_ = { view: x, name: scalarFirst ? 'b' : 'a', convert: true };
    if (!this.fuser.lazy(op, def, out, [x_], { SCALAR: s }))
      ew.binaryScalar(this.runtime, op, out, x, s, scalarFirst);
  }
  where(out: View, cond: View, a: View, b: View): void {
    const ins = [
      { view: cond, name: 'c', convert: false },
      { view: a, name: 'a', convert: true },
      { view: b, name: 'b', convert: true },
    ];
    if (!this.fuser.lazy('where', WHERE, out, ins, {}, storageType(out.dtype)))
      ew.where(this.runtime, out, cond, a, b);
  }
  reduce(op: ReduceOp, out: View, x: View, axes: readonly number[]): void {
    if (!this.fuser.reduce(op, out, x, axes))
      red.reduce(this.runtime, op, out, x, axes, this.fuser.source(x));
  }
  scan(op: ScanOp, out: View, x: View, axis: number): void {
    scan(this.runtime, op, out, x, axis);
  }
  matmul(out: View, a: View, b: View): void {
    if (!this.fuser.matmul(out, a, b)) matmul(this.runtime, out, a, b);
  }
  conv2d(out: View, x: View, w: View, p: Conv2dParams): void {
    conv.conv2d(this.runtime, out, x, w, p);
  }
  conv2dBackwardInput(out: View, dy: View, w: View, p: Conv2dParams): void {
    conv.conv2dBackwardInput(this.runtime, out, dy, w, p);
  }
  conv2dBackwardWeight(out: View, x: View, dy: View, p: Conv2dParams): void {
    conv.conv2dBackwardWeight(this.runtime, out, x, dy, p);
  }
  maxPool2d(out: View, indices: View | null, x: View, p: Pool2dParams): void {
    pool.maxPool2d(this.runtime, out, indices, x, p);
  }
  maxPool2dBackward(out: View, dy: View, indices: View): void {
    pool.maxPool2dBackward(this.runtime, out, dy, indices);
  }
  avgPool2d(out: View, x: View, p: Pool2dParams): void {
    pool.avgPool2d(this.runtime, out, x, p);
  }
  avgPool2dBackward(out: View, dy: View, p: Pool2dParams): void {
    pool.avgPool2dBackward(this.runtime, out, dy, p);
  }
  im2col(out: View, x: View, kernel: readonly [number, number], p: Conv2dParams): void {
    conv.im2col(this.runtime, out, x, kernel, p);
  }
  col2im(out: View, cols: View, kernel: readonly [number, number], p: Conv2dParams): void {
    conv.col2im(this.runtime, out, cols, kernel, p);
  }
  gather(out: View, x: View, dim: number, index: View): void {
    ix.gather(this.runtime, out, x, dim, index);
  }
  scatter(out: View, dim: number, index: View, src: View, reduce: 'assign' | 'add'): void {
    ix.scatter(this.runtime, out, dim, index, src, reduce);
  }
  indexSelect(out: View, x: View, dim: number, index: View): void {
    ix.indexSelect(this.runtime, out, x, dim, index);
  }
  indexAdd(out: View, dim: number, index: View, src: View): void {
    ix.indexAdd(this.runtime, out, dim, index, src);
  }
  sort(values: View, indices: View, x: View, dim: number, descending: boolean): void {
    sort(this.runtime, values, indices, x, dim, descending);
  }
  random(out: View, dist: RandomDist, p: RandomParams): void {
    random(this.runtime, out, dist, p);
  }
  /** relu's gradient in one elementwise pass (no bool mask). */
  thresholdBackward(out: View, g: View, x: View, threshold: number): void {
    const ins = [
      { view: g, name: 'g', convert: true },
      { view: x, name: 'x', convert: true },
    ];
    if (!this.fuser.lazy('thresholdBackward', ew.THRESHOLD_BACKWARD, out, ins, { THRESHOLD: threshold }))
      ew.thresholdBackward(this.runtime, out, g, x, threshold);
  }
  /** The optimizers' fused in-place updates, one elementwise pass each (or part of a fused one). */
  update(op: UpdateOp, out: View, b: View, c: View | null, s: number): void {
    const ins = [
      { view: out, name: 'o', convert: true },
      { view: b, name: 'b', convert: true },
    ];
    if (c !== null && (op === 'addcmul' || op === 'addcdiv')) ins.push({ view: c, name: 'c', convert: true });
    const def = { f: ew.updateExpr(op, s) };
    if (!this.fuser.lazy(op, def, out, ins, { ALPHA: s, BETA: 1 - s }))
      ew.update(this.runtime, op, out, b, c, s);
  }
  /** Fused softmax: one workgroup per line (max, sum of exp, write). */
  softmax(out: View, x: View, axis: number): void {
    sm.softmax(this.runtime, out, x, axis, false);
  }
  /** Fused log-softmax. */
  logSoftmax(out: View, x: View, axis: number): void {
    sm.softmax(this.runtime, out, x, axis, true);
  }

  /** Releases pooled buffers and the device; tensors of this backend become unusable. */
  destroy(): void {
    this.runtime.destroy();
  }

  private checkDType(op: string, dtype: DType): void {
    if (dtype === 'float64') {
      throw new TypeError(
        `${op}: dtype float64 is not supported by the webgpu backend (WGSL has no f64); use float32`,
      );
    }
  }
}

/**
 * Half the logical processors (at least one): pipeline compiles run on the browser's GPU-process
 * threads, and the other half stays free for the threads that draw the page.
 */
export function defaultParallelCompiles(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = nav?.hardwareConcurrency ?? 4;
  return Math.max(1, Math.floor(cores / 2));
}
