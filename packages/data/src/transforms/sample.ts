import { roundEven } from './image-util.js';

/** Pixel interpolation: 'nearest' or 'bilinear'. */
export type Interpolation = 'nearest' | 'bilinear';

/** Checks an interpolation name. */
export function checkInterpolation(op: string, v: unknown): Interpolation {
  if (v !== 'nearest' && v !== 'bilinear')
    throw new RangeError(`${op}: interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(v)}`);
  return v;
}

type Pixels = Float32Array | Float64Array;

/**
 * Resizes the region (top, left, ch, cw) of one plane (row length `w`, starting at `src0`) to
 * oh x ow at `dst0` of `out`. Bilinear uses PyTorch's align_corners=False mapping
 * (src = (dst + 0.5) * scale - 0.5, clamped at 0); nearest takes floor(dst * scale).
 */
export function resizeInto(
  src: Pixels,
  src0: number,
  w: number,
  top: number,
  left: number,
  ch: number,
  cw: number,
  out: Pixels,
  dst0: number,
  oh: number,
  ow: number,
  interp: Interpolation,
): void {
  const sy = ch / oh;
  const sx = cw / ow;
  if (interp === 'nearest') {
    for (let y = 0; y < oh; y++) {
      const yy = top + Math.min(Math.floor(y * sy), ch - 1);
      const row = src0 + yy * w + left;
      const o = dst0 + y * ow;
      for (let x = 0; x < ow; x++) out[o + x] = src[row + Math.min(Math.floor(x * sx), cw - 1)]!;
    }
    return;
  }
  const x0s = new Int32Array(ow);
  const x1s = new Int32Array(ow);
  const lxs = new Float64Array(ow);
  for (let x = 0; x < ow; x++) {
    const fx = Math.max(0, (x + 0.5) * sx - 0.5);
    const x0 = Math.min(Math.floor(fx), cw - 1);
    x0s[x] = left + x0;
    x1s[x] = left + Math.min(x0 + 1, cw - 1);
    lxs[x] = fx - x0;
  }
  for (let y = 0; y < oh; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), ch - 1);
    const y1 = Math.min(y0 + 1, ch - 1);
    const ly = fy - y0;
    const r0 = src0 + (top + y0) * w;
    const r1 = src0 + (top + y1) * w;
    const o = dst0 + y * ow;
    for (let x = 0; x < ow; x++) {
      const a = x0s[x]!;
      const b = x1s[x]!;
      const lx = lxs[x]!;
      const t = src[r0 + a]! + (src[r0 + b]! - src[r0 + a]!) * lx;
      const d = src[r1 + a]! + (src[r1 + b]! - src[r1 + a]!) * lx;
      out[o + x] = t + (d - t) * ly;
    }
  }
}

/**
 * Samples one h x w plane through an affine map: output pixel (x, y), taken relative to the
 * image centre ((w-1)/2, (h-1)/2), reads the source at centre + M (x, y) + (m[2], m[5]), where
 * M = [[m0, m1], [m3, m4]]. Outside the image reads `fill` (bilinear blends it in, as
 * torchvision does). Nearest rounds half to even like grid_sample.
 */
export function affineInto(
  src: Pixels,
  src0: number,
  h: number,
  w: number,
  m: readonly number[],
  out: Pixels,
  dst0: number,
  interp: Interpolation,
  fill: number,
): void {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    const yc = y - cy;
    const bx = m[1]! * yc + m[2]! + cx;
    const by = m[4]! * yc + m[5]! + cy;
    const o = dst0 + y * w;
    for (let x = 0; x < w; x++) {
      const xc = x - cx;
      const fx = m[0]! * xc + bx;
      const fy = m[3]! * xc + by;
      if (interp === 'nearest') {
        const ix = roundEven(fx);
        const iy = roundEven(fy);
        out[o + x] = ix >= 0 && ix < w && iy >= 0 && iy < h ? src[src0 + iy * w + ix]! : fill;
        continue;
      }
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const lx = fx - x0;
      const ly = fy - y0;
      const inX0 = x0 >= 0 && x0 < w;
      const inX1 = x0 + 1 >= 0 && x0 + 1 < w;
      const inY0 = y0 >= 0 && y0 < h;
      const inY1 = y0 + 1 >= 0 && y0 + 1 < h;
      const r0 = src0 + y0 * w;
      const r1 = r0 + w;
      const v00 = inY0 && inX0 ? src[r0 + x0]! : fill;
      const v01 = inY0 && inX1 ? src[r0 + x0 + 1]! : fill;
      const v10 = inY1 && inX0 ? src[r1 + x0]! : fill;
      const v11 = inY1 && inX1 ? src[r1 + x0 + 1]! : fill;
      const t = v00 + (v01 - v00) * lx;
      const d = v10 + (v11 - v10) * lx;
      out[o + x] = t + (d - t) * ly;
    }
  }
}

/**
 * torchvision's inverse affine matrix (2x3, row-major) for a rotation by `angle` degrees
 * counter-clockwise, translation (tx, ty) pixels, scale and shear (degrees, x and y), about the
 * image centre: maps output coordinates (relative to the centre) to input coordinates.
 */
export function inverseAffine(
  angle: number,
  tx: number,
  ty: number,
  scale: number,
  shearX: number,
  shearY: number,
): number[] {
  // torchvision's affine() takes clockwise angles; negate so positive is counter-clockwise, as rotate().
  const rot = (-angle * Math.PI) / 180;
  const sx = (shearX * Math.PI) / 180;
  const sy = (shearY * Math.PI) / 180;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d / scale, -b / scale, 0, -c / scale, a / scale, 0];
  m[2] = m[0]! * -tx + m[1]! * -ty;
  m[5] = m[3]! * -tx + m[4]! * -ty;
  return m;
}
