import type { View } from '@tessera/tensor';
import { lineBases, lineFields, lines } from '../codegen/lines.js';
import { contiguous, entry1d, GROUP_INDEX, grid1d, numel } from '../codegen/strided.js';
import type { GpuBuffer } from '../memory.js';
import { PARAMS_WGSL, pack } from '../params.js';
import type { Runtime } from '../runtime.js';
import { describeViews } from './util.js';

/**
 * Fused, numerically stable softmax / log-softmax along `axis`: per line, the max (NaN
 * propagates), the sum of exp(x - max), then the output, in one dispatch. Lines of up to 32
 * elements get one thread each; longer lines one workgroup of 64 or 256 threads with tree
 * reductions in workgroup memory. A line whose max is ±Infinity gives NaN, as on the CPU.
 */
export function softmax(rt: Runtime, out: View, x: View, axis: number, log: boolean): void {
  if (numel(out.shape) === 0) return;
  const l = lines(x.shape, axis, [contiguous(out.shape), x.strides], [out.offset, x.offset]);
  const wg = l.length <= 32 ? 0 : l.length < 2048 ? 64 : 256;
  const op = log ? 'logSoftmax' : 'softmax';
  const key = [op, wg].join('|');
  const finish = log ? 'v - m - lse' : 'exp(v - m) * r';
  const code = (at: Readonly<Record<string, number>>) => {
    const head = `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;`;
    if (wg === 0) {
      const e = entry1d();
      return `${head}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let g = ${e.index};
  ${lineBases(at, 2, 'g')}
  if (g >= lineCount) { return; }
  var m = -inf_();
  for (var j = 0u; j < lineLen; j++) { m = fmax_nan(m, X[base1 + i32(j) * step1]); }
  var s = 0.0;
  for (var j = 0u; j < lineLen; j++) { s += exp(X[base1 + i32(j) * step1] - m); }
  let lse = logc(s);
  let r = 1.0 / s;
  for (var j = 0u; j < lineLen; j++) {
    let v = X[base1 + i32(j) * step1];
    O[base0 + i32(j) * step0] = ${finish};
  }
}`;
    }
    return `${head}
var<workgroup> sh: array<f32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let g = ${GROUP_INDEX};
  ${lineBases(at, 2, 'g')}
  if (g >= lineCount) { return; }
  var pm = -inf_();
  for (var j = t; j < lineLen; j += ${wg}u) { pm = fmax_nan(pm, X[base1 + i32(j) * step1]); }
  sh[t] = pm;
  workgroupBarrier();
  for (var w = ${wg / 2}u; w > 0u; w = w >> 1u) {
    if (t < w) { sh[t] = fmax_nan(sh[t], sh[t + w]); }
    workgroupBarrier();
  }
  let m = sh[0];
  workgroupBarrier();
  var ps = 0.0;
  for (var j = t; j < lineLen; j += ${wg}u) { ps += exp(X[base1 + i32(j) * step1] - m); }
  sh[t] = ps;
  workgroupBarrier();
  for (var w = ${wg / 2}u; w > 0u; w = w >> 1u) {
    if (t < w) { sh[t] = sh[t] + sh[t + w]; }
    workgroupBarrier();
  }
  let s = sh[0];
  let lse = logc(s);
  let r = 1.0 / s;
  for (var j = t; j < lineLen; j += ${wg}u) {
    let v = X[base1 + i32(j) * step1];
    O[base0 + i32(j) * step0] = ${finish};
  }
}`;
  };
  rt.run({
    op,
    key,
    code,
    params: pack(lineFields(l)),
    bindings: [{ buf: out.buffer as GpuBuffer, write: true }, { buf: x.buffer as GpuBuffer }],
    grid: wg === 0 ? grid1d(l.count) : grid1d(l.count, 1),
    describe: () => `${op} along ${axis} of ${describeViews(x)}`,
  });
}
