import {
  cpuKernelInfo,
  cpuKernelStats,
  initCpuKernels,
  matmul,
  narrow,
  randn,
  setNumThreads,
  type Tensor,
} from '@tessera/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { View } from '../src/backend.js';
import { loadWasmKernels } from '../src/wasm/index.js';
import { gemmTasks, matmulOn } from '../src/wasm/matmul.js';
import { activeRuntime } from '../src/wasm/runtime.js';
import { expectClose, expectIdentical, prng, VARIANTS, withKernels } from './wasm-helpers.js';

// The WebAssembly matmul kernels (every variant) against the TypeScript kernel, over random shapes
// (sizes around the micro-tile 4x8 and the blocks KC=256, MC=128, NB=256, and 1-sized dims),
// strided operands (transposed, sliced, broadcast, batched) and thread counts.

/** matmul under `mode`. */
const mm = (mode: Parameters<typeof withKernels>[0], a: Tensor, b: Tensor) =>
  withKernels(mode, () => matmul(a, b));

function check(a: Tensor, b: Tensor, what: string): void {
  const ref = mm('ts', a, b);
  const k = a.shape[a.ndim - 1]!;
  for (const v of VARIANTS) expectClose(mm(v, a, b), ref, k, `${what} [${v}]`);
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 33, 63, 65, 100, 127, 129, 200, 255, 257, 300];

// The kernels load on first use (a separate chunk): load them before comparing with them.
beforeAll(async () => {
  expect(await loadWasmKernels()).not.toBeNull();
});

describe('WebAssembly matmul', () => {
  it('matches the TypeScript kernel on random shapes', () => {
    const r = prng(42);
    const pick = () => SIZES[Math.floor(r() * SIZES.length)]!;
    for (let i = 0; i < 24; i++) {
      const [m, k, n] = [pick(), pick(), pick()];
      check(randn([m, k]), randn([k, n]), `[${m},${k}] @ [${k},${n}]`);
    }
  });

  it('crosses the cache blocks (K > 256, M > 128, N > 256)', () => {
    check(randn([129, 513]), randn([513, 257]), 'blocked');
    check(randn([300, 260]), randn([260, 520]), 'blocked wide');
  });

  it('handles 1-sized dims: row and column vectors, k = 1, size-1 batches', () => {
    check(randn([1, 70]), randn([70, 90]), 'm = 1');
    check(randn([90, 70]), randn([70, 1]), 'n = 1');
    check(randn([40, 1]), randn([1, 50]), 'k = 1');
    check(randn([1, 1]), randn([1, 1]), '1 x 1');
    check(randn([1, 3, 1, 9]), randn([1, 1, 9, 20]), 'size-1 batch dims');
  });

  it('reads strided operands in place: transposed, sliced, broadcast, batched', () => {
    const a = randn([70, 45]);
    const b = randn([33, 70]);
    check(a.mT, b.mT, 'a.mT @ b.mT');
    check(randn([20, 70]), b.mT, 'x @ w.mT');
    check(a.mT, randn([70, 19]), 'a.mT @ b');
    // A column slice of a narrow matrix (copied as a span) and of a very wide one (gathered).
    check(narrow(randn([50, 80]), 1, 10, 37), randn([37, 21]), 'column slice');
    check(
      narrow(randn([40, 6000]), 1, 100, 30),
      narrow(randn([30, 9000]), 1, 5, 60),
      'slices of wide matrices',
    );
    check(randn([3, 17, 29]), randn([3, 29, 13]), 'batched');
    check(randn([2, 1, 17, 29]), randn([1, 3, 29, 13]), 'broadcast batch dims');
    check(randn([4, 25, 30]), randn([30, 26]), 'shared b: one tall product');
    check(randn([4, 25, 30]).permute(1, 0, 2), randn([30, 26]), 'shared b, permuted a');
    check(randn([30, 26]), randn([5, 26, 12]), 'shared a');
    check(randn([1, 30, 26]).expand(4, 30, 26), randn([4, 26, 12]), 'expanded a');
  });

  it('leaves float64 to the TypeScript kernel and, in auto mode, small products too', () => {
    const a = randn([40, 50], { dtype: 'float64' });
    const b = randn([50, 30], { dtype: 'float64' });
    const c = mm('wasm', a, b);
    expect(c.dtype).toBe('float64');
    expect(Array.from(c.dataSync())).toEqual(Array.from(mm('ts', a, b).dataSync()));
    const small = [randn([12, 20]), randn([20, 15])] as const;
    const tiny = [randn([500, 4, 4]), randn([500, 4, 4])] as const;
    cpuKernelStats(true);
    expectIdentical(mm('auto', ...small), mm('ts', ...small), 'a small product in auto mode');
    expectIdentical(mm('auto', ...tiny), mm('ts', ...tiny), 'a batch of 4x4 products in auto mode');
    expect(cpuKernelStats(true).calls).toBe(0);
    const big = [randn([40, 50]), randn([50, 30])] as const;
    const vec = [randn([1, 300]), randn([300, 200])] as const;
    expectClose(mm('auto', ...big), mm('ts', ...big), 50, 'a larger product in auto mode');
    expectClose(mm('auto', ...vec), mm('ts', ...vec), 300, 'a vector-matrix product in auto mode');
    expect(cpuKernelStats(true).calls).toBe(2);
  });
});

describe('WebAssembly matmul on worker threads', () => {
  let prev = 1;
  beforeAll(async () => {
    prev = setNumThreads(3);
    await withKernels('wasm', () => initCpuKernels());
  });
  afterAll(() => {
    setNumThreads(prev);
  });

  it('gives bitwise-identical results for 1, 2 and 3 threads', async () => {
    for (const v of VARIANTS) {
      await withKernels(v, () => initCpuKernels());
      const cases: [Tensor, Tensor][] = [
        [randn([150, 300]), randn([300, 270])],
        [randn([4, 64, 100]), randn([100, 90]).mT.mT],
        [randn([3, 90, 80]), randn([3, 80, 70])],
        [randn([700, 50]), randn([50, 33])],
      ];
      for (const [i, [a, b]] of cases.entries()) {
        setNumThreads(1);
        const one = mm(v, a, b);
        cpuKernelStats(true);
        setNumThreads(2);
        const two = mm(v, a, b);
        setNumThreads(3);
        const three = mm(v, a, b);
        expect(cpuKernelStats().threadedCalls, `case ${i} [${v}] ran on workers`).toBeGreaterThan(0);
        expectIdentical(two, one, `case ${i} [${v}], 2 threads`);
        expectIdentical(three, one, `case ${i} [${v}], 3 threads`);
        expectClose(one, mm('ts', a, b), a.shape[a.ndim - 1]!, `case ${i} [${v}] vs TypeScript`);
      }
    }
    expect(withKernels('wasm', () => cpuKernelInfo()).workers).toBe(2);
  });

  it('writes exactly the output span of a view inside a bigger buffer, on 1 and 2 threads', () => {
    // With workers, the kernel pre-touches the pages of its output while they start: nothing outside the
    // view's span (at an offset that is no page boundary) may change.
    const [m, k, n] = [64, 128, 200];
    const a = randn([m, k]);
    const b = randn([k, n]);
    const ref = mm('ts', a, b).dataSync();
    const view = (t: Tensor): View => ({
      buffer: { data: new Float32Array(t.dataSync()) } as unknown as View['buffer'],
      dtype: 'float32',
      shape: t.shape,
      strides: t.strides,
      offset: 0,
    });
    const offset = 1500;
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      const data = new Float32Array(offset + m * n + 2500).fill(7);
      const out: View = {
        buffer: { data } as unknown as View['buffer'],
        dtype: 'float32',
        shape: [m, n],
        strides: [n, 1],
        offset,
      };
      cpuKernelStats(true);
      withKernels('wasm-simd', () => matmulOn(activeRuntime()!, out, view(a), view(b)));
      expect(cpuKernelStats().threadedCalls, `${threads} thread(s)`).toBe(threads - 1);
      for (let i = 0; i < data.length; i++) {
        if (i < offset || i >= offset + m * n) {
          if (data[i] !== 7) expect.fail(`${threads} thread(s): element ${i} outside the view changed`);
        } else {
          const want = ref[i - offset]!;
          if (Math.abs(data[i]! - want) > 1e-3 * Math.max(1, Math.abs(want)))
            expect.fail(`${threads} thread(s): element ${i} is ${data[i]}, expected ${want}`);
        }
      }
    }
  });

  it('splits big products into more, narrower tasks, with the same results on 1 and 2 threads', () => {
    // 1030 x 600 x 1000 multiply-adds make 16 column blocks of 64 (the last one 40 wide).
    expect(gemmTasks(1, 1030, 1000, 600)).toEqual({ nb: 64, jBlocks: 16, mgRows: 1152, mGroups: 1 });
    const a = randn([1030, 600]);
    const b = randn([600, 1000]);
    setNumThreads(1);
    const one = mm('wasm', a, b);
    cpuKernelStats(true);
    setNumThreads(2);
    const two = mm('wasm', a, b);
    expect(cpuKernelStats().threadedCalls).toBe(1);
    expectIdentical(two, one, '16 tasks, 2 threads');
    expectClose(one, mm('ts', a, b), 600, '16 tasks vs TypeScript');
  });
});

describe('GEMM task split', () => {
  /** Checks that the tasks cover the product exactly, in whole micro-tiles and row blocks. */
  function covers(count: number, M: number, n: number, k: number): number {
    const t = gemmTasks(count, M, n, k);
    expect(t.nb % 8, `nb of ${M}x${n}x${k}`).toBe(0);
    expect(t.mgRows % 128, `mgRows of ${M}x${n}x${k}`).toBe(0);
    expect(t.jBlocks * t.nb).toBeGreaterThanOrEqual(n);
    expect((t.jBlocks - 1) * t.nb).toBeLessThan(n);
    expect(t.mGroups * t.mgRows).toBeGreaterThanOrEqual(M);
    expect((t.mGroups - 1) * t.mgRows).toBeLessThan(M);
    return count * t.jBlocks * t.mGroups;
  }

  it('covers every shape with whole tiles; big products get more tasks, up to 32', () => {
    const r = prng(7);
    for (let i = 0; i < 200; i++) {
      const [M, n, k] = [1, 2, 3].map(() => 1 + Math.floor(r() ** 2 * 3000));
      covers(1 + Math.floor(r() * 3), M!, n!, k!);
    }
    expect(covers(1, 256, 256, 256)).toBe(8);
    expect(covers(1, 512, 512, 512)).toBe(8);
    expect(covers(1, 1024, 1024, 1024)).toBe(16);
    expect(covers(1, 2048, 2048, 2048)).toBe(32);
    expect(covers(1, 4096, 4096, 4096)).toBe(32);
  });
});
