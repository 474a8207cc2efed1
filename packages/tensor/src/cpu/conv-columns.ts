import type { Conv2dParams, View } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { type ConvGeometry, convGeometry, convOutputSize } from '../kit-geometry.js';
import { arr } from './buffer.js';

// The column machinery of conv.ts: a convolution's geometry, its operands as matrices, and
// im2col/col2im over blocks of output positions (the scratch they fill stays bounded).

/** Most elements of the im2col scratch buffer (chunks of output positions are sized to fit). */
const COLS_BUDGET = 1 << 20;

let colsScratch = new Float64Array(4096);

/** The shared im2col scratch, grown to at least `size` elements (calls never nest). */
export function colsBuffer(size: number): Float64Array {
  if (colsScratch.length < size) colsScratch = new Float64Array(size);
  return colsScratch;
}

/** Everything the loops need about one convolution (the backend kit's conv geometry). */
export type Geometry = ConvGeometry;

/** A 4-D operand as a matrix per (image, channel): dims 2 and 3 flattened with one stride. */
export interface Flat {
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
export function flatten4(v: View): Flat {
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
export function weightMatrix(w: View): { data: TypedArray; offset: number; rs: number; cs: number } {
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

/** Output positions per chunk so that Ck rows of that many columns fit the scratch budget. */
export function chunkSize(g: Geometry): number {
  return Math.max(1, Math.min(g.L, Math.floor(COLS_BUDGET / Math.max(1, g.Ck))));
}

/**
 * im2col of one image and channel group, for output positions [l0, l1): row r = (c*KH + kh)*KW + kw
 * of `dst` (at dOff + r*ldd, one element per position) gets x[c, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw]
 * (zero outside the image). `xo` addresses channel 0 of the group.
 */
export function im2colBlock(
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
export function col2imBlock(
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

/** im2col: x [N, C, H, W] → out [N, C*KH*KW, L] (contiguous; zero where the window leaves x). */
export function im2col(out: View, x: View, kernel: readonly [number, number], p: Conv2dParams): void {
  const [oh, ow] = convOutputSize(x.shape, kernel, p);
  const C = x.shape[1]!;
  const g = convGeometry(x.shape, [C, C, kernel[0], kernel[1]], [0, 0, oh, ow], { ...p, groups: 1 });
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
  const [oh, ow] = convOutputSize(out.shape, kernel, p);
  const g = convGeometry(out.shape, [C, C, kernel[0], kernel[1]], [0, 0, oh, ow], { ...p, groups: 1 });
  const Y = arr(out);
  Y.fill(0, out.offset, out.offset + N * C * H * W);
  const S = arr(cols);
  const [s0, s1, s2] = cols.strides as [number, number, number];
  for (let n = 0; n < N; n++) {
    col2imBlock(S, cols.offset + n * s0, s1, s2, Y, out.offset + n * C * H * W, H * W, W, 1, g, 0, g.L);
  }
}
