import type { DType } from '@tessera/tensor';
import { CheckLog } from './check-log.js';
import { DeviceLostError, reportedError, WebGPUError } from './errors.js';
import { kindOf, summary } from './gpu-error-words.js';
import { BufferPool, GpuBuffer } from './memory.js';
import { PipelineCache, settled } from './pipelines.js';
import type { Batch, Command, Dispatch, RuntimeOptions, Write } from './runtime-types.js';
import { UnawaitedGuard } from './unawaited.js';

export type { Binding, Dispatch, RuntimeOptions } from './runtime-types.js';

const MAP_READ = 0x01; // GPUBufferUsage.MAP_READ
const COPY_DST = 0x08;
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const ARENA_BYTES = 1 << 19;

/**
 * The engine under the webgpu backend: owns the device, compiles and caches pipelines, records
 * dispatches into batches and submits them lazily (on a read, a sync, a full batch, or at the end
 * of the current JS task), and turns asynchronous GPU errors into exceptions thrown at the next
 * read.
 *
 * Pipelines compile asynchronously (see PipelineCache). A batch that uses a pipeline still
 * compiling is not submitted when it closes but queued, and so is everything after it (batches
 * and buffer writes, in order); the queue drains as compiles finish, and reads and syncs wait for
 * it. Once every kernel in use is compiled, batches are submitted as soon as they close.
 */
export class Runtime {
  readonly pool: BufferPool;
  /** Id of the batch being recorded; incremented whenever a batch closes. */
  batchId = 0;
  /** Set once the device is lost (or destroyed). */
  lost: DeviceLostError | null = null;
  /** Called before a buffer is bound, read, copied or written (elementwise fusion's hook). */
  onUse: ((buf: GpuBuffer, write: boolean) => void) | null = null;

  private readonly pipelines: PipelineCache;
  /** Commands of the batch being recorded. */
  private commands: Command[] = [];
  private readonly arena: Uint32Array<ArrayBuffer>;
  private readonly arenaBuffer: GPUBuffer;
  private arenaUsed = 0;
  private readonly align: number;
  private dispatches = 0;
  private ops: string[] = [];
  /** Closed batches and writes not yet handed to the queue, oldest first. */
  private readonly waiting: (Batch | Write)[] = [];
  /** Steps handed to the queue from `waiting` so far. */
  private stepsDone = 0;
  /** Reads and syncs waiting for the steps queued before them. */
  private drainWaiters: { upTo: number; resolve: () => void }[] = [];
  /** Op names of the last submitted batch (uncaptured errors arrive after the submit). */
  private submittedOps: string[] = [];
  /** The dispatch being encoded (for errors raised synchronously while encoding it). */
  private current: Dispatch | null = null;
  private flushQueued = false;
  /** Errors found asynchronously, thrown at the next read or sync. */
  private readonly errors: Error[] = [];
  /** Debug mode: pending error-scope results. */
  private scopes: Promise<void>[] = [];
  /** Out-of-range index reports: [flag, op code, value, dim, size, check number (see CheckLog)]. */
  readonly indexErrors: GPUBuffer;
  private indexChecks = false;
  private readonly checkLog = new CheckLog();
  /** Counts ops queued without awaiting (see `maxUnawaitedOps`). */
  private readonly unawaited: UnawaitedGuard;

  constructor(
    readonly device: GPUDevice,
    readonly opts: RuntimeOptions,
  ) {
    this.pool = new BufferPool(device, opts);
    this.pool.pendingFrom = () => this.unsubmittedFrom();
    this.unawaited = new UnawaitedGuard(opts.maxUnawaitedOps);
    // Debug mode compiles synchronously so each dispatch is submitted inside its error scopes.
    this.pipelines = new PipelineCache(device, !opts.debug, opts.parallelCompiles, (err) => {
      if (err !== null) this.errors.push(err);
      this.drain();
    });
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
      this.drain();
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
    this.unawaited.count('upload');
    this.onUse?.(h, true);
    if (h.lastBatch === this.batchId) this.flush();
    // Queued behind waiting batches: mark it referenced so `trim` keeps it until then.
    if (this.waiting.length > 0) h.lastBatch = this.batchId;
    this.writeRaw(h.buffer, byteOffset, data);
  }

  private writeRaw(buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
    if (this.waiting.length === 0) {
      this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    // The caller may reuse `data`: keep a copy until the write's turn comes.
    const bytes = new Uint8Array(data.byteLength);
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.waiting.push({ buffer, offset, data: bytes });
  }

  /** A buffer (for `size` elements) that `write` can fill without flushing the pending batch. */
  allocForWrite(dtype: DType, size: number): GpuBuffer {
    this.check('upload');
    return this.pool.acquire(dtype, size, this.batchId);
  }

  /** Counts an op recorded without a dispatch (a pending result, see `maxUnawaitedOps`). */
  countOp(op: string): void {
    this.unawaited.count(op);
  }

  /** Records one kernel dispatch into the pending batch. */
  run(d: Dispatch): void {
    this.check(d.op);
    if (d.grid[0] === 0 || d.grid[1] === 0 || d.grid[2] === 0) return;
    if (this.onUse !== null)
      for (const b of d.bindings) if (b.buf instanceof GpuBuffer) this.onUse(b.buf, b.write === true);
    this.unawaited.count(d.op);
    if (this.opts.debug) {
      this.runScoped(d);
      return;
    }
    this.record(d);
    if (this.dispatches >= this.opts.maxBatch) this.flush();
  }

  private runScoped(d: Dispatch): void {
    this.flush();
    const dev = this.device;
    dev.pushErrorScope('internal');
    dev.pushErrorScope('out-of-memory');
    dev.pushErrorScope('validation');
    this.current = d;
    try {
      this.record(d);
      this.flush();
    } finally {
      this.current = null;
    }
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

  private record(d: Dispatch): void {
    const pipe = this.pipelines.get(
      d.key,
      () => d.code(d.params.at),
      `${d.op}:${d.key}`,
      () => (d.describe === undefined ? d.op : d.describe()),
    );
    const words = d.params.words;
    // A checking kernel finds its check number in one more word after its params.
    const size = words.byteLength + (d.checksIndices ? 4 : 0);
    let at = Math.ceil(this.arenaUsed / this.align) * this.align;
    if (at + size > ARENA_BYTES) {
      this.flush();
      at = 0;
    }
    this.arena.set(words, at / 4);
    if (d.checksIndices) this.arena[(at + words.byteLength) / 4] = this.checkLog.record();
    this.arenaUsed = at + size;

    const param = { buffer: this.arenaBuffer, offset: at, size };
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: param }];
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
        this.push({ src: buf, srcOffset: 0, dst: tmp.buffer, dstOffset: 0, bytes: h.bytes });
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
    this.push({ d, pipe, entries });
    this.dispatches++;
    this.ops.push(d.op);
    if (temps !== null) for (const t of temps) this.releaseTemp(t);
  }

  /** Adds a command to the pending batch, arranging for it to close at the end of this JS task. */
  private push(c: Command): void {
    if (this.commands.length === 0 && !this.flushQueued && !this.opts.debug) {
      this.flushQueued = true;
      // Start the GPU at the end of the current JS task even if nobody reads.
      queueMicrotask(() => {
        this.flushQueued = false;
        if (this.lost === null) this.flush();
      });
    }
    this.commands.push(c);
  }

  /** Returns a scratch buffer to the pool (safe: later kernels are ordered after this batch's). */
  releaseTemp(h: GpuBuffer): void {
    h.lastBatch = this.batchId;
    this.pool.release(h);
  }

  /** Milliseconds spent compiling pipelines (summed per pipeline; async compiles overlap). */
  get compileMs(): number {
    return this.pipelines.compileMs;
  }

  /** Cache keys of the compiled pipelines (which kernel variants ran; for tests and stats). */
  pipelineKeys(): string[] {
    return this.pipelines.keys();
  }

  /** Pipeline compiles in flight and waiting for a slot (for tests and stats). */
  get compiling(): { running: number; queued: number } {
    return this.pipelines.compiling;
  }

  /** Batches and writes queued behind a pipeline still compiling (for tests and stats). */
  get waitingSteps(): number {
    return this.waiting.length;
  }

  /** Number of distinct compiled pipelines (for tests and stats). */
  get pipelineCount(): number {
    return this.pipelines.size;
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
    this.onUse?.(src, false);
    if (dst instanceof GpuBuffer) this.onUse?.(dst, true);
    this.push({ src: src.buffer, srcOffset, dst: raw(dst), dstOffset, bytes });
    src.lastBatch = this.batchId;
    if (dst instanceof GpuBuffer) dst.lastBatch = this.batchId;
  }

  /**
   * Closes the pending batch (if any) and submits it, or queues it behind batches whose
   * pipelines are still compiling.
   */
  flush(): void {
    if (this.commands.length === 0) return;
    const batch: Batch = {
      id: this.batchId,
      commands: this.commands,
      params: this.arena.subarray(0, Math.ceil(this.arenaUsed / 4)),
      ops: this.ops,
    };
    this.commands = [];
    this.ops = [];
    this.dispatches = 0;
    this.batchId++;
    if (this.waiting.length === 0 && batch.commands.every(isSettled)) {
      this.submit(batch);
    } else {
      this.waiting.push({ ...batch, params: batch.params.slice() });
    }
    this.arenaUsed = 0;
    this.pool.trim(this.unsubmittedFrom());
  }

  /** Id of the oldest batch not yet submitted (buffers it references stay out of `trim`). */
  private unsubmittedFrom(): number {
    const head = this.waiting[0];
    return head !== undefined && 'id' in head ? head.id : this.batchId;
  }

  /** Hands waiting steps to the queue, in order, up to the first batch still waiting for a pipeline. */
  private drain(): void {
    while (this.waiting.length > 0) {
      const step = this.waiting[0]!;
      if (this.lost === null) {
        if ('commands' in step) {
          if (!step.commands.every(isSettled)) break;
          this.submit(step);
        } else {
          this.device.queue.writeBuffer(step.buffer, step.offset, step.data);
        }
      }
      this.waiting.shift();
      this.stepsDone++;
    }
    const ready = this.drainWaiters.filter((w) => w.upTo <= this.stepsDone || this.lost !== null);
    if (ready.length === 0) return;
    this.drainWaiters = this.drainWaiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Resolves once every step queued so far has been handed to the GPU queue. */
  private drained(): Promise<void> {
    if (this.waiting.length === 0) return Promise.resolve();
    const upTo = this.stepsDone + this.waiting.length;
    return new Promise((resolve) => this.drainWaiters.push({ upTo, resolve }));
  }

  /** Encodes a batch whose pipelines are all settled and submits it. */
  private submit(b: Batch): void {
    if (b.params.length > 0) this.device.queue.writeBuffer(this.arenaBuffer, 0, b.params);
    const encoder = this.device.createCommandEncoder();
    let pass: GPUComputePassEncoder | null = null;
    for (const c of b.commands) {
      if ('d' in c) {
        // A pipeline that failed to compile: its error is thrown at the next read.
        if (c.pipe.pipeline === null) continue;
        pass ??= encoder.beginComputePass();
        const outer = this.current;
        this.current ??= c.d;
        const group = this.device.createBindGroup({ layout: c.pipe.layout!, entries: c.entries });
        this.current = outer;
        pass.setPipeline(c.pipe.pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(c.d.grid[0], c.d.grid[1], c.d.grid[2]);
      } else {
        if (pass !== null) {
          pass.end();
          pass = null;
        }
        encoder.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.bytes);
      }
    }
    pass?.end();
    this.device.queue.submit([encoder.finish()]);
    this.submittedOps = b.ops;
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
    await this.drained();
    try {
      this.check('read');
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
    this.unawaited.reset(); // everything queued before the read has completed
    await this.checkErrors();
    return out;
  }

  /** Resolves when every submitted batch has finished; throws deferred errors. */
  async sync(): Promise<void> {
    this.check('sync');
    this.flush();
    await this.drained();
    this.check('sync');
    await this.device.queue.onSubmittedWorkDone();
    this.unawaited.reset();
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
      const users = this.checkLog.take();
      const staging = this.device.createBuffer({ size: 32, usage: MAP_READ | COPY_DST });
      this.push({ src: this.indexErrors, srcOffset: 0, dst: staging, dstOffset: 0, bytes: 32 });
      this.flush();
      await this.drained();
      await staging.mapAsync(MAP_READ);
      const w = new Int32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      staging.destroy();
      if (w[0] !== 0) {
        this.writeRaw(this.indexErrors, 0, new Uint32Array(8));
        this.errors.length = 0;
        throw reportedError(w[1]!, w[2]!, w[3]!, w[4]!, users.get(w[5]! >>> 0) ?? null);
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
    this.drain();
    this.device.destroy();
  }
}

function isSettled(c: Command): boolean {
  return !('d' in c) || settled(c.pipe);
}

function raw(b: GpuBuffer | GPUBuffer): GPUBuffer {
  return b instanceof GpuBuffer ? b.buffer : b;
}
