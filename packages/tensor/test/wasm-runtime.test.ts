import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  cpuKernelInfo,
  cpuKernelStats,
  getCpuKernels,
  getNumThreads,
  initCpuKernels,
  matmul,
  randn,
  setCpuKernels,
  setNumThreads,
  zeros,
} from '@tessera/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasmKernels } from '../src/wasm/index.js';
import { matmulOn } from '../src/wasm/matmul.js';
import { kernelBytes } from '../src/wasm/module.js';
import { isolatedRuntime } from '../src/wasm/runtime.js';
import { expectClose, VARIANTS, withKernels } from './wasm-helpers.js';

// Settings, statistics, lazy worker start, the unshared-memory (single-threaded) configuration
// and the freshness of the generated kernel module.

const handles = (): string[] =>
  (process as unknown as { _getActiveHandles(): object[] })
    ._getActiveHandles()
    .map((h) => h.constructor.name);

// The kernels load on first use (a separate chunk): load them before comparing with them.
beforeAll(async () => {
  expect(await loadWasmKernels()).not.toBeNull();
});

describe('CPU kernel settings', () => {
  it('starts no worker before a kernel call needs one', () => {
    // This file runs in a fresh process: nothing has started the pool yet.
    expect(cpuKernelInfo().workers).toBe(0);
    withKernels('wasm', () => matmul(randn([8, 8]), randn([8, 8])));
    expect(cpuKernelInfo().workers).toBe(0);
  });

  it('validates and returns the previous kernel mode', () => {
    expect(getCpuKernels()).toBe('auto');
    expect(setCpuKernels('ts')).toBe('auto');
    expect(getCpuKernels()).toBe('ts');
    expect(setCpuKernels('auto')).toBe('ts');
    expect(() => setCpuKernels('gpu' as never)).toThrow(
      "setCpuKernels: unknown mode 'gpu' (expected one of auto, ts, wasm, wasm-relaxed, wasm-simd, wasm-scalar)",
    );
  });

  it('validates and returns the previous thread count', () => {
    const prev = getNumThreads();
    expect(prev).toBeGreaterThanOrEqual(1);
    expect(setNumThreads(3)).toBe(prev);
    expect(getNumThreads()).toBe(3);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => setNumThreads(bad)).toThrow(`setNumThreads: expected a positive integer, got ${bad}`);
    }
    expect(setNumThreads(prev)).toBe(3);
  });

  it('reports the kernels in use and counts their time, copies included', () => {
    const info = withKernels('wasm', () => cpuKernelInfo());
    expect(info.variant).toBe('relaxed');
    expect(info.sharedMemory).toBe(true);
    expect(withKernels('wasm-scalar', () => cpuKernelInfo().variant)).toBe('scalar');
    expect(withKernels('ts', () => cpuKernelInfo().variant)).toBe(null);
    cpuKernelStats(true);
    const a = randn([64, 64]);
    withKernels('ts', () => matmul(a, a));
    expect(cpuKernelStats().calls).toBe(0);
    withKernels('wasm', () => matmul(a, a));
    const s = cpuKernelStats(true);
    expect(s.calls).toBe(1);
    expect(s.ms).toBeGreaterThan(0);
    expect(s.copyMs).toBeGreaterThan(0);
    expect(s.copyMs).toBeLessThanOrEqual(s.ms);
    expect(cpuKernelStats().calls).toBe(0);
  });

  it('starts workers that do not keep the process alive', async () => {
    const before = handles().filter((h) => h === 'MessagePort' || h === 'Worker').length;
    const prev = setNumThreads(2);
    const info = await initCpuKernels();
    setNumThreads(prev);
    expect(info.workers).toBe(1);
    expect(handles().filter((h) => h === 'MessagePort' || h === 'Worker').length).toBe(before);
  });
});

describe('WebAssembly kernels without shared memory', () => {
  it.each(VARIANTS.map((v) => v.slice(5) as 'relaxed' | 'simd' | 'scalar'))(
    'the %s module imports an unshared memory and multiplies single-threaded',
    (variant) => {
      const shared = kernelBytes(variant, true);
      const unshared = kernelBytes(variant, false);
      expect(unshared.length).toBe(shared.length);
      expect(shared.filter((b, i) => b !== unshared[i]).length).toBe(1);
      const rt = isolatedRuntime(variant);
      expect(rt.heap.shared).toBe(false);
      const a = randn([70, 300]);
      const b = randn([300, 90]);
      const out = zeros([70, 90]);
      matmulOn(rt, out.viewFor('test'), a.viewFor('test'), b.viewFor('test'));
      expectClose(
        out,
        withKernels('ts', () => matmul(a, b)),
        300,
        `unshared ${variant}`,
      );
    },
  );
});

describe('generated kernel modules', () => {
  it('is up to date with packages/tensor/kernels-wasm/', () => {
    const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
