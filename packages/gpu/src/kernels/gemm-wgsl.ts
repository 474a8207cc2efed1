// WGSL pieces shared by the two GEMM kernels (tiled, gemm.ts; subgroup, gemm-subgroup.ts), which
// read the same parameter block and use the same operand loaders and store function.

/** Module-scope state of a GEMM kernel, set by `gemmParamsWgsl` and read by loaders and store. */
export const GEMM_PRIVATES_WGSL = `var<private> dimM: u32;
var<private> dimN: u32;
var<private> kEnd: u32;
var<private> aBase: i32;
var<private> bBase: i32;
var<private> oBase: i32;`;

/**
 * Statements opening a GEMM kernel's `main`: read sizes, the split-K chunking and the batch entry
 * from the parameters at P[d..d+6] (`wid` is the workgroup id) into `K`, `zb`, `Z`, `kBegin`, `kStop`.
 */
export function gemmParamsWgsl(d: number): string {
  return `dimM = P[${d}];
  dimN = P[${d + 1}];
  let K = P[${d + 2}];
  let splits = P[${d + 3}];
  let kChunk = P[${d + 4}];
  let zb = P[${d + 5}] + wid.z / splits;
  let split = wid.z % splits;
  let Z = P[${d + 6}];
  let kBegin = split * kChunk;
  // A let (uniform) bounds the loop; the private copy serves the loaders.
  let kStop = min(K, kBegin + kChunk);
  kEnd = kStop;`;
}
