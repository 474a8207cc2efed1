import { circle, gaussian, moons, multiGaussian, plane, spiral, xor } from '@tessera/data';
import type { Tensor } from '@tessera/tensor';
import { DOMAIN, GRID } from './protocol.js';
import { type DatasetName, type FeatureName, featureValue, NUM_POINTS } from './state.js';

/** Points as (x1, x2) pairs and their targets (0/1 classes, or real values for regression). */
export interface Points {
  x: Float32Array;
  y: Float32Array;
}

/** Scale and shift of the two-moons set (about [-1, 2] x [-0.5, 1]) onto the plotted domain. */
const MOONS = { scale: 3, cx: 0.5, cy: 0.25 };

async function floats(t: Tensor): Promise<Float32Array> {
  return Float32Array.from((await t.data()) as ArrayLike<number>);
}

/**
 * Generates a dataset with @tessera/data's synthetic generators (seeded, so the URL reproduces
 * it); noise is in percent, as on the page (0-50 maps to the generators' 0-0.5).
 */
export async function makePoints(name: DatasetName, noisePct: number, seed: number): Promise<Points> {
  const opts = { n: NUM_POINTS, noise: noisePct / 100, seed };
  const gen = {
    circle,
    xor,
    gaussian,
    spiral,
    moons,
    plane,
    multigauss: multiGaussian,
  }[name];
  const { x, y } = gen(opts);
  const xs = await floats(x);
  const ys = await floats(y);
  if (name === 'moons') {
    for (let i = 0; i < xs.length; i += 2) {
      xs[i] = (xs[i]! - MOONS.cx) * MOONS.scale;
      xs[i + 1] = (xs[i + 1]! - MOONS.cy) * MOONS.scale;
    }
  }
  return { x: xs, y: ys };
}

/** Splits points: the first `ratio` percent for training (the generators already shuffle). */
export function splitPoints(p: Points, ratioPct: number): { train: Points; test: Points } {
  const n = p.y.length;
  const k = Math.round((n * ratioPct) / 100);
  return {
    train: { x: p.x.slice(0, 2 * k), y: p.y.slice(0, k) },
    test: { x: p.x.slice(2 * k), y: p.y.slice(k) },
  };
}

/** The input features of each point, row-major [n, features.length]. */
export function featurize(xy: Float32Array, features: readonly FeatureName[]): Float32Array {
  const n = xy.length / 2;
  const out = new Float32Array(n * features.length);
  for (let i = 0; i < n; i++) {
    const x1 = xy[2 * i]!;
    const x2 = xy[2 * i + 1]!;
    features.forEach((f, j) => {
      out[i * features.length + j] = featureValue(f, x1, x2);
    });
  }
  return out;
}

/** Centres of the GRID x GRID heatmap cells as (x1, x2) pairs, row 0 at the top (x2 = +DOMAIN). */
export function gridPoints(): Float32Array {
  const out = new Float32Array(2 * GRID * GRID);
  const cell = (2 * DOMAIN) / GRID;
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const i = r * GRID + c;
      out[2 * i] = -DOMAIN + (c + 0.5) * cell;
      out[2 * i + 1] = DOMAIN - (r + 0.5) * cell;
    }
  }
  return out;
}
