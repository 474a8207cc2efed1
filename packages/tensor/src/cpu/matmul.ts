import type { View } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { MIN_MATMUL_WORK, wasmKernels } from '../wasm/index.js';
import { arr } from './buffer.js';
import { collapse, forEachRow } from './iterate.js';

// Matrix multiplication on the CPU, in the style of BLIS/GotoBLAS: the operands are copied block by
// block into packed panels (float64, so one micro-kernel serves every dtype and reads no strides),
// and a 4x4 register-blocked micro-kernel keeps its 16 accumulators in locals. Blocks are sized so
// that a B micro-panel stays in L1 and an A block in L2. Inputs are read in place with any strides
// (transposed, sliced, broadcast), so `x.mT` costs nothing extra.

/** Rows of the micro-tile (of A). */
const MR = 4;
/** Columns of the micro-tile (of B). */
const NR = 4;
/** Depth of a packed block (shared dimension). */
const KC = 256;
/** Rows of A packed at once. */
const MC = 128;
/** Columns of B packed at once. */
const NC = 2048;
/** Below this many multiply-adds the packing overhead is not worth it: plain loops. */
const SMALL_WORK = 4096;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NR * 64);
let rowTmp = new Float64Array(256);
const tile = new Float64Array(MR * NR);

/**
 * Batched matrix product out[..., M, N] = a[..., M, K] @ b[..., K, N]. Batch dims of `a` and `b`
 * are already broadcast to out's (stride 0 where broadcast). `out` is contiguous, fully written.
 */
export function matmul(out: View, a: View, b: View): void {
  const nd = out.shape.length;
  const m = out.shape[nd - 2]!;
  const n = out.shape[nd - 1]!;
  const k = a.shape[nd - 1]!;
  const A = arr(a);
  const B = arr(b);
  const C = arr(out);
  const rsA = a.strides[nd - 2]!;
  const csA = a.strides[nd - 1]!;
  const rsB = b.strides[nd - 2]!;
  const csB = b.strides[nd - 1]!;
  let batch = 1;
  for (let d = 0; d < nd - 2; d++) batch *= out.shape[d]!;
  if (batch === 0 || m === 0 || n === 0) return;
  // float32 products big enough to pay for the copies run on the WebAssembly kernels.
  if (wasmKernels(batch * m * n * k, MIN_MATMUL_WORK)?.matmul(out, a, b)) return;
  if (nd === 2) {
    gemm(m, n, k, A, a.offset, rsA, csA, B, b.offset, rsB, csB, C, out.offset, n, false);
    return;
  }
  const batchShape = out.shape.slice(0, nd - 2);
  const aBatch = a.strides.slice(0, nd - 2);
  const bBatch = b.strides.slice(0, nd - 2);
  const oBatch: number[] = [];
  for (let d = 0, s = m * n * batch; d < nd - 2; d++) oBatch.push((s /= out.shape[d]!));
  // When b is shared by every batch entry and a's rows line up across batches (e.g. x @ w.mT for
  // x [B, T, K]), the whole product is one tall gemm: fold the batch dims into M.
  if (bBatch.every((s, d) => s === 0 || batchShape[d] === 1)) {
    const c = collapse(
      [...batchShape, m],
      [
        [...aBatch, rsA],
        [...oBatch, n],
      ],
    );
    if (c.shape.length === 1 && (c.strides[1]![0] === n || c.shape[0] === 1)) {
      gemm(
        c.shape[0]!,
        n,
        k,
        A,
        a.offset,
        c.strides[0]![0]!,
        csA,
        B,
        b.offset,
        rsB,
        csB,
        C,
        out.offset,
        n,
        false,
      );
      return;
    }
  }
  forEachRow(
    [...batchShape, 1],
    [
      [...aBatch, 0],
      [...bBatch, 0],
      [...oBatch, 0],
    ],
    [a.offset, b.offset, out.offset],
    (off) => gemm(m, n, k, A, off[0]!, rsA, csA, B, off[1]!, rsB, csB, C, off[2]!, n, false),
  );
}

/**
 * One strided matrix product into an m x n block of C with row stride `ldc` (columns adjacent)
 * at `co`: C = A @ B, or C += A @ B when `accumulate`, with A(i, p) = A[ao + i*rsA + p*csA] and
 * B(p, j) = B[bo + p*rsB + j*csB]. Sums are formed in double precision.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  A: TypedArray,
  ao: number,
  rsA: number,
  csA: number,
  B: TypedArray,
  bo: number,
  rsB: number,
  csB: number,
  C: TypedArray,
  co: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) C.fill(0, co + i * ldc, co + i * ldc + n);
    return;
  }
  if (n === 1) {
    gemv(m, k, A, ao, rsA, csA, B, bo, rsB, C, co, ldc, accumulate);
    return;
  }
  if (m === 1) {
    // (1 x k) @ (k x n) is (n x k) @ (k x 1) with B read transposed.
    gemv(n, k, B, bo, csB, rsB, A, ao, csA, C, co, 1, accumulate);
    return;
  }
  if (m * n * k <= SMALL_WORK) {
    smallGemm(m, n, k, A, ao, rsA, csA, B, bo, rsB, csB, C, co, ldc, accumulate);
    return;
  }
  blockedGemm(m, n, k, A, ao, rsA, csA, B, bo, rsB, csB, C, co, ldc, accumulate);
}

/** Plain triple loop for tiny products, accumulating in double. */
function smallGemm(
  m: number,
  n: number,
  k: number,
  A: TypedArray,
  ao: number,
  rsA: number,
  csA: number,
  B: TypedArray,
  bo: number,
  rsB: number,
  csB: number,
  C: TypedArray,
  co: number,
  ldc: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < m; i++) {
    const ai = ao + i * rsA;
    const ci = co + i * ldc;
    for (let j = 0; j < n; j++) {
      let s = 0;
      let pa = ai;
      let pb = bo + j * csB;
      for (let p = 0; p < k; p++, pa += csA, pb += rsB) s += A[pa]! * B[pb]!;
      if (accumulate) C[ci + j]! += s;
      else C[ci + j] = s;
    }
  }
}

/**
 * Matrix-vector product y (stride incY) = A (m x k) @ x (stride incX). Walks A along whichever of
 * its strides is smaller, so transposed matrices are read sequentially too.
 */
function gemv(
  m: number,
  k: number,
  A: TypedArray,
  ao: number,
  rsA: number,
  csA: number,
  X: TypedArray,
  xo: number,
  incX: number,
  Y: TypedArray,
  yo: number,
  incY: number,
  accumulate: boolean,
): void {
  if (Math.abs(csA) <= Math.abs(rsA)) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      let pa = ao + i * rsA;
      let px = xo;
      for (let p = 0; p < k; p++, pa += csA, px += incX) s += A[pa]! * X[px]!;
      if (accumulate) Y[yo + i * incY]! += s;
      else Y[yo + i * incY] = s;
    }
    return;
  }
  // Column-major A: y += A[:, p] * x[p], one column at a time, summing in a double buffer.
  if (rowTmp.length < m) rowTmp = new Float64Array(m);
  const acc = rowTmp;
  acc.fill(0, 0, m);
  for (let p = 0; p < k; p++) {
    const xv = X[xo + p * incX]!;
    let pa = ao + p * csA;
    for (let i = 0; i < m; i++, pa += rsA) acc[i]! += A[pa]! * xv;
  }
  if (accumulate) for (let i = 0; i < m; i++) Y[yo + i * incY]! += acc[i]!;
  else for (let i = 0; i < m; i++) Y[yo + i * incY] = acc[i]!;
}

/** The packed, cache-blocked product (see the file comment). */
function blockedGemm(
  m: number,
  n: number,
  k: number,
  A: TypedArray,
  ao: number,
  rsA: number,
  csA: number,
  B: TypedArray,
  bo: number,
  rsB: number,
  csB: number,
  C: TypedArray,
  co: number,
  ldc: number,
  accumulate: boolean,
): void {
  const needB = KC * Math.ceil(Math.min(n, NC) / NR) * NR;
  if (packB.length < needB) packB = new Float64Array(needB);
  if (packA.length < MC * KC) packA = new Float64Array(MC * KC);
  const Ap = packA;
  const Bp = packB;
  const T = tile;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const first = pc === 0 && !accumulate;
      packPanelB(Bp, B, bo + pc * rsB + jc * csB, rsB, csB, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packBlockA(Ap, A, ao + ic * rsA + pc * csA, rsA, csA, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            kernel4x4(kc, Ap, ir * kc, Bp, jr * kc, T);
            storeTile(T, C, co + (ic + ir) * ldc + jc + jr, ldc, Math.min(MR, mc - ir), nr, first);
          }
        }
      }
    }
  }
}

/**
 * Packs an mc x kc block of A into slivers of MR rows: sliver s holds, for each p, the MR values
 * A(s*MR + 0..MR-1, p) consecutively. Rows past mc are zero.
 */
function packBlockA(
  Ap: Float64Array,
  A: TypedArray,
  base: number,
  rs: number,
  cs: number,
  mc: number,
  kc: number,
): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const dst = ir * kc;
    const rows = Math.min(MR, mc - ir);
    if (Math.abs(cs) <= Math.abs(rs)) {
      // Row-major source: read each row sequentially.
      for (let ii = 0; ii < MR; ii++) {
        if (ii >= rows) {
          for (let p = 0, d = dst + ii; p < kc; p++, d += MR) Ap[d] = 0;
          continue;
        }
        for (let p = 0, s = base + (ir + ii) * rs, d = dst + ii; p < kc; p++, s += cs, d += MR) Ap[d] = A[s]!;
      }
    } else {
      // Column-major source: read each column sequentially.
      for (let p = 0, d = dst, s0 = base + ir * rs; p < kc; p++, s0 += cs) {
        for (let ii = 0, s = s0; ii < MR; ii++, s += rs) Ap[d++] = ii < rows ? A[s]! : 0;
      }
    }
  }
}

/**
 * Packs a kc x nc panel of B into slivers of NR columns: sliver s holds, for each p, the NR values
 * B(p, s*NR + 0..NR-1) consecutively. Columns past nc are zero.
 */
function packPanelB(
  Bp: Float64Array,
  B: TypedArray,
  base: number,
  rs: number,
  cs: number,
  kc: number,
  nc: number,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const dst = jr * kc;
    const cols = Math.min(NR, nc - jr);
    if (Math.abs(cs) <= Math.abs(rs)) {
      for (let p = 0, d = dst, s0 = base + jr * cs; p < kc; p++, s0 += rs) {
        for (let jj = 0, s = s0; jj < NR; jj++, s += cs) Bp[d++] = jj < cols ? B[s]! : 0;
      }
    } else {
      for (let jj = 0; jj < NR; jj++) {
        if (jj >= cols) {
          for (let p = 0, d = dst + jj; p < kc; p++, d += NR) Bp[d] = 0;
          continue;
        }
        for (let p = 0, s = base + (jr + jj) * cs, d = dst + jj; p < kc; p++, s += rs, d += NR) Bp[d] = B[s]!;
      }
    }
  }
}

/** T (4x4, row-major) = sliver of A (4 x kc) @ sliver of B (kc x 4), accumulators in locals. */
function kernel4x4(
  kc: number,
  Ap: Float64Array,
  ia: number,
  Bp: Float64Array,
  ib: number,
  T: Float64Array,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++, ia += 4, ib += 4) {
    const a0 = Ap[ia]!;
    const a1 = Ap[ia + 1]!;
    const a2 = Ap[ia + 2]!;
    const a3 = Ap[ia + 3]!;
    const b0 = Bp[ib]!;
    const b1 = Bp[ib + 1]!;
    const b2 = Bp[ib + 2]!;
    const b3 = Bp[ib + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  T[0] = c00;
  T[1] = c01;
  T[2] = c02;
  T[3] = c03;
  T[4] = c10;
  T[5] = c11;
  T[6] = c12;
  T[7] = c13;
  T[8] = c20;
  T[9] = c21;
  T[10] = c22;
  T[11] = c23;
  T[12] = c30;
  T[13] = c31;
  T[14] = c32;
  T[15] = c33;
}

/** Writes (first depth block) or adds the valid mr x nr corner of a tile into C. */
function storeTile(
  T: Float64Array,
  C: TypedArray,
  co: number,
  ldc: number,
  mr: number,
  nr: number,
  first: boolean,
): void {
  for (let i = 0; i < mr; i++, co += ldc) {
    const t = i * NR;
    if (first) for (let j = 0; j < nr; j++) C[co + j] = T[t + j]!;
    else for (let j = 0; j < nr; j++) C[co + j]! += T[t + j]!;
  }
}
