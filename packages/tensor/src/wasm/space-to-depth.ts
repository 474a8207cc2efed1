import type { View } from '../backend.js';
import type { ConvGeometry } from '../kit-geometry.js';
import {
  type DirectGeometry,
  directBackwardInputStaged,
  directConv,
  directConvFits,
  directInputGradientFits,
  inputGradientGeometry,
} from './direct.js';
import type { Runtime } from './runtime.js';
import { stageContiguous, unstage } from './stage.js';

// Stride-2 convolutions on the direct (stride-1) kernels, by space-to-depth: with the input padded
// and split into its four phases (even/odd rows x even/odd columns) as channels, s[(c, p, q), i, j]
// = x[c, 2i + p - pt, 2j + q - pl], a stride-2 KH x KW convolution is a stride-1 convolution of s
// with a KH/2 x KW/2 kernel ws[o, (c, p, q), a, b] = w[o, c, 2a + p, 2b + q], without padding. Its
// input gradient is the stride-1 input gradient mapped back through the same split. This is how
// DCGAN's 4x4 stride-2 convolutions and transposed convolutions (the input gradient of one) avoid
// the column matrix: the same arithmetic, about twice as fast.

/** A stride-2 convolution and the stride-1 convolution over its space-to-depth input. */
export interface SpaceToDepth {
  /** The original convolution. */
  orig: ConvGeometry;
  /** The stride-1 convolution of s [N, 4C, Hs, Ws] with ws [O, 4C, KH/2, KW/2], no padding. */
  g: DirectGeometry;
}

/**
 * The space-to-depth form of `o` when it is a stride-2, undilated, ungrouped convolution with an
 * even kernel, and the direct kernel can run its forward pass; null otherwise.
 */
export function spaceToDepthGeometry(o: ConvGeometry): SpaceToDepth | null {
  if (o.sh !== 2 || o.sw !== 2 || o.dh !== 1 || o.dw !== 1 || o.G !== 1) return null;
  if (o.KH % 2 !== 0 || o.KW % 2 !== 0) return null;
  const KH = o.KH / 2;
  const KW = o.KW / 2;
  const g: DirectGeometry = {
    N: o.N,
    C: 4 * o.C,
    Cg: 4 * o.C,
    H: o.OH + KH - 1,
    W: o.OW + KW - 1,
    O: o.O,
    Og: o.O,
    OH: o.OH,
    OW: o.OW,
    G: 1,
    KH,
    KW,
    sh: 1,
    sw: 1,
    dh: 1,
    dw: 1,
    pt: 0,
    pl: 0,
  };
  return directConvFits(g) ? { orig: o, g } : null;
}

/**
 * Whether `sd`'s input gradient takes the direct kernel: its 4C phase channels are dx's, so the
 * stride-1 rule applies to them, and the window must fit.
 */
export function spaceToDepthInputGradientFits(sd: SpaceToDepth): boolean {
  return directInputGradientFits(inputGradientGeometry(sd.g));
}

/** Writes s = the phases of padded x [N, C, H, W] into the arena; returns its address. */
function stagePhases(rt: Runtime, x: View, sd: SpaceToDepth): number {
  const { N, C, H, W, pt, pl } = sd.orig;
  const X = stageContiguous(rt.heap, x).base;
  const ptr = rt.heap.alloc(N * 4 * C * sd.g.H * sd.g.W * 4);
  rt.ew.phase_split(ptr, X, N * C, H, W, sd.g.H, sd.g.W, pt, pl);
  return ptr;
}

/** ws [O, 4C, KH/2, KW/2] from the staged w [O, C, KH, KW] at `w`; returns its address. */
function phaseWeights(rt: Runtime, w: number, sd: SpaceToDepth): number {
  const { O, C, KH, KW } = sd.orig;
  const KH2 = sd.g.KH;
  const KW2 = sd.g.KW;
  const ptr = rt.heap.alloc(O * 4 * C * KH2 * KW2 * 4);
  const f = rt.heap.f32;
  const src = w >> 2;
  let d = ptr >> 2;
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < 2; p++) {
        for (let q = 0; q < 2; q++) {
          for (let a = 0; a < KH2; a++) {
            for (let b = 0; b < KW2; b++) f[d++] = f[src + ((o * C + c) * KH + 2 * a + p) * KW + 2 * b + q]!;
          }
        }
      }
    }
  }
  return ptr;
}

/** y = conv2d(x, w) with stride 2 through its space-to-depth form (`sd` from spaceToDepthGeometry). */
export function spaceToDepthForward(rt: Runtime, out: View, x: View, w: View, sd: SpaceToDepth): void {
  const o = sd.orig;
  rt.begin(2 * o.N * o.O * o.L * o.Ck);
  let copy = performance.now();
  const S = stagePhases(rt, x, sd);
  const Wt = stageContiguous(rt.heap, w).base;
  copy = performance.now() - copy;
  const Y = directConv(rt, sd.g, S, phaseWeights(rt, Wt, sd));
  const t = performance.now();
  unstage(rt.heap, Y, out, o.N * o.O * o.L);
  rt.end(copy + performance.now() - t);
}

/**
 * dx [N, C, H, W] of a stride-2 conv2d from dy and w, through the space-to-depth form: the
 * stride-1 input gradient ds [N, 4C, Hs, Ws], each element of dx read from its phase (positions
 * the convolution never reads get 0).
 */
export function spaceToDepthBackwardInput(rt: Runtime, out: View, dy: View, w: View, sd: SpaceToDepth): void {
  const o = sd.orig;
  rt.begin(2 * o.N * o.O * o.L * o.Ck);
  let copy = performance.now();
  const DY = stageContiguous(rt.heap, dy).base;
  const Wt = stageContiguous(rt.heap, w).base;
  copy = performance.now() - copy;
  const DS = directBackwardInputStaged(rt, inputGradientGeometry(sd.g), DY, phaseWeights(rt, Wt, sd));
  const t = performance.now();
  const size = o.N * o.C * o.H * o.W;
  const DX = rt.heap.alloc(size * 4);
  rt.ew.phase_merge(DX, DS, o.N * o.C, o.H, o.W, sd.g.H, sd.g.W, o.pt, o.pl);
  unstage(rt.heap, DX, out, size);
  rt.end(copy + performance.now() - t);
}
