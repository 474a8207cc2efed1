// Sampling category indices from (unnormalised) probabilities, with tensor ops only, so that it
// runs on every backend and draws from the seeded Philox stream like rand / randn.
import type { RandomOptions } from '../creation-args.js';
import { checkTensor, syncValues } from '../ops/util.js';
import { checkOptions } from '../options.js';
import { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { rand } from './random-factories.js';

/** Options of multinomial. */
export interface MultinomialOptions {
  /** Generator to draw from; the global one (`manualSeed`) when omitted. */
  generator?: Generator;
}

/** Checks every row's values (CPU only: elsewhere it would need a readback). */
function checkRows(
  op: string,
  probs: Tensor,
  rows: number,
  k: number,
  numSamples: number,
  replacement: boolean,
): void {
  const v = syncValues(probs);
  if (v === null) return;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    let nonzero = 0;
    for (let j = 0; j < k; j++) {
      const p = Number(v[r * k + j]);
      if (!Number.isFinite(p) || p < 0)
        throw new RangeError(
          `${op}: probabilities must be finite and >= 0, got ${p} in row ${r}, category ${j}`,
        );
      sum += p;
      if (p > 0) nonzero++;
    }
    if (!(sum > 0))
      throw new RangeError(`${op}: row ${r} of probabilities sums to ${sum}; it must be positive`);
    if (!replacement && nonzero < numSamples)
      throw new RangeError(
        `${op}: cannot draw ${numSamples} samples without replacement from row ${r}, which has ${nonzero} non-zero categories`,
      );
  }
}

/**
 * Draws `numSamples` category indices per row of `probs` (1-D [k] or 2-D [rows, k]; any
 * non-negative weights, not necessarily normalised), as PyTorch's torch.multinomial: with
 * `replacement` each draw is independent (inverse CDF of one uniform); without it (the default)
 * each draw removes the chosen category (the exponential race: the top numSamples of p / E with
 * E ~ Exp(1), PyTorch's own method). Returns int32 [numSamples] or [rows, numSamples]. Draws from
 * the global generator (manualSeed) or `opts.generator`. Value checks (negative, non-finite or
 * all-zero rows; too few non-zero categories without replacement) run on the CPU backend only,
 * since elsewhere they would force a readback; there bad rows give unspecified indices.
 */
export function multinomial(
  probs: Tensor,
  numSamples: number,
  replacement = false,
  opts: MultinomialOptions = {},
): Tensor {
  const op = 'multinomial';
  checkTensor(op, probs);
  checkOptions(op, opts, { generator: 'object' });
  if (opts.generator !== undefined && !(opts.generator instanceof Generator))
    throw new TypeError(`${op}: generator must be a Generator`);
  if (probs.dtype !== 'float32' && probs.dtype !== 'float64')
    throw new TypeError(`${op}: probabilities must be a floating-point tensor, got ${probs.dtype}`);
  if (probs.ndim !== 1 && probs.ndim !== 2)
    throw new RangeError(`${op}: probabilities must be 1-D or 2-D, got shape [${probs.shape.join(',')}]`);
  if (typeof replacement !== 'boolean') throw new TypeError(`${op}: replacement must be a boolean`);
  if (!Number.isInteger(numSamples) || numSamples < 1)
    throw new RangeError(`${op}: numSamples must be a positive integer, got ${JSON.stringify(numSamples)}`);
  const p2 = probs.ndim === 1 ? probs.unsqueeze(0) : probs;
  const [rows, k] = p2.shape as [number, number];
  if (k === 0)
    throw new RangeError(`${op}: probabilities have no categories (shape [${probs.shape.join(',')}])`);
  if (!replacement && numSamples > k)
    throw new RangeError(`${op}: cannot draw ${numSamples} samples without replacement from ${k} categories`);
  checkRows(op, p2, rows, k, numSamples, replacement);
  const r: RandomOptions = { dtype: probs.dtype, device: probs.device, generator: opts.generator };
  const p = p2.detach();
  let out: Tensor;
  if (replacement) {
    // Inverse CDF: the index is how many CDF values are <= u. Dividing by the last CDF value
    // makes it exactly 1, so u < 1 never runs past the last non-zero category.
    const c = p.cumsum(1);
    const cdf = c.div(c.narrow(1, k - 1, 1));
    const u = rand([rows, numSamples, 1], r);
    out = cdf.unsqueeze(1).le(u).int().sum(2).int();
  } else {
    // -log(1 - u) ~ Exp(1), finite since 1 - u is in (0, 1].
    const e = rand([rows, k], r).neg().log1p().neg();
    out = p.div(e).topk(numSamples, 1).indices.int();
  }
  return probs.ndim === 1 ? out.squeeze(0) : out;
}
