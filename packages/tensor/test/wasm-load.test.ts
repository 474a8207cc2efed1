import { cpuKernelInfo, cpuKernelStats, initCpuKernels, matmul, randn, setCpuKernels } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { MIN_MATMUL_WORK, wasmKernels } from '../src/wasm/index.js';
import { kernelsState } from '../src/wasm/load.js';
import { expectClose } from './wasm-helpers.js';

// The WebAssembly kernels are a chunk of their own, loaded on first use: this file runs in a
// fresh process (nothing has asked for them yet) and on sources, where Node's synchronous
// require of the chunk cannot find a .js file, so the load is asynchronous as in a browser.
// (tests/repo/wasm-chunk.test.ts checks the synchronous load of the built package in Node.)

describe('loading the WebAssembly kernels', () => {
  it('never starts for mode ts or for calls too small for every kernel', () => {
    const prev = setCpuKernels('ts');
    expect(cpuKernelInfo().variant).toBe(null);
    matmul(randn([64, 64]), randn([64, 64]));
    expect(wasmKernels(1 << 30, MIN_MATMUL_WORK)).toBe(null);
    setCpuKernels(prev);
    matmul(randn([4, 2]), randn([2, 8]));
    expect(kernelsState()).toBe('idle');
  });

  it('starts on the first call that wants them; the TypeScript kernels run until they are in', async () => {
    const a = randn([64, 64]);
    const b = randn([64, 64]);
    cpuKernelStats(true);
    const first = matmul(a, b);
    expect(kernelsState()).toBe('loading');
    expect(cpuKernelStats().calls).toBe(0);
    const info = cpuKernelInfo();
    expect(info.variant).toBe(null);
    expect(info.note).toBe('the WebAssembly kernels are loading (await initCpuKernels())');

    expect((await initCpuKernels()).variant).toBe('relaxed');
    expect(kernelsState()).toBe('loaded');
    const second = matmul(a, b);
    expect(cpuKernelStats().calls).toBe(1);
    // The two paths differ only by float rounding (the TypeScript kernel sums in double precision).
    expectClose(second, first, 64, 'WebAssembly after TypeScript');
  });
});
