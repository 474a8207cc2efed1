import { withMath } from './codegen/math.js';
import { WebGPUError } from './errors.js';

/** A compute pipeline in the cache: compiled, still compiling, or failed. */
export interface PipelineEntry {
  /** Null while it compiles, and for good if compilation failed. */
  pipeline: GPUComputePipeline | null;
  /** Its bind group layout (group 0), once compiled. */
  layout: GPUBindGroupLayout | null;
  /** Why compilation failed, if it did. */
  error: Error | null;
}

/** Whether a dispatch using `e` can be encoded now (failed pipelines are skipped when encoding). */
export function settled(e: PipelineEntry): boolean {
  return e.pipeline !== null || e.error !== null;
}

/**
 * Compiles and caches compute pipelines by key. Compilation is asynchronous by default
 * (`createComputePipelineAsync`): browsers then compile on a worker thread instead of the GPU
 * process's main thread, which also composites the page; with a software adapter such as
 * SwiftShader a synchronous compile there stalls every frame of the page for hundreds of ms.
 */
export class PipelineCache {
  private readonly entries = new Map<string, PipelineEntry>();
  /** Asynchronous compiles not started yet (see `parallel`), oldest first. */
  private readonly queued: (() => void)[] = [];
  private running = 0;
  /** Sum over pipelines of the milliseconds from request to ready (compiles overlap when async). */
  compileMs = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Compile with `createComputePipelineAsync` (else synchronously, e.g. in debug mode). */
    private readonly async: boolean,
    /**
     * Asynchronous compiles in flight at most. Each takes a CPU thread of the browser's GPU
     * process (all of the compile, with a software adapter): more than the cores can spare
     * starves the threads that draw the page.
     */
    private readonly parallel: number,
    /** Called when an asynchronous compile settles, with its error if it failed. */
    private readonly onSettled: (error: Error | null) => void,
  ) {}

  /**
   * The pipeline for `key`, compiling `code()` on first use. `describe` names the op and shapes
   * for the error if compilation fails.
   */
  get(key: string, code: () => string, label: string, describe: () => string): PipelineEntry {
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const e: PipelineEntry = { pipeline: null, layout: null, error: null };
    this.entries.set(key, e);
    const t0 = performance.now();
    const descriptor = (): GPUComputePipelineDescriptor => ({
      layout: 'auto',
      compute: {
        module: this.device.createShaderModule({ code: withMath(code()), label: key }),
        entryPoint: 'main',
      },
      label,
    });
    if (!this.async) {
      e.pipeline = this.device.createComputePipeline(descriptor());
      e.layout = e.pipeline.getBindGroupLayout(0);
      this.compileMs += performance.now() - t0;
      return e;
    }
    const start = () => {
      this.running++;
      this.device.createComputePipelineAsync(descriptor()).then(
        (p) => {
          e.pipeline = p;
          e.layout = p.getBindGroupLayout(0);
          this.settle(t0, null);
        },
        (err: unknown) => {
          e.error = new WebGPUError(
            `webgpu: ${describe()} failed (pipeline creation error): ${(err as Error)?.message ?? err}`,
          );
          this.settle(t0, e.error);
        },
      );
    };
    if (this.running < this.parallel) start();
    else this.queued.push(start);
    return e;
  }

  private settle(t0: number, error: Error | null): void {
    this.compileMs += performance.now() - t0;
    this.running--;
    this.queued.shift()?.();
    this.onSettled(error);
  }

  /** Asynchronous compiles in flight, and waiting for a free slot. */
  get compiling(): { running: number; queued: number } {
    return { running: this.running, queued: this.queued.length };
  }

  /** Cache keys of the pipelines (which kernel variants ran). */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Number of cached pipelines. */
  get size(): number {
    return this.entries.size;
  }
}
