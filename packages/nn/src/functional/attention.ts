import { checkOptions, type Generator, ones, type Tensor } from '@tessera/tensor';
import { dropout } from './dropout.js';
import { checkFloat, checkTensor, fmt } from './util.js';

/** Options of F.scaledDotProductAttention. */
export interface ScaledDotProductAttentionOptions {
  /**
   * Bool mask (true = may attend, as PyTorch's F.scaled_dot_product_attention) or float mask
   * added to the scores; broadcast to [..., L, S].
   */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0). */
  dropoutP?: number;
  /** Causal mask: position i attends to positions <= i (default false). */
  isCausal?: boolean;
  /** Score scale (default 1 / sqrt(E)). */
  scale?: number;
  /** Generator of the dropout mask. */
  generator?: Generator;
}

/** Checks that a mask broadcasts against scores of shape `scores`. */
function checkMaskShape(op: string, mask: Tensor, scores: readonly number[], what: string): void {
  const n = Math.max(mask.ndim, scores.length);
  for (let i = 0; i < n; i++) {
    const m = mask.shape[mask.ndim - n + i] ?? 1;
    const s = scores[scores.length - n + i] ?? 1;
    if (m !== s && m !== 1) {
      throw new RangeError(
        `${op}: ${what} of shape ${fmt(mask.shape)} does not broadcast to the attention scores ${fmt(scores)}`,
      );
    }
  }
}

/**
 * softmax(q k^T * scale + mask) v and the attention weights, for q [..., L, E], k [..., S, E],
 * v [..., S, Ev]. `blocked` (bool, true = may not attend) positions get -inf; `additive` masks
 * are added to the scores.
 */
export function attention(
  op: string,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  masks: { blocked?: readonly Tensor[]; additive?: readonly Tensor[]; isCausal?: boolean },
  dropoutP: number,
  training: boolean,
  scale: number,
  generator?: Generator,
): { output: Tensor; weights: Tensor } {
  let scores = q.matmul(k.mT).mul(scale);
  const L = q.shape[q.ndim - 2]!;
  const S = k.shape[k.ndim - 2]!;
  if (masks.isCausal) {
    const causal = ones([L, S], { dtype: 'bool', device: q.device }).tril();
    scores = scores.maskedFill(causal.not(), Number.NEGATIVE_INFINITY);
  }
  for (const m of masks.blocked ?? []) {
    checkMaskShape(op, m, scores.shape, 'mask');
    scores = scores.maskedFill(m, Number.NEGATIVE_INFINITY);
  }
  for (const m of masks.additive ?? []) {
    checkMaskShape(op, m, scores.shape, 'mask');
    scores = scores.add(m);
  }
  let weights = scores.softmax(-1);
  if (dropoutP > 0 && training) weights = dropout(weights, dropoutP, { generator });
  return { output: weights.matmul(v), weights };
}

/**
 * Scaled dot-product attention (PyTorch's F.scaled_dot_product_attention):
 * softmax(q k^T / sqrt(E) + mask) v for q [..., L, E], k [..., S, E], v [..., S, Ev] → [..., L, Ev].
 * A bool `attnMask` marks with true the positions that may be attended; a float one is added.
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: ScaledDotProductAttentionOptions = {},
): Tensor {
  checkOptions('scaledDotProductAttention', opts, {
    attnMask: 'tensor|null',
    dropoutP: 'number',
    isCausal: 'boolean',
    scale: 'number',
    generator: 'object',
  });
  const op = 'scaledDotProductAttention';
  checkFloat(op, q, 'query');
  checkFloat(op, k, 'key');
  checkFloat(op, v, 'value');
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new RangeError(
      `${op}: query, key and value must have at least 2 dims, got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`,
    );
  }
  const E = q.shape[q.ndim - 1]!;
  if (k.shape[k.ndim - 1] !== E || k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) {
    throw new RangeError(
      `${op}: query ${fmt(q.shape)}, key ${fmt(k.shape)} and value ${fmt(v.shape)} do not fit (query and key need the same last dim, key and value the same sequence length)`,
    );
  }
  const mask = opts.attnMask ?? null;
  if (mask !== null) checkTensor(op, mask, 'attnMask');
  if (mask !== null && opts.isCausal)
    throw new TypeError(`${op}: give either attnMask or isCausal, not both`);
  const p = opts.dropoutP ?? 0;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropoutP must be in [0, 1], got ${p}`);
  const masks =
    mask === null
      ? { isCausal: opts.isCausal ?? false }
      : mask.dtype === 'bool'
        ? { blocked: [mask.not()] }
        : { additive: [mask] };
  return attention(op, q, k, v, masks, p, true, opts.scale ?? 1 / Math.sqrt(E), opts.generator).output;
}
