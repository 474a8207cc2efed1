// Assembles the WebAssembly text of the CPU kernels, in three variants from the same source:
//   relaxed  128-bit SIMD with fused multiply-add (relaxed-simd f32x4.relaxed_madd)
//   simd     128-bit SIMD, multiply then add
//   scalar   no SIMD instructions (engines without WebAssembly SIMD)
// The memory is imported (shared, so that worker threads can run tasks on it); the loader flips
// the import to unshared where SharedArrayBuffer is unavailable.

import { convFunctions } from './conv.mjs';
import { directFunctions } from './direct.mjs';
import { elementwiseExports, elementwiseFunctions } from './elementwise.mjs';
import { gemmFunctions } from './gemm.mjs';
import { KIND } from './layout.mjs';
import { phaseExports, phaseFunctions } from './phases.mjs';
import { poolExports, poolFunctions } from './pool.mjs';
import { updateExports, updateFunctions } from './update.mjs';
import { params } from './wat.mjs';

/** Variant names and the features each needs. */
export const VARIANTS = {
  relaxed: { simd: true, fma: true },
  simd: { simd: true, fma: false },
  scalar: { simd: false, fma: false },
};

/** Most 64 KiB pages the imported memory may have (4 GiB). */
export const MAX_PAGES = 65536;

/** The entry point: run(job, task, scratch) runs task `task` of the job descriptor at `job`. */
const run = `
(func $run (export "run") ${params('i32', 'job', 't', 'scratch')}
  (block $bad
    (block $k7 (block $k6 (block $k5 (block $k4 (block $k3 (block $k2 (block $k1
      (br_table $bad $k1 $k2 $k3 $k4 $k5 $k6 $k7 $bad (i32.load (local.get $job))))
      (call $task_pack_a (local.get $job) (local.get $t) (local.get $scratch)) (return))
      (call $task_gemm (local.get $job) (local.get $t) (local.get $scratch)) (return))
      (call $task_conv_fwd (local.get $job) (local.get $t) (local.get $scratch)) (return))
      (call $task_conv_bwd_input (local.get $job) (local.get $t) (local.get $scratch)) (return))
      (call $task_conv_bwd_weight (local.get $job) (local.get $t) (local.get $scratch)) (return))
      (call $task_direct_conv (local.get $job) (local.get $t) (local.get $scratch)) (return))
    (call $task_direct_wgrad (local.get $job) (local.get $t) (local.get $scratch)) (return))
  unreachable)`;

const order = [
  'PACK_A',
  'GEMM',
  'CONV_FWD',
  'CONV_BWD_INPUT',
  'CONV_BWD_WEIGHT',
  'DIRECT_CONV',
  'DIRECT_WGRAD',
];
if (order.some((k, i) => KIND[k] !== i + 1))
  throw new Error('run() dispatches on the job kinds in layout.mjs order');

/** The WAT text of one variant. */
export function moduleText(variant) {
  const v = VARIANTS[variant];
  if (v === undefined) throw new Error(`unknown kernel variant ${variant}`);
  return `(module
(import "env" "memory" (memory 1 ${MAX_PAGES} shared))
${gemmFunctions(v)}
${convFunctions(v)}
${directFunctions(v)}
${elementwiseFunctions(v)}
${poolFunctions(v)}
${updateFunctions(v)}
${phaseFunctions()}
${run}
(export "pack_a" (func $pack_a))
(export "pack_a_rows" (func $pack_a_rows))
(export "add_f32" (func $add_f32))
(export "transpose" (func $transpose))
(export "wgrad_finish" (func $wgrad_finish))
${elementwiseExports()}
${poolExports()}
${updateExports()}
${phaseExports()}
)`;
}
