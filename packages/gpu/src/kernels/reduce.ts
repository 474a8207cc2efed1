import type { ReduceOp, View } from '@tessera/tensor';
import { collapse, entry1d, GROUP_INDEX, grid1d, numel } from '../codegen/strided.js';
import { convert, literal, storageType, type WgslType } from '../codegen/types.js';
import type { Epilogue } from '../fusion/codegen.js';
import type { GpuBuffer } from '../memory.js';
import { dyn, dynInts, type Field, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Runtime } from '../runtime.js';
import { fill } from './elementwise.js';
import { describeViews } from './util.js';

/**
 * Reductions over any set of axes of a view with any strides. The input is seen as [M, L]: M
 * outputs (the kept dims, collapsed) times L reduced elements (the reduced dims, collapsed and
 * walked from the largest stride down, so the innermost loop follows memory). Two kernels:
 * - thread per output, a sequential loop over L: when L is short, or when neighbouring outputs
 *   are neighbours in memory (reductions over outer dims read coalesced this way);
 * - workgroup per output: 256 threads stride over L, then a tree reduction in workgroup memory.
 *   When M is small and L large, L is split over several workgroups into a partial buffer that a
 *   second pass reduces (multi-pass), so a full reduction of millions of elements still uses the
 *   whole GPU.
 * argmax/argmin carry (value, index) pairs and break ties (and NaNs) toward the first index.
 */

type Acc = {
  type: WgslType;
  identity: string;
  combine: (a: string, b: string) => string;
  load: (x: string) => string;
};

const WGR = 256;

/** Extra entry-point parameters of the subgroup variants. */
function SG_BUILTINS(sg: boolean): string {
  return sg ? ', @builtin(subgroup_size) sgSize: u32, @builtin(subgroup_invocation_id) sgLane: u32' : '';
}

function accOf(op: Exclude<ReduceOp, 'argmax' | 'argmin'>, inT: WgslType, outT: WgslType): Acc {
  switch (op) {
    case 'sum':
    case 'prod': {
      const t = outT;
      const one = op === 'sum' ? 0 : 1;
      return {
        type: t,
        identity: literal(one, t),
        combine: (a, b) => (op === 'sum' ? `${a} + ${b}` : `${a} * ${b}`),
        load: (x) => convert(x, inT, t),
      };
    }
    case 'max':
    case 'min': {
      const t = inT;
      const isMax = op === 'max';
      const identity =
        t === 'f32'
          ? literal(isMax ? -Infinity : Infinity, t)
          : t === 'i32'
            ? isMax
              ? 'i32(-2147483648)'
              : 'i32(2147483647)'
            : isMax
              ? '0u'
              : '1u';
      const combine =
        t === 'f32'
          ? (a: string, b: string) => `${isMax ? 'fmax_nan' : 'fmin_nan'}(${a}, ${b})`
          : (a: string, b: string) => `${op}(${a}, ${b})`;
      return { type: t, identity, combine, load: (x) => x };
    }
    case 'any':
    case 'all':
      return {
        type: 'u32',
        identity: op === 'any' ? '0u' : '1u',
        combine: (a, b) => (op === 'any' ? `${a} | ${b}` : `${a} & ${b}`),
        load: (x) => convert(x, inT, 'u32', true),
      };
  }
}

/** How a kernel stores its result: O's array type, module-scope code, the store of v at index i. */
interface Output {
  readonly decl: string;
  readonly code: string;
  readonly st: (i: string, v: string) => string;
}

/** How a kernel reads its input: the declaration and the load of element `a` (an i32 expression). */
interface Input {
  readonly decl: string;
  readonly ld: (a: string) => string;
}

/** The identity element written for empty reductions. */
const EMPTY_VALUE: Partial<Record<ReduceOp, number>> = { sum: 0, prod: 1, any: 0, all: 1 };

/**
 * Where a reduction reads its input from instead of binding `x`'s buffer: WGSL (given the param
 * indices) defining `fn ldX(a: i32) -> T`, element `a` of the input's buffer in its storage type,
 * from `buffers` bound at binding 2 on (elementwise fusion's pending results, see fusion/).
 */
export interface InputSource {
  readonly key: string;
  readonly fields: readonly Field[];
  readonly buffers: readonly GpuBuffer[];
  readonly code: (at: Readonly<Record<string, number>>) => string;
}

/** Shape of a reduction: M outputs of L elements, the kept and reduced dims, the kernel and its splits. */
function geometry(op: ReduceOp, out: View, x: View, axes: readonly number[]) {
  const M = numel(out.shape);
  const nd = x.shape.length;
  const keep = [...Array(nd).keys()].filter((d) => !axes.includes(d));
  const red = axes.slice().sort((p, q) => Math.abs(x.strides[q]!) - Math.abs(x.strides[p]!) || p - q);
  const L = red.reduce((p, d) => p * x.shape[d]!, 1);
  const kc = collapse(
    keep.map((d) => x.shape[d]!),
    [keep.map((d) => x.strides[d]!)],
  );
  const rc = collapse(
    red.map((d) => x.shape[d]!),
    [red.map((d) => x.strides[d]!)],
  );
  const arg = op === 'argmax' || op === 'argmin';
  const kRank = kc.shape.length;
  const innerKept = kRank > 0 ? Math.abs(kc.strides[0]![kRank - 1]!) : 0;
  const perThread = L <= 16 || (innerKept === 1 && M >= 256) || (M >= 16384 && L <= 256);
  let splits = 1;
  if (!perThread && !arg && M < 256 && L > 8192) splits = Math.min(Math.ceil(L / 4096), Math.ceil(1024 / M));
  return { M, L, kc, rc, kRank, arg, perThread, splits };
}

/** Whether `reduce` runs as one kernel writing `out` (non-empty, no split pass), as an epilogue needs. */
export function reducesInOnePass(op: ReduceOp, out: View, x: View, axes: readonly number[]): boolean {
  const g = geometry(op, out, x, axes);
  return g.M > 0 && g.L > 0 && g.splits === 1;
}

/**
 * Reduces `x` over the sorted, distinct `axes` into the contiguous `out`, reading `x` through
 * `src` and storing through `epi` when given (elementwise fusion, see fusion/; `epi` needs
 * `reducesInOnePass`).
 */
export function reduce(
  rt: Runtime,
  op: ReduceOp,
  out: View,
  x: View,
  axes: readonly number[],
  src: InputSource | null = null,
  epi: Epilogue | null = null,
): void {
  const { M, L, kc, rc, kRank, arg, perThread, splits } = geometry(op, out, x, axes);
  if (M === 0) return;
  if (L === 0) {
    const v = EMPTY_VALUE[op];
    if (v === undefined) throw new RangeError(`${op}: cannot reduce over an empty dim`);
    fill(rt, out, v);
    return;
  }
  if (epi !== null && (splits > 1 || arg)) throw new Error(`webgpu: ${op} cannot take an epilogue here`);
  const chunk = Math.ceil(L / splits);

  const inT = storageType(x.dtype);
  // With splits, the first pass writes partial results [M, splits] that a second pass reduces.
  const target: View =
    splits > 1
      ? {
          buffer: rt.alloc(out.dtype, M * splits),
          dtype: out.dtype,
          shape: [M, splits],
          strides: [splits, 1],
          offset: 0,
        }
      : out;
  const fields: Field[] = [
    ints('dims', [M, L, splits, chunk, x.offset, target.offset, kRank, rc.shape.length]),
    dynInts('kshape', kc.shape),
    dynInts('kstr', kRank > 0 ? kc.strides[0]! : []),
    dynInts('rshape', rc.shape),
    dynInts('rstr', rc.shape.length > 0 ? rc.strides[0]! : []),
    ...(src?.fields ?? []),
    ...(epi?.fields ?? []),
  ];
  const params = pack(fields);
  // Only the reduced rank's class (0, 1 or more) changes the code; the dims are parameters.
  const rRank = Math.min(rc.shape.length, 2);
  const outT = storageType(out.dtype);
  const sg = !perThread && rt.opts.subgroupReduce;
  const key =
    ['reduce', op, inT, outT, rRank, perThread ? 't' : sg ? 'sg' : 'w'].join('|') +
    (src === null ? '' : `|${src.key}`) +
    (epi === null ? '' : `|${epi.key}`);
  // The input comes from the binding X, or from `ldX` (src) reading other buffers.
  const input = (at: Readonly<Record<string, number>>): Input =>
    src === null
      ? { decl: `@group(0) @binding(2) var<storage, read> X: array<${inT}>;`, ld: (a) => `X[${a}]` }
      : { decl: src.code(at), ld: (a) => `ldX(${a})` };
  // The result is stored as is, or through `epi` (after the input's bindings).
  const output = (at: Readonly<Record<string, number>>): Output => {
    if (epi === null) return { decl: `array<${outT}>`, code: '', st: (i, v) => `O[${i}] = ${v};` };
    const first = 2 + (src === null ? 1 : src.buffers.length);
    const code = epi.code((name) => `${at[name]}u`, first);
    return {
      decl: `array<${storageType(epi.dtype)}>`,
      code,
      st: (i, v) => `{ let j = ${i}; O[j] = epi(${v}, j); }`,
    };
  };
  const code = (at: Readonly<Record<string, number>>) =>
    op === 'argmax' || op === 'argmin'
      ? argCode(at, op === 'argmax', inT, rRank, perThread, sg, input(at))
      : reduceCode(at, accOf(op, inT, outT), outT, rRank, perThread, sg, input(at), output(at));
  rt.run({
    op: epi === null ? op : `fused(${epi.names})`,
    key,
    code,
    params,
    bindings: [
      { buf: target.buffer as GpuBuffer, write: true },
      ...(src === null ? [x.buffer as GpuBuffer] : src.buffers).map((buf) => ({ buf })),
      ...(epi?.buffers ?? []),
    ],
    grid: perThread ? grid1d(M) : grid1d(M * splits, 1),
    describe: () => `${op} over axes [${axes.join(',')}] of ${describeViews(x)}`,
  });
  if (splits > 1) {
    reduce(rt, op, out, target, [1]);
    rt.releaseTemp(target.buffer as GpuBuffer);
  }
}

/** WGSL computing the input address `base` of output `m` (kept dims, runtime loop over their count). */
function keptBase(at: Readonly<Record<string, number>>, idx: string): string {
  return `var base = pi(${at.dims! + 4}u);
  { let ks = ${dyn(at, 'kshape')}; let kt = ${dyn(at, 'kstr')}; var kr = ${idx};
    for (var d = P[${at.dims! + 6}]; d > 0u; d--) { let s = P[ks + d - 1u]; base += i32(kr % s) * pi(kt + d - 1u); kr = kr / s; } }`;
}

/** WGSL address of reduced element `r` relative to `base` (rank class 0, 1, or 2 = any). */
function reducedAddr(at: Readonly<Record<string, number>>, rRank: number, r: string): string {
  if (rRank === 0) return 'base';
  if (rRank === 1) return `base + i32(${r}) * pi(${dyn(at, 'rstr')})`;
  return `reducedOffset(base, ${r})`;
}

/** WGSL helper for reduced ranks above 1: walks the reduced dims at runtime. */
function reducedFn(at: Readonly<Record<string, number>>, rRank: number): string {
  if (rRank < 2) return '';
  return `fn reducedOffset(base: i32, r0: u32) -> i32 {
  var a = base;
  var r = r0;
  let rs = ${dyn(at, 'rshape')};
  let rt = ${dyn(at, 'rstr')};
  for (var d = P[${at.dims! + 7}]; d > 0u; d--) { let s = P[rs + d - 1u]; a += i32(r % s) * pi(rt + d - 1u); r = r / s; }
  return a;
}`;
}

function reduceCode(
  at: Readonly<Record<string, number>>,
  acc: Acc,
  outT: WgslType,
  rRank: number,
  perThread: boolean,
  sg: boolean,
  x: Input,
  o: Output,
): string {
  const d = at.dims!;
  const head = `${sg ? 'enable subgroups;\n' : ''}${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: ${o.decl};
${x.decl}
${o.code}
fn comb(a: ${acc.type}, b: ${acc.type}) -> ${acc.type} { return ${acc.combine('a', 'b')}; }
${reducedFn(at, rRank)}`;
  const store = (v: string) => convert(v, acc.type, outT);
  if (perThread) {
    const e = entry1d();
    return `${head}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let m = ${e.index};
  if (m >= P[${d}]) { return; }
  let L = P[${d + 1}];
  ${keptBase(at, 'm')}
  var a = ${acc.identity};
  for (var r = 0u; r < L; r++) { a = comb(a, ${acc.load(x.ld(reducedAddr(at, rRank, 'r')))}); }
  ${o.st(`u32(pi(${d + 5}u)) + m`, store('a'))}
}`;
  }
  return `${head}
var<workgroup> sh: array<${acc.type}, ${WGR}>;
@compute @workgroup_size(${WGR})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32${SG_BUILTINS(sg)}) {
  let g = ${GROUP_INDEX};
  let splits = P[${d + 2}];
  let m = g / splits;
  let s = g % splits;
  let M = P[${d}];
  let L = P[${d + 1}];
  let chunk = P[${d + 3}];
  ${keptBase(at, 'min(m, M - 1u)')}
  let end = min(L, (s + 1u) * chunk);
  var a = ${acc.identity};
  for (var r = s * chunk + t; r < end; r += ${WGR}u) { a = comb(a, ${acc.load(x.ld(reducedAddr(at, rRank, 'r')))}); }
${
  sg
    ? subgroupTail(
        'a',
        'comb(v, subgroupShuffleXor(v, o))',
        (v) => o.st(`u32(pi(${d + 5}u)) + g`, store(v)),
        'm < M',
      )
    : `  sh[t] = a;
  workgroupBarrier();
  for (var w = ${WGR / 2}u; w > 0u; w = w >> 1u) {
    if (t < w) { sh[t] = comb(sh[t], sh[t + w]); }
    workgroupBarrier();
  }
  if (t == 0u && m < M) { ${o.st(`u32(pi(${d + 5}u)) + g`, store('sh[0]'))} }`
}
}`;
}

/**
 * The end of a workgroup reduction with subgroups: a butterfly (shuffle-xor) within each
 * subgroup, one workgroup-memory slot per subgroup, then thread 0 combines the slots in order.
 * One barrier instead of log2(256) + 1. Needs consecutive, equal, power-of-two subgroups, which
 * initWebGPU checks once (probeSubgroupLayout) before enabling this path. The combination order
 * is fixed, so results are deterministic (they may differ from the tree's in the last bits).
 */
function subgroupTail(init: string, step: string, write: (v: string) => string, ok: string): string {
  return `  var v = ${init};
  for (var o = sgSize >> 1u; o > 0u; o = o >> 1u) { v = ${step}; }
  if (sgLane == 0u) { sh[t / sgSize] = v; }
  workgroupBarrier();
  if (t == 0u && ${ok}) {
    var r = sh[0];
    for (var i = 1u; i < ${WGR}u / sgSize; i++) { r = comb(r, sh[i]); }
    ${write('r')}
  }`;
}

function argCode(
  at: Readonly<Record<string, number>>,
  isMax: boolean,
  inT: WgslType,
  rRank: number,
  perThread: boolean,
  sg: boolean,
  x: Input,
): string {
  const d = at.dims!;
  const nanCheck = inT === 'f32' ? (v: string) => `isnan_(${v})` : () => 'false';
  const head = `${sg ? 'enable subgroups;\n' : ''}${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<i32>;
${x.decl}
// Whether (v2, i2) beats (v1, i1): NaN wins, then the extreme value, then the first index.
fn better(v2: ${inT}, i2: u32, v1: ${inT}, i1: u32) -> bool {
  let n1 = ${nanCheck('v1')};
  let n2 = ${nanCheck('v2')};
  if (n1 || n2) { return select(n2, i2 < i1, n1 && n2); }
  if (v2 == v1) { return i2 < i1; }
  return v2 ${isMax ? '>' : '<'} v1;
}
${reducedFn(at, rRank)}`;
  if (perThread) {
    const e = entry1d();
    return `${head}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let m = ${e.index};
  if (m >= P[${d}]) { return; }
  let L = P[${d + 1}];
  ${keptBase(at, 'm')}
  var bv = ${x.ld(reducedAddr(at, rRank, '0u'))};
  var bi = 0u;
  for (var r = 1u; r < L; r++) {
    let v = ${x.ld(reducedAddr(at, rRank, 'r'))};
    if (better(v, r, bv, bi)) { bv = v; bi = r; }
  }
  O[u32(pi(${d + 5}u)) + m] = i32(bi);
}`;
  }
  return `${head}
var<workgroup> shv: array<${inT}, ${WGR}>;
var<workgroup> shi: array<u32, ${WGR}>;
@compute @workgroup_size(${WGR})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32${SG_BUILTINS(sg)}) {
  let m = ${GROUP_INDEX};
  let M = P[${d}];
  let L = P[${d + 1}];
  ${keptBase(at, 'min(m, M - 1u)')}
  var bv = ${x.ld(reducedAddr(at, rRank, 'min(t, L - 1u)'))};
  var bi = min(t, L - 1u);
  for (var r = t + ${WGR}u; r < L; r += ${WGR}u) {
    let v = ${x.ld(reducedAddr(at, rRank, 'r'))};
    if (better(v, r, bv, bi)) { bv = v; bi = r; }
  }
${
  sg
    ? `  for (var o = sgSize >> 1u; o > 0u; o = o >> 1u) {
    let ov = subgroupShuffleXor(bv, o);
    let oi = subgroupShuffleXor(bi, o);
    if (better(ov, oi, bv, bi)) { bv = ov; bi = oi; }
  }
  if (sgLane == 0u) { shv[t / sgSize] = bv; shi[t / sgSize] = bi; }
  workgroupBarrier();
  if (t == 0u && m < M) {
    for (var i = 1u; i < ${WGR}u / sgSize; i++) { if (better(shv[i], shi[i], bv, bi)) { bv = shv[i]; bi = shi[i]; } }
    O[u32(pi(${d + 5}u)) + m] = i32(bi);
  }`
    : `  shv[t] = bv;
  shi[t] = bi;
  workgroupBarrier();
  for (var w = ${WGR / 2}u; w > 0u; w = w >> 1u) {
    if (t < w && better(shv[t + w], shi[t + w], shv[t], shi[t])) { shv[t] = shv[t + w]; shi[t] = shi[t + w]; }
    workgroupBarrier();
  }
  if (t == 0u && m < M) { O[u32(pi(${d + 5}u)) + m] = i32(shi[0]); }`
}
}`;
}
