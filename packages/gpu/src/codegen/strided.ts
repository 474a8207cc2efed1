/**
 * Strided addressing for generated kernels. A view reaches a shader as (shape, strides, offset)
 * in the parameter buffer, so any stride pattern (transposed, stepped, negative, broadcast with
 * stride 0) is read in place. Before that, dims are merged where every operand allows it, so the
 * generated index arithmetic has as few dims as possible (usually one or two).
 */

import { contiguousStrides } from '@tessera/tensor';

// The backend kit's helpers under the names the kernels use: `collapse` drops size-1 dims and
// merges the dims every operand walks contiguously (a shape with no dim above 1 collapses to zero
// dims), `contiguous` gives row-major strides, `numel` the product of a shape.
export {
  type CollapsedStrides as Collapsed,
  collapseStrides as collapse,
  contiguousStrides as contiguous,
  sizeOf as numel,
} from '@tessera/tensor';

/**
 * How an operand is addressed from the flat index `i` of a collapsed iteration space:
 * 'c' row-major over it (`off + i`), 'z' the same element everywhere (`off`), 's' general strides.
 */
export type AddrMode = 'c' | 'z' | 's';

/** The cheapest addressing mode valid for `strides` over `shape`. */
export function addrMode(shape: readonly number[], strides: readonly number[]): AddrMode {
  if (strides.every((s) => s === 0)) return 'z';
  const c = contiguousStrides(shape);
  return strides.every((s, d) => s === c[d]) ? 'c' : 's';
}

/**
 * WGSL statements that split the flat index `idx` into coordinates `${p}0..${p}{rank-1}` of the
 * shape stored at P[shapeAt..]. With rank 0 nothing is emitted.
 */
export function unravel(idx: string, shapeAt: number, rank: number, p = 'c'): string {
  if (rank === 0) return '';
  if (rank === 1) return `let ${p}0 = ${idx};`;
  const lines = [`var ${p}_r = ${idx};`];
  for (let d = rank - 1; d >= 1; d--) {
    lines.push(`let ${p}${d} = ${p}_r % P[${shapeAt + d}]; ${p}_r = ${p}_r / P[${shapeAt + d}];`);
  }
  lines.push(`let ${p}0 = ${p}_r;`);
  return lines.join('\n  ');
}

/** WGSL i32 expression: offset at P[offAt] plus coordinates times the strides at P[strAt..]. */
export function address(offAt: number, strAt: number, rank: number, p = 'c'): string {
  let e = `pi(${offAt}u)`;
  for (let d = 0; d < rank; d++) e += ` + i32(${p}${d}) * pi(${strAt + d}u)`;
  return e;
}

/** Address expression of an operand in mode `mode` for flat index `idx`. */
export function operandAddress(
  mode: AddrMode,
  offAt: number,
  strAt: number,
  rank: number,
  idx: string,
  p = 'c',
): string {
  if (mode === 'z') return `pi(${offAt}u)`;
  if (mode === 'c') return `pi(${offAt}u) + i32(${idx})`;
  return address(offAt, strAt, rank, p);
}

/** Threads per workgroup of 1-D kernels. */
export const WG = 256;

/**
 * Workgroup counts for `threads` threads in workgroups of `wg`, spread over x and y so that no
 * dimension exceeds the 65535 limit. Kernels recover the flat index with `flatIndex(wg)`.
 */
export function grid1d(threads: number, wg = WG): [number, number, number] {
  const groups = Math.ceil(threads / wg);
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

/** WGSL entry-point parameters and the flat thread index for kernels dispatched with grid1d. */
export function entry1d(wg = WG): { params: string; index: string } {
  return {
    params:
      '@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32',
    index: `(wid.y * nwg.x + wid.x) * ${wg}u + lidx`,
  };
}

/** The flat workgroup index for kernels with one workgroup per item, dispatched with grid1d(n, 1). */
export const GROUP_INDEX = '(wid.y * nwg.x + wid.x)';

/**
 * WGSL computing `ad{k}` (i32 address) of strided operands from the flat index `idx`, with a
 * runtime loop over the dims, so one shader serves every rank. `rank` is a WGSL u32 expression,
 * `shape` the start of the shape in P, and for operand k, `offs[k]` its offset's index in P and
 * `strides[k]` the start of its strides (WGSL expressions; see params.ts `dyn`).
 */
export function stridedLoop(
  idx: string,
  rank: string,
  shape: string,
  offs: readonly string[],
  strides: readonly string[],
): string {
  if (offs.length === 0) return '';
  const init = offs.map((o, k) => `var ad${k} = pi(${o});`).join(' ');
  const step = strides.map((st, k) => `ad${k} += c * pi(${st} + d - 1u);`).join(' ');
  return `${init}
  { let sh = ${shape}; var r = ${idx}; for (var d = ${rank}; d > 0u; d--) { let s = P[sh + d - 1u]; let c = i32(r % s); r = r / s; ${step} } }`;
}
