import { add, exp, mul, neg, sqrt, tanh, tensor } from '@tessera/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { defaultParallelCompiles } from '../src/backend.js';
import { initWebGPU, WebGPUError, webgpuBackend } from '../src/index.js';
import { pack } from '../src/params.js';
import { ensureRuntimeDir } from './helpers.js';

/**
 * A backend with an empty pipeline cache, so the next kernels all compile asynchronously. Fusion
 * is off: these tests follow each op's dispatch through the batches.
 */
async function fresh(name: string, opts: { maxPoolBytes?: number; parallelCompiles?: number } = {}) {
  ensureRuntimeDir();
  await initWebGPU({ name, fusion: false, ...opts });
  return webgpuBackend(name);
}

/** Lets the current task end, so the pending batch closes (but compiles have not finished). */
const endOfTask = () => Promise.resolve();

describeIfAvailable('webgpu', 'webgpu: asynchronous pipeline compilation', () => {
  it('batches wait behind a compiling pipeline; uploads queued after them keep their order', async () => {
    const rt = (await fresh('webgpu-async-order')).runtime;
    const dev = { device: 'webgpu-async-order' };
    const a = tensor([1, 2, 3], dev);
    const b = exp(neg(a));
    await endOfTask();
    // The batch reading `a` waits for its kernels; it has not reached the GPU queue.
    expect(rt.waitingSteps).toBeGreaterThan(0);
    a.dispose();
    // May reuse a's buffer: the upload must not overtake the waiting batch that reads `a`.
    const c = tensor([9, 8, 7], dev);
    const d = mul(b, c);
    const want = [1, 2, 3].map((v, i) => Math.exp(-v) * [9, 8, 7][i]!);
    const got = Array.from(await d.data());
    for (const [i, v] of got.entries()) expect(v).toBeCloseTo(want[i]!, 5);
    expect(Array.from(await c.data())).toEqual([9, 8, 7]);
    expect(rt.waitingSteps).toBe(0);
  });

  it('buffers referenced by a waiting batch survive the pool trim', async () => {
    // A pool that keeps nothing: every flush destroys all freed buffers it may.
    const rt = (await fresh('webgpu-async-trim', { maxPoolBytes: 0 })).runtime;
    const dev = { device: 'webgpu-async-trim' };
    const x = tensor([0.5, 1.5], dev);
    const y = exp(x);
    await endOfTask();
    expect(rt.waitingSteps).toBeGreaterThan(0);
    x.dispose();
    // Another batch closes (and trims) while the first still waits.
    const z = add(tensor([1, 1], dev), 1);
    await endOfTask();
    const got = Array.from(await y.data());
    expect(got[0]).toBeCloseTo(Math.exp(0.5), 5);
    expect(got[1]).toBeCloseTo(Math.exp(1.5), 5);
    expect(Array.from(await z.data())).toEqual([2, 2]);
  });

  it('a kernel that fails to compile is skipped and reported at the next read, naming the op', async () => {
    const backend = await fresh('webgpu-async-bad');
    const x = tensor([1, 2], { device: 'webgpu-async-bad' });
    backend.runtime.run({
      op: 'brokenKernel',
      key: 'broken-kernel',
      code: () => '@compute @workgroup_size(1) fn notMain() {}',
      params: pack([]),
      bindings: [],
      grid: [1, 1, 1],
      describe: () => 'brokenKernel [2] float32',
    });
    const err = await x.data().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebGPUError);
    expect(String((err as Error).message)).toMatch(
      /brokenKernel \[2\] float32 failed \(pipeline creation error\)/,
    );
    // Reported once; the backend keeps working.
    expect(Array.from(await add(x, x).data())).toEqual([2, 4]);
  });

  it('compiles at most parallelCompiles pipelines at once; the rest wait their turn', async () => {
    const rt = (await fresh('webgpu-async-serial', { parallelCompiles: 1 })).runtime;
    const x = tensor([0.25, 4], { device: 'webgpu-async-serial' });
    const y = tanh(sqrt(exp(neg(x))));
    expect(rt.compiling.running).toBe(1);
    expect(rt.compiling.queued).toBeGreaterThanOrEqual(3);
    const got = Array.from(await y.data());
    for (const [i, v] of got.entries()) {
      expect(v).toBeCloseTo(Math.tanh(Math.sqrt(Math.exp(-[0.25, 4][i]!))), 5);
    }
    expect(rt.compiling).toEqual({ running: 0, queued: 0 });
  });

  it('rejects a parallelCompiles that is not a positive integer', async () => {
    await expect(initWebGPU({ name: 'webgpu-bad-pc', parallelCompiles: 0 })).rejects.toThrow(
      'initWebGPU: parallelCompiles must be a positive integer, got 0',
    );
  });
});

describe('defaultParallelCompiles', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is half the logical processors, at least one', () => {
    for (const [cores, want] of [
      [1, 1],
      [2, 1],
      [3, 1],
      [8, 4],
      [16, 8],
    ] as const) {
      vi.stubGlobal('navigator', { hardwareConcurrency: cores });
      expect(defaultParallelCompiles()).toBe(want);
    }
  });
});
