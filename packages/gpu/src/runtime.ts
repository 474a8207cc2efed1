import type { DType } from '@tessera/tensor';
import { withMath } from './codegen/math.js';
import { DeviceLostError, INDEX_OPS, indexError, WebGPUError } from './errors.js';
import { BufferPool, GpuBuffer, type PoolOptions } from './memory.js';
import type { Packed } from './params.js';

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
   * Subgroup size the kernels may rely on (0: subgroup kernels off). Set when the device has
   * the `subgroups` feature, unless disabled with `initWebGPU({ subgroups: false })`.
   */
  subgroupSize: number;
  /** Whether reductions may use subgroup operations (see init: needs a linear subgroup layout). */
  subgroupReduce: boolean;
  /** GEMM kernels (matmul, convolutions) multiply in float16 and accumulate in float32 (opt-in). */
  float16Matmul: boolean;
}

const MAP_READ = 0x01; // GPUBufferUsage.MAP_READ
const COPY_DST = 0x08;
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const ARENA_BYTES = 1 << 19;

/**
 * The engine under the webgpu backend: owns the device, compiles and caches pipelines, encodes
 * dispatches into one command encoder per batch and submits lazily (on a read, a sync, a full
 * batch, or at the end of the current JS task), and turns asynchronous GPU errors into exceptions
 * thrown at the next read.
 */
export class Runtime {
  readonly pool: BufferPool;
  /** Id of the batch being encoded; incremented by every submit. */
  batchId = 0;
  /** Set once the device is lost (or destroyed). */
  lost: DeviceLostError | null = null;

  private readonly pipelines = new Map<
    string,
    { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }
  >();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arena: Uint32Array;
  private readonly arenaBuffer: GPUBuffer;
  private arenaUsed = 0;
  private readonly align: number;
  private dispatches = 0;
  private ops: string[] = [];
  /** Op names of the last submitted batch (uncaptured errors arrive after the submit). */
  private submittedOps: string[] = [];
  /** The dispatch being encoded (errors raised while creating its pipeline arrive synchronously). */
  private current: Dispatch | null = null;
  private flushQueued = false;
  /** Errors found asynchronously, thrown at the next read or sync. */
  private readonly errors: Error[] = [];
  /** Debug mode: pending error-scope results. */
  private scopes: Promise<void>[] = [];
  /** Out-of-range index reports: [flag, op code, value, dim, size]. */
  readonly indexErrors: GPUBuffer;
  private indexChecks = false;

  constructor(
    readonly device: GPUDevice,
    readonly opts: RuntimeOptions,
  ) {
    this.pool = new BufferPool(device, opts);
    this.align = Math.max(16, device.limits.minStorageBufferOffsetAlignment);
    this.arena = new Uint32Array(ARENA_BYTES / 4);
    this.arenaBuffer = device.createBuffer({ size: ARENA_BYTES, usage: STORAGE | COPY_DST });
    this.indexErrors = device.createBuffer({ size: 32, usage: STORAGE | COPY_SRC | COPY_DST });
    device.addEventListener('uncapturederror', (e) => {
      // Handled here (thrown at the next read): keep the implementation from also logging it.
      e.preventDefault();
      const err = (e as GPUUncapturedErrorEvent).error;
      const cur = this.current;
      this.errors.push(
        new WebGPUError(
          cur !== null
            ? `webgpu: ${cur.describe?.() ?? cur.op} failed (${kindOf(err)} error): ${err.message}`
            : `webgpu: ${kindOf(err)} error in a batch of queued ops (${summary(this.submittedOps)}): ${err.message}` +
                '; run with initWebGPU({ debug: true }) to attribute it to one op',
        ),
      );
    });
    device.lost.then((info) => {
      this.lost ??= new DeviceLostError(info.reason ?? 'unknown', info.message);
    });
  }

  /** Throws if the device is gone. */
  check(op: string): void {
    if (this.lost !== null) throw new DeviceLostError(this.lost.reason, this.lost.detail, op);
  }

  /** Allocates a buffer for `size` elements. */
  alloc(dtype: DType, size: number): GpuBuffer {
    this.check('alloc');
    const max = this.device.limits.maxStorageBufferBindingSize;
    if (size * 4 > max) {
      throw new RangeError(
        `webgpu: a tensor of ${size} elements needs ${size * 4} bytes, more than this device's ` +
          `maxStorageBufferBindingSize (${max} bytes)`,
      );
    }
    return this.pool.acquire(dtype, size);
  }

  /** Writes bytes into a buffer now (queue order), taking care not to overtake pending kernels. */
  write(h: GpuBuffer, byteOffset: number, data: ArrayBufferView): void {
    if (h.lastBatch === this.batchId) this.flush();
    this.device.queue.writeBuffer(h.buffer, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** A buffer (for `size` elements) that `write` can fill without flushing the pending batch. */
  allocForWrite(dtype: DType, size: number): GpuBuffer {
    this.check('upload');
    return this.pool.acquire(dtype, size, this.batchId);
  }

  /** Encodes one kernel dispatch into the pending batch. */
  run(d: Dispatch): void {
    this.check(d.op);
    if (d.grid[0] === 0 || d.grid[1] === 0 || d.grid[2] === 0) return;
    if (this.opts.debug) {
      this.runScoped(d);
      return;
    }
    this.encode(d);
    if (this.dispatches >= this.opts.maxBatch) this.flush();
  }

  private runScoped(d: Dispatch): void {
    this.flush();
    const dev = this.device;
    dev.pushErrorScope('internal');
    dev.pushErrorScope('out-of-memory');
    dev.pushErrorScope('validation');
    this.encode(d);
    this.flush();
    const what = d.describe?.() ?? d.op;
    const record = (e: GPUError | null) => {
      if (e) this.errors.push(new WebGPUError(`webgpu: ${what} failed (${kindOf(e)} error): ${e.message}`));
    };
    this.scopes.push(
      dev.popErrorScope().then(record),
      dev.popErrorScope().then(record),
      dev.popErrorScope().then(record),
    );
  }

  private encode(d: Dispatch): void {
    this.current = d;
    try {
      this.encodeNow(d);
    } finally {
      this.current = null;
    }
  }

  private encodeNow(d: Dispatch): void {
    const entry = this.pipeline(d.key, () => d.code(d.params.at), d.op);
    const words = d.params.words;
    let at = Math.ceil(this.arenaUsed / this.align) * this.align;
    if (at + words.byteLength > ARENA_BYTES) {
      this.flush();
      at = 0;
    }
    this.arena.set(words, at / 4);
    this.arenaUsed = at + words.byteLength;

    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: this.arenaBuffer, offset: at, size: words.byteLength } },
    ];
    const written = new Set<GPUBuffer>();
    for (const b of d.bindings) if (b.write) written.add(raw(b.buf));
    let temps: GpuBuffer[] | null = null;
    for (let i = 0; i < d.bindings.length; i++) {
      const b = d.bindings[i]!;
      let buf = raw(b.buf);
      if (!b.write && written.has(buf)) {
        // WebGPU forbids reading a buffer through one binding while writing it through another
        // in one dispatch: read a snapshot instead.
        const h = b.buf as GpuBuffer;
        const tmp = this.pool.acquire(h.dtype, h.bytes / 4);
        this.encoderNow().copyBufferToBuffer(buf, 0, tmp.buffer, 0, h.bytes);
        (temps ??= []).push(tmp);
        buf = tmp.buffer;
      }
      if (b.buf instanceof GpuBuffer) b.buf.lastBatch = this.batchId;
      entries.push({ binding: i + 1, resource: { buffer: buf } });
    }
    if (d.checksIndices) {
      entries.push({ binding: d.bindings.length + 1, resource: { buffer: this.indexErrors } });
      this.indexChecks = true;
    }
    const group = this.device.createBindGroup({ layout: entry.layout, entries });
    const pass = this.passNow();
    pass.setPipeline(entry.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(d.grid[0], d.grid[1], d.grid[2]);
    this.dispatches++;
    this.ops.push(d.op);
    if (temps !== null) for (const t of temps) this.releaseTemp(t);
  }

  /** Returns a scratch buffer to the pool (safe: later kernels are ordered after this batch's). */
  releaseTemp(h: GpuBuffer): void {
    h.lastBatch = this.batchId;
    this.pool.release(h);
  }

  /** The compiled pipeline for `key`, compiling `code()` on first use. */
  private pipeline(key: string, code: () => string, op: string) {
    let p = this.pipelines.get(key);
    if (p === undefined) {
      const t0 = performance.now();
      const module = this.device.createShaderModule({ code: withMath(code()), label: key });
      const pipeline = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
        label: `${op}:${key}`,
      });
      p = { pipeline, layout: pipeline.getBindGroupLayout(0) };
      this.pipelines.set(key, p);
      this.compileMs += performance.now() - t0;
    }
    return p;
  }

  /** Milliseconds spent creating shader modules and pipelines (compilation happens there). */
  compileMs = 0;

  /** Cache keys of the compiled pipelines (which kernel variants ran; for tests and stats). */
  pipelineKeys(): string[] {
    return [...this.pipelines.keys()];
  }

  /** Number of distinct compiled pipelines (for tests and stats). */
  get pipelineCount(): number {
    return this.pipelines.size;
  }

  private encoderNow(): GPUCommandEncoder {
    if (this.pass !== null) {
      this.pass.end();
      this.pass = null;
    }
    if (this.encoder === null) {
      this.encoder = this.device.createCommandEncoder();
      if (!this.flushQueued && !this.opts.debug) {
        this.flushQueued = true;
        // Start the GPU at the end of the current JS task even if nobody reads.
        queueMicrotask(() => {
          this.flushQueued = false;
          if (this.lost === null) this.flush();
        });
      }
    }
    return this.encoder;
  }

  private passNow(): GPUComputePassEncoder {
    if (this.pass === null) this.pass = this.encoderNow().beginComputePass();
    return this.pass;
  }

  /** Copies bytes between buffers inside the pending batch (ordered with the kernels). */
  copyBuffer(
    src: GpuBuffer,
    srcOffset: number,
    dst: GPUBuffer | GpuBuffer,
    dstOffset: number,
    bytes: number,
  ): void {
    this.check('copy');
    this.encoderNow().copyBufferToBuffer(src.buffer, srcOffset, raw(dst), dstOffset, bytes);
    src.lastBatch = this.batchId;
    if (dst instanceof GpuBuffer) dst.lastBatch = this.batchId;
  }

  /** Submits the pending batch (if any). */
  flush(): void {
    if (this.encoder === null) return;
    if (this.pass !== null) {
      this.pass.end();
      this.pass = null;
    }
    if (this.arenaUsed > 0)
      this.device.queue.writeBuffer(this.arenaBuffer, 0, this.arena.buffer, 0, this.arenaUsed);
    const cb = this.encoder.finish();
    this.encoder = null;
    this.device.queue.submit([cb]);
    this.arenaUsed = 0;
    this.dispatches = 0;
    this.submittedOps = this.ops;
    this.ops = [];
    this.batchId++;
    this.pool.trim(this.batchId);
  }

  /** Reads `bytes` bytes at `byteOffset` of a buffer (flushes pending work first). */
  async read(h: GpuBuffer, byteOffset: number, bytes: number): Promise<ArrayBuffer> {
    this.check('read');
    if (bytes === 0) {
      await this.checkErrors();
      return new ArrayBuffer(0);
    }
    const staging = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    this.copyBuffer(h, byteOffset, staging, 0, bytes);
    this.flush();
    try {
      await staging.mapAsync(MAP_READ);
    } catch (e) {
      staging.destroy();
      await Promise.resolve();
      if (this.lost !== null) throw new DeviceLostError(this.lost.reason, this.lost.detail, 'read');
      throw e;
    }
    const out = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    await this.checkErrors();
    return out;
  }

  /** Resolves when every submitted batch has finished; throws deferred errors. */
  async sync(): Promise<void> {
    this.check('sync');
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.check('sync');
    await this.checkErrors();
  }

  /** Throws the first error found asynchronously since the last check (and forgets the rest). */
  async checkErrors(): Promise<void> {
    if (this.scopes.length > 0) {
      const s = this.scopes;
      this.scopes = [];
      await Promise.all(s);
    }
    if (this.indexChecks) {
      this.indexChecks = false;
      const staging = this.device.createBuffer({ size: 32, usage: MAP_READ | COPY_DST });
      this.encoderNow().copyBufferToBuffer(this.indexErrors, 0, staging, 0, 32);
      this.flush();
      await staging.mapAsync(MAP_READ);
      const w = new Int32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      staging.destroy();
      if (w[0] !== 0) {
        this.device.queue.writeBuffer(this.indexErrors, 0, new Uint32Array(8));
        this.errors.length = 0;
        throw indexError(INDEX_OPS[w[1]!] ?? 'index', w[2]!, w[3]!, w[4]!);
      }
    }
    if (this.errors.length > 0) {
      const first = this.errors[0]!;
      this.errors.length = 0;
      throw first;
    }
  }

  /** Releases everything (the backend is being replaced or the device destroyed). */
  destroy(): void {
    this.pool.clear();
    this.lost ??= new DeviceLostError('destroyed', 'the backend was destroyed');
    this.device.destroy();
  }
}

function raw(b: GpuBuffer | GPUBuffer): GPUBuffer {
  return b instanceof GpuBuffer ? b.buffer : b;
}

function kindOf(e: GPUError): string {
  const n = e.constructor?.name ?? '';
  if (n.includes('Validation')) return 'validation';
  if (n.includes('OutOfMemory')) return 'out-of-memory';
  if (n.includes('Internal')) return 'internal';
  return 'GPU';
}

function summary(ops: readonly string[]): string {
  if (ops.length === 0) return 'no ops';
  const names = [...new Set(ops)];
  return `${ops.length} op${ops.length > 1 ? 's' : ''}: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}`;
}
