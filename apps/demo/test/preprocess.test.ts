// The Digits page's drawing preprocessing (MNIST's recipe: bounding box, 20x20, centre of mass).
import { describe, expect, it } from 'vitest';
import { BOX, resizeArea, SIDE, toMnist } from '../src/digits/preprocess.js';

function canvas(size: number, ink: (x: number, y: number) => number): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = ink(x, y);
  return out;
}

function bounds(img: Float32Array): {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  cx: number;
  cy: number;
} {
  let [x0, x1, y0, y1, m, cx, cy] = [SIDE, -1, SIDE, -1, 0, 0, 0];
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = img[y * SIDE + x]!;
      if (v > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
      m += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  return { x0, x1, y0, y1, cx: cx / m, cy: cy / m };
}

describe('drawing to MNIST', () => {
  it('returns null for an empty drawing', () => {
    expect(toMnist(new Float32Array(100 * 100), 100, 100)).toBeNull();
  });

  it('scales the longer side of the ink to 20 pixels and centres its mass', () => {
    // A 40 x 160 bar in the top-left corner of a 280 x 280 canvas.
    const img = toMnist(
      canvas(280, (x, y) => (x >= 10 && x < 50 && y >= 5 && y < 165 ? 1 : 0)),
      280,
      280,
    )!;
    expect(img.length).toBe(SIDE * SIDE);
    const b = bounds(img);
    expect(b.y1 - b.y0 + 1).toBe(BOX);
    expect(b.x1 - b.x0 + 1).toBe(5);
    expect(Math.abs(b.cx - SIDE / 2)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(b.cy - SIDE / 2)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...img)).toBeCloseTo(1, 6);
  });

  it('averages areas when shrinking', () => {
    // 4x4 -> 2x2: each output pixel is the mean of a 2x2 block.
    const src = Float32Array.from([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(resizeArea(src, 4, 0, 0, 4, 4, 2, 2))).toEqual([1, 0, 0, 0.5]);
  });
});
