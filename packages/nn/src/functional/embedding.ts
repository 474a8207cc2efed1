import { checkOptions, type Tensor, where, withOpContext } from '@tessera/tensor';
import { checkTensor, fmt } from './util.js';

export { oneHot } from '@tessera/tensor';

/** Options of F.embedding. */
export interface EmbeddingOptions {
  /** Rows looked up at this index get no gradient (PyTorch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
}

/** Normalises a paddingIdx against `num` rows (negative counts from the end), or null. */
export function normalizePaddingIdx(
  op: string,
  paddingIdx: number | null | undefined,
  num: number,
): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= num || paddingIdx < -num) {
    throw new RangeError(
      `${op}: paddingIdx ${paddingIdx} must be an integer in [${-num}, ${num - 1}] for ${num} embeddings`,
    );
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/**
 * Looks up rows of `weight` [num, dim] at int32 `indices` of any shape (PyTorch's F.embedding):
 * the result has shape [...indices.shape, dim]. With `paddingIdx`, positions holding it pass no
 * gradient to that row (their output still equals the row).
 */
export function embedding(indices: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  // Named as the user's op (with these shapes) in errors the GPU reports later.
  return withOpContext('embedding', { indices, weight }, () => embeddingBody(indices, weight, opts));
}

function embeddingBody(indices: Tensor, weight: Tensor, opts: EmbeddingOptions): Tensor {
  checkOptions('embedding', opts, { paddingIdx: 'integer|null' });
  const op = 'embedding';
  checkTensor(op, indices, 'indices');
  checkTensor(op, weight, 'weight');
  if (indices.dtype !== 'int32') {
    throw new TypeError(
      `${op}: indices must be an int32 tensor, got ${indices.dtype} (shape ${fmt(indices.shape)})`,
    );
  }
  if (weight.ndim !== 2)
    throw new RangeError(
      `${op}: weight must be 2-D [numEmbeddings, embeddingDim], got shape ${fmt(weight.shape)}`,
    );
  const [num, dim] = weight.shape as [number, number];
  const pad = normalizePaddingIdx(op, opts.paddingIdx, num);
  let rows: Tensor;
  try {
    rows = weight.indexSelect(0, indices.reshape(-1));
  } catch (e) {
    if (e instanceof RangeError && e.message.startsWith('indexSelect:')) {
      throw new RangeError(
        `${op}: ${e.message.slice('indexSelect: '.length)} (indices ${fmt(indices.shape)}, ${num} embeddings)`,
      );
    }
    throw e;
  }
  if (pad !== null) {
    // The padding positions take their value from a detached copy: no gradient reaches the row.
    const isPad = indices.reshape(-1, 1).eq(pad);
    rows = where(isPad, rows.detach(), rows);
  }
  return rows.reshape([...indices.shape, dim]);
}
