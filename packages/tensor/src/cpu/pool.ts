import type { Pool2dParams, View } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import { isPlainPool2x2, poolGeometry } from '../kit-geometry.js';
import { elementwiseKernels } from '../wasm/index.js';
import { arr } from './buffer.js';

// 2-D pooling kernels: one plane (image, channel) at a time, windows clipped to the input
// up front so the inner loops carry no bounds tests. Inputs are read strided; outputs are
// contiguous [N, C, OH, OW] (or [N, C, H, W] for the backward kernels).

/**
 * Clipped windows along one dim, computed once per call: output index o covers taps t in
 * [lo[o], hi[o]) (input position o*s - pad + t*d), and `span[o]` counts its taps inside the
 * padded extent (what countIncludePad divides by; ceil-mode windows may run past it).
 */
interface Windows {
  lo: Int32Array;
  hi: Int32Array;
  span: Int32Array;
}

function windows(out: number, s: number, pad: number, d: number, k: number, size: number): Windows {
  const lo = new Int32Array(out);
  const hi = new Int32Array(out);
  const span = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const start = o * s - pad;
    // tap t sits at start + t*d; inside the input when 0 <= start + t*d < size
    const a = start >= 0 ? 0 : Math.ceil(-start / d);
    const b = Math.min(k, Math.floor((size - 1 - start) / d) + 1);
    lo[o] = a;
    hi[o] = Math.max(a, b);
    span[o] = Math.max(0, Math.min(k, Math.floor((size + pad - 1 - start) / d) + 1));
  }
  return { lo, hi, span };
}

/** Max pooling; `indices` (int32) gets the flat h*W + w of each maximum (NaN wins, as in PyTorch). */
export function maxPool2d(out: View, indices: View | null, x: View, p: Pool2dParams): void {
  const { N, C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw } = poolGeometry(x.shape, out.shape, p);
  const [sN, sC, sH, sW] = x.strides as [number, number, number, number];
  const X = arr(x);
  const Y = arr(out);
  const I = indices === null ? null : arr(indices);
  if (isPlain2x2(p, sW, OH, OW, H, W)) {
    if (elementwiseKernels(N * C * H * W)?.maxPool2x2(out, indices, x, p)) return;
    maxPool2x2(N, C, OH, OW, W, X, x.offset, sN, sC, sH, Y, out.offset, I, indices?.offset ?? 0);
    return;
  }
  const rows = windows(OH, sh, ph, dh, KH, H);
  const cols = windows(OW, sw, pw, dw, KW, W);
  let o = out.offset;
  let io = indices === null ? 0 : indices.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * sN + c * sC;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = rows.lo[oh]!;
        const h1 = rows.hi[oh]!;
        const hs = oh * sh - ph;
        for (let ow = 0; ow < OW; ow++, o++, io++) {
          const w0 = cols.lo[ow]!;
          const w1 = cols.hi[ow]!;
          const ws = ow * sw - pw;
          let best = -Infinity;
          let arg = (hs + h0 * dh) * W + ws + w0 * dw;
          for (let i = h0; i < h1; i++) {
            const ih = hs + i * dh;
            let s = plane + ih * sH + (ws + w0 * dw) * sW;
            for (let j = w0; j < w1; j++, s += dw * sW) {
              const v = X[s]!;
              if (v > best || Number.isNaN(v)) {
                best = v;
                arg = ih * W + ws + j * dw;
              }
            }
          }
          Y[o] = best;
          if (I !== null) I[io] = arg;
        }
      }
    }
  }
}

/** The common 2x2 window, stride 2, no padding or dilation, over rows read with stride 1. */
function isPlain2x2(p: Pool2dParams, sW: number, OH: number, OW: number, H: number, W: number): boolean {
  return sW === 1 && isPlainPool2x2(p, OH, OW, H, W);
}

/**
 * maxPool2d for `isPlain2x2`: the same comparisons in the same order as the general loop (first
 * maximum wins, NaN wins), without branches. Which tap wins is data-dependent and unpredictable,
 * so each comparison yields a 0/1 that selects, by masking, the winner's offset (in `X` and in the
 * plane); the running maximum is reloaded from that offset. About 2.5x faster than branching.
 * Each window is a chain of dependent loads, so windows go two at a time (about 10% faster).
 */
function maxPool2x2(
  N: number,
  C: number,
  OH: number,
  OW: number,
  W: number,
  X: TypedArray,
  xo: number,
  sN: number,
  sC: number,
  sH: number,
  Y: TypedArray,
  o: number,
  I: TypedArray | null,
  io: number,
): void {
  const dx2 = sH;
  const dx3 = sH + 1;
  const da2 = W;
  const da3 = W + 1;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = xo + n * sN + c * sC;
      for (let oh = 0; oh < OH; oh++) {
        const r0 = plane + 2 * oh * sH;
        const f0 = 2 * oh * W;
        let ow = 0;
        let w = 0;
        for (; ow + 1 < OW; ow += 2, w += 4, o += 2, io += 2) {
          // Windows at p and q = p + 2; dx / da: the winning tap's offset from the window's first
          // element, in X / in the plane (ex / ea for q).
          const p = r0 + w;
          const q = p + 2;
          let dx = 0;
          let da = 0;
          let ex = 0;
          let ea = 0;
          let best = X[p]!;
          let v = X[p + 1]!;
          let bq = X[q]!;
          let u = X[q + 1]!;
          let m = -(+(v > best) | +Number.isNaN(v));
          let mq = -(+(u > bq) | +Number.isNaN(u));
          dx ^= (dx ^ 1) & m;
          da ^= (da ^ 1) & m;
          ex ^= (ex ^ 1) & mq;
          ea ^= (ea ^ 1) & mq;
          best = X[p + dx]!;
          v = X[p + dx2]!;
          bq = X[q + ex]!;
          u = X[q + dx2]!;
          m = -(+(v > best) | +Number.isNaN(v));
          mq = -(+(u > bq) | +Number.isNaN(u));
          dx ^= (dx ^ dx2) & m;
          da ^= (da ^ da2) & m;
          ex ^= (ex ^ dx2) & mq;
          ea ^= (ea ^ da2) & mq;
          best = X[p + dx]!;
          v = X[p + dx3]!;
          bq = X[q + ex]!;
          u = X[q + dx3]!;
          m = -(+(v > best) | +Number.isNaN(v));
          mq = -(+(u > bq) | +Number.isNaN(u));
          dx ^= (dx ^ dx3) & m;
          da ^= (da ^ da3) & m;
          ex ^= (ex ^ dx3) & mq;
          ea ^= (ea ^ da3) & mq;
          Y[o] = X[p + dx]!;
          Y[o + 1] = X[q + ex]!;
          if (I !== null) {
            I[io] = f0 + w + da;
            I[io + 1] = f0 + w + 2 + ea;
          }
        }
        if (ow < OW) {
          // An odd last window.
          const p = r0 + w;
          let dx = 0;
          let da = 0;
          let best = X[p]!;
          let v = X[p + 1]!;
          let m = -(+(v > best) | +Number.isNaN(v));
          dx ^= (dx ^ 1) & m;
          da ^= (da ^ 1) & m;
          best = X[p + dx]!;
          v = X[p + dx2]!;
          m = -(+(v > best) | +Number.isNaN(v));
          dx ^= (dx ^ dx2) & m;
          da ^= (da ^ da2) & m;
          best = X[p + dx]!;
          v = X[p + dx3]!;
          m = -(+(v > best) | +Number.isNaN(v));
          dx ^= (dx ^ dx3) & m;
          da ^= (da ^ da3) & m;
          Y[o] = X[p + dx]!;
          if (I !== null) I[io] = f0 + w + da;
          o++;
          io++;
        }
      }
    }
  }
}

/** out[n, c] (zero-filled by the caller) gets dy added at each saved flat index. */
export function maxPool2dBackward(out: View, dy: View, indices: View): void {
  const [N, C, OH, OW] = dy.shape as [number, number, number, number];
  const HW = out.shape[2]! * out.shape[3]!;
  if (elementwiseKernels(N * C * HW)?.maxPool2dBackward(out, dy, indices)) return;
  const [gN, gC, gH, gW] = dy.strides as [number, number, number, number];
  const [iN, iC, iH, iW] = indices.strides as [number, number, number, number];
  const G = arr(dy);
  const I = arr(indices);
  const Y = arr(out);
  let bad = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = out.offset + (n * C + c) * HW;
      for (let oh = 0; oh < OH; oh++) {
        let g = dy.offset + n * gN + c * gC + oh * gH;
        let i = indices.offset + n * iN + c * iC + oh * iH;
        for (let ow = 0; ow < OW; ow++, g += gW, i += iW) {
          const k = I[i]!;
          // An index outside its plane (not from maxPool2d) would land in another plane.
          if (k >= 0 && k < HW) Y[plane + k]! += G[g]!;
          else bad++;
        }
      }
    }
  }
  if (bad > 0) {
    throw new RangeError(
      `maxPool2dBackward: ${bad} of the indices lie outside [0, ${HW}), the input plane (H * W = ${out.shape[2]} * ${out.shape[3]})`,
    );
  }
}

/**
 * Divisor of window (oh, ow) as PyTorch computes it, generalised to dilation: divisorOverride,
 * else the taps inside the padded input (countIncludePad) or inside the input itself.
 */
function divisor(p: Pool2dParams, rows: Windows, cols: Windows, oh: number, ow: number): number {
  if (p.divisorOverride !== undefined) return p.divisorOverride;
  if (p.countIncludePad) return rows.span[oh]! * cols.span[ow]!;
  return (rows.hi[oh]! - rows.lo[oh]!) * (cols.hi[ow]! - cols.lo[ow]!);
}

/** Average pooling (see `divisor` for what each window is divided by). */
export function avgPool2d(out: View, x: View, p: Pool2dParams): void {
  const { N, C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw } = poolGeometry(x.shape, out.shape, p);
  const [sN, sC, sH, sW] = x.strides as [number, number, number, number];
  const X = arr(x);
  const Y = arr(out);
  const rows = windows(OH, sh, ph, dh, KH, H);
  const cols = windows(OW, sw, pw, dw, KW, W);
  let o = out.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * sN + c * sC;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = rows.lo[oh]!;
        const h1 = rows.hi[oh]!;
        const hs = oh * sh - ph;
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = cols.lo[ow]!;
          const w1 = cols.hi[ow]!;
          const ws = ow * sw - pw;
          let sum = 0;
          for (let i = h0; i < h1; i++) {
            let s = plane + (hs + i * dh) * sH + (ws + w0 * dw) * sW;
            for (let j = w0; j < w1; j++, s += dw * sW) sum += X[s]!;
          }
          Y[o] = sum / divisor(p, rows, cols, oh, ow);
        }
      }
    }
  }
}

/** Gradient of avgPool2d: every input element gets dy / divisor of each window covering it. */
export function avgPool2dBackward(out: View, dy: View, p: Pool2dParams): void {
  // The input gradient is `out`, dy plays the pooled output (see poolGeometry).
  const { N, C, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw } = poolGeometry(out.shape, dy.shape, p);
  const [gN, gC, gH, gW] = dy.strides as [number, number, number, number];
  const G = arr(dy);
  const Y = arr(out);
  Y.fill(0, out.offset, out.offset + N * C * H * W);
  const rows = windows(OH, sh, ph, dh, KH, H);
  const cols = windows(OW, sw, pw, dw, KW, W);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = out.offset + (n * C + c) * H * W;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = rows.lo[oh]!;
        const h1 = rows.hi[oh]!;
        const hs = oh * sh - ph;
        for (let ow = 0; ow < OW; ow++) {
          const w0 = cols.lo[ow]!;
          const w1 = cols.hi[ow]!;
          const ws = ow * sw - pw;
          const g = G[dy.offset + n * gN + c * gC + oh * gH + ow * gW]! / divisor(p, rows, cols, oh, ow);
          for (let i = h0; i < h1; i++) {
            let t = plane + (hs + i * dh) * W + ws + w0 * dw;
            for (let j = w0; j < w1; j++, t += dw) Y[t]! += g;
          }
        }
      }
    }
  }
}
