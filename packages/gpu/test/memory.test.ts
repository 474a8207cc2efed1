import { add, mul, relu, sum, tensor, zeros } from '@tessera/tensor';
import { beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { gpuMemory, syncWebGPU, type WebGPUBackend } from '../src/index.js';
import { gpuBackend, randomData } from './helpers.js';

describeIfAvailable('webgpu', 'webgpu memory: caching allocator, release on dispose and GC', () => {
  let backend: WebGPUBackend;
  beforeAll(async () => {
    backend = await gpuBackend();
  });

  it('disposed buffers return to the pool and are reused (no new GPUBuffers)', async () => {
    await syncWebGPU();
    const x = zeros([1000], { device: 'webgpu' });
    await x.data();
    const before = gpuMemory();
    for (let i = 0; i < 50; i++) {
      const y = add(x, x);
      y.dispose();
    }
    await syncWebGPU();
    const after = gpuMemory();
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect(after.created - before.created).toBeLessThanOrEqual(2);
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(48);
    expect(after.pooledBuffers).toBeGreaterThan(0);
    expect(after.pooledBytes).toBeGreaterThan(0);
    expect(backend.memory()).toEqual(gpuMemory());
  });

  it('dataSync and item are refused with a clear error (reads are async)', async () => {
    const x = tensor([1, 2]).to('webgpu');
    expect(() => x.dataSync()).toThrow(/webgpu backend cannot be read synchronously; use await t\.data\(\)/);
    expect(() => x.sum().item()).toThrow(/cannot be read synchronously/);
    expect(Array.from(await x.data())).toEqual([1, 2]);
  });

  it('a 10,000-step training-like loop that never disposes keeps a flat number of live buffers', async () => {
    expect(
      typeof (globalThis as { gc?: unknown }).gc,
      'run with node --expose-gc (vitest.config.ts does)',
    ).toBe('function');
    const w = tensor(randomData(64, 1)).to('webgpu');
    const b = tensor(randomData(64, 2)).to('webgpu');
    let x = tensor(randomData(64, 3)).to('webgpu');
    const samples: number[] = [];
    for (let step = 1; step <= 10_000; step++) {
      const h = relu(add(mul(x, w), b));
      const loss = sum(h);
      x = mul(h, 0.5);
      if (step % 500 === 0) {
        // A read per "epoch" (like logging the loss) lets the event loop run finalizers.
        await loss.data();
        samples.push(gpuMemory().liveBuffers);
      }
    }
    await syncWebGPU();
    // 6 buffers per step would leak to 60,000 without collections. With the backend's gc hints
    // (this suite runs with --expose-gc) the count oscillates between collections, so its peaks
    // depend on where the samples fall; the troughs (what survives a collection) must not rise:
    // a leak of even one buffer per step would lift them by 5,000 over the second half.
    const half = samples.length / 2;
    const early = Math.min(...samples.slice(0, half));
    const late = Math.min(...samples.slice(half));
    expect(late, `live buffers grow with steps: ${samples.join(' ')}`).toBeLessThanOrEqual(early + 1000);
    expect(Math.max(...samples)).toBeLessThan(12_000);
  }, 120_000);
});
