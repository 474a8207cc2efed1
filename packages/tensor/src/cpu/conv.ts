import type { Conv2dParams, View } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { wasmConv2d, wasmConv2dBackwardInput, wasmConv2dBackwardWeight } from '../wasm/conv.js';
import { arr } from './buffer.js';
import { gemm } from './matmul.js';

// 2-D convolution on the CPU as im2col + the packed gemm of matmul.ts, per image and group, in
// chunks of output positions so the column buffer stays bounded. 1x1 convolutions with stride 1
// and no padding skip im2col and multiply the input in place. All operands are read strided.

/** Most elements of the im2col scratch buffer (chunks of output positions are sized to fit). */
const COLS_BUDGET = 1 << 20;

let colsScratch = new Float64Array(4096);

function colsBuffer(size: number): Float64Array {
  if (colsScratch.length < size) colsScratch = new Float64Array(size);
  return colsScratch;
}

/** Everything the loops need about one convolution, derived once from shapes and params. */
interface Geometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  dh: number;
  dw: number;
  G: number;
  /** Input channels per group. */
  Cg: number;
  /** Output channels per group. */
  Og: number;
  /** Rows of a column matrix: Cg * KH * KW. */
  Ck: number;
  /** Output positions: OH * OW. */
  L: number;
}

function geometry(
  input: readonly number[],
  output: readonly number[],
  O: number,
  kh: number,
  kw: number,
  p: Conv2dParams,
): Geometry {
  const [N, C, H, W] = input as [number, number, number, number];
  const OH = output[2]!;
  const OW = output[3]!;
  const G = p.groups;
  const Cg = C / G;
  return {
    N,
    C,
    H,
    W,
    O,
    KH: kh,
    KW: kw,
    OH,
    OW,
    sh: p.stride[0],
    sw: p.stride[1],
    pt: p.padding[0],
    pl: p.padding[2],
    dh: p.dilation[0],
    dw: p.dilation[1],
    G,
    Cg,
    Og: O / G,
    Ck: Cg * kh * kw,
    L: OH * OW,
  };
}

/** A 4-D operand as a matrix per (image, channel): dims 2 and 3 flattened with one stride. */
interface Flat {
  data: TypedArray;
  offset: number;
  s0: number;
  s1: number;
  /** Stride between consecutive flattened spatial positions. */
  sl: number;
}

/**
 * Views a 4-D operand with its last two dims merged; copies it to a contiguous buffer when its
 * strides do not allow that (rare: e.g. a view transposed in its spatial dims).
 */
function flatten4(v: View): Flat {
  const [, , h, w] = v.shape as [number, number, number, number];
  const [s0, s1, s2, s3] = v.strides as [number, number, number, number];
  if (h === 1) return { data: arr(v), offset: v.offset, s0, s1, sl: s3 };
  if (w === 1) return { data: arr(v), offset: v.offset, s0, s1, sl: s2 };
  if (s2 === s3 * w) return { data: arr(v), offset: v.offset, s0, s1, sl: s3 };
  const [n, c] = v.shape as [number, number];
  const src = arr(v);
  const data = new Float64Array(n * c * h * w);
  let d = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0, s = v.offset + i * s0 + j * s1 + y * s2; x < w; x++, s += s3) data[d++] = src[s]!;
      }
    }
  }
  return { data, offset: 0, s0: c * h * w, s1: h * w, sl: 1 };
}

/** A weight [O, Cg, KH, KW] as an O x Ck matrix (copied when dims 1..3 do not merge). */
function weightMatrix(w: View): { data: TypedArray; offset: number; rs: number; cs: number } {
  const [o, c, kh, kw] = w.shape as [number, number, number, number];
  const [s0, s1, s2, s3] = w.strides as [number, number, number, number];
  // Merge dims 1..3 where consecutive; size-1 dims never break a merge.
  let cs = 0;
  let ok = true;
  let expect = -1;
  for (const [size, stride] of [
    [kw, s3],
    [kh, s2],
    [c, s1],
  ] as const) {
    if (size === 1) continue;
    if (expect < 0) {
      cs = stride;
      expect = stride * size;
    } else if (stride === expect) expect *= size;
    else ok = false;
  }
  if (ok) return { data: arr(w), offset: w.offset, rs: s0, cs: expect < 0 ? 1 : cs };
  const src = arr(w);
  const data = new Float64Array(o * c * kh * kw);
  let d = 0;
  for (let i = 0; i < o; i++) {
    for (let j = 0; j < c; j++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) data[d++] = src[w.offset + i * s0 + j * s1 + y * s2 + x * s3]!;
      }
    }
  }
  return { data, offset: 0, rs: c * kh * kw, cs: 1 };
}

/** True when the convolution is a plain per-position matrix product (1x1, stride 1, no padding). */
function isPointwise(g: Geometry): boolean {
  return (
    g.KH === 1 &&
    g.KW === 1 &&
    g.sh === 1 &&
    g.sw === 1 &&
    g.pt === 0 &&
    g.pl === 0 &&
    g.OH === g.H &&
    g.OW === g.W
  );
}

/** Output positions per chunk so that Ck rows of that many columns fit the scratch budget. */
function chunkSize(g: Geometry): number {
  return Math.max(1, Math.min(g.L, Math.floor(COLS_BUDGET / Math.max(1, g.Ck))));
}

/**
 * im2col of one image and channel group, for output positions [l0, l1): row r = (c*KH + kh)*KW + kw
 * of `dst` (at dOff + r*ldd, one element per position) gets x[c, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw]
 * (zero outside the image). `xo` addresses channel 0 of the group.
 */
function im2colBlock(
  dst: TypedArray,
  dOff: number,
  ldd: number,
  X: TypedArray,
  xo: number,
  sC: number,
  sH: number,
  sW: number,
  g: Geometry,
  l0: number,
  l1: number,
): void {
  const { H, W, KH, KW, OW, sh, sw, pt, pl, dh, dw, Cg } = g;
  let r = 0;
  for (let c = 0; c < Cg; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++, r++) {
        let d = dOff + r * ldd;
        const off = kw * dw - pl; // iw = ow*sw + off
        const lo0 = Math.ceil(-off / sw);
        const hi0 = Math.floor((W - 1 - off) / sw) + 1;
        for (let l = l0; l < l1; ) {
          const oh = (l / OW) | 0;
          const owStart = l - oh * OW;
          const owEnd = Math.min(OW, owStart + (l1 - l));
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) {
            dst.fill(0, d, d + owEnd - owStart);
            d += owEnd - owStart;
          } else {
            const base = xo + c * sC + ih * sH;
            const lo = Math.min(owEnd, Math.max(owStart, lo0));
            const hi = Math.max(lo, Math.min(owEnd, hi0));
            let j = owStart;
            for (; j < lo; j++) dst[d++] = 0;
            for (let s = base + (j * sw + off) * sW, step = sw * sW; j < hi; j++, s += step) dst[d++] = X[s]!;
            for (; j < owEnd; j++) dst[d++] = 0;
          }
          l += owEnd - owStart;
        }
      }
    }
  }
}

/**
 * col2im of one image and channel group (the adjoint of im2colBlock): adds column element
 * (r, l) of `src` (at sOff + r*rs + (l - l0)*cs) into the input position it was taken from.
 */
function col2imBlock(
  src: TypedArray,
  sOff: number,
  rs: number,
  cs: number,
  X: TypedArray,
  xo: number,
  sC: number,
  sH: number,
  sW: number,
  g: Geometry,
  l0: number,
  l1: number,
): void {
  const { H, W, KH, KW, OW, sh, sw, pt, pl, dh, dw, Cg } = g;
  let r = 0;
  for (let c = 0; c < Cg; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++, r++) {
        let s = sOff + r * rs;
        const off = kw * dw - pl;
        const lo0 = Math.ceil(-off / sw);
        const hi0 = Math.floor((W - 1 - off) / sw) + 1;
        for (let l = l0; l < l1; ) {
          const oh = (l / OW) | 0;
          const owStart = l - oh * OW;
          const owEnd = Math.min(OW, owStart + (l1 - l));
          const ih = oh * sh - pt + kh * dh;
          if (ih >= 0 && ih < H) {
            const base = xo + c * sC + ih * sH;
            const lo = Math.min(owEnd, Math.max(owStart, lo0));
            const hi = Math.max(lo, Math.min(owEnd, hi0));
            let ps = s + (lo - owStart) * cs;
            for (let j = lo, t = base + (j * sw + off) * sW, step = sw * sW; j < hi; j++, t += step, ps += cs)
              X[t]! += src[ps]!;
          }
          s += (owEnd - owStart) * cs;
          l += owEnd - owStart;
        }
      }
    }
  }
}

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
  if (wasmConv2d(out, x, w, p)) return;
  const g = geometry(x.shape, out.shape, w.shape[0]!, w.shape[2]!, w.shape[3]!, p);
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
  if (wasmConv2dBackwardInput(out, dy, w, p)) return;
  const g = geometry(out.shape, dy.shape, w.shape[0]!, w.shape[2]!, w.shape[3]!, p);
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
  if (wasmConv2dBackwardWeight(out, x, dy, p)) return;
  const g = geometry(x.shape, dy.shape, out.shape[0]!, out.shape[2]!, out.shape[3]!, p);
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

/** im2col: x [N, C, H, W] → out [N, C*KH*KW, L] (contiguous; zero where the window leaves x). */
export function im2col(out: View, x: View, kernel: readonly [number, number], p: Conv2dParams): void {
  const oh =
    (x.shape[2]! + p.padding[0] + p.padding[1] - p.dilation[0] * (kernel[0] - 1) - 1) / p.stride[0] + 1;
  const ow =
    (x.shape[3]! + p.padding[2] + p.padding[3] - p.dilation[1] * (kernel[1] - 1) - 1) / p.stride[1] + 1;
  const C = x.shape[1]!;
  const g = geometry(x.shape, [0, 0, Math.floor(oh), Math.floor(ow)], C, kernel[0], kernel[1], {
    ...p,
    groups: 1,
  });
  const Y = arr(out);
  const X = arr(x);
  const [sN, sC, sH, sW] = x.strides as [number, number, number, number];
  for (let n = 0; n < g.N; n++) {
    im2colBlock(Y, out.offset + n * g.Ck * g.L, g.L, X, x.offset + n * sN, sC, sH, sW, g, 0, g.L);
  }
}

/** col2im: cols [N, C*KH*KW, L] → out [N, C, H, W] (contiguous, fully written; overlaps summed). */
export function col2im(out: View, cols: View, kernel: readonly [number, number], p: Conv2dParams): void {
  const [N, C, H, W] = out.shape as [number, number, number, number];
  const oh =
    Math.floor((H + p.padding[0] + p.padding[1] - p.dilation[0] * (kernel[0] - 1) - 1) / p.stride[0]) + 1;
  const ow =
    Math.floor((W + p.padding[2] + p.padding[3] - p.dilation[1] * (kernel[1] - 1) - 1) / p.stride[1]) + 1;
  const g = geometry(out.shape, [0, 0, oh, ow], C, kernel[0], kernel[1], { ...p, groups: 1 });
  const Y = arr(out);
  Y.fill(0, out.offset, out.offset + N * C * H * W);
  const S = arr(cols);
  const [s0, s1, s2] = cols.strides as [number, number, number];
  for (let n = 0; n < N; n++) {
    col2imBlock(S, cols.offset + n * s0, s1, s2, Y, out.offset + n * C * H * W, H * W, W, 1, g, 0, g.L);
  }
}
