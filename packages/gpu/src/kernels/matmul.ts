import type { View } from '@tessera/tensor';
import { collapse, numel } from '../codegen/strided.js';
import type { GpuBuffer } from '../memory.js';
import type { Runtime } from '../runtime.js';
import { fill } from './elementwise.js';
import { chooseMode, type GemmSpec, gemm, type StridedOperand, splitsFor } from './gemm.js';
import { reduce } from './reduce.js';
import { describeViews } from './util.js';

/** A matmul reduced to one GEMM problem (see `planMatmul`); `out` is left to the caller. */
export type MatmulPlan = Omit<GemmSpec, 'out'>;

/**
 * Batched matrix product out[..., M, N] = a[..., M, K] @ b[..., K, N], reading `a` and `b` in
 * place through their strides (transposed, sliced and broadcast batches cost no copy). When `b`
 * is shared by the whole batch and `a`'s rows line up, the batch folds into M (one tall GEMM).
 */
export function matmul(rt: Runtime, out: View, a: View, b: View): void {
  if (numel(out.shape) === 0) return;
  const plan = planMatmul(out, a, b);
  if (plan === null) {
    fill(rt, out, 0);
    return;
  }
  if (plan.splits === 1) {
    gemm(rt, { ...plan, out: { kind: 'contiguous', buffer: out.buffer as GpuBuffer, offset: out.offset } });
    return;
  }
  const { M: rows, N, batch, splits } = plan;
  const Z = numel(batch);
  const total = Z * rows * N;
  const partial = rt.alloc('float32', splits * total);
  gemm(rt, { ...plan, out: { kind: 'contiguous', buffer: partial, offset: 0 } });
  sumSplits(rt, partial, splits, total, out);
}

/**
 * The GEMM problem of out = a @ b (see `matmul`): sizes, batch, operands read in place, and the
 * K splits; null when K is 0 (the product is zeros). `out` must have elements.
 */
export function planMatmul(out: View, a: View, b: View): MatmulPlan | null {
  const nd = out.shape.length;
  const M = out.shape[nd - 2]!;
  const N = out.shape[nd - 1]!;
  const K = a.shape[nd - 1]!;
  if (K === 0) return null;
  let rsA = a.strides[nd - 2]!;
  const csA = a.strides[nd - 1]!;
  const rsB = b.strides[nd - 2]!;
  const csB = b.strides[nd - 1]!;
  const batchShape = out.shape.slice(0, nd - 2);
  const aB = a.strides.slice(0, nd - 2);
  const bB = b.strides.slice(0, nd - 2);
  const oB: number[] = [];
  for (let d = 0, s = numel(out.shape); d < nd - 2; d++) oB.push((s /= out.shape[d]!));

  let rows = M;
  let batch: number[];
  let strides: number[][];
  const fold = collapse(
    [...batchShape, M],
    [
      [...aB, rsA],
      [...oB, N],
    ],
  );
  if (
    nd > 2 &&
    bB.every((s, d) => s === 0 || batchShape[d] === 1) &&
    fold.shape.length === 1 &&
    fold.strides[1]![0] === N
  ) {
    rows = fold.shape[0]!;
    rsA = fold.strides[0]![0]!;
    batch = [];
    strides = [[], [], []];
  } else {
    const c = collapse(batchShape, [aB, bB, oB]);
    batch = c.shape;
    strides = c.strides;
  }
  const Z = numel(batch);
  const aOp: StridedOperand = {
    kind: 'strided',
    buffer: a.buffer as GpuBuffer,
    offset: a.offset,
    rs: rsA,
    cs: csA,
    batchStrides: strides[0]!,
    mode: chooseMode('a', rows, K, a.offset, rsA, csA, strides[0]!),
  };
  const bOp: StridedOperand = {
    kind: 'strided',
    buffer: b.buffer as GpuBuffer,
    offset: b.offset,
    rs: rsB,
    cs: csB,
    batchStrides: strides[1]!,
    mode: chooseMode('b', K, N, b.offset, rsB, csB, strides[1]!),
  };
  const describe = () => `matmul ${describeViews(a, b)} -> [${out.shape.join(',')}]`;
  const splits = splitsFor(rows, N, K, Z);
  return { op: 'matmul', M: rows, N, K, batch, a: aOp, b: bOp, splits, describe };
}

/** out (contiguous, `total` elements) = sum over the leading dim of partial [splits, total]. */
export function sumSplits(rt: Runtime, partial: GpuBuffer, splits: number, total: number, out: View): void {
  reduce(
    rt,
    'sum',
    { buffer: out.buffer, dtype: 'float32', shape: [total], strides: [1], offset: out.offset },
    { buffer: partial, dtype: 'float32', shape: [splits, total], strides: [total, 1], offset: 0 },
    [0],
  );
  rt.releaseTemp(partial);
}
