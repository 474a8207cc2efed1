/** Side of an MNIST image, and of the box the digit is scaled into (as in the original data). */
export const SIDE = 28;
export const BOX = 20;

/**
 * Turns a drawing (grey levels in [0, 1], `width` x `height`, row-major, ink = high values) into
 * an MNIST-like 28x28 image, the way MNIST was made: crop to the bounding box of the ink, scale
 * it (keeping the aspect ratio, area-averaged) so its longer side is 20 pixels, and place it so
 * that its centre of mass is at the centre of the 28x28 image. Returns null for an empty drawing.
 */
export function toMnist(
  ink: Float32Array,
  width: number,
  height: number,
  threshold = 0.05,
): Float32Array | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = BOX / Math.max(w, h);
  const tw = Math.max(1, Math.round(w * scale));
  const th = Math.max(1, Math.round(h * scale));
  const small = resizeArea(ink, width, x0, y0, w, h, tw, th);

  // MNIST digits reach full intensity: stretch so the darkest ink is 1.
  let peak = 0;
  for (const v of small) if (v > peak) peak = v;
  for (let i = 0; i < small.length; i++) small[i] = small[i]! / peak;

  // Centre of mass of the scaled digit.
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x]!;
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  cx /= mass;
  cy /= mass;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const ox = clamp(Math.round(SIDE / 2 - cx), 0, SIDE - tw);
  const oy = clamp(Math.round(SIDE / 2 - cy), 0, SIDE - th);
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(oy + y) * SIDE + ox + x] = small[y * tw + x]!;
  }
  return out;
}

/**
 * Area-averaging resize of the crop (x0, y0, w, h) of a row-major image with `stride` columns to
 * tw x th: each output pixel is the mean of the source area it covers (partial pixels weighted).
 */
export function resizeArea(
  src: Float32Array,
  stride: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  tw: number,
  th: number,
): Float32Array {
  const out = new Float32Array(tw * th);
  const sx = w / tw;
  const sy = h / th;
  for (let ty = 0; ty < th; ty++) {
    const a0 = ty * sy;
    const a1 = a0 + sy;
    for (let tx = 0; tx < tw; tx++) {
      const b0 = tx * sx;
      const b1 = b0 + sx;
      let sum = 0;
      for (let y = Math.floor(a0); y < Math.ceil(a1); y++) {
        const wy = Math.min(a1, y + 1) - Math.max(a0, y);
        for (let x = Math.floor(b0); x < Math.ceil(b1); x++) {
          const wx = Math.min(b1, x + 1) - Math.max(b0, x);
          sum += wy * wx * src[(y0 + y) * stride + x0 + x]!;
        }
      }
      out[ty * tw + tx] = sum / (sx * sy);
    }
  }
  return out;
}
