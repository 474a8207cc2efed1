import { nextStep, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { initWebGPU, webgpuBackend } from '../src/index.js';
import { UnawaitedGuard, unawaitedError } from '../src/unawaited.js';
import { ensureRuntimeDir } from './helpers.js';

// The two bounds on WebGPU memory that do not depend on the program: the count of ops queued
// without awaiting, and the count of freed buffers kept for reuse.

const FIX = /`await loss\.data\(\)` or `await nextStep\(\)`.*maxUnawaitedOps/s;

describe('UnawaitedGuard', () => {
  it('throws past its limit, naming the op and the fix, and counts again after a macrotask', async () => {
    const g = new UnawaitedGuard(3);
    for (let i = 0; i < 3; i++) g.count('add');
    expect(() => g.count('matmul')).toThrow(
      /webgpu: matmul: more than 3 GPU ops were queued without awaiting/,
    );
    expect(() => g.count('matmul')).toThrow(FIX);
    await nextStep();
    for (let i = 0; i < 3; i++) g.count('add');
    g.reset(); // a read completed
    for (let i = 0; i < 3; i++) g.count('add');
    expect(() => g.count('add')).toThrow(FIX);
    expect(unawaitedError('exp', 10).message).toMatch(/webgpu: exp: more than 10 GPU ops/);
  });
});

describe('initWebGPU limit options', () => {
  it('rejects limits that are not positive integers, before looking for an adapter', async () => {
    for (const [key, v] of [
      ['maxUnawaitedOps', 0],
      ['maxUnawaitedOps', 1.5],
      ['maxPoolBuffers', -1],
    ] as const) {
      await expect(initWebGPU({ name: 'webgpu-bad-limit', [key]: v })).rejects.toThrow(
        `initWebGPU: ${key} must be a positive integer, got ${v}`,
      );
    }
  });
});

describeIfAvailable('webgpu', 'webgpu limits', () => {
  it('maxUnawaitedOps stops a loop that never awaits; after awaiting, work goes on', async () => {
    ensureRuntimeDir();
    await initWebGPU({ name: 'webgpu-unawaited', maxUnawaitedOps: 50 });
    const dev = { device: 'webgpu-unawaited' };
    const x = tensor([1, 2, 3], dev);
    await x.data();
    expect(() => {
      for (let i = 0; i < 100; i++) x.mul(2);
    }).toThrow(FIX);
    await nextStep();
    let y = x;
    for (let i = 0; i < 20; i++) y = y.add(1); // 40 ops: each scalar operand is an upload
    expect(Array.from(await y.data())).toEqual([21, 22, 23]);
    // Awaiting a read each step keeps any number of steps under the limit.
    for (let step = 0; step < 5; step++) {
      for (let i = 0; i < 10; i++) y = y.sub(1);
      await y.data();
    }
    expect(Array.from(await y.data())).toEqual([-29, -28, -27]);
  });

  it('maxPoolBuffers caps the pool by count after a burst of frees', async () => {
    ensureRuntimeDir();
    await initWebGPU({ name: 'webgpu-poolcap', maxPoolBuffers: 16 });
    const dev = { device: 'webgpu-poolcap' };
    // Distinct size classes and many buffers: far more than 16 freed at once.
    const ts = Array.from({ length: 200 }, (_, i) => zeros([4 + (i % 20) * 64], dev));
    await ts[0]!.data();
    for (const t of ts) t.dispose();
    const m = webgpuBackend('webgpu-poolcap').memory();
    expect(m.pooledBuffers).toBeLessThanOrEqual(16);
    expect(m.liveBuffers).toBe(0);
    // The pool still serves reuse.
    const again = zeros([4], dev);
    expect(Array.from(await again.data())).toEqual([0, 0, 0, 0]);
  });
});
