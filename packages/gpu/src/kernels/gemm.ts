import type { GpuBuffer } from '../memory.js';
import { type Field, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Binding, Runtime } from '../runtime.js';
import { subgroupGemmCode, subgroupGrid, subgroupPlan } from './gemm-subgroup.js';
import { GEMM_PRIVATES_WGSL, gemmParamsWgsl } from './gemm-wgsl.js';

/**
 * The tiled GEMM template behind matmul and the three convolutions (implicit GEMM):
 * C[z][m][n] = sum_k A[z](m, k) * B[z](k, n), for every batch entry z (matrices, or conv groups).
 *
 * A workgroup of 16x16 threads computes a 64x64 tile of C; each thread a 4x4 block held in four
 * vec4 accumulators. K advances in steps of 16: the workgroup stages a 64x16 slice of A and a 16x64
 * slice of B in workgroup memory as vec4s (A transposed, so both inner-loop reads are one vec4
 * each, 16 FMAs per pair of reads). Operands are read in place through strides:
 * - 'vecM' / 'vecK' / 'vecN': one vec4 global load per thread and stage, used when the operand is
 *   unit-stride along that dim and 16-byte aligned (plain, transposed and batched matrices usually are);
 * - 'scalarM' / 'scalarK' / 'scalarN': four scalar loads along that dim through a loader function,
 *   for other strides (the dim with the smaller stride is walked by neighbouring threads) and
 *   for the conv kernels' custom loaders, which compute im2col addresses on the fly.
 * With split-K (`splits` > 1) each z is cut into chunks of K computed by separate workgroups into
 * a partial buffer [splits, Z, M, N] that the caller sums; this keeps the GPU busy when M and N
 * are small and K is large (weight gradients).
 */

/** How one operand tile is loaded. */
export type LoadMode = 'vecM' | 'vecK' | 'vecN' | 'scalarM' | 'scalarK' | 'scalarN';

/** An operand read as a strided matrix: element (r, c) at base + r*rs + c*cs, base per batch. */
export interface StridedOperand {
  readonly kind: 'strided';
  readonly buffer: GpuBuffer;
  /** Per-batch base offsets come from `batchStrides` (over the GEMM's batch shape) plus `offset`. */
  readonly offset: number;
  readonly rs: number;
  readonly cs: number;
  readonly batchStrides: readonly number[];
  readonly mode: LoadMode;
}

/**
 * An operand with a custom loader: WGSL `fn loadA(z: u32, m: u32, k: u32) -> f32` (or loadB with
 * (z, k, n)) returning 0 outside the operand; it reads binding `X` (A) or `Y` (B) and params
 * through `PARAM(name)` placeholders resolved against `fields`.
 */
export interface CustomOperand {
  readonly kind: 'custom';
  readonly buffer: GpuBuffer;
  readonly mode: LoadMode;
  readonly fields: readonly Field[];
  readonly code: string;
  /**
   * B in mode 'scalarN' only: per-thread setup hoisted out of the K loop. Each thread always
   * loads the same four columns `ncol .. ncol + 3`; `setup` (WGSL statements, may use `ncol`,
   * `zb`, `dimN`) precomputes what depends only on the column, and `code` then defines
   * `fn loadB4(z: u32, k: u32) -> vec4<f32>` (the four columns at row k) instead of loadB, so
   * index arithmetic on n (divisions, on GPUs a costly loop of instructions) runs once per
   * thread, and that on k once per four elements.
   */
  readonly setup?: string;
}

/** Where C goes: a contiguous [Z, M, N] block at `offset`, or a custom `fn storeC(z, m, n, v)` writing `O`. */
export type GemmOut =
  | { readonly kind: 'contiguous'; readonly buffer: GpuBuffer; readonly offset: number }
  | {
      readonly kind: 'custom';
      readonly buffer: GpuBuffer;
      readonly fields: readonly Field[];
      readonly code: string;
      /**
       * More buffers storeC uses, bound from binding 4 on (an elementwise epilogue's inputs, and
       * the buffer it keeps the product in).
       */
      readonly extra?: readonly Binding[];
    };

/** One GEMM problem. */
export interface GemmSpec {
  readonly op: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** Batch shape (collapsed); Z = its product. */
  readonly batch: readonly number[];
  readonly a: StridedOperand | CustomOperand;
  readonly b: StridedOperand | CustomOperand;
  readonly out: GemmOut;
  /** K chunks computed separately (only with a contiguous out that is the partial buffer). */
  readonly splits: number;
  readonly describe: () => string;
}

const TILE = 64;
const TK = 16;

/**
 * Rows of C per thread: 4 (64-row tiles) normally; 1 (16-row tiles) when M is at most 16, as in
 * convolutions with few channels, where a 64-row tile would compute mostly padding.
 */
function rowsPerThread(M: number): 1 | 4 {
  return M <= 16 ? 1 : 4;
}
const MAX_Z = 65535;

/** Runs a GEMM: one dispatch (or several when the batch exceeds the 65535 z-workgroup limit). */
export function gemm(rt: Runtime, s: GemmSpec): void {
  const Z = s.batch.reduce((p, d) => p * d, 1);
  if (Z === 0 || s.M === 0 || s.N === 0) return;
  const kChunk = Math.ceil(Math.ceil(s.K / s.splits) / TK) * TK;
  const rank = s.batch.length;
  const zPerDispatch = Math.max(1, Math.floor(MAX_Z / s.splits));
  for (let z0 = 0; z0 < Z; z0 += zPerDispatch) {
    const zCount = Math.min(zPerDispatch, Z - z0);
    const fields: Field[] = [
      ints('dims', [s.M, s.N, s.K, s.splits, kChunk, z0, Z]),
      ints('bshape', rank > 0 ? s.batch : [1]),
    ];
    operandFields(fields, 'a', s.a, rank);
    operandFields(fields, 'b', s.b, rank);
    if (s.out.kind === 'contiguous') fields.push(ints('o', s.out.offset));
    else fields.push(...s.out.fields);
    const params = pack(fields);
    const vecStore = s.out.kind === 'contiguous' && s.N % 4 === 0 && s.out.offset % 4 === 0;
    const bindings: Binding[] = [
      { buf: s.out.buffer, write: true },
      { buf: s.a.buffer },
      { buf: s.b.buffer },
      ...(s.out.kind === 'custom' ? (s.out.extra ?? []) : []),
    ];
    const h = rt.opts.float16Matmul;
    const sg = subgroupPlan(rt.opts.subgroupSize, s.M, s.N, s.b.kind === 'custom');
    if (sg !== null) {
      rt.run({
        op: s.op,
        key: [
          'sgemm',
          sg.S,
          sg.R,
          sg.lanes,
          rank,
          operandKey(s.a),
          operandKey(s.b),
          outKey(s, vecStore),
          h ? 'h' : '',
        ].join('|'),
        code: (at) => subgroupGemmCode(at, s, sg, vecStore, gemmParts(at, s, rank), h),
        params,
        bindings,
        grid: subgroupGrid(sg, s.M, s.N, zCount * s.splits),
        describe: s.describe,
      });
      continue;
    }
    const rm = rowsPerThread(s.M);
    const key = [
      'gemm',
      `r${rm}`,
      rank,
      operandKey(s.a),
      operandKey(s.b),
      outKey(s, vecStore),
      h ? 'h' : '',
    ].join('|');
    rt.run({
      op: s.op,
      key,
      code: (at) => gemmCode(at, s, rank, vecStore, rm, h),
      params,
      bindings,
      grid: [Math.ceil(s.N / TILE), Math.ceil(s.M / (16 * rm)), zCount * s.splits],
      describe: s.describe,
    });
  }
}

function operandFields(fields: Field[], p: 'a' | 'b', o: StridedOperand | CustomOperand, rank: number): void {
  if (o.kind === 'strided') {
    fields.push(ints(p, [o.offset, o.rs, o.cs]), ints(`${p}bs`, rank > 0 ? o.batchStrides : [0]));
  } else fields.push(...o.fields);
}

function outKey(s: GemmSpec, vecStore: boolean): string {
  return s.out.kind === 'contiguous' ? `o:${vecStore ? 'v' : 's'}` : `o:${s.out.code}`;
}

function operandKey(o: StridedOperand | CustomOperand): string {
  return o.kind === 'strided' ? `s:${o.mode}` : `c:${o.mode}:${o.setup ?? ''}:${o.code}`;
}

/** Chooses the load mode of a strided operand: vec4 when unit-stride and aligned, else scalars along the smaller stride. */
export function chooseMode(
  which: 'a' | 'b',
  rows: number,
  cols: number,
  offset: number,
  rs: number,
  cs: number,
  batchStrides: readonly number[],
): LoadMode {
  const aligned = offset % 4 === 0 && batchStrides.every((x) => x % 4 === 0);
  // A is (m, k): rows are m, cols are k. B is (k, n): rows are k, cols are n.
  if (which === 'a') {
    if (aligned && cs === 1 && cols % 4 === 0 && rs % 4 === 0) return 'vecK';
    if (aligned && rs === 1 && rows % 4 === 0 && cs % 4 === 0) return 'vecM';
    return Math.abs(cs) <= Math.abs(rs) ? 'scalarK' : 'scalarM';
  }
  if (aligned && cs === 1 && cols % 4 === 0 && rs % 4 === 0) return 'vecN';
  if (aligned && rs === 1 && rows % 4 === 0 && cs % 4 === 0) return 'vecK';
  return Math.abs(rs) <= Math.abs(cs) ? 'scalarK' : 'scalarN';
}

/** Replaces `PARAM(name)` placeholders of custom code by the field's index in P. */
function resolve(code: string, at: Readonly<Record<string, number>>): string {
  return code.replace(/PARAM\((\w+)\)/g, (_, name: string) => {
    const i = at[name];
    if (i === undefined) throw new Error(`gemm: custom code uses unknown parameter '${name}'`);
    return `${i}u`;
  });
}

/** WGSL pieces shared by both GEMM kernels: batch unravelling, operand bases, loaders, storeC. */
export interface GemmParts {
  /** Statements computing z0.. from `zb`, the operands' bases (`aBase`, `bBase`) and `oBase`. */
  readonly prologue: string;
  readonly loaderA: string;
  readonly loaderB: string;
  readonly storeFn: string;
  /** B's per-column setup (custom operands with `setup`), parameters resolved. */
  readonly setupB?: string;
}

function gemmParts(at: Readonly<Record<string, number>>, s: GemmSpec, rank: number): GemmParts {
  const unravelBatch: string[] = [];
  if (rank > 0) {
    unravelBatch.push('var zr = zb;');
    for (let i = rank - 1; i >= 0; i--) {
      unravelBatch.push(`let z${i} = zr % P[${at.bshape! + i}]; zr = zr / P[${at.bshape! + i}];`);
    }
  }
  const baseOf = (p: 'a' | 'b', o: StridedOperand | CustomOperand): string => {
    if (o.kind !== 'strided') return '';
    let e = `pi(${at[p]}u)`;
    for (let i = 0; i < rank; i++) e += ` + i32(z${i}) * pi(${at[`${p}bs`]! + i}u)`;
    return `${p}Base = ${e};`;
  };
  const loaderA =
    s.a.kind === 'custom'
      ? resolve(s.a.code, at)
      : `fn loadA(z: u32, m: u32, k: u32) -> f32 {
  if (m >= dimM || k >= kEnd) { return 0.0; }
  return X[aBase + i32(m) * pi(${at.a! + 1}u) + i32(k) * pi(${at.a! + 2}u)];
}`;
  const loaderB =
    s.b.kind === 'custom'
      ? resolve(s.b.code, at)
      : `fn loadB(z: u32, k: u32, n: u32) -> f32 {
  if (n >= dimN || k >= kEnd) { return 0.0; }
  return Y[bBase + i32(k) * pi(${at.b! + 1}u) + i32(n) * pi(${at.b! + 2}u)];
}`;
  const storeFn =
    s.out.kind === 'custom'
      ? resolve(s.out.code, at)
      : `fn storeC(z: u32, m: u32, n: u32, v: f32) { O[oBase + i32(m * dimN + n)] = v; }`;
  const prologue = [
    ...unravelBatch,
    baseOf('a', s.a),
    baseOf('b', s.b),
    s.out.kind === 'contiguous' ? `oBase = pi(${at.o}u) + i32((split * Z + zb) * dimM * dimN);` : '',
  ].join('\n  ');
  const parts: GemmParts = { prologue, loaderA, loaderB, storeFn };
  return s.b.kind === 'custom' && s.b.setup ? { ...parts, setupB: resolve(s.b.setup, at) } : parts;
}

function gemmCode(
  at: Readonly<Record<string, number>>,
  s: GemmSpec,
  rank: number,
  vecStore: boolean,
  rm: 1 | 4,
  h: boolean,
): string {
  const d = at.dims!;
  const { prologue, loaderA, loaderB, storeFn } = gemmParts(at, s, rank);
  // 16-row tiles load A through the scalar loader.
  const aVec = rm === 4 && s.a.kind === 'strided' && s.a.mode.startsWith('vec');
  const bVec = s.b.kind === 'strided' && s.b.mode.startsWith('vec');
  const aRs = s.a.kind === 'strided' ? `pi(${at.a! + 1}u)` : '0';
  const aCs = s.a.kind === 'strided' ? `pi(${at.a! + 2}u)` : '0';
  const bRs = s.b.kind === 'strided' ? `pi(${at.b! + 1}u)` : '0';
  const bCs = s.b.kind === 'strided' ? `pi(${at.b! + 2}u)` : '0';

  // float16 mode (opt-in): tiles are stored and multiplied in f16, accumulated in f32.
  const ST = h ? 'f16' : 'f32';
  const loadA = rm === 4 ? tileLoad('A', s.a.mode, aVec, aRs, aCs, ST) : smallTileLoadA(ST);
  const loadB =
    s.b.kind === 'custom' && s.b.setup
      ? `{ let kk = li / 16u; Bs[kk * 16u + li % 16u] = vec4<${ST}>(loadB4(zb, kt + kk)); }`
      : tileLoad('B', s.b.mode, bVec, bRs, bCs, ST);
  const outType = vecStore ? 'array<vec4<f32>>' : 'array<f32>';
  const store = vecStore
    ? `for (var i = 0u; i < ${rm}u; i++) {
    let m = m0 + lid.y * ${rm}u + i;
    let n = n0 + lid.x * 4u;
    if (m < dimM && n < dimN) { O[u32(oBase + i32(m * dimN + n)) / 4u] = acc[i]; }
  }`
    : `for (var i = 0u; i < ${rm}u; i++) {
    let m = m0 + lid.y * ${rm}u + i;
    if (m >= dimM) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x * 4u + j;
      if (n < dimN) { storeC(zb, m, n, acc[i][j]); }
    }
  }`;
  return `${h ? 'enable f16;\n' : ''}${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: ${outType};
@group(0) @binding(2) var<storage, read> X: ${aVec ? 'array<vec4<f32>>' : 'array<f32>'};
@group(0) @binding(3) var<storage, read> Y: ${bVec ? 'array<vec4<f32>>' : 'array<f32>'};
var<workgroup> As: array<vec4<${ST}>, ${TK * 4 * rm}>;
var<workgroup> Bs: array<vec4<${ST}>, ${TK * 16}>;
${GEMM_PRIVATES_WGSL}
${aVec ? '' : loaderA}
${bVec ? '' : loaderB}
${vecStore ? '' : storeFn}
@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  ${gemmParamsWgsl(d)}
  ${prologue}
  let m0 = wid.y * ${16 * rm}u;
  let n0 = wid.x * ${TILE}u;
  ${s.b.kind === 'custom' && s.b.setup ? `{ let ncol = n0 + (li % 16u) * 4u; ${resolve(s.b.setup, at)} }` : ''}
  var acc: array<vec4<f32>, ${rm}>;
  for (var kt = kBegin; kt < kStop; kt += ${TK}u) {
    ${loadA}
    ${loadB}
    workgroupBarrier();
    for (var k = 0u; k < ${TK}u; k++) {
      let bv = Bs[k * 16u + lid.x];
      ${
        rm === 4
          ? `let av = As[k * 16u + lid.y];
      acc[0] += vec4<f32>(av.x * bv);
      acc[1] += vec4<f32>(av.y * bv);
      acc[2] += vec4<f32>(av.z * bv);
      acc[3] += vec4<f32>(av.w * bv);`
          : 'acc[0] += vec4<f32>(As[k * 4u + lid.y / 4u][lid.y % 4u] * bv);'
      }
    }
    workgroupBarrier();
  }
  ${store}
}`;
}

/**
 * WGSL statements loading one stage of operand `which` into workgroup memory. `As[k*16 + mq]`
 * holds A(m0 + 4mq .. +3, kt + k); `Bs[k*16 + nq]` holds B(kt + k, n0 + 4nq .. +3).
 */
function tileLoad(
  which: 'A' | 'B',
  mode: LoadMode,
  vec: boolean,
  rs: string,
  cs: string,
  ST: string,
): string {
  const S = which === 'A' ? 'As' : 'Bs';
  const src = which === 'A' ? 'X' : 'Y';
  const base = which === 'A' ? 'aBase' : 'bBase';
  const lim = which === 'A' ? 'dimM' : 'dimN';
  const load = which === 'A' ? 'loadA' : 'loadB';
  // Index of the operand element for (outer coordinate r along M or N, k).
  const at = (r: string, k: string) =>
    which === 'A' ? `${load}(zb, ${r}, ${k})` : `${load}(zb, ${k}, ${r})`;
  // Along M/N in steps of 4 (one vec4 slot per thread) or along K (four slots, one component each).
  const alongRows = mode === 'vecM' || mode === 'vecN' || mode === 'scalarM' || mode === 'scalarN';
  const r0 = which === 'A' ? 'm0' : 'n0';
  if (alongRows) {
    const head = `{ let kk = li / 16u; let q = li % 16u; let r = ${r0} + q * 4u; let k = kt + kk;`;
    if (vec) {
      // Unit stride along M/N: one aligned vec4 load.
      const stride = which === 'A' ? cs : rs;
      return `${head}
    var v = vec4<f32>(0.0);
    if (r < ${lim} && k < kEnd) { v = ${src}[u32(${base} + i32(r) + i32(k) * ${stride}) / 4u]; }
    ${S}[kk * 16u + q] = vec4<${ST}>(v); }`;
    }
    return `${head}
    ${S}[kk * 16u + q] = vec4<${ST}>(vec4<f32>(${at('r', 'k')}, ${at('r + 1u', 'k')}, ${at('r + 2u', 'k')}, ${at('r + 3u', 'k')})); }`;
  }
  const head = `{ let rr = li / 4u; let kq = li % 4u; let r = ${r0} + rr; let k = kt + kq * 4u;`;
  const scatter = `let s = kq * 64u + rr / 4u; let c = rr % 4u;
    ${S}[s][c] = ${ST}(v.x); ${S}[s + 16u][c] = ${ST}(v.y); ${S}[s + 32u][c] = ${ST}(v.z); ${S}[s + 48u][c] = ${ST}(v.w); }`;
  if (vec) {
    // Unit stride along K: one aligned vec4 load of four consecutive k.
    const stride = which === 'A' ? rs : cs;
    return `${head}
    var v = vec4<f32>(0.0);
    if (r < ${lim} && k < kEnd) { v = ${src}[u32(${base} + i32(r) * ${stride} + i32(k)) / 4u]; }
    ${scatter}`;
  }
  return `${head}
    let v = vec4<f32>(${at('r', 'k')}, ${at('r', 'k + 1u')}, ${at('r', 'k + 2u')}, ${at('r', 'k + 3u')});
    ${scatter}`;
}

/** Stage loading of A for 16-row tiles: 16 rows x 16 k, one element per thread (scalar loader). */
function smallTileLoadA(ST: string): string {
  return `{ let kk = li / 16u; let r = li % 16u;
    As[kk * 4u + r / 4u][r % 4u] = ${ST}(loadA(zb, m0 + r, kt + kk)); }`;
}

/** Number of K splits worth using for a problem (1 when M and N give enough workgroups). */
export function splitsFor(M: number, N: number, K: number, Z: number): number {
  const tiles = Math.ceil(M / (16 * rowsPerThread(M))) * Math.ceil(N / TILE) * Z;
  if (tiles >= 64 || K < 1024) return 1;
  const s = Math.min(Math.ceil(K / 512), Math.ceil(128 / tiles), 64);
  const chunk = Math.ceil(Math.ceil(K / s) / TK) * TK;
  return Math.ceil(K / chunk);
}
