import type { Conv2dParams, View } from '../backend.js';
import { type ConvGeometry, convGeometry, isPointwiseConv } from '../kit-geometry.js';
import {
  backwardInputGeometry,
  convJobFields,
  directBackwardInput,
  directBackwardWeight,
  directConvFits,
  directForward,
  directWgradFits,
} from './direct.js';
import { WasmOutOfMemory } from './heap.js';
import { LAYOUT } from './layout.generated.js';
import { blockWidth } from './matmul.js';
import { activeRuntime, type Runtime } from './runtime.js';
import { forcedWasm } from './settings.js';
import {
  spaceToDepthBackwardInput,
  spaceToDepthForward,
  spaceToDepthGeometry,
  spaceToDepthInputGradientFits,
} from './space-to-depth.js';
import { stageContiguous, unstage } from './stage.js';
import { MIN_CONV_WORK } from './thresholds.js';

// float32 conv2d and its two gradients on the WebAssembly kernels. Most convolutions take the
// direct kernels (direct.ts: no column matrix; stride-2 ones with even kernels through their
// space-to-depth form, space-to-depth.ts); the rest (strided columns, 1x1 convolutions,
// windows too big for scratch) take im2col + packed gemm, see packages/tensor/kernels-wasm/conv.mjs,
// driven here. Operands are copied in as contiguous NCHW; weights are packed
// once on the calling thread; tasks split the work by image, group and block of output positions
// (forward), by image, group and block of input channels (input gradient: blocks own disjoint
// channels of dx), or by output tile and split of the batch (weight gradient: the partial sums of
// the S splits are added in a fixed order). Splits depend on shapes only, never on thread count.

const { MR, MC, NB, NR, KIND, FIELD, JOB_PTR, TILE_T_FLOATS } = LAYOUT;

/** Tasks a call is split into when its shape allows. */
const TARGET_TASKS = 8;

/** The backend kit's conv geometry, and whether it is a plain per-position matrix product. */
type Geometry = ConvGeometry & { pointwise: boolean };

/** The geometry of conv2d(x, w) -> out (also what the direct kernels read: a DirectGeometry). */
function geometry(
  input: readonly number[],
  output: readonly number[],
  wshape: readonly number[],
  p: Conv2dParams,
): Geometry {
  const g = convGeometry(input, wshape, output, p);
  return { ...g, pointwise: isPointwiseConv(g) };
}

/** Whether the WebAssembly kernels should take a convolution of `work` multiply-adds. */
function wanted(dtypes: View[], g: Geometry, work: number): boolean {
  if (dtypes.some((v) => v.dtype !== 'float32')) return false;
  if (g.N * g.C * g.H * g.W === 0 || g.O === 0 || g.L === 0 || g.Ck === 0) return false;
  if (forcedWasm()) return true;
  // Depthwise convolutions have a direct TypeScript kernel; im2col would make them matrix-vector products.
  return work >= MIN_CONV_WORK && !(g.Cg === 1 && g.G > 1);
}

function guarded(f: (rt: Runtime) => void): boolean {
  const rt = activeRuntime();
  if (rt === null) return false;
  try {
    f(rt);
    return true;
  } catch (e) {
    if (e instanceof WasmOutOfMemory) return false;
    throw e;
  }
}

/** Writes the fields of an im2col conv job. */
function convJob(rt: Runtime, kind: number, g: Geometry): Int32Array {
  const job = convJobFields(rt, kind, g);
  job[FIELD.L] = g.L;
  job[FIELD.pointwise] = g.pointwise ? 1 : 0;
  return job;
}

/** y = conv2d(x, w) on the WebAssembly kernels; false when they do not take it. */
export function wasmConv2d(out: View, x: View, w: View, p: Conv2dParams): boolean {
  const g = geometry(x.shape, out.shape, w.shape, p);
  if (!wanted([out, x, w], g, g.N * g.O * g.L * g.Ck)) return false;
  if (!g.pointwise && directConvFits(g)) return guarded((rt) => directForward(rt, out, x, w, g));
  const sd = spaceToDepthGeometry(g);
  if (sd !== null) return guarded((rt) => spaceToDepthForward(rt, out, x, w, sd));
  return guarded((rt) => {
    const heap = rt.heap;
    rt.begin(2 * g.N * g.O * g.L * g.Ck);
    let copy = performance.now();
    const X = stageContiguous(heap, x).base;
    const Wt = stageContiguous(heap, w).base;
    copy = performance.now() - copy;
    const OgPad = Math.ceil(g.Og / MR) * MR;
    const wp = heap.alloc(g.G * OgPad * g.Ck * 4);
    const Y = heap.alloc(g.N * g.O * g.L * 4);
    for (let gr = 0; gr < g.G; gr++) {
      rt.packARows(Wt + gr * g.Og * g.Ck * 4, g.Ck, 1, 0, g.Og, g.Ck, OgPad, wp + gr * OgPad * g.Ck * 4);
    }
    const nb = blockWidth(g.L, g.N * g.G, TARGET_TASKS);
    const job = convJob(rt, KIND.CONV_FWD, g);
    job[FIELD.x] = X;
    job[FIELD.wp] = wp;
    job[FIELD.out] = Y;
    job[FIELD.wpStride] = OgPad;
    job[FIELD.cnb] = nb;
    job[FIELD.cjBlocks] = Math.ceil(g.L / nb);
    rt.dispatch(JOB_PTR, g.N * g.G * Math.ceil(g.L / nb));
    const t = performance.now();
    unstage(heap, Y, out, g.N * g.O * g.L);
    rt.end(copy + performance.now() - t);
  });
}

/** dx = conv2dBackwardInput(dy, w) on the WebAssembly kernels; false when they do not take it. */
export function wasmConv2dBackwardInput(out: View, dy: View, w: View, p: Conv2dParams): boolean {
  const g = geometry(out.shape, dy.shape, w.shape, p);
  if (!wanted([out, dy, w], g, g.N * g.O * g.L * g.Ck)) return false;
  const dg = g.pointwise ? null : backwardInputGeometry(out, dy, w, p);
  if (dg !== null) return guarded((rt) => directBackwardInput(rt, out, dy, w, dg));
  const sd = spaceToDepthGeometry(g);
  if (sd !== null && spaceToDepthInputGradientFits(sd)) {
    return guarded((rt) => spaceToDepthBackwardInput(rt, out, dy, w, sd));
  }
  const KK = g.KH * g.KW;
  // Channels per task: their rows of the column matrix (cbC * KK) times a block of positions must
  // fit the output tile in scratch (pointwise convolutions write dx directly).
  if (!g.pointwise && KK > TILE_T_FLOATS / NR) return false;
  let cbC = Math.max(1, Math.min(g.Cg, Math.floor(256 / KK)));
  const blocksWanted = Math.ceil(TARGET_TASKS / (g.N * g.G));
  if (blocksWanted > 1) cbC = Math.max(1, Math.min(cbC, Math.ceil(g.Cg / blocksWanted)));
  const nCB = Math.ceil(g.Cg / cbC);
  const rowsPad = Math.ceil((cbC * KK) / MR) * MR;
  const nb = g.pointwise
    ? Math.min(NB, Math.ceil(g.L / NR) * NR)
    : Math.max(NR, Math.min(NB, Math.ceil(g.L / NR) * NR, Math.floor(TILE_T_FLOATS / (cbC * KK) / NR) * NR));
  return guarded((rt) => {
    const heap = rt.heap;
    rt.begin(2 * g.N * g.O * g.L * g.Ck);
    let copy = performance.now();
    const DY = stageContiguous(heap, dy).base;
    const Wt = stageContiguous(heap, w).base;
    copy = performance.now() - copy;
    const blockFloats = rowsPad * g.Og;
    const wp = heap.alloc(g.G * nCB * blockFloats * 4);
    const DX = heap.alloc(g.N * g.C * g.H * g.W * 4);
    // W_g^T rows of each channel block, packed as the A operand: W^T(r, o) = W[g*Og + o, r].
    for (let gr = 0; gr < g.G; gr++) {
      for (let cb = 0; cb < nCB; cb++) {
        const c0 = cb * cbC;
        const R = Math.min(cbC, g.Cg - c0) * KK;
        const src = Wt + (gr * g.Og * g.Ck + c0 * KK) * 4;
        const dst = wp + (gr * nCB + cb) * blockFloats * 4;
        rt.packARows(src, 1, g.Ck, 0, R, g.Og, Math.ceil(R / MR) * MR, dst);
      }
    }
    const job = convJob(rt, KIND.CONV_BWD_INPUT, g);
    job[FIELD.dy] = DY;
    job[FIELD.wp] = wp;
    job[FIELD.out] = DX;
    job[FIELD.wpStride] = blockFloats;
    job[FIELD.cbC] = cbC;
    job[FIELD.nCB] = nCB;
    job[FIELD.cnb] = nb;
    rt.dispatch(JOB_PTR, g.N * g.G * nCB);
    const t = performance.now();
    unstage(heap, DX, out, g.N * g.C * g.H * g.W);
    rt.end(copy + performance.now() - t);
  });
}

/** dw = conv2dBackwardWeight(x, dy) on the WebAssembly kernels; false when they do not take it. */
export function wasmConv2dBackwardWeight(out: View, x: View, dy: View, p: Conv2dParams): boolean {
  const g = geometry(x.shape, dy.shape, out.shape, p);
  if (!wanted([out, x, dy], g, g.N * g.O * g.L * g.Ck)) return false;
  if (!g.pointwise && directWgradFits(g)) return guarded((rt) => directBackwardWeight(rt, out, x, dy, g));
  const iBlocks = Math.ceil(g.Og / MC);
  const nb = blockWidth(g.Ck, g.G * iBlocks, TARGET_TASKS);
  const cjBlocks = Math.ceil(g.Ck / nb);
  const tiles = g.G * iBlocks * cjBlocks;
  const nPer = Math.ceil(g.N / Math.max(1, Math.min(g.N, Math.ceil(TARGET_TASKS / tiles))));
  const S = Math.ceil(g.N / nPer);
  return guarded((rt) => {
    const heap = rt.heap;
    rt.begin(2 * g.N * g.O * g.L * g.Ck);
    let copy = performance.now();
    const X = stageContiguous(heap, x).base;
    const DY = stageContiguous(heap, dy).base;
    copy = performance.now() - copy;
    const size = g.O * g.Ck;
    const parts = heap.alloc(S * size * 4);
    const job = convJob(rt, KIND.CONV_BWD_WEIGHT, g);
    job[FIELD.x] = X;
    job[FIELD.dy] = DY;
    job[FIELD.out] = parts;
    job[FIELD.S] = S;
    job[FIELD.nPer] = nPer;
    job[FIELD.iBlocks] = iBlocks;
    job[FIELD.cnb] = nb;
    job[FIELD.cjBlocks] = cjBlocks;
    rt.dispatch(JOB_PTR, tiles * S);
    for (let s = 1; s < S; s++) rt.addF32(parts, parts + s * size * 4, size);
    const t = performance.now();
    unstage(heap, parts, out, size);
    rt.end(copy + performance.now() - t);
  });
}
