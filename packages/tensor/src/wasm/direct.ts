import type { Conv2dParams, View } from '../backend.js';
import { LAYOUT } from './layout.generated.js';
import type { Runtime } from './runtime.js';
import { stageContiguous, unstage } from './stage.js';

// Drivers of the direct (implicit-GEMM) convolution kernels, see packages/tensor/kernels-wasm/direct.mjs:
// each task pads the input rows it reads into a window in its scratch, and the micro-kernels read
// the window through per-tap offsets, so the KH*KW-times larger column matrix of im2col is never
// written. Used for the forward pass (unit column stride), the input gradient of stride-1
// convolutions (a forward pass over dy with flipped, transposed weights) and the weight gradient.

const { MR, KIND, FIELD, JOB_PTR, WIN_FLOATS, OFFS_ENTRIES } = LAYOUT;

/** Tasks a call is split into when its shape allows. */
const TARGET_TASKS = 8;
/** Floats of the weight-gradient B block (SCRATCH.B holds dy^T of one window). */
const B_FLOATS = 65536;

/** A convolution as the direct kernels see it: the input tensor, the output and the taps. */
export interface DirectGeometry {
  N: number;
  /** Input channels (all groups), per group, height and width. */
  C: number;
  Cg: number;
  H: number;
  W: number;
  /** Output channels (all groups), per group, height and width. */
  O: number;
  Og: number;
  OH: number;
  OW: number;
  G: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Zero rows above / columns left of the input (negative: rows / columns cropped). */
  pt: number;
  pl: number;
}

/** Input rows that `rows` output rows read. */
const windowRows = (g: DirectGeometry, rows: number) => (rows - 1) * g.sh + (g.KH - 1) * g.dh + 1;

/** Width of a window row: the input columns a whole output row reads. */
const windowWidth = (g: DirectGeometry) => (g.OW - 1) * g.sw + (g.KW - 1) * g.dw + 1;

/** Most output rows whose window fits the scratch (0: not even one). */
function maxRows(g: DirectGeometry, extra: (rows: number) => boolean = () => true): number {
  const Wp = windowWidth(g);
  let r = 0;
  // Slack after the window: tiles of two rows read one input row past a block's last row.
  while (r < g.OH && g.Cg * windowRows(g, r + 1) * Wp + (g.sh + 1) * Wp + 16 <= WIN_FLOATS && extra(r + 1))
    r++;
  return r;
}

/** Writes the fields every convolution job shares: kind, shapes, taps, strides and padding. */
export function convJobFields(rt: Runtime, kind: number, g: DirectGeometry): Int32Array {
  const job = rt.job();
  job.fill(0);
  job[FIELD.kind] = kind;
  job[FIELD.cN] = g.N;
  job[FIELD.cC] = g.C;
  job[FIELD.Cg] = g.Cg;
  job[FIELD.cH] = g.H;
  job[FIELD.cW] = g.W;
  job[FIELD.cO] = g.O;
  job[FIELD.Og] = g.Og;
  job[FIELD.OH] = g.OH;
  job[FIELD.OW] = g.OW;
  job[FIELD.G] = g.G;
  job[FIELD.KH] = g.KH;
  job[FIELD.KW] = g.KW;
  job[FIELD.Ck] = g.Cg * g.KH * g.KW;
  job[FIELD.sh] = g.sh;
  job[FIELD.sw] = g.sw;
  job[FIELD.dh] = g.dh;
  job[FIELD.dw] = g.dw;
  job[FIELD.pt] = g.pt;
  job[FIELD.pl] = g.pl;
  return job;
}

/** Writes the fields of a direct job. */
function directJob(rt: Runtime, kind: number, g: DirectGeometry, rowsPer: number): Int32Array {
  const job = convJobFields(rt, kind, g);
  job[FIELD.Wp] = windowWidth(g);
  job[FIELD.winRows] = windowRows(g, rowsPer);
  job[FIELD.rowsPer] = rowsPer;
  return job;
}

/** Whether the direct forward kernel can run `g` (unit column stride, window and tap table fit). */
export function directConvFits(g: DirectGeometry): boolean {
  return g.sw === 1 && g.Cg * g.KH * g.KW <= OFFS_ENTRIES && maxRows(g) >= 1;
}

/**
 * out [N, O, OH, OW] = the convolution of `input` [N, C, H, W] with the weights at `weights` in
 * wasm memory, already laid out [O, Cg*KH*KW] (row o: taps (c, kh, kw) of output channel o).
 * Operands must be staged by the caller (rt.begin done); returns the output's address.
 */
export function directConv(rt: Runtime, g: DirectGeometry, input: number, weights: number): number {
  const heap = rt.heap;
  const Ck = g.Cg * g.KH * g.KW;
  const OgPad = Math.ceil(g.Og / MR) * MR;
  const wp = heap.alloc(g.G * OgPad * Ck * 4);
  for (let gr = 0; gr < g.G; gr++)
    rt.packA(weights + gr * g.Og * Ck * 4, Ck, 1, g.Og, Ck, wp + gr * OgPad * Ck * 4);
  const out = heap.alloc(g.N * g.O * g.OH * g.OW * 4);
  // Tiles of 8 columns of one output row, or of 4 columns of two rows when that wastes fewer lanes
  // (e.g. 10 columns: 16 lanes in two 8-wide tiles, 12 in three 4-wide ones).
  const used8 = g.OW / (Math.ceil(g.OW / 8) * 8);
  const used4x2 = (g.OW / (Math.ceil(g.OW / 4) * 4)) * (g.OH / (Math.ceil(g.OH / 2) * 2));
  const pairRows = g.OH > 1 && used4x2 > used8;
  const blocksWanted = Math.ceil(TARGET_TASKS / (g.N * g.G));
  let rowsPer = Math.max(1, Math.min(maxRows(g), Math.ceil(g.OH / blocksWanted)));
  if (pairRows && rowsPer > 1) rowsPer -= rowsPer % 2;
  const rBlocks = Math.ceil(g.OH / rowsPer);
  const job = directJob(rt, KIND.DIRECT_CONV, g, rowsPer);
  job[FIELD.pairRows] = pairRows ? 1 : 0;
  job[FIELD.x] = input;
  job[FIELD.wp] = wp;
  job[FIELD.out] = out;
  job[FIELD.wpStride] = OgPad;
  job[FIELD.rBlocks] = rBlocks;
  rt.dispatch(JOB_PTR, g.N * g.G * rBlocks);
  return out;
}

/** conv2d forward with the direct kernel: y = conv(x, w). */
export function directForward(rt: Runtime, out: View, x: View, w: View, g: DirectGeometry): void {
  rt.begin(2 * g.N * g.O * g.OH * g.OW * g.Cg * g.KH * g.KW);
  let copy = performance.now();
  const X = stageContiguous(rt.heap, x).base;
  const Wt = stageContiguous(rt.heap, w).base;
  copy = performance.now() - copy;
  const Y = directConv(rt, g, X, Wt);
  const t = performance.now();
  unstage(rt.heap, Y, out, g.N * g.O * g.OH * g.OW);
  rt.end(copy + performance.now() - t);
}

/**
 * Least input channels per group for which the direct kernel computes a convolution's input
 * gradient: with fewer, its 4-row tiles (of dx's channels) run largely empty and the im2col
 * kernels (col2im after a gemm over the output channels) are faster.
 */
const MIN_DIRECT_DGRAD_CHANNELS = 8;

/**
 * The input gradient of the stride-1 convolution `f` as a direct forward convolution over dy:
 * dx[c] = sum over (o, kh', kw') of dy padded by (dilation*(K-1) - padding) times
 * w[o, c, K-1-kh', K-1-kw'] (input and output roles swapped).
 */
export function inputGradientGeometry(f: DirectGeometry): DirectGeometry {
  return {
    ...f,
    C: f.O,
    Cg: f.Og,
    H: f.OH,
    W: f.OW,
    O: f.C,
    Og: f.Cg,
    OH: f.H,
    OW: f.W,
    pt: f.dh * (f.KH - 1) - f.pt,
    pl: f.dw * (f.KW - 1) - f.pl,
  };
}

/** Whether the direct kernel computes an input gradient `dg` (from inputGradientGeometry). */
export function directInputGradientFits(dg: DirectGeometry): boolean {
  return dg.Og >= MIN_DIRECT_DGRAD_CHANNELS && directConvFits(dg);
}

/** The direct input-gradient geometry of a stride-1 conv2d (dx, dy, w, p), or null when it does not fit. */
export function backwardInputGeometry(dx: View, dy: View, w: View, p: Conv2dParams): DirectGeometry | null {
  if (p.stride[0] !== 1 || p.stride[1] !== 1) return null;
  const [N, C, H, W] = dx.shape as [number, number, number, number];
  const [, O, OH, OW] = dy.shape as [number, number, number, number];
  const [, , KH, KW] = w.shape as [number, number, number, number];
  const G = p.groups;
  const forward: DirectGeometry = {
    N,
    C,
    Cg: C / G,
    H,
    W,
    O,
    Og: O / G,
    OH,
    OW,
    G,
    KH,
    KW,
    sh: 1,
    sw: 1,
    dh: p.dilation[0],
    dw: p.dilation[1],
    pt: p.padding[0],
    pl: p.padding[2],
  };
  const g = inputGradientGeometry(forward);
  return directInputGradientFits(g) ? g : null;
}

/** conv2dBackwardInput of a stride-1 convolution with the direct kernel (`g` from backwardInputGeometry). */
export function directBackwardInput(rt: Runtime, out: View, dy: View, w: View, g: DirectGeometry): void {
  const heap = rt.heap;
  rt.begin(2 * g.N * g.O * g.OH * g.OW * g.Cg * g.KH * g.KW);
  let copy = performance.now();
  const DY = stageContiguous(heap, dy).base;
  const Wsrc = stageContiguous(heap, w).base;
  copy = performance.now() - copy;
  const DX = directBackwardInputStaged(rt, g, DY, Wsrc);
  const t = performance.now();
  unstage(heap, DX, out, g.N * g.O * g.OH * g.OW);
  rt.end(copy + performance.now() - t);
}

/**
 * The input gradient of a stride-1 convolution on staged operands: dy at `DY` and the original
 * weights [O, C/G, KH, KW] at `Wsrc` (here O, C are the original convolution's); returns dx's address.
 */
export function directBackwardInputStaged(rt: Runtime, g: DirectGeometry, DY: number, Wsrc: number): number {
  const heap = rt.heap;
  // W'[g][c][(o, kh', kw')] = w[g*Og + o][c][KH-1-kh'][KW-1-kw'] (here Og, Cg are the original's).
  const KK = g.KH * g.KW;
  const origOg = g.Cg;
  const origCg = g.Og;
  const ck = origCg * KK;
  const Wflip = heap.alloc(g.G * origCg * origOg * KK * 4);
  const f = heap.f32;
  const src = Wsrc >> 2;
  let d = Wflip >> 2;
  for (let gr = 0; gr < g.G; gr++) {
    for (let c = 0; c < origCg; c++) {
      for (let o = 0; o < origOg; o++) {
        const base = src + (gr * origOg + o) * ck + c * KK + KK - 1;
        for (let k = 0; k < KK; k++) f[d++] = f[base - k]!;
      }
    }
  }
  return directConv(rt, g, DY, Wflip);
}

/** Whether the direct weight-gradient kernel can run `g`. */
export function directWgradFits(g: DirectGeometry): boolean {
  const og8 = Math.ceil(g.Og / 8) * 8;
  return g.Cg * g.KH * g.KW <= OFFS_ENTRIES && maxRows(g, (r) => og8 * r * g.OW <= B_FLOATS) >= 1;
}

/** conv2dBackwardWeight with the direct kernel: dw = sum over images and positions of dy x window. */
export function directBackwardWeight(rt: Runtime, out: View, x: View, dy: View, g: DirectGeometry): void {
  const heap = rt.heap;
  const Ck = g.Cg * g.KH * g.KW;
  rt.begin(2 * g.N * g.O * g.OH * g.OW * Ck);
  let copy = performance.now();
  const X = stageContiguous(heap, x).base;
  const DY = stageContiguous(heap, dy).base;
  copy = performance.now() - copy;
  const og8 = Math.ceil(g.Og / 8) * 8;
  const rowsPer = maxRows(g, (r) => og8 * r * g.OW <= B_FLOATS);
  const nPer = Math.ceil(g.N / Math.max(1, Math.min(g.N, Math.ceil(TARGET_TASKS / g.G))));
  const S = Math.ceil(g.N / nPer);
  const slivers = Math.ceil(Ck / 4);
  const rsBlocks0 = Math.max(1, Math.min(slivers, Math.ceil(TARGET_TASKS / (g.G * S))));
  const rsPer = Math.ceil(slivers / rsBlocks0);
  const rsBlocks = Math.ceil(slivers / rsPer);
  const parts = heap.alloc(S * g.G * Ck * g.Og * 4);
  const result = heap.alloc(g.O * Ck * 4);
  const job = directJob(rt, KIND.DIRECT_WGRAD, g, rowsPer);
  job[FIELD.x] = X;
  job[FIELD.dy] = DY;
  job[FIELD.out] = parts;
  job[FIELD.S] = S;
  job[FIELD.nPer] = nPer;
  job[FIELD.rsPer] = rsPer;
  job[FIELD.rsBlocks] = rsBlocks;
  rt.dispatch(JOB_PTR, g.G * S * rsBlocks);
  rt.wgradFinish(parts, S, g.G, Ck, g.Og, result);
  const t = performance.now();
  unstage(heap, result, out, g.O * Ck);
  rt.end(copy + performance.now() - t);
}
