import type { ScanOp, View } from '@tessera/tensor';
import { lineBases, lineFields, lines } from '../codegen/lines.js';
import { contiguous, entry1d, GROUP_INDEX, grid1d, numel } from '../codegen/strided.js';
import { convert, literal, storageType } from '../codegen/types.js';
import type { GpuBuffer } from '../memory.js';
import { PARAMS_WGSL, pack } from '../params.js';
import type { Runtime } from '../runtime.js';
import { describeViews } from './util.js';

const WGS = 256;

/**
 * Inclusive cumsum/cumprod along `axis` into the contiguous `out`. Short lines: one thread per
 * line, sequentially. Long lines: one workgroup per line, walking it in chunks of 256 elements:
 * each chunk is scanned in workgroup memory (Hillis-Steele, 8 steps) and offset by the running
 * total of the previous chunks, so reads are coalesced and any length works in one dispatch.
 * Integer products wrap like int32 arithmetic (as on the CPU backend).
 */
export function scan(rt: Runtime, op: ScanOp, out: View, x: View, axis: number): void {
  if (numel(out.shape) === 0) return;
  const l = lines(x.shape, axis, [contiguous(out.shape), x.strides], [out.offset, x.offset]);
  const perThread = l.length <= 64;
  const inT = storageType(x.dtype);
  const T = storageType(out.dtype);
  const key = ['scan', op, inT, T, perThread ? 't' : 'w'].join('|');
  const opExpr = (a: string, b: string) => (op === 'cumsum' ? `${a} + ${b}` : `${a} * ${b}`);
  const id = literal(op === 'cumsum' ? 0 : 1, T);
  const code = (at: Readonly<Record<string, number>>) => {
    const load = (addr: string) => convert(`X[${addr}]`, inT, T);
    const head = `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<${T}>;
@group(0) @binding(2) var<storage, read> X: array<${inT}>;`;
    if (perThread) {
      const e = entry1d();
      return `${head}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let g = ${e.index};
  ${lineBases(at, 2, 'g')}
  if (g >= lineCount) { return; }
  var acc = ${id};
  for (var j = 0u; j < lineLen; j++) {
    acc = ${opExpr('acc', load('base1 + i32(j) * step1'))};
    O[base0 + i32(j) * step0] = acc;
  }
}`;
    }
    return `${head}
var<workgroup> sh: array<${T}, ${WGS}>;
@compute @workgroup_size(${WGS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let g = ${GROUP_INDEX};
  ${lineBases(at, 2, 'g')}
  if (g >= lineCount) { return; }
  var carry = ${id};
  for (var c0 = 0u; c0 < lineLen; c0 += ${WGS}u) {
    let j = c0 + t;
    var v = ${id};
    if (j < lineLen) { v = ${load('base1 + i32(j) * step1')}; }
    sh[t] = v;
    workgroupBarrier();
    for (var off = 1u; off < ${WGS}u; off = off << 1u) {
      var o = ${id};
      if (t >= off) { o = sh[t - off]; }
      workgroupBarrier();
      sh[t] = ${opExpr('o', 'sh[t]')};
      workgroupBarrier();
    }
    if (j < lineLen) { O[base0 + i32(j) * step0] = ${opExpr('carry', 'sh[t]')}; }
    carry = ${opExpr('carry', `sh[${WGS - 1}u]`)};
    workgroupBarrier();
  }
}`;
  };
  rt.run({
    op,
    key,
    code,
    params: pack(lineFields(l)),
    bindings: [{ buf: out.buffer as GpuBuffer, write: true }, { buf: x.buffer as GpuBuffer }],
    grid: perThread ? grid1d(l.count) : grid1d(l.count, 1),
    describe: () => `${op} along ${axis} of ${describeViews(x)}`,
  });
}
