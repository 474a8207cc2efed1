import { bmm, dot, matmul, mm, outer, type Tensor, tensor, zeros } from '@tessera/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { f64, maxDiff, rand } from './helpers-float64.js';
import { recordOps } from './shaping-ref.js';

// Matrix products checked against an independent float64 triple loop written here.

/** Reference batched matmul with broadcasting, 1-D promotion included, written from the spec. */
function refMatmul(a: Tensor, b: Tensor): { data: Float64Array; shape: number[] } {
  const A = f64(a);
  const B = f64(b);
  const as = a.ndim === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bs = b.ndim === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const m = as[as.length - 2]!;
  const k = as[as.length - 1]!;
  const n = bs[bs.length - 1]!;
  const ba = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const nb = Math.max(ba.length, bb.length);
  const batch: number[] = [];
  for (let i = 0; i < nb; i++) {
    const x = ba[ba.length - nb + i] ?? 1;
    const y = bb[bb.length - nb + i] ?? 1;
    batch.push(Math.max(x, y));
  }
  const total = batch.reduce((p, q) => p * q, 1);
  const data = new Float64Array(total * m * n);
  for (let bi = 0; bi < total; bi++) {
    // unravel bi into batch coordinates, then map into a's and b's (size-1 dims broadcast)
    let rem = bi;
    const coord = new Array<number>(nb);
    for (let d = nb - 1; d >= 0; d--) {
      coord[d] = rem % batch[d]!;
      rem = Math.floor(rem / batch[d]!);
    }
    let oa = 0;
    for (let d = 0; d < ba.length; d++) oa = oa * ba[d]! + (ba[d] === 1 ? 0 : coord[nb - ba.length + d]!);
    let ob = 0;
    for (let d = 0; d < bb.length; d++) ob = ob * bb[d]! + (bb[d] === 1 ? 0 : coord[nb - bb.length + d]!);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[oa * m * k + i * k + p]! * B[ob * k * n + p * n + j]!;
        data[bi * m * n + i * n + j] = s;
      }
    }
  }
  const shape = [...batch];
  if (a.ndim !== 1) shape.push(m);
  if (b.ndim !== 1) shape.push(n);
  return { data, shape };
}

function expectClose(actual: Tensor, ref: { data: Float64Array; shape: number[] }, tol: number): void {
  expect(actual.shape).toEqual(ref.shape);
  expect(maxDiff(f64(actual), ref.data)).toBeLessThanOrEqual(tol);
}

describe('matmul values', () => {
  it('multiplies a hand-worked 2x3 by 3x2', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensor([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    // [1*7+2*9+3*11, 1*8+2*10+3*12] = [58, 64]; [4*7+5*9+6*11, 4*8+5*10+6*12] = [139, 154]
    expect(matmul(a, b).arraySync()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(a.matmul(b).dtype).toBe('int32');
    expect(a.float().matmul(b.float()).arraySync()).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });

  it('matches the reference for sizes around the block sizes (float64 and float32)', () => {
    const sizes: [number, number, number][] = [
      [1, 1, 1],
      [2, 3, 4],
      [5, 7, 3],
      [4, 4, 4],
      [17, 33, 9],
      [33, 17, 65],
      [130, 9, 260],
      [3, 300, 2],
      [129, 131, 257],
      [64, 1, 70],
      [1, 70, 64],
      [70, 64, 1],
      [8, 8, 600],
    ];
    let seed = 1;
    for (const [m, k, n] of sizes) {
      for (const dtype of ['float64', 'float32'] as const) {
        const a = rand([m, k], seed++, { dtype });
        const b = rand([k, n], seed++, { dtype });
        expectClose(matmul(a, b), refMatmul(a, b), dtype === 'float64' ? 1e-12 * k : 1e-5 * Math.sqrt(k) * 4);
      }
    }
  });

  it('reads transposed, sliced and flipped operands in place', () => {
    let seed = 100;
    for (const [m, k, n] of [
      [7, 5, 6],
      [70, 90, 40],
      [3, 260, 5],
    ] as const) {
      const a = rand([k, m], seed++); // a.mT is [m, k]
      const b = rand([n, k], seed++); // b.mT is [k, n]
      expectClose(matmul(a.mT, b.mT), refMatmul(a.mT.contiguous(), b.mT.contiguous()), 1e-12 * k);
      const a2 = rand([2 * m, 3 * k], seed++)
        .slice(0, 0, undefined, 2)
        .slice(1, 1, undefined, 3); // [m, k]
      const b2 = rand([k, n + 3], seed++)
        .slice(1, 3)
        .slice(0, undefined, undefined, -1); // [k, n], flipped rows
      expect(a2.shape).toEqual([m, k]);
      expect(b2.shape).toEqual([k, n]);
      expectClose(matmul(a2, b2), refMatmul(a2.contiguous(), b2.contiguous()), 1e-12 * k);
    }
  });

  it('promotes 1-D operands like torch.matmul', () => {
    const v = rand([4], 1);
    const w = rand([4], 2);
    const r = matmul(v, w);
    expect(r.shape).toEqual([]);
    expectClose(r, refMatmul(v, w), 1e-14);
    const m = rand([3, 4], 3);
    expectClose(matmul(m, v), refMatmul(m, v), 1e-14); // [3]
    expectClose(matmul(rand([4, 5], 4), rand([5], 5)), refMatmul(rand([4, 5], 4), rand([5], 5)), 1e-14);
    expectClose(matmul(v, rand([4, 6], 6)), refMatmul(v, rand([4, 6], 6)), 1e-14); // [6]
    expectClose(matmul(v, rand([2, 4, 6], 7)), refMatmul(v, rand([2, 4, 6], 7)), 1e-14); // [2, 6]
    expectClose(matmul(rand([2, 3, 4], 8), v), refMatmul(rand([2, 3, 4], 8), v), 1e-14); // [2, 3]
    expect(matmul(v, rand([2, 4, 6], 7)).shape).toEqual([2, 6]);
    expect(matmul(rand([2, 3, 4], 8), v).shape).toEqual([2, 3]);
  });

  it('broadcasts batch dims', () => {
    const cases: [number[], number[]][] = [
      [
        [2, 1, 3, 4],
        [5, 4, 2],
      ],
      [
        [3, 4],
        [2, 4, 5],
      ],
      [
        [2, 3, 4],
        [4, 5],
      ],
      [
        [1, 3, 4],
        [6, 4, 5],
      ],
      [
        [6, 1, 3, 40],
        [1, 2, 40, 9],
      ],
      [
        [2, 1, 40, 60],
        [3, 60, 50],
      ],
    ];
    let seed = 50;
    for (const [sa, sb] of cases) {
      const a = rand(sa, seed++);
      const b = rand(sb, seed++);
      expectClose(matmul(a, b), refMatmul(a, b), 1e-12 * sa[sa.length - 1]!);
    }
  });

  it('handles a batched input times a shared transposed weight (folded batch)', () => {
    const x = rand([3, 5, 70], 11);
    const w = rand([90, 70], 12);
    expectClose(matmul(x, w.mT), refMatmul(x, w.mT.contiguous()), 1e-12 * 70);
    // non-foldable batch layout: x permuted so its rows do not line up across the batch
    const xp = rand([5, 3, 70], 13).permute(1, 0, 2);
    expectClose(matmul(xp, w.mT), refMatmul(xp.contiguous(), w.mT.contiguous()), 1e-12 * 70);
  });

  it('property: any shapes, layouts and broadcast batches match the reference', () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 1, max: 40 }),
          k: fc.integer({ min: 1, max: 40 }),
          n: fc.integer({ min: 1, max: 40 }),
          batchA: fc.constantFrom([], [1], [3], [2, 1]),
          batchB: fc.constantFrom([], [1], [3], [1, 3]),
          transA: fc.boolean(),
          transB: fc.boolean(),
          seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        ({ m, k, n, batchA, batchB, transA, transB, seed }) => {
          // stored with the last two dims swapped when trans*, then viewed back with .mT
          const a = transA ? rand([...batchA, k, m], seed).mT : rand([...batchA, m, k], seed);
          const b = transB ? rand([...batchB, n, k], seed + 1).mT : rand([...batchB, k, n], seed + 1);
          expectClose(matmul(a, b), refMatmul(a.contiguous(), b.contiguous()), 1e-12 * k);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('computes int32 products exactly', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([
      [5, 6],
      [7, 8],
    ]);
    const r = matmul(a, b);
    expect(r.dtype).toBe('int32');
    expect(r.arraySync()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    // beyond float32's exact integers, still exact
    expect(matmul(tensor([100000, 3]), tensor([3000, 2])).item()).toBe(300000006);
    // wraps modulo 2^32 like PyTorch's int32 arithmetic: 3000000006 - 2^32
    expect(matmul(tensor([100000, 3]), tensor([30000, 2])).item()).toBe(-1294967290);
  });

  it('handles empty dims', () => {
    const r = matmul(zeros([3, 0]), zeros([0, 4]));
    expect(r.shape).toEqual([3, 4]);
    expect(Array.from(r.dataSync())).toEqual(new Array(12).fill(0));
    expect(matmul(zeros([0, 3]), zeros([3, 4])).shape).toEqual([0, 4]);
    expect(matmul(zeros([2, 0, 3]), zeros([3, 4])).shape).toEqual([2, 0, 4]);
    expect(matmul(zeros([0]), zeros([0])).item()).toBe(0);
  });
});

describe('matmul recording', () => {
  it('records one matmul op with >=2-D inputs', () => {
    const a = rand([2, 3, 4], 1);
    const b = rand([4, 5], 2);
    const calls = recordOps(() => matmul(a, b));
    expect(calls.map((c) => c.name)).toEqual(['matmul']);
    expect(calls[0]!.inputs[0]).toBe(a);
    expect(calls[0]!.inputs[1]).toBe(b);
  });

  it('records 1-D promotion as reshapes around the matmul', () => {
    const v = rand([4], 1);
    const m = rand([4, 5], 2);
    const calls = recordOps(() => matmul(v, m));
    expect(calls.map((c) => c.name)).toEqual(['reshape', 'matmul', 'reshape']);
    expect(calls[1]!.inputs[0]!.shape).toEqual([1, 4]);
    expect(calls[1]!.inputs[1]).toBe(m);
  });
});

describe('mm, bmm, dot, outer', () => {
  it('computes each', () => {
    const a = rand([3, 4], 1);
    const b = rand([4, 2], 2);
    expectClose(mm(a, b), refMatmul(a, b), 1e-14);
    expectClose(a.mm(b), refMatmul(a, b), 1e-14);
    const x = rand([5, 3, 4], 3);
    const y = rand([5, 4, 6], 4);
    expectClose(bmm(x, y), refMatmul(x, y), 1e-14);
    expect(dot(tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
    expect(
      tensor([1, 2])
        .dot(tensor([3, 4]))
        .item(),
    ).toBe(11);
    expect(outer(tensor([1, 2]), tensor([3, 4, 5])).arraySync()).toEqual([
      [3, 4, 5],
      [6, 8, 10],
    ]);
    expect(outer(tensor([1, 2]), tensor([0.5])).dtype).toBe('float32');
  });
});

describe('errors', () => {
  it('names the op and the shapes', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(
      'matmul: shapes [2,3] and [4,5] cannot be multiplied (3 != 4)',
    );
    expect(() => matmul(zeros([3]), zeros([4]))).toThrow(
      'matmul: shapes [3] and [4] cannot be multiplied (3 != 4)',
    );
    expect(() => matmul(zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(
      'matmul: batch dims [2] and [3] of shapes [2,3,4] and [3,4,5] cannot be broadcast (2 vs 3)',
    );
    expect(() => matmul(zeros([]), zeros([3]))).toThrow('matmul: both operands must have at least 1 dim');
    expect(() => matmul(zeros([2, 2]), zeros([2, 2], { dtype: 'float64' }))).toThrow(
      'matmul: operands must have the same dtype, got float32 and float64',
    );
    expect(() => matmul(zeros([2, 2], { dtype: 'bool' }), zeros([2, 2], { dtype: 'bool' }))).toThrow(
      'matmul: bool',
    );
    expect(() => mm(zeros([2, 2, 2]), zeros([2, 2]))).toThrow(
      'mm: expected 2-D matrices, got shapes [2,2,2] and [2,2]',
    );
    expect(() => mm(zeros([2, 3]), zeros([2, 2]))).toThrow(
      'mm: shapes [2,3] and [2,2] cannot be multiplied (3 != 2)',
    );
    expect(() => bmm(zeros([2, 2]), zeros([2, 2]))).toThrow('bmm: expected 3-D tensors');
    expect(() => bmm(zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(
      'bmm: batch sizes differ: shapes [2,3,4] and [3,4,5] (2 != 3)',
    );
    expect(() => dot(zeros([3]), zeros([4]))).toThrow(
      'dot: tensors have different lengths: shapes [3] and [4]',
    );
    expect(() => dot(zeros([3, 1]), zeros([3]))).toThrow('dot: expected 1-D tensors');
    expect(() => outer(zeros([3, 1]), zeros([3]))).toThrow('outer: expected 1-D tensors');
    expect(() => matmul(zeros([2]), 3 as unknown as Tensor)).toThrow(
      'matmul: second operand must be a tensor',
    );
  });
});
