import { describe, expect, it } from 'vitest';
import { matmul, randn, setCpuKernels, cpuKernelInfo, initCpuKernels, setNumThreads } from '@tessera/tensor';

describe('scratch', () => {
  it('matmul', async () => {
    for (const mode of ['wasm-relaxed', 'wasm-simd', 'wasm-scalar'] as const) {
      for (const [m, k, n] of [[4, 8, 8], [5, 3, 7], [1, 1, 1], [33, 300, 65], [130, 257, 300], [64, 64, 64]]) {
        const a = randn([m!, k!]);
        const b = randn([k!, n!]);
        setCpuKernels('ts');
        const ref = matmul(a, b).dataSync();
        setCpuKernels(mode);
        const got = matmul(a, b).dataSync();
        let maxd = 0;
        for (let i = 0; i < ref.length; i++) maxd = Math.max(maxd, Math.abs(ref[i]! - got[i]!));
        console.log(mode, m, k, n, maxd, JSON.stringify(cpuKernelInfo()));
        expect(maxd).toBeLessThan(1e-3);
      }
    }
  });
});
