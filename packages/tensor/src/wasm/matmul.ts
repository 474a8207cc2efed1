import type { View } from '../backend.js';
import { arr } from '../cpu-array.js';
import { collapse, RowWalker } from '../row-walker.js';
import { WasmOutOfMemory } from './heap.js';
import { LAYOUT } from './layout.generated.js';
import { activeRuntime, type Runtime } from './runtime.js';
import { forcedWasm } from './settings.js';
import { stageStrided, unstage } from './stage.js';
import { MIN_MATMUL_WORK, MIN_MATRIX_WORK } from './thresholds.js';

// float32 matmul on the WebAssembly kernels. Operands are copied in with their strides (so x.mT
// costs nothing extra), A is packed once per distinct matrix (PACK_A job, in parallel when big),
// then GEMM tasks each own a block of C's columns (and, for tall products, of its rows): they pack
// their KC-deep slices of B into thread scratch and run the micro-kernel against packed A.

const { MR, MC, NB, NR, KIND, FIELD, JOB_PTR } = LAYOUT;

/** Fewest tasks a call is split into when its shape allows (enough for this many threads to share). */
const MIN_TASKS = 8;
/** Most tasks: past this, splitting further only adds per-task packing and scheduling. */
const MAX_TASKS = 32;
/**
 * Multiply-adds per task (about 3 ms on one core) beyond which big products get more tasks: the
 * threads claim tasks dynamically, so when one thread is held up (a busy machine) the others wait
 * at most about one task for it at the end.
 */
const TASK_WORK = 1 << 26;

/**
 * out[..., M, N] = a[..., M, K] @ b[..., K, N] (batch dims broadcast, `out` contiguous) on the
 * WebAssembly kernels. Returns false, having done nothing, when they should not or cannot run it
 * (not float32, setting 'ts', too small, memory limit...): the caller then uses the TypeScript
 * kernel.
 */
export function wasmMatmul(out: View, a: View, b: View): boolean {
  if (out.dtype !== 'float32' || a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const { batch, m, n, k } = productDims(out, a);
  if (batch * m * n === 0 || k === 0) return false;
  if (!forcedWasm() && (batch * m * n * k < MIN_MATMUL_WORK || m * n * k < MIN_MATRIX_WORK)) return false;
  const rt = activeRuntime();
  if (rt === null) return false;
  try {
    matmulOn(rt, out, a, b);
    return true;
  } catch (e) {
    if (e instanceof WasmOutOfMemory) return false;
    throw e;
  }
}

/** Batch count and the m x k by k x n sizes of the product `out = a @ b` (batch dims leading). */
function productDims(out: View, a: View): { batch: number; m: number; n: number; k: number } {
  const nd = out.shape.length;
  let batch = 1;
  for (let d = 0; d < nd - 2; d++) batch *= out.shape[d]!;
  return { batch, m: out.shape[nd - 2]!, n: out.shape[nd - 1]!, k: a.shape[nd - 1]! };
}

/** The product on a given runtime (exported for tests of runtimes other than the active one). */
export function matmulOn(rt: Runtime, out: View, a: View, b: View): void {
  const { batch, m, n, k } = productDims(out, a);
  const nd = out.shape.length;
  const heap = rt.heap;
  rt.begin(2 * batch * m * n * k);
  let copy = performance.now();
  const A = stageStrided(heap, a);
  const B = stageStrided(heap, b);
  copy = performance.now() - copy;
  const rsA = A.strides[nd - 2]!;
  const csA = A.strides[nd - 1]!;
  const rsB = B.strides[nd - 2]!;
  const csB = B.strides[nd - 1]!;
  const C = heap.alloc(batch * m * n * 4);

  // Batch entries as [A, B, C] byte addresses; with B shared by every entry and A's rows evenly
  // spaced across batches (x @ w.mT for x [B, T, K]) the whole product is one tall matrix.
  let M = m;
  let entries: number[][];
  let rowStride = rsA;
  const batchShape = out.shape.slice(0, nd - 2);
  const aB = A.strides.slice(0, nd - 2);
  const bB = B.strides.slice(0, nd - 2);
  const oB = batchShape.map((_, d) => batchShape.slice(d + 1).reduce((p, s) => p * s, m * n));
  const folded = batch > 1 && bB.every((s, d) => s === 0 || batchShape[d] === 1) && foldRows();
  function foldRows(): boolean {
    const c = collapse([...batchShape, m], [[...aB, rsA]]);
    if (c.shape.length !== 1) return false;
    rowStride = c.strides[0]![0]!;
    return true;
  }
  if (batch === 1 || folded) {
    M = batch * m;
    entries = [[A.base, B.base, C]];
  } else {
    entries = [];
    const w = new RowWalker(
      [...batchShape, 1],
      [
        [...aB, 0],
        [...bB, 0],
        [...oB, 0],
      ],
      [0, 0, 0],
    );
    for (let r = 0; r < w.rows; r++, w.next()) {
      entries.push([A.base + 4 * w.at[0]!, B.base + 4 * w.at[1]!, C + 4 * w.at[2]!]);
    }
  }

  // Pack each distinct A once.
  const Mpad = Math.ceil(M / MR) * MR;
  const packed = new Map<number, number>();
  for (const e of entries) if (!packed.has(e[0]!)) packed.set(e[0]!, heap.alloc(Mpad * k * 4));
  const packTable = heap.alloc(packed.size * 8);
  const gemmTable = heap.alloc(entries.length * 12);
  const i32 = heap.i32;
  let p = packTable >> 2;
  for (const [src, dst] of packed) {
    i32[p++] = src;
    i32[p++] = dst;
  }
  p = gemmTable >> 2;
  for (const e of entries) {
    i32[p++] = packed.get(e[0]!)!;
    i32[p++] = e[1]!;
    i32[p++] = e[2]!;
  }

  const { nb, jBlocks, mgRows, mGroups } = gemmTasks(entries.length, M, n, k);
  const mBlocks = Math.ceil(M / MC);

  const job = rt.job();
  job.fill(0);
  job[FIELD.kind] = KIND.PACK_A;
  job[FIELD.M] = M;
  job[FIELD.N] = n;
  job[FIELD.K] = k;
  job[FIELD.Mpad] = Mpad;
  job[FIELD.rsA] = rowStride;
  job[FIELD.csA] = csA;
  job[FIELD.rsB] = rsB;
  job[FIELD.csB] = csB;
  job[FIELD.ldc] = n;
  job[FIELD.table] = packTable;
  job[FIELD.mBlocks] = mBlocks;
  rt.dispatch(JOB_PTR, packed.size * mBlocks);

  job[FIELD.kind] = KIND.GEMM;
  job[FIELD.table] = gemmTable;
  job[FIELD.nb] = nb;
  job[FIELD.jBlocks] = jBlocks;
  job[FIELD.mgRows] = mgRows;
  job[FIELD.mGroups] = mGroups;
  // A result array just allocated is zero pages that fault on first write (about 0.3 ms per MB,
  // several times the copy out itself): touching them while the workers start on the product takes
  // that off the serial copy at the end (where faulting runs while the other threads idle).
  rt.dispatch(JOB_PTR, entries.length * jBlocks * mGroups, () => touchPages(out, batch * m * n));

  const t = performance.now();
  unstage(heap, C, out, batch * m * n);
  rt.end(copy + performance.now() - t);
}

/** Floats per (4 KiB) memory page. */
const PAGE_FLOATS = 1024;

/** Writes a zero into each page of the first `size` floats of `out` (the caller overwrites them). */
function touchPages(out: View, size: number): void {
  const a = arr(out);
  const end = out.offset + size;
  for (let i = out.offset; i < end; i += PAGE_FLOATS) a[i] = 0;
  a[end - 1] = 0;
}

/**
 * A block width over `total` columns (a multiple of NR, at most `most`) that gives, with `others`
 * independent blocks of work beside, at least `target` tasks when halving down to `least` can.
 */
export function blockWidth(total: number, others: number, target: number, most = NB, least = 64): number {
  let nb = Math.min(most, Math.ceil(total / NR) * NR);
  while (others * Math.ceil(total / nb) < target && nb > least) nb = Math.ceil(nb / 2 / NR) * NR;
  return nb;
}

/** How GEMM tasks split a product: `jBlocks` column blocks of `nb` times `mGroups` row groups of `mgRows`. */
export interface GemmTasks {
  nb: number;
  jBlocks: number;
  mgRows: number;
  mGroups: number;
}

/**
 * Splits `count` products of M x k by k x n into tasks: column blocks of nb (narrower when there
 * are few; each task packs its columns of B once), then row groups if still too few (each packs
 * its columns of B again). Depends only on the shapes, never on the thread count, so results are
 * the same for any thread count. Big products get more tasks, up to MAX_TASKS.
 */
export function gemmTasks(count: number, M: number, n: number, k: number): GemmTasks {
  const target = Math.min(MAX_TASKS, Math.max(MIN_TASKS, Math.round((count * M * n * k) / TASK_WORK)));
  const nb = blockWidth(n, count, target);
  const jBlocks = Math.ceil(n / nb);
  const mBlocks = Math.ceil(M / MC);
  const groupsWanted = Math.ceil(target / (count * jBlocks));
  const mGroups0 = Math.max(1, Math.min(mBlocks, groupsWanted));
  const mgRows = Math.ceil(mBlocks / mGroups0) * MC;
  return { nb, jBlocks, mgRows, mGroups: Math.ceil(M / mgRows) };
}
