import type { View } from '@tessera/tensor';
import { lineBases, lineFields, lines } from '../codegen/lines.js';
import { contiguous, entry1d, GROUP_INDEX, grid1d, numel } from '../codegen/strided.js';
import { storageType, type WgslType } from '../codegen/types.js';
import type { GpuBuffer } from '../memory.js';
import { ints, PARAMS_WGSL, pack } from '../params.js';
import type { Runtime } from '../runtime.js';
import { describeViews } from './util.js';

/**
 * Sort along one dim with bitonic networks on (key, original position) pairs. Comparing pairs
 * (ties broken by position) makes the order total, so the result is exactly the stable sort the
 * CPU backend produces: equal keys keep their order, NaN sorts as the largest value (last
 * ascending, first descending). Lines are padded to a power of two with sentinels that sort last.
 * - Lines of up to 1024 elements: one workgroup per line sorts in workgroup memory.
 * - Longer lines: a scratch copy [lines, 2^p] is sorted in place: blocks of 1024 in workgroup
 *   memory first, then for every merge size the steps spanning more than a block as global passes
 *   and the rest again in workgroup memory.
 */

const BLOCK = 1024;
const PAD = '0xffffffffu';

/** WGSL `before(ka, ia, kb, ib)`: whether (ka, ia) sorts strictly before (kb, ib). */
function beforeFn(T: WgslType, descending: boolean): string {
  const nan = T === 'f32';
  return `fn before(ka: ${T}, ia: u32, kb: ${T}, ib: u32) -> bool {
  if (ia == ${PAD}) { return false; }
  if (ib == ${PAD}) { return true; }
  ${
    nan
      ? `let na = isnan_(ka); let nb = isnan_(kb);
  if (na || nb) { return select(${descending ? 'na' : 'nb'}, ia < ib, na && nb); }`
      : ''
  }
  if (ka == kb) { return ia < ib; }
  return ka ${descending ? '>' : '<'} kb;
}`;
}

/** WGSL: one compare-exchange of workgroup slots `i` and `i + j` in a bitonic stage of size `k` (global position `gi`). */
const EXCHANGE = `var<private> lineMask: u32;
fn exchange(i: u32, j: u32, k: u32, gi: u32) {
  let l = i + j;
  let up = ((gi & lineMask) & k) == 0u;
  let swap = select(before(SK[i], SI[i], SK[l], SI[l]), before(SK[l], SI[l], SK[i], SI[i]), up);
  if (swap) {
    let tk = SK[i]; SK[i] = SK[l]; SK[l] = tk;
    let ti = SI[i]; SI[i] = SI[l]; SI[l] = ti;
  }
}`;

/** Sorts `x` along `dim` into `values` (x's dtype) and `indices` (int32 positions), both contiguous. */
export function sort(
  rt: Runtime,
  values: View,
  indices: View,
  x: View,
  dim: number,
  descending: boolean,
): void {
  if (numel(x.shape) === 0) return;
  const l = lines(
    x.shape,
    dim,
    [contiguous(values.shape), contiguous(indices.shape), x.strides],
    [values.offset, indices.offset, x.offset],
  );
  const L = l.length;
  let P2 = 1;
  while (P2 < L) P2 *= 2;
  const T = storageType(x.dtype);
  const describe = () => `sort along ${dim} of ${describeViews(x)}`;
  const head = `${PARAMS_WGSL}
${beforeFn(T, descending)}`;
  const dir = descending ? 'd' : 'a';

  const plan: SortPlan = { rt, values, indices, x, l, P2, T, head, dir, describe };
  if (P2 <= BLOCK) sortInWorkgroups(plan);
  else sortLongLines(plan);
}

/** What both sort paths need: the views, the lines, the padded length and the shader head. */
interface SortPlan {
  rt: Runtime;
  values: View;
  indices: View;
  x: View;
  l: ReturnType<typeof lines>;
  P2: number;
  T: string;
  head: string;
  dir: string;
  describe: () => string;
}

/** A sort whose padded lines fit one workgroup's memory: one dispatch, a workgroup per line. */
function sortInWorkgroups(p: SortPlan): void {
  const { rt, values, indices, x, l, P2, T, head, dir, describe } = p;
  const params = pack([...lineFields(l), ints('p2', P2)]);
  rt.run({
    op: 'sort',
    key: `sortLocal|${T}|${dir}`,
    params,
    bindings: [
      { buf: values.buffer as GpuBuffer, write: true },
      { buf: indices.buffer as GpuBuffer, write: true },
      { buf: x.buffer as GpuBuffer },
    ],
    grid: grid1d(l.count, 1),
    describe,
    code: (at) => `${head}
@group(0) @binding(1) var<storage, read_write> V: array<${T}>;
@group(0) @binding(2) var<storage, read_write> IX: array<i32>;
@group(0) @binding(3) var<storage, read> X: array<${T}>;
var<workgroup> SK: array<${T}, ${BLOCK}>;
var<workgroup> SI: array<u32, ${BLOCK}>;
${EXCHANGE}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
      @builtin(local_invocation_index) t: u32) {
let g = ${GROUP_INDEX};
${lineBases(at, 3, 'g')}
if (g >= lineCount) { return; }
let p2 = P[${at.p2}];
lineMask = p2 - 1u;
for (var i = t; i < p2; i += 256u) {
  if (i < lineLen) { SK[i] = X[base2 + i32(i) * step2]; SI[i] = i; } else { SI[i] = ${PAD}; }
}
workgroupBarrier();
for (var k = 2u; k <= p2; k = k << 1u) {
  for (var j = k >> 1u; j > 0u; j = j >> 1u) {
    for (var q = t; q < p2 / 2u; q += 256u) {
      let i = 2u * j * (q / j) + q % j;
      exchange(i, j, k, i);
    }
    workgroupBarrier();
  }
}
for (var i = t; i < lineLen; i += 256u) {
  V[base0 + i32(i) * step0] = SK[i];
  IX[base1 + i32(i) * step1] = i32(SI[i]);
}
}`,
  });
}

/** A sort of long lines: a padded scratch copy sorted by block-local and global bitonic stages. */
function sortLongLines(p: SortPlan): void {
  const { rt, values, indices, x, l, P2, T, head, dir, describe } = p;
  const L = l.length;
  // Long lines: sort a padded scratch copy in place.
  const total = l.count * P2;
  const keys = rt.alloc(x.dtype, total);
  const pos = rt.alloc('int32', total);
  const geo = lineFields(l);
  const e = entry1d();
  rt.run({
    op: 'sort',
    key: `sortInit|${T}`,
    params: pack([...geo, ints('p2', [P2, total])]),
    bindings: [{ buf: keys, write: true }, { buf: pos, write: true }, { buf: x.buffer as GpuBuffer }],
    grid: grid1d(total),
    describe,
    code: (at) => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> K: array<${T}>;
@group(0) @binding(2) var<storage, read_write> I: array<u32>;
@group(0) @binding(3) var<storage, read> X: array<${T}>;
@compute @workgroup_size(256)
fn main(${e.params}) {
  let f = ${e.index};
  if (f >= P[${at.p2! + 1}]) { return; }
  let p2 = P[${at.p2}];
  let g = f / p2;
  let i = f % p2;
  ${lineBases(at, 3, 'g')}
  if (i < lineLen) { K[f] = X[base2 + i32(i) * step2]; I[f] = i; } else { I[f] = ${PAD}; }
}`,
  });
  const blocks = total / BLOCK;
  const local = (k0: number, k1: number) =>
    rt.run({
      op: 'sort',
      key: `sortBlock|${T}|${dir}`,
      params: pack([ints('b', [k0, k1, P2 - 1])]),
      bindings: [
        { buf: keys, write: true },
        { buf: pos, write: true },
      ],
      grid: grid1d(blocks, 1),
      describe,
      code: (at) => `${head}
@group(0) @binding(1) var<storage, read_write> K: array<${T}>;
@group(0) @binding(2) var<storage, read_write> I: array<u32>;
var<workgroup> SK: array<${T}, ${BLOCK}>;
var<workgroup> SI: array<u32, ${BLOCK}>;
${EXCHANGE}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let base = ${GROUP_INDEX} * ${BLOCK}u;
  lineMask = P[${at.b! + 2}];
  for (var i = t; i < ${BLOCK}u; i += 256u) { SK[i] = K[base + i]; SI[i] = I[base + i]; }
  workgroupBarrier();
  for (var k = P[${at.b}]; k <= P[${at.b! + 1}]; k = k << 1u) {
    for (var j = min(k >> 1u, ${BLOCK / 2}u); j > 0u; j = j >> 1u) {
      for (var q = t; q < ${BLOCK / 2}u; q += 256u) {
        let i = 2u * j * (q / j) + q % j;
        exchange(i, j, k, base + i);
      }
      workgroupBarrier();
    }
  }
  for (var i = t; i < ${BLOCK}u; i += 256u) { K[base + i] = SK[i]; I[base + i] = SI[i]; }
}`,
    });
  local(2, BLOCK);
  for (let k = 2 * BLOCK; k <= P2; k *= 2) {
    for (let j = k / 2; j >= BLOCK; j /= 2) {
      rt.run({
        op: 'sort',
        key: `sortGlobal|${T}|${dir}`,
        params: pack([ints('s', [k, j, total / 2, P2 - 1])]),
        bindings: [
          { buf: keys, write: true },
          { buf: pos, write: true },
        ],
        grid: grid1d(total / 2),
        describe,
        code: (at) => `${head}
@group(0) @binding(1) var<storage, read_write> K: array<${T}>;
@group(0) @binding(2) var<storage, read_write> I: array<u32>;
@compute @workgroup_size(256)
fn main(${e.params}) {
  let q = ${e.index};
  if (q >= P[${at.s! + 2}]) { return; }
  let k = P[${at.s}];
  let j = P[${at.s! + 1}];
  let i = 2u * j * (q / j) + q % j;
  let l = i + j;
  let up = ((i & P[${at.s! + 3}]) & k) == 0u;
  if (select(before(K[i], I[i], K[l], I[l]), before(K[l], I[l], K[i], I[i]), up)) {
    let tk = K[i]; K[i] = K[l]; K[l] = tk;
    let ti = I[i]; I[i] = I[l]; I[l] = ti;
  }
}`,
      });
    }
    local(k, k);
  }
  rt.run({
    op: 'sort',
    key: `sortFinish|${T}`,
    params: pack([...geo, ints('p2', [P2, l.count * L])]),
    bindings: [
      { buf: values.buffer as GpuBuffer, write: true },
      { buf: indices.buffer as GpuBuffer, write: true },
      { buf: keys },
      { buf: pos },
    ],
    grid: grid1d(l.count * L),
    describe,
    code: (at) => `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> V: array<${T}>;
@group(0) @binding(2) var<storage, read_write> IX: array<i32>;
@group(0) @binding(3) var<storage, read> K: array<${T}>;
@group(0) @binding(4) var<storage, read> I: array<u32>;
@compute @workgroup_size(256)
fn main(${e.params}) {
  let f = ${e.index};
  if (f >= P[${at.p2! + 1}]) { return; }
  let g = f / P[${at.lcount! + 1}];
  let i = f % P[${at.lcount! + 1}];
  ${lineBases(at, 3, 'g')}
  let src = g * P[${at.p2}] + i;
  V[base0 + i32(i) * step0] = K[src];
  IX[base1 + i32(i) * step1] = i32(I[src]);
}`,
  });
  rt.releaseTemp(keys);
  rt.releaseTemp(pos);
}
