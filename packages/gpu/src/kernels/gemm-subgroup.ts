import { PARAMS_WGSL } from '../params.js';
import type { GemmParts, GemmSpec } from './gemm.js';
import { GEMM_PRIVATES_WGSL, gemmParamsWgsl } from './gemm-wgsl.js';

/**
 * The GEMM variant used when the device has the `subgroups` feature with a fixed subgroup size S
 * (adapter subgroupMinSize === subgroupMaxSize). No workgroup memory and no barriers: each lane
 * owns four adjacent columns of C (one vec4) for R rows; the workgroup's lanes cover
 * 4 * lanes columns of the same R rows. K advances in steps of S: lane j loads A(m0 + r, k0 + j)
 * for its R rows, and the subgroup shares those values with `subgroupBroadcast` while every lane
 * streams its own B row segment (one vec4 per k), so A is read once per subgroup instead of once
 * per lane. Register blocking is R x 4 per lane (R vec4 accumulators).
 *
 * This suits GPUs where broadcasts are cheaper than workgroup memory plus barriers, and CPU
 * adapters (Mesa lavapipe, SwiftShader), where workgroup memory and barriers are emulated and a
 * subgroup is one SIMD register. Correctness needs full subgroups: the workgroup size is a
 * multiple of S, and all of a workgroup's lanes share its rows, so the lane-to-subgroup mapping
 * does not matter.
 */

/** Shape of one subgroup GEMM variant: subgroup size, rows per lane, lanes per workgroup. */
export interface SubgroupPlan {
  readonly S: number;
  readonly R: number;
  readonly lanes: number;
}

/**
 * The subgroup variant for an M x N problem (`costlyB`: B comes through a custom loader), or null
 * to use the tiled kernel (no subgroups, or a grid too tall).
 */
export function subgroupPlan(S: number, M: number, N: number, costlyB = false): SubgroupPlan | null {
  if (S < 4 || S > 128) return null;
  // Custom B loaders (im2col address arithmetic) cost more than the FMAs they feed: 16 rows per
  // lane share each loaded B vector (measured ~2x faster than 8 on conv layers under lavapipe).
  const R = costlyB && M > 8 ? 16 : 8;
  // 64 lanes (256 columns), or one subgroup when N is narrow; two sizes keep the variants (each
  // compiled once, slowly on CPU drivers) few.
  const lanes = Math.ceil(N / 4) <= S ? S : Math.max(S, 64);
  if (Math.ceil(M / R) > 65535 || Math.ceil(N / (4 * lanes)) > 65535) return null;
  return { S, R, lanes };
}

/** Workgroup counts of a subgroup GEMM: row blocks along x, column blocks along y. */
export function subgroupGrid(plan: SubgroupPlan, M: number, N: number, z: number): [number, number, number] {
  return [Math.ceil(M / plan.R), Math.ceil(N / (4 * plan.lanes)), z];
}

/** WGSL of the subgroup GEMM (same parameters, bindings and operand loaders as the tiled one). */
export function subgroupGemmCode(
  at: Readonly<Record<string, number>>,
  s: GemmSpec,
  plan: SubgroupPlan,
  vecStore: boolean,
  parts: GemmParts,
  h: boolean,
): string {
  const { S, R, lanes } = plan;
  // float16 mode (opt-in): A values and B vectors are rounded to f16 and multiplied in f16; the
  // products are accumulated in f32. `a` holds f16, `bh` is B converted once per k.
  const AT = h ? 'f16' : 'f32';
  const d = at.dims!;
  const b = s.b;
  // How a lane gets B(k, n .. n + 3): one vec4 (unit stride along N), vec4s along K regrouped
  // in registers (unit stride along K), four scalar loads, or a custom loader.
  const bMode =
    b.kind === 'custom'
      ? b.setup
        ? 'custom4'
        : 'scalar'
      : b.mode === 'vecN'
        ? 'vecN'
        : b.mode === 'vecK'
          ? 'vecK'
          : 'scalar';
  const bRs = b.kind === 'strided' ? `pi(${at.b! + 1}u)` : '0';
  const bCs = b.kind === 'strided' ? `pi(${at.b! + 2}u)` : '0';
  const acc = (kk: string, bv: string) =>
    `let bh = vec4<${AT}>(${bv}); ` +
    Array.from(
      { length: R },
      (_, r) => `acc[${r}] += vec4<f32>(subgroupBroadcast(a[${r}], ${kk}u) * bh);`,
    ).join(' ');
  let kLoop: string;
  if (bMode === 'vecK') {
    // Four k at a time: one vec4 along K per column, transposed in registers.
    const groups: string[] = [];
    for (let q = 0; q < S / 4; q++) {
      // Loads are unconditional (out-of-range lanes read a clamped, in-bounds address) and
      // masked with select: branches per load cost more than the loads on SIMD/CPU drivers.
      const cols = [0, 1, 2, 3]
        .map(
          (j) =>
            `let c${j} = select(vec4<f32>(0.0), Y[u32(bBase + i32(min(k0 + ${4 * q}u, kLast4)) + i32(min(n + ${j}u, dimN - 1u)) * ${bCs}) / 4u], n + ${j}u < dimN && k0 + ${4 * q}u < kEnd);`,
        )
        .join('\n      ');
      const steps = [0, 1, 2, 3]
        .map(
          (i) =>
            `{ let bv = vec4<f32>(c0[${i}], c1[${i}], c2[${i}], c3[${i}]); ${acc(String(4 * q + i), 'bv')} }`,
        )
        .join('\n      ');
      groups.push(`{ ${cols}\n      ${steps} }`);
    }
    kLoop = groups.join('\n    ');
  } else {
    const load = (k: string): string => {
      if (bMode === 'vecN') {
        return `let bv = select(vec4<f32>(0.0), Y[u32(bBase + i32(min(${k}, kEnd - 1u)) * ${bRs} + i32(nc)) / 4u], nOk && ${k} < kEnd);`;
      }
      if (bMode === 'custom4') return `let bv = loadB4(zb, ${k});`;
      return `let bv = vec4<f32>(loadB(zb, ${k}, n), loadB(zb, ${k}, n + 1u), loadB(zb, ${k}, n + 2u), loadB(zb, ${k}, n + 3u));`;
    };
    if (bMode === 'vecN') {
      kLoop = Array.from(
        { length: S },
        (_, kk) => `{ ${load(`(k0 + ${kk}u)`)} ${acc(String(kk), 'bv')} }`,
      ).join('\n    ');
    } else {
      // Loaders with address arithmetic (convolutions' im2col) stay in a loop: unrolled S times
      // they make shaders that CPU drivers take much longer to compile.
      const shuffle =
        `let bh = vec4<${AT}>(bv); ` +
        Array.from(
          { length: R },
          (_, r) => `acc[${r}] += vec4<f32>(subgroupShuffle(a[${r}], kk) * bh);`,
        ).join(' ');
      kLoop = `for (var kk = 0u; kk < ${S}u; kk++) { ${load('(k0 + kk)')} ${shuffle} }`;
    }
  }
  const bVec = bMode === 'vecN' || bMode === 'vecK';
  // A with unit stride along M (a transposed operand, as in weight gradients): each lane reads
  // its R rows at one k as R/4 aligned vec4s instead of R scalars R strides apart.
  const aVecM = s.a.kind === 'strided' && s.a.mode === 'vecM';
  const aCs = s.a.kind === 'strided' ? `pi(${at.a! + 2}u)` : '0';
  const loadA = aVecM
    ? Array.from({ length: R / 4 }, (_, q) => {
        const m = `m0 + ${4 * q}u`;
        return `{ let v = select(vec4<f32>(0.0), X[u32(aBase + i32(min(${m}, dimM - 4u)) + i32(min(k0 + lane, kEnd - 1u)) * ${aCs}) / 4u], ${m} < dimM && k0 + lane < kEnd);
      a[${4 * q}] = ${AT}(v.x); a[${4 * q + 1}] = ${AT}(v.y); a[${4 * q + 2}] = ${AT}(v.z); a[${4 * q + 3}] = ${AT}(v.w); }`;
      }).join('\n    ')
    : Array.from({ length: R }, (_, r) => `a[${r}] = ${AT}(loadA(zb, m0 + ${r}u, k0 + lane));`).join(
        '\n    ',
      );
  const store = vecStore
    ? `if (n < dimN) {
    for (var r = 0u; r < ${R}u; r++) {
      let m = m0 + r;
      if (m < dimM) { O[u32(oBase + i32(m * dimN + n)) / 4u] = acc[r]; }
    }
  }`
    : `for (var r = 0u; r < ${R}u; r++) {
    let m = m0 + r;
    if (m >= dimM) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (n + j < dimN) { storeC(zb, m, n + j, acc[r][j]); }
    }
  }`;
  return `enable subgroups;${h ? '\nenable f16;' : ''}
${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: ${vecStore ? 'array<vec4<f32>>' : 'array<f32>'};
@group(0) @binding(2) var<storage, read> X: ${aVecM ? 'array<vec4<f32>>' : 'array<f32>'};
@group(0) @binding(3) var<storage, read> Y: ${bVec ? 'array<vec4<f32>>' : 'array<f32>'};
${GEMM_PRIVATES_WGSL}
${aVecM ? '' : parts.loaderA}
${bVec ? '' : parts.loaderB}
${vecStore ? '' : parts.storeFn}
@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(subgroup_invocation_id) lane: u32) {
  ${gemmParamsWgsl(d)}
  ${parts.prologue}
  // x walks the row blocks: consecutive workgroups share one panel of B columns (cache reuse).
  let m0 = wid.x * ${R}u;
  let n = wid.y * ${4 * lanes}u + li * 4u;
  let nOk = n < dimN;
  let nc = min(n, dimN - 4u);
  let kLast4 = kEnd - 4u;
  ${b.kind === 'custom' && b.setup ? `{ let ncol = n; ${parts.setupB ?? ''} }` : ''}
  var acc: array<vec4<f32>, ${R}>;
  for (var k0 = kBegin; k0 < kStop; k0 += ${S}u) {
    var a: array<${AT}, ${R}>;
    ${loadA}
    ${kLoop}
  }
  ${store}
}`;
}
