import { checkOptions, defaultGenerator, Generator, type Tensor, tensor } from '@tessera/tensor';
import { checkGenerator, normals, permutation, uniforms } from './random.js';

// 2-D toy datasets in the style of the TensorFlow Playground (same shapes, ranges and noise
// model: for the playground sets, `noise` in [0, 0.5] perturbs the point the label is computed
// from, so noise blurs the class boundary), plus scikit-learn's two moons.

/** Options of the synthetic datasets. */
export interface SyntheticOptions {
  /** Number of points (default 500). */
  n?: number;
  /** Noise level (default 0); see each dataset. */
  noise?: number;
  /** Seed for a private generator (ignored when `generator` is given). */
  seed?: number | bigint;
  /** Generator to draw from (default: a seeded one from `seed`, else the global generator). */
  generator?: Generator;
  /** Shuffle the points (default true; false keeps the generation order, class by class). */
  shuffle?: boolean;
}

/** Points x [n, 2] float32 and targets y [n] (int32 classes 0/1, or float32 for regression). */
export interface Synthetic2D {
  x: Tensor;
  y: Tensor;
}

interface Setup {
  n: number;
  noise: number;
  gen: Generator;
  shuffle: boolean;
}

function setup(op: string, opts: SyntheticOptions): Setup {
  checkOptions(op, opts, { n: 'any', noise: 'any', seed: 'any', generator: 'any', shuffle: 'any' });
  const n = opts.n ?? 500;
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${op}: n must be a non-negative integer, got ${String(n)}`);
  const noise = opts.noise ?? 0;
  if (!(noise >= 0) || !Number.isFinite(noise))
    throw new RangeError(`${op}: noise must be a finite non-negative number, got ${String(noise)}`);
  const g = checkGenerator(op, opts.generator);
  const gen = g ?? (opts.seed !== undefined ? new Generator(opts.seed) : defaultGenerator);
  return { n, noise, gen, shuffle: opts.shuffle ?? true };
}

function finish(s: Setup, xs: Float32Array, ys: Float32Array | Int32Array): Synthetic2D {
  let x = xs;
  let y = ys;
  if (s.shuffle && s.n > 1) {
    const perm = permutation(s.gen, s.n);
    x = new Float32Array(xs.length);
    y = ys instanceof Int32Array ? new Int32Array(ys.length) : new Float32Array(ys.length);
    for (let i = 0; i < s.n; i++) {
      const j = perm[i]!;
      x[2 * i] = xs[2 * j]!;
      x[2 * i + 1] = xs[2 * j + 1]!;
      y[i] = ys[j]!;
    }
  }
  return { x: tensor(x, { shape: [s.n, 2] }), y: tensor(y) };
}

const between = (lo: number, hi: number, u: number) => lo + u * (hi - lo);

/**
 * The playground sets' scheme: point i is `place(u0, u1, i, n)` from two uniforms in [0, 1); its
 * label is `label(px, py, nx, ny)`, where (nx, ny) is a uniform offset in [-spread, spread]^2
 * scaled by `noise`: the label is computed from the moved point, the point itself stays put.
 * Int32 class labels, or float32 targets with `regression`.
 */
function playground(
  op: string,
  opts: SyntheticOptions,
  spread: number,
  regression: boolean,
  place: (u0: number, u1: number, i: number, n: number) => readonly [number, number],
  label: (px: number, py: number, nx: number, ny: number) => number,
): Synthetic2D {
  const s = setup(op, opts);
  const u = uniforms(s.gen, 4 * s.n);
  const x = new Float32Array(2 * s.n);
  const y = regression ? new Float32Array(s.n) : new Int32Array(s.n);
  for (let i = 0; i < s.n; i++) {
    const [px, py] = place(u[4 * i]!, u[4 * i + 1]!, i, s.n);
    const nx = between(-spread, spread, u[4 * i + 2]!) * s.noise;
    const ny = between(-spread, spread, u[4 * i + 3]!) * s.noise;
    x[2 * i] = px;
    x[2 * i + 1] = py;
    y[i] = label(px, py, nx, ny);
  }
  return finish(s, x, y);
}

/** Class 1 inside a disc of radius 2.5, class 0 on a ring of radii 3.5..5 around it (noise: label noise near the boundary). */
export function circle(opts: SyntheticOptions = {}): Synthetic2D {
  const radius = 5;
  return playground(
    'circle',
    opts,
    radius,
    false,
    (u0, u1, i, n) => {
      const r = i < n / 2 ? between(0, radius * 0.5, u0) : between(radius * 0.7, radius, u0);
      const angle = between(0, 2 * Math.PI, u1);
      return [r * Math.sin(angle), r * Math.cos(angle)];
    },
    (px, py, nx, ny) => (Math.hypot(px + nx, py + ny) < radius * 0.5 ? 1 : 0),
  );
}

/** Points in [-5.3, 5.3]^2 (kept 0.3 off the axes), class 1 where x*y >= 0 (same-sign quadrants). */
export function xor(opts: SyntheticOptions = {}): Synthetic2D {
  const pad = 0.3;
  const offAxis = (v: number) => v + (v > 0 ? pad : -pad);
  return playground(
    'xor',
    opts,
    5,
    false,
    (u0, u1) => [offAxis(between(-5, 5, u0)), offAxis(between(-5, 5, u1))],
    (px, py, nx, ny) => ((px + nx) * (py + ny) >= 0 ? 1 : 0),
  );
}

/** Two Gaussian blobs: class 1 around (2, 2), class 0 around (-2, -2); noise 0..0.5 widens the variance from 0.5 to 4. */
export function gaussian(opts: SyntheticOptions = {}): Synthetic2D {
  const s = setup('gaussian', opts);
  const variance = 0.5 + (s.noise / 0.5) * 3.5;
  const sd = Math.sqrt(variance);
  const z = normals(s.gen, 2 * s.n);
  const x = new Float32Array(2 * s.n);
  const y = new Int32Array(s.n);
  for (let i = 0; i < s.n; i++) {
    const pos = i < s.n / 2;
    const c = pos ? 2 : -2;
    x[2 * i] = c + sd * z[2 * i]!;
    x[2 * i + 1] = c + sd * z[2 * i + 1]!;
    y[i] = pos ? 1 : 0;
  }
  return finish(s, x, y);
}

/** Two interleaved spirals (class 1 and class 0, half a turn apart) of radius up to 5; noise shifts points by up to ±noise. */
export function spiral(opts: SyntheticOptions = {}): Synthetic2D {
  const s = setup('spiral', opts);
  const u = uniforms(s.gen, 2 * s.n);
  const x = new Float32Array(2 * s.n);
  const y = new Int32Array(s.n);
  const half = Math.ceil(s.n / 2);
  for (let i = 0; i < s.n; i++) {
    const pos = i < half;
    const k = pos ? i : i - half;
    const m = pos ? half : s.n - half;
    const r = (k / m) * 5;
    const t = ((1.75 * k) / m) * 2 * Math.PI + (pos ? 0 : Math.PI);
    x[2 * i] = r * Math.sin(t) + between(-1, 1, u[2 * i]!) * s.noise;
    x[2 * i + 1] = r * Math.cos(t) + between(-1, 1, u[2 * i + 1]!) * s.noise;
    y[i] = pos ? 1 : 0;
  }
  return finish(s, x, y);
}

/** scikit-learn's two interleaving half circles (class 0 the upper moon, class 1 the lower); noise is the std of Gaussian noise added to the points. */
export function moons(opts: SyntheticOptions = {}): Synthetic2D {
  const s = setup('moons', opts);
  const nOut = Math.floor(s.n / 2);
  const nIn = s.n - nOut;
  const z = normals(s.gen, 2 * s.n);
  const x = new Float32Array(2 * s.n);
  const y = new Int32Array(s.n);
  for (let i = 0; i < s.n; i++) {
    const outer = i < nOut;
    const k = outer ? i : i - nOut;
    const m = outer ? nOut : nIn;
    const t = m > 1 ? (Math.PI * k) / (m - 1) : 0;
    x[2 * i] = (outer ? Math.cos(t) : 1 - Math.cos(t)) + s.noise * z[2 * i]!;
    x[2 * i + 1] = (outer ? Math.sin(t) : 1 - Math.sin(t) - 0.5) + s.noise * z[2 * i + 1]!;
    y[i] = outer ? 0 : 1;
  }
  return finish(s, x, y);
}

/** Regression: points in [-6, 6]^2 with target (x + y) / 10 (in [-1.2, 1.2]); noise perturbs the point the target is computed from. */
export function plane(opts: SyntheticOptions = {}): Synthetic2D {
  const radius = 6;
  return playground(
    'plane',
    opts,
    radius,
    true,
    (u0, u1) => [between(-radius, radius, u0), between(-radius, radius, u1)],
    (px, py, nx, ny) => (px + nx + py + ny) / 10,
  );
}

const GAUSSIANS: readonly (readonly [number, number, number])[] = [
  [-4, 2.5, 1],
  [0, 2.5, -1],
  [4, 2.5, 1],
  [-4, -2.5, -1],
  [0, -2.5, 1],
  [4, -2.5, -1],
];

/**
 * Regression: six bumps of alternating sign on a 3x2 grid; the target is the strongest bump at
 * the point, falling linearly from ±1 at a centre to 0 at distance 2. Points in [-6, 6]^2.
 */
export function multiGaussian(opts: SyntheticOptions = {}): Synthetic2D {
  const radius = 6;
  return playground(
    'multiGaussian',
    opts,
    radius,
    true,
    (u0, u1) => [between(-radius, radius, u0), between(-radius, radius, u1)],
    (px, py, nx, ny) => {
      const qx = px + nx;
      const qy = py + ny;
      let label = 0;
      for (const [cx, cy, sign] of GAUSSIANS) {
        const d = Math.hypot(qx - cx, qy - cy);
        const v = sign * Math.min(1, Math.max(0, 1 - d / 2));
        if (Math.abs(v) > Math.abs(label)) label = v;
      }
      return label;
    },
  );
}
