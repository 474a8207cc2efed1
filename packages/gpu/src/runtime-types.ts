import type { GpuBuffer, PoolOptions } from './memory.js';
import type { Packed } from './params.js';
import type { PipelineEntry } from './pipelines.js';

// The runtime's public shapes: what a kernel hands it (Dispatch) and its options.

/** One buffer bound to a kernel, at binding `i + 1` for the i-th entry (binding 0 is `P`). */
export interface Binding {
  readonly buf: GpuBuffer | GPUBuffer;
  /** The kernel writes it (declared `read_write`). */
  readonly write?: boolean;
}

/** Everything needed to run one kernel dispatch. */
export interface Dispatch {
  /** Op name, for error messages. */
  readonly op: string;
  /** Pipeline cache key: identifies the generated code. */
  readonly key: string;
  /** Generates the WGSL (called once per key), given the parameter field indices. */
  readonly code: (at: Readonly<Record<string, number>>) => string;
  readonly params: Packed;
  readonly bindings: readonly Binding[];
  /** Workgroup counts. */
  readonly grid: readonly [number, number, number];
  /** Op and shapes, for error messages in debug mode. */
  readonly describe?: () => string;
  /** The kernel reports out-of-range indices through the error buffer (bound last). */
  readonly checksIndices?: boolean;
}

/** Options of the runtime. */
export interface RuntimeOptions extends PoolOptions {
  /** Wrap every dispatch in error scopes and submit it alone (slow; names the failing op). */
  debug: boolean;
  /** Dispatches encoded before a batch is submitted without waiting for a read. */
  maxBatch: number;
  /**
   * Ops (dispatches, copies, uploads) that may be queued without the event loop turning, or a
   * read or sync completing; beyond, the next op throws (see `unawaitedError`). The GPU's
   * bookkeeping of submitted work, and the buffers of tensors dropped meanwhile, are released
   * only when the event loop turns.
   */
  maxUnawaitedOps: number;
  /**
   * Subgroup size the kernels may rely on (0: subgroup kernels off). Set when the device has
   * the `subgroups` feature, unless disabled with `initWebGPU({ subgroups: false })`.
   */
  subgroupSize: number;
  /** Whether reductions may use subgroup operations (see init: needs a linear subgroup layout). */
  subgroupReduce: boolean;
  /** GEMM kernels (matmul, convolutions) multiply in float16 and accumulate in float32 (opt-in). */
  float16Matmul: boolean;
  /** Pipeline compiles in flight at most (see PipelineCache). */
  parallelCompiles: number;
  /** Fuse chains of elementwise ops into single kernels (see fusion/fuser.ts; off in debug mode). */
  fusion: boolean;
}

// The runtime's internal records of a batch (not exported from the package).

/** A kernel dispatch recorded into a batch (encoded when the batch is submitted). */
export interface DispatchCommand {
  readonly d: Dispatch;
  readonly pipe: PipelineEntry;
  readonly entries: GPUBindGroupEntry[];
}

/** A buffer-to-buffer copy recorded into a batch. */
export interface CopyCommand {
  readonly src: GPUBuffer;
  readonly srcOffset: number;
  readonly dst: GPUBuffer;
  readonly dstOffset: number;
  readonly bytes: number;
}

export type Command = DispatchCommand | CopyCommand;

/** A closed batch waiting for its pipelines: its commands and a copy of its parameter words. */
export interface Batch {
  readonly id: number;
  readonly commands: Command[];
  readonly params: Uint32Array<ArrayBuffer>;
  readonly ops: string[];
}

/** A `queue.writeBuffer` that must wait its turn behind batches still waiting for pipelines. */
export interface Write {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly data: Uint8Array<ArrayBuffer>;
}
