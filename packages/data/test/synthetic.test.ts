import { Generator, manualSeed } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { circle, gaussian, moons, multiGaussian, plane, spiral, xor } from '../src/index.js';

const classifiers = { circle, xor, gaussian, spiral, moons };
const regressions = { plane, multiGaussian };

describe('synthetic 2-D datasets', () => {
  for (const [name, make] of Object.entries(classifiers)) {
    it(`${name}: shapes, balanced 0/1 labels, seeded`, () => {
      const { x, y } = make({ n: 200, noise: 0.1, seed: 3 });
      expect(x.shape).toEqual([200, 2]);
      expect(x.dtype).toBe('float32');
      expect(y.shape).toEqual([200]);
      expect(y.dtype).toBe('int32');
      const labels = Array.from(y.dataSync());
      expect(labels.every((l) => l === 0 || l === 1)).toBe(true);
      const ones = labels.filter((l) => l === 1).length;
      expect(ones).toBeGreaterThan(60);
      expect(ones).toBeLessThan(140);
      expect(make({ n: 200, noise: 0.1, seed: 3 }).x.arraySync()).toEqual(x.arraySync());
      expect(make({ n: 200, noise: 0.1, seed: 4 }).x.arraySync()).not.toEqual(x.arraySync());
      expect(make({ n: 200, noise: 0.1, generator: new Generator(3) }).y.arraySync()).toEqual(y.arraySync());
    });
  }

  for (const [name, make] of Object.entries(regressions)) {
    it(`${name}: float targets, seeded`, () => {
      const { x, y } = make({ n: 100, seed: 1 });
      expect(x.shape).toEqual([100, 2]);
      expect(y.dtype).toBe('float32');
      expect(y.shape).toEqual([100]);
      const xs = x.arraySync() as number[][];
      expect(xs.every(([a, b]) => Math.abs(a!) <= 6 && Math.abs(b!) <= 6)).toBe(true);
      expect(make({ n: 100, seed: 1 }).y.arraySync()).toEqual(y.arraySync());
    });
  }

  it('labels follow the geometry without noise', () => {
    const c = circle({ n: 300, seed: 0 });
    const cx = c.x.arraySync() as number[][];
    const cy = c.y.dataSync();
    cx.forEach(([a, b], i) => {
      expect(Math.hypot(a!, b!) < 2.5 ? 1 : 0).toBe(cy[i]);
    });
    const r = cx.map(([a, b]) => Math.hypot(a!, b!));
    expect(r.every((v) => v <= 2.5 || (v >= 3.5 - 1e-5 && v <= 5 + 1e-5))).toBe(true);
    const q = xor({ n: 300, seed: 0 });
    const qx = q.x.arraySync() as number[][];
    qx.forEach(([a, b], i) => {
      expect(Math.abs(a!)).toBeGreaterThanOrEqual(0.3 - 1e-6);
      expect(a! * b! >= 0 ? 1 : 0).toBe(q.y.dataSync()[i]);
    });
    const p = plane({ n: 50, seed: 0 });
    const px = p.x.arraySync() as number[][];
    px.forEach(([a, b], i) => {
      expect(p.y.dataSync()[i]).toBeCloseTo((a! + b!) / 10, 5);
    });
    const g = gaussian({ n: 400, seed: 0 });
    const gx = g.x.arraySync() as number[][];
    const meanOf = (cls: number) => {
      const pts = gx.filter((_, i) => g.y.dataSync()[i] === cls);
      return pts.reduce((s, [a]) => s + a!, 0) / pts.length;
    };
    expect(meanOf(1)).toBeCloseTo(2, 0);
    expect(meanOf(0)).toBeCloseTo(-2, 0);
    const m = moons({ n: 100, seed: 0, shuffle: false });
    const mx = m.x.arraySync() as number[][];
    expect(mx[0]).toEqual([1, 0]);
    expect(mx[49]![0]).toBeCloseTo(-1, 5);
    expect(mx[50]).toEqual([0, 0.5]);
    expect(Array.from(m.y.dataSync().subarray(0, 50)).every((v) => v === 0)).toBe(true);
    const mg = multiGaussian({ n: 500, seed: 0 });
    const ys = Array.from(mg.y.dataSync());
    expect(Math.max(...ys)).toBeLessThanOrEqual(1);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(-1);
    expect(ys.some((v) => v > 0.5) && ys.some((v) => v < -0.5)).toBe(true);
  });

  it('uses the global generator without seed, and validates options', () => {
    manualSeed(5);
    const a = spiral({ n: 10 }).x.arraySync();
    manualSeed(5);
    expect(spiral({ n: 10 }).x.arraySync()).toEqual(a);
    expect(() => circle({ n: -1 })).toThrow('circle: n must be a non-negative integer, got -1');
    expect(() => moons({ noise: -0.1 })).toThrow(
      'moons: noise must be a finite non-negative number, got -0.1',
    );
    expect(circle({ n: 0 }).x.shape).toEqual([0, 2]);
  });
});
