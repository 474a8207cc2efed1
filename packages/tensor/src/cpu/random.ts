import type { RandomDist, RandomParams, View } from '../backend.js';
import type { DType } from '../dtype.js';
import { philox, wordToUniform } from '../random.js';
import { arr } from './buffer.js';

const TWO_32 = 4294967296;

/** Fills a contiguous `out` from the Philox stream (layout documented in random.ts). */
export function random(out: View, dist: RandomDist, p: RandomParams): void {
  const o = arr(out);
  let n = 1;
  for (const d of out.shape) n *= d;
  const k0 = Number(p.seed & 0xffffffffn);
  const k1 = Number((p.seed >> 32n) & 0xffffffffn);
  const c0 = Number(p.offset & 0xffffffffn);
  const c1 = Number((p.offset >> 32n) & 0xffffffffn);
  const words = new Uint32Array(4);
  const base = out.offset;
  const range = p.high - p.low;
  const top = below(p.high, out.dtype);
  const f32 = out.dtype === 'float32';
  for (let blk = 0, i = 0; i < n; blk++) {
    const lo = c0 + blk; // exact: both below 2^53
    philox(k0, k1, lo % TWO_32, (c1 + Math.floor(lo / TWO_32)) % TWO_32, words);
    const m = Math.min(4, n - i);
    if (dist === 'uniform') {
      for (let j = 0; j < m; j++, i++) {
        const v = p.low + wordToUniform(words[j]!) * range;
        // Rounding to the output dtype may reach `high`; the interval is half-open.
        o[base + i] = (f32 ? Math.fround(v) : v) >= p.high && range > 0 ? top : v;
      }
    } else if (dist === 'randint') {
      for (let j = 0; j < m; j++, i++) o[base + i] = p.low + (words[j]! % range);
    } else {
      for (let j = 0; j < m; j += 2) {
        const u1 = 1 - wordToUniform(words[j]!);
        const u2 = wordToUniform(words[j + 1]!);
        const r = p.std * Math.sqrt(-2 * Math.log(u1));
        const theta = 2 * Math.PI * u2;
        o[base + i++] = p.mean + r * Math.cos(theta);
        if (j + 1 < m) o[base + i++] = p.mean + r * Math.sin(theta);
      }
    }
  }
}

/** The largest value of `dtype` strictly below `high` (for clamping uniform draws). */
function below(high: number, dtype: DType): number {
  if (dtype !== 'float32' && dtype !== 'float64') return high - 1;
  if (high === 0) return dtype === 'float32' ? -1.401298464324817e-45 : -Number.MIN_VALUE;
  if (dtype === 'float32') {
    const f = new Float32Array([high]);
    const bits = new Int32Array(f.buffer);
    bits[0]! += high > 0 ? -1 : 1;
    return f[0]!;
  }
  const d = new Float64Array([high]);
  const bits = new BigInt64Array(d.buffer);
  bits[0]! += high > 0 ? -1n : 1n;
  return d[0]!;
}
