import type { View } from '@tessera/tensor';
import { collapse, numel } from '../codegen/strided.js';
import type { GpuBuffer } from '../memory.js';
import type { Runtime } from '../runtime.js';
import { fill } from './elementwise.js';
import { chooseMode, type GemmOut, gemm, type StridedOperand, splitsFor } from './gemm.js';
import { reduce } from './reduce.js';
import { describeViews } from './util.js';

/**
 * Batched matrix product out[..., M, N] = a[..., M, K] @ b[..., K, N], reading `a` and `b` in
 * place through their strides (transposed, sliced and broadcast batches cost no copy). When `b`
 * is shared by the whole batch and `a`'s rows line up, the batch folds into M (one tall GEMM).
 */
export function matmul(rt: Runtime, out: View, a: View, b: View): void {
  const nd = out.shape.length;
  const M = out.shape[nd - 2]!;
  const N = out.shape[nd - 1]!;
  const K = a.shape[nd - 1]!;
  if (numel(out.shape) === 0) return;
  if (K === 0) {
    fill(rt, out, 0);
    return;
  }
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
  if (splits === 1) {
    const o: GemmOut = { kind: 'contiguous', buffer: out.buffer as GpuBuffer, offset: out.offset };
    gemm(rt, { op: 'matmul', M: rows, N, K, batch, a: aOp, b: bOp, out: o, splits, describe });
    return;
  }
  const total = Z * rows * N;
  const partial = rt.alloc('float32', splits * total);
  gemm(rt, {
    op: 'matmul',
    M: rows,
    N,
    K,
    batch,
    a: aOp,
    b: bOp,
    out: { kind: 'contiguous', buffer: partial, offset: 0 },
    splits,
    describe,
  });
  sumSplits(rt, partial, splits, total, out);
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
