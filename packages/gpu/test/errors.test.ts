import { add, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { describeIfAvailable } from '../../../tests/repo/requirements.js';
import { DeviceLostError, initWebGPU, WebGPUError, webgpuBackend } from '../src/index.js';
import type { GpuBuffer } from '../src/memory.js';
import { ensureRuntimeDir } from './helpers.js';

describe('initWebGPU without a usable GPU', () => {
  it('no adapter: a clear error that says how to fall back to the CPU', async () => {
    const gpu = { requestAdapter: async () => null };
    await expect(initWebGPU({ gpu })).rejects.toThrow(/no WebGPU adapter was found.*setBackend\('cpu'\)/s);
  });

  it('a missing required feature is named', async () => {
    const adapter = { features: new Set(['shader-f16']), limits: {} } as unknown as GPUAdapter;
    const gpu = { requestAdapter: async () => adapter };
    await expect(initWebGPU({ gpu, requiredFeatures: ['timestamp-query'] })).rejects.toThrow(
      /lacks required feature\(s\) timestamp-query \(it has: shader-f16\)/,
    );
  });

  it('an unregistered backend name gives a clear error', () => {
    expect(() => webgpuBackend('webgpu-never-initialised')).toThrow(/call `await initWebGPU\(\)` first/);
  });
});

describeIfAvailable('webgpu', 'webgpu device loss and validation errors', () => {
  it('reports adapter info and device loss; ops on a lost device throw DeviceLostError', async () => {
    ensureRuntimeDir();
    const lost: string[] = [];
    const info = await initWebGPU({ name: 'webgpu-lost', onDeviceLost: (i) => lost.push(i.reason) });
    expect(info.name).toBe('webgpu-lost');
    expect(typeof info.description).toBe('string');
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    const x = tensor([1, 2, 3], { device: 'webgpu-lost' });
    expect(Array.from(await add(x, x).data())).toEqual([2, 4, 6]);
    webgpuBackend('webgpu-lost').device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(lost).toEqual(['destroyed']);
    expect(() => add(x, x)).toThrow(DeviceLostError);
    expect(() => add(x, x)).toThrow(
      /the WebGPU device was lost \(destroyed.*initWebGPU\(\).*setBackend\('cpu'\)/s,
    );
    await expect(x.data()).rejects.toThrow(DeviceLostError);
    expect(() => zeros([2], { device: 'webgpu-lost' })).toThrow(DeviceLostError);
  });

  it('debug mode turns a WebGPU validation error into an exception naming the op and shapes', async () => {
    ensureRuntimeDir();
    await initWebGPU({ name: 'webgpu-debug', debug: true });
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { device: 'webgpu-debug' },
    );
    // Sabotage: destroy the GPUBuffer behind x, so the next kernel reading it fails validation.
    (x.viewFor('test').buffer as GpuBuffer).buffer.destroy();
    const y = add(x, x);
    const err = await y.data().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebGPUError);
    expect(String((err as Error).message)).toMatch(
      /add \[2,2\] int32, \[2,2\] int32.*failed \(validation error\)/s,
    );
    // The error is reported once; the backend keeps working.
    const z = tensor([5], { device: 'webgpu-debug' });
    expect(Array.from(await add(z, z).data())).toEqual([10]);
  });

  it('without debug mode the error still surfaces at the next read, with a hint', async () => {
    ensureRuntimeDir();
    await initWebGPU({ name: 'webgpu-plain' });
    const x = tensor([1, 2], { device: 'webgpu-plain' });
    await x.data();
    (x.viewFor('test').buffer as GpuBuffer).buffer.destroy();
    const y = add(x, x);
    await expect(y.data()).rejects.toThrow(
      /error in a batch of queued ops.*initWebGPU\(\{ debug: true \}\)/s,
    );
  });
});
