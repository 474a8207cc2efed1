import type { View } from '@tessera/tensor';
import { ATOMIC_ADD_F32, INDEX_ERRORS } from '../codegen/atomics.js';
import { collapse, entry1d, grid1d, numel, unravel } from '../codegen/strided.js';
import { storageType, type WgslType } from '../codegen/types.js';
import type { GpuBuffer } from '../memory.js';
import { type Field, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Runtime } from '../runtime.js';
import { fill } from './elementwise.js';
import { describeViews } from './util.js';

/**
 * Index kernels: gather, scatter (assign / add), indexSelect, indexAdd. Inputs are strided views
 * read in place. Every index is range-checked on the GPU; a bad one is skipped and reported
 * through the runtime's error buffer, and the next read throws the CPU backend's RangeError.
 *
 * Determinism: scatter 'assign' with repeated indices keeps the LAST source element in row-major
 * order, exactly like the CPU backend (a first pass elects the winner per target with atomicMax
 * over the source position, a second pass writes). scatter 'add' and indexAdd accumulate with
 * atomics: exact for int32; for float32 a compare-and-swap loop, so colliding additions land in
 * an unspecified order (results can differ from the CPU in the last bits when indices repeat).
 */

/** A 0-d view counts as one element of a 1-d view (as on the CPU backend). */
function shapeOf(v: View): readonly number[] {
  return v.shape.length === 0 ? [1] : v.shape;
}
function stridesOf(v: View): readonly number[] {
  return v.shape.length === 0 ? [1] : v.strides;
}
function zeroAt(s: readonly number[], dim: number): number[] {
  const r = [...s];
  r[dim] = 0;
  return r;
}

/** Address expression of operand field `f` ([offset, strides...]) over coordinates c0..c{rank-1}. */
function addr(f: number, rank: number): string {
  let e = `pi(${f}u)`;
  for (let d = 0; d < rank; d++) e += ` + i32(c${d}) * pi(${f + 1 + d}u)`;
  return e;
}

function opFields(name: string, offset: number, strides: readonly number[]): Field {
  return ints(name, [offset, ...strides]);
}

/** Size and stride along `dim` of the view `t` that the index addresses, and `dim` (for errors). */
function dimField(t: View, dim: number): Field {
  return ints('dim', [shapeOf(t)[dim]!, stridesOf(t)[dim]!, dim]);
}

/** Params of gather / scatter: the index shape collapsed over [out, index, x] (`c`). */
function gatherFields(
  n: number,
  c: { shape: number[]; strides: number[][] },
  offsets: readonly [number, number, number],
  t: View,
  dim: number,
): Field[] {
  return [
    ints('n', n),
    ints('shape', c.shape.length > 0 ? c.shape : [1]),
    opFields('o', offsets[0], c.strides[0]!),
    opFields('i', offsets[1], c.strides[1]!),
    opFields('x', offsets[2], c.strides[2]!),
    dimField(t, dim),
  ];
}

/** Params of indexSelect / indexAdd: the iteration space split at `dim` over [out, x] (`sp`). */
function selectFields(
  n: number,
  sp: { shape: number[]; strides: number[][] },
  offsets: readonly [number, number],
  index: View,
  t: View,
  dim: number,
): Field[] {
  return [
    ints('n', n),
    ints('shape', sp.shape),
    opFields('o', offsets[0], sp.strides[0]!),
    opFields('x', offsets[1], sp.strides[1]!),
    ints('idx', [index.offset, stridesOf(index)[0]!]),
    dimField(t, dim),
  ];
}

/**
 * WGSL of every index kernel's start: thread `i`, its coordinates c0.., and the index `v` read
 * at address `idx`; an out-of-range `v` runs `bad` and returns.
 */
function readIndex(at: Readonly<Record<string, number>>, rank: number, idx: string, bad: string): string {
  return `let i = ${entry1d().index};
  if (i >= P[${at.n}]) { return; }
  ${unravel('i', at.shape!, rank)}
  let v = I[${idx}];
  let size = P[${at.dim}];
  if (v < 0 || u32(v) >= size) { ${bad} return; }`;
}

/** WGSL reporting the bad index `v` with error `code`. */
function report(at: Readonly<Record<string, number>>, code: number): string {
  return `reportIndex(${code}u, v, P[${at.dim! + 2}], size);`;
}

/** The iteration space split around `dim`: collapsed dims before it, `dim` itself, collapsed dims after. */
function splitAt(shape: readonly number[], dim: number, strides: readonly (readonly number[])[]) {
  const before = collapse(
    shape.slice(0, dim),
    strides.map((s) => s.slice(0, dim)),
  );
  const after = collapse(
    shape.slice(dim + 1),
    strides.map((s) => s.slice(dim + 1)),
  );
  return {
    shape: [...before.shape, shape[dim]!, ...after.shape],
    strides: strides.map((s, k) => [...before.strides[k]!, s[dim]!, ...after.strides[k]!]),
    pos: before.shape.length,
  };
}

const HEAD = (outT: string, atomic: boolean) =>
  atomic ? '' : `@group(0) @binding(1) var<storage, read_write> O: array<${outT}>;`;

/** Atomic accumulation into `O` (binding 1) for a dtype. */
function atomicAdd(T: WgslType): { decl: string; add: (i: string, v: string) => string } {
  if (T === 'f32') return { decl: ATOMIC_ADD_F32, add: (i, v) => `atomicAddF32(${i}, ${v});` };
  if (T === 'i32') {
    return {
      decl: '@group(0) @binding(1) var<storage, read_write> O: array<atomic<i32>>;',
      add: (i, v) => `atomicAdd(&O[${i}], ${v});`,
    };
  }
  // bool: "adding" is logical or.
  return {
    decl: '@group(0) @binding(1) var<storage, read_write> O: array<atomic<u32>>;',
    add: (i, v) => `atomicOr(&O[${i}], select(0u, 1u, ${v} != 0u));`,
  };
}

/** out[i][j] = x[index[i][j]][j] (dim 0 shown). */
export function gather(rt: Runtime, out: View, x: View, dim: number, index: View): void {
  const shape = shapeOf(index);
  const n = numel(shape);
  if (n === 0) return;
  const c = collapse(shape, [stridesOf(out), stridesOf(index), zeroAt(stridesOf(x), dim)]);
  const rank = c.shape.length;
  const T = storageType(x.dtype);
  const fields = gatherFields(n, c, [out.offset, index.offset, x.offset], x, dim);
  const e = entry1d();
  rt.run({
    op: 'gather',
    key: `gather|${T}|${rank}`,
    params: pack(fields),
    bindings: [
      { buf: out.buffer as GpuBuffer, write: true },
      { buf: x.buffer as GpuBuffer },
      { buf: index.buffer as GpuBuffer },
    ],
    checksIndices: true,
    grid: grid1d(n),
    describe: () => `gather along ${dim} of ${describeViews(x, index)}`,
    code: (at) => `${PARAMS_WGSL}
${HEAD(T, false)}
@group(0) @binding(2) var<storage, read> X: array<${T}>;
@group(0) @binding(3) var<storage, read> I: array<i32>;
${INDEX_ERRORS(4)}
@compute @workgroup_size(256)
fn main(${e.params}) {
  ${readIndex(at, rank, addr(at.i!, rank), `${report(at, 1)} O[${addr(at.o!, rank)}] = ${T}(0);`)}
  O[${addr(at.o!, rank)}] = X[${addr(at.x!, rank)} + v * pi(${at.dim! + 1}u)];
}`,
  });
}

/** out[index[i][j]][j] = src[i][j] ('assign') or += ('add') (dim 0 shown). */
export function scatter(
  rt: Runtime,
  out: View,
  dim: number,
  index: View,
  src: View,
  reduce: 'assign' | 'add',
): void {
  const shape = shapeOf(index);
  const n = numel(shape);
  if (n === 0) return;
  const c = collapse(shape, [zeroAt(stridesOf(out), dim), stridesOf(index), stridesOf(src)]);
  const rank = c.shape.length;
  const T = storageType(out.dtype);
  const params = pack(gatherFields(n, c, [out.offset, index.offset, src.offset], out, dim));
  const e = entry1d();
  const describe = () =>
    `scatter (${reduce}) along ${dim} into ${describeViews(out)} from ${describeViews(index, src)}`;
  const prologue = (
    at: Readonly<Record<string, number>>,
    bad: string,
  ) => `${readIndex(at, rank, addr(at.i!, rank), bad)}
  let dst = u32(${addr(at.o!, rank)} + v * pi(${at.dim! + 1}u));
  let s = X[${addr(at.x!, rank)}];`;
  if (reduce === 'add') {
    const atom = atomicAdd(T);
    rt.run({
      op: 'scatterAdd',
      key: `scatterAdd|${T}|${rank}`,
      params,
      bindings: [
        { buf: out.buffer as GpuBuffer, write: true },
        { buf: index.buffer as GpuBuffer },
        { buf: src.buffer as GpuBuffer },
      ],
      checksIndices: true,
      grid: grid1d(n),
      describe,
      code: (at) => `${PARAMS_WGSL}
${atom.decl}
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read> X: array<${T}>;
${INDEX_ERRORS(4)}
@compute @workgroup_size(256)
fn main(${e.params}) {
  ${prologue(at, report(at, 3))}
  ${atom.add('dst', 's')}
}`,
    });
    return;
  }
  // Assign: elect the last writer of every target, then let only the winners write.
  const outBuf = out.buffer as GpuBuffer;
  const win = rt.alloc('int32', outBuf.bytes / 4);
  fill(rt, { buffer: win, dtype: 'int32', shape: [outBuf.bytes / 4], strides: [1], offset: 0 }, 0);
  rt.run({
    op: 'scatter',
    key: `scatterElect|${rank}`,
    params,
    bindings: [
      { buf: win, write: true },
      { buf: index.buffer as GpuBuffer },
      { buf: src.buffer as GpuBuffer },
    ],
    checksIndices: true,
    grid: grid1d(n),
    describe,
    code: (at) => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> Wn: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read> X: array<${T}>;
${INDEX_ERRORS(4)}
@compute @workgroup_size(256)
fn main(${e.params}) {
  ${prologue(at, report(at, 2))}
  _ = s;
  atomicMax(&Wn[dst], i + 1u);
}`,
  });
  rt.run({
    op: 'scatter',
    key: `scatterWrite|${T}|${rank}`,
    params,
    bindings: [
      { buf: outBuf, write: true },
      { buf: index.buffer as GpuBuffer },
      { buf: src.buffer as GpuBuffer },
      { buf: win },
    ],
    grid: grid1d(n),
    describe,
    code: (at) => `${PARAMS_WGSL}
${HEAD(T, false)}
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read> X: array<${T}>;
@group(0) @binding(4) var<storage, read> Wn: array<u32>;
@compute @workgroup_size(256)
fn main(${e.params}) {
  ${prologue(at, '')}
  if (Wn[dst] == i + 1u) { O[dst] = s; }
}`,
  });
  rt.releaseTemp(win);
}

/** out = x indexed by the 1-D int32 `index` along `dim`. */
export function indexSelect(rt: Runtime, out: View, x: View, dim: number, index: View): void {
  const oShape = shapeOf(out);
  const n = numel(oShape);
  if (n === 0) return;
  const sp = splitAt(oShape, dim, [stridesOf(out), zeroAt(stridesOf(x), dim)]);
  const rank = sp.shape.length;
  const T = storageType(x.dtype);
  const fields = selectFields(n, sp, [out.offset, x.offset], index, x, dim);
  const e = entry1d();
  rt.run({
    op: 'indexSelect',
    key: `indexSelect|${T}|${rank}|${sp.pos}`,
    params: pack(fields),
    bindings: [
      { buf: out.buffer as GpuBuffer, write: true },
      { buf: x.buffer as GpuBuffer },
      { buf: index.buffer as GpuBuffer },
    ],
    checksIndices: true,
    grid: grid1d(n),
    describe: () => `indexSelect along ${dim} of ${describeViews(x, index)}`,
    code: (at) => `${PARAMS_WGSL}
${HEAD(T, false)}
@group(0) @binding(2) var<storage, read> X: array<${T}>;
@group(0) @binding(3) var<storage, read> I: array<i32>;
${INDEX_ERRORS(4)}
@compute @workgroup_size(256)
fn main(${e.params}) {
  ${readIndex(at, rank, `pi(${at.idx}u) + i32(c${sp.pos}) * pi(${at.idx! + 1}u)`, `${report(at, 4)} O[${addr(at.o!, rank)}] = ${T}(0);`)}
  O[${addr(at.o!, rank)}] = X[${addr(at.x!, rank)} + v * pi(${at.dim! + 1}u)];
}`,
  });
}

/** out[..., index[i], ...] += src[..., i, ...] along `dim` (atomic accumulation). */
export function indexAdd(rt: Runtime, out: View, dim: number, index: View, src: View): void {
  const sShape = shapeOf(src);
  const n = numel(sShape);
  if (n === 0) return;
  const sp = splitAt(sShape, dim, [zeroAt(stridesOf(out), dim), stridesOf(src)]);
  const rank = sp.shape.length;
  const T = storageType(out.dtype);
  const atom = atomicAdd(T);
  const fields = selectFields(n, sp, [out.offset, src.offset], index, out, dim);
  const e = entry1d();
  rt.run({
    op: 'indexAdd',
    key: `indexAdd|${T}|${rank}|${sp.pos}`,
    params: pack(fields),
    bindings: [
      { buf: out.buffer as GpuBuffer, write: true },
      { buf: src.buffer as GpuBuffer },
      { buf: index.buffer as GpuBuffer },
    ],
    checksIndices: true,
    grid: grid1d(n),
    describe: () => `indexAdd along ${dim} into ${describeViews(out)} from ${describeViews(index, src)}`,
    code: (at) => `${PARAMS_WGSL}
${atom.decl}
@group(0) @binding(2) var<storage, read> X: array<${T}>;
@group(0) @binding(3) var<storage, read> I: array<i32>;
${INDEX_ERRORS(4)}
@compute @workgroup_size(256)
fn main(${e.params}) {
  ${readIndex(at, rank, `pi(${at.idx}u) + i32(c${sp.pos}) * pi(${at.idx! + 1}u)`, report(at, 5))}
  let dst = u32(${addr(at.o!, rank)} + v * pi(${at.dim! + 1}u));
  ${atom.add('dst', `X[${addr(at.x!, rank)}]`)}
}`,
  });
}
