import type { Conv2dParams, View } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { convGeometry, isPointwiseConv as isPointwise } from '../kit-geometry.js';
import { MIN_CONV_WORK, wasmKernels } from '../wasm/index.js';
import { arr } from './buffer.js';
import {
  chunkSize,
  col2imBlock,
  colsBuffer,
  flatten4,
  type Geometry,
  im2colBlock,
  weightMatrix,
} from './conv-columns.js';
import { gemm } from './matmul.js';

// 2-D convolution on the CPU as im2col + the packed gemm of matmul.ts, per image and group, in
// chunks of output positions so the column buffer stays bounded. 1x1 convolutions with stride 1
// and no padding skip im2col and multiply the input in place. All operands are read strided.

// im2col/col2im are backend primitives of their own.
export { col2im, im2col } from './conv-columns.js';

let planeScratch = new Float64Array(1024);

/**
 * Depthwise convolution (one input channel per group): each output plane is a sum of KH*KW
 * shifted, scaled rows of its input plane, accumulated in double precision. Avoids im2col,
 * which would turn every group into a skinny matrix-vector product.
 */
function depthwise(
  Y: TypedArray,
  yo: number,
  X: TypedArray,
  xo: number,
  sN: number,
  sC: number,
  sH: number,
  sW: number,
  w: View,
  g: Geometry,
): void {
  const Wt = arr(w);
  const [w0, , w2, w3] = w.strides as [number, number, number, number];
  const { N, H, W, KH, KW, OH, OW, sh, sw, pt, pl, dh, dw, O, Og, L } = g;
  if (planeScratch.length < L) planeScratch = new Float64Array(L);
  const acc = planeScratch;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const xp = xo + n * sN + ((o / Og) | 0) * sC;
      acc.fill(0, 0, L);
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const wv = Wt[w.offset + o * w0 + kh * w2 + kw * w3]!;
          const off = kw * dw - pl; // iw = ow*sw + off
          const lo = Math.max(0, Math.ceil(-off / sw));
          const hi = Math.min(OW, Math.floor((W - 1 - off) / sw) + 1);
          if (lo >= hi) continue;
          const step = sw * sW;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh - pt + kh * dh;
            if (ih < 0 || ih >= H) continue;
            let src = xp + ih * sH + (lo * sw + off) * sW;
            const end = oh * OW + hi;
            for (let d = oh * OW + lo; d < end; d++, src += step) acc[d]! += wv * X[src]!;
          }
        }
      }
      const yp = yo + (n * O + o) * L;
      for (let i = 0; i < L; i++) Y[yp + i] = acc[i]!;
    }
  }
}

/** x [N, C, H, W] * w [O, C/groups, KH, KW] → out [N, O, OH, OW] (contiguous, fully written). */
export function conv2d(out: View, x: View, w: View, p: Conv2dParams): void {
  if (wasmKernels(convWork(out, w.shape), MIN_CONV_WORK)?.conv2d(out, x, w, p)) return;
  const g = convGeometry(x.shape, w.shape, out.shape, p);
  const Y = arr(out);
  const wm = weightMatrix(w);
  const [sN, sC, sH, sW] = x.strides as [number, number, number, number];
  const X = arr(x);
  if (g.Cg === 1 && g.G > 1) {
    depthwise(Y, out.offset, X, x.offset, sN, sC, sH, sW, w, g);
    return;
  }
  if (isPointwise(g)) {
    const xf = flatten4(x);
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.G; gr++) {
        gemm(
          g.Og,
          g.L,
          g.Cg,
          wm.data,
          wm.offset + gr * g.Og * wm.rs,
          wm.rs,
          wm.cs,
          xf.data,
          xf.offset + n * xf.s0 + gr * g.Cg * xf.s1,
          xf.s1,
          xf.sl,
          Y,
          out.offset + (n * g.O + gr * g.Og) * g.L,
          g.L,
          false,
        );
      }
    }
    return;
  }
  const lc = chunkSize(g);
  const cols = colsBuffer(g.Ck * lc);
  for (let n = 0; n < g.N; n++) {
    for (let gr = 0; gr < g.G; gr++) {
      const xo = x.offset + n * sN + gr * g.Cg * sC;
      for (let l0 = 0; l0 < g.L; l0 += lc) {
        const l1 = Math.min(g.L, l0 + lc);
        const width = l1 - l0;
        im2colBlock(cols, 0, width, X, xo, sC, sH, sW, g, l0, l1);
        gemm(
          g.Og,
          width,
          g.Ck,
          wm.data,
          wm.offset + gr * g.Og * wm.rs,
          wm.rs,
          wm.cs,
          cols,
          0,
          width,
          1,
          Y,
          out.offset + (n * g.O + gr * g.Og) * g.L + l0,
          g.L,
          false,
        );
      }
    }
  }
}

/** dx [N, C, H, W] (contiguous, fully written) of conv2d from dy [N, O, OH, OW] and w. */
export function conv2dBackwardInput(out: View, dy: View, w: View, p: Conv2dParams): void {
  if (wasmKernels(convWork(dy, w.shape), MIN_CONV_WORK)?.conv2dBackwardInput(out, dy, w, p)) return;
  const g = convGeometry(out.shape, w.shape, dy.shape, p);
  const DX = arr(out);
  const planes = g.H * g.W;
  DX.fill(0, out.offset, out.offset + g.N * g.C * planes);
  const wm = weightMatrix(w);
  const dyf = flatten4(dy);
  if (isPointwise(g)) {
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.G; gr++) {
        // dx[n, group] [Cg, L] = W_g^T [Cg, Og] @ dy[n, group] [Og, L]
        gemm(
          g.Cg,
          g.L,
          g.Og,
          wm.data,
          wm.offset + gr * g.Og * wm.rs,
          wm.cs,
          wm.rs,
          dyf.data,
          dyf.offset + n * dyf.s0 + gr * g.Og * dyf.s1,
          dyf.s1,
          dyf.sl,
          DX,
          out.offset + (n * g.C + gr * g.Cg) * planes,
          planes,
          false,
        );
      }
    }
    return;
  }
  const lc = chunkSize(g);
  const cols = colsBuffer(g.Ck * lc);
  for (let n = 0; n < g.N; n++) {
    for (let gr = 0; gr < g.G; gr++) {
      const xo = out.offset + (n * g.C + gr * g.Cg) * planes;
      for (let l0 = 0; l0 < g.L; l0 += lc) {
        const l1 = Math.min(g.L, l0 + lc);
        const width = l1 - l0;
        // cols [Ck, width] = W_g^T [Ck, Og] @ dy[n, group][:, l0:l1]
        gemm(
          g.Ck,
          width,
          g.Og,
          wm.data,
          wm.offset + gr * g.Og * wm.rs,
          wm.cs,
          wm.rs,
          dyf.data,
          dyf.offset + n * dyf.s0 + gr * g.Og * dyf.s1 + l0 * dyf.sl,
          dyf.s1,
          dyf.sl,
          cols,
          0,
          width,
          false,
        );
        col2imBlock(cols, 0, width, 1, DX, xo, planes, g.W, 1, g, l0, l1);
      }
    }
  }
}

/** dw [O, C/groups, KH, KW] (contiguous, fully written) of conv2d from x and dy. */
export function conv2dBackwardWeight(out: View, x: View, dy: View, p: Conv2dParams): void {
  if (wasmKernels(convWork(dy, out.shape), MIN_CONV_WORK)?.conv2dBackwardWeight(out, x, dy, p)) return;
  const g = convGeometry(x.shape, out.shape, dy.shape, p);
  const DW = arr(out);
  DW.fill(0, out.offset, out.offset + g.O * g.Ck);
  const dyf = flatten4(dy);
  const X = arr(x);
  const [sN, sC, sH, sW] = x.strides as [number, number, number, number];
  if (isPointwise(g)) {
    const xf = flatten4(x);
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.G; gr++) {
        // dw_g [Og, Cg] += dy[n, group] [Og, L] @ x[n, group]^T [L, Cg]
        gemm(
          g.Og,
          g.Cg,
          g.L,
          dyf.data,
          dyf.offset + n * dyf.s0 + gr * g.Og * dyf.s1,
          dyf.s1,
          dyf.sl,
          xf.data,
          xf.offset + n * xf.s0 + gr * g.Cg * xf.s1,
          xf.sl,
          xf.s1,
          DW,
          out.offset + gr * g.Og * g.Ck,
          g.Ck,
          true,
        );
      }
    }
    return;
  }
  const lc = chunkSize(g);
  const cols = colsBuffer(g.Ck * lc);
  for (let n = 0; n < g.N; n++) {
    for (let gr = 0; gr < g.G; gr++) {
      const xo = x.offset + n * sN + gr * g.Cg * sC;
      for (let l0 = 0; l0 < g.L; l0 += lc) {
        const l1 = Math.min(g.L, l0 + lc);
        const width = l1 - l0;
        im2colBlock(cols, 0, width, X, xo, sC, sH, sW, g, l0, l1);
        // dw_g [Og, Ck] += dy[n, group][:, l0:l1] [Og, width] @ cols^T [width, Ck]
        gemm(
          g.Og,
          g.Ck,
          width,
          dyf.data,
          dyf.offset + n * dyf.s0 + gr * g.Og * dyf.s1 + l0 * dyf.sl,
          dyf.s1,
          dyf.sl,
          cols,
          0,
          1,
          width,
          DW,
          out.offset + gr * g.Og * g.Ck,
          g.Ck,
          true,
        );
      }
    }
  }
}
/** Multiply-adds of a convolution whose output is `y` [N, O, OH, OW], weights [O, C/groups, KH, KW]. */
function convWork(y: View, w: readonly number[]): number {
  let n = w[1]! * w[2]! * w[3]!;
  for (const s of y.shape) n *= s;
  return n;
}
