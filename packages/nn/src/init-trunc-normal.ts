import { noGrad } from '@tessera/autograd';
import { checkOptions, type Generator, rand, type Tensor, tensor } from '@tessera/tensor';
import { fmt, isFloat } from './functional/util.js';

// truncNormal_ (PyTorch's trunc_normal_) by inverse-CDF sampling, computed in float64 on the host:
// u ~ U(Φ(α), Φ(β)) and x = mean + std · Φ⁻¹(u), with α, β the standardised bounds. An interval
// in the upper tail is sampled mirrored from the lower one, where Φ keeps its relative accuracy,
// so bounds far from the mean (where PyTorch warns) still give the right distribution.

/** erfc(x), fractional error below 1.2e-7 everywhere (Numerical Recipes' erfcc). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
const phi = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

// Acklam's rational approximation of the inverse normal CDF (relative error < 1.15e-9).
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Φ⁻¹(p) for p in (0, 1). */
function phiInv(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const tail = (q: number) =>
    (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
    ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log1p(-p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

const num = (v: unknown) => typeof v === 'number' && !Number.isNaN(v);

/**
 * Fills `t` with samples of the normal distribution N(mean, std²) truncated to [a, b]
 * (PyTorch's `trunc_normal_`; defaults mean 0, std 1, a -2, b 2). Seeded by the global generator
 * or `opts.generator`; every value lies in [a, b].
 */
export function truncNormal_<T extends Tensor>(
  t: T,
  mean = 0,
  std = 1,
  a = -2,
  b = 2,
  opts: { generator?: Generator } = {},
): T {
  checkOptions('truncNormal_', opts, { generator: 'object' });
  if (!isFloat(t.dtype))
    throw new TypeError(
      `truncNormal_: expected a floating-point tensor, got ${t.dtype} (shape ${fmt(t.shape)})`,
    );
  for (const [k, v] of Object.entries({ mean, std, a, b })) {
    if (!num(v)) throw new TypeError(`truncNormal_: ${k} must be a number, got ${String(v)}`);
  }
  if (!(std >= 0) || !Number.isFinite(std))
    throw new RangeError(`truncNormal_: std must be finite and >= 0, got ${std}`);
  if (!(a < b)) throw new RangeError(`truncNormal_: expected a < b, got a ${a} and b ${b}`);
  const n = t.numel();
  const out = new Float64Array(n);
  if (std === 0) out.fill(Math.min(Math.max(mean, a), b));
  else if (n > 0) {
    let lo = (a - mean) / std;
    let hi = (b - mean) / std;
    const mirror = lo > 0; // upper tail: sample -x on [-hi, -lo] instead
    if (mirror) [lo, hi] = [-hi, -lo];
    const pl = phi(lo);
    const pu = phi(hi);
    const u = rand([n], { dtype: 'float64', device: 'cpu', generator: opts.generator }).dataSync();
    for (let i = 0; i < n; i++) {
      const z = phiInv(pl + (pu - pl) * u[i]!);
      const v = mean + std * (mirror ? -z : z);
      out[i] = Math.min(Math.max(v, a), b); // rounding may step just outside
    }
  }
  const src = tensor(out, { dtype: t.dtype, device: t.device, shape: t.shape });
  noGrad(() => t.copy_(src));
  return t;
}
