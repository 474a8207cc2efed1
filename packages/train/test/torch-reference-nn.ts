import {
  type AnyModule,
  BatchNorm1d,
  Conv2d,
  Embedding,
  F,
  GRU,
  GRUCell,
  LayerNorm,
  Linear,
  LSTM,
  LSTMCell,
  MultiheadAttention,
  RNN,
  RNNCell,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tessera/nn';
import { ones, softmax, type Tensor, zeros } from '@tessera/tensor';
import type { Kwargs, RefOp } from './torch-reference-ops.js';

const num = (kw: Kwargs, key: string, fallback: number): number =>
  (kw[key] as number | undefined) ?? fallback;
type Red = 'mean' | 'sum' | 'none';

/** Scaled dot-product attention scores' softmax times v, through Tessera's fused function. */
function sdpa(q: Tensor, k: Tensor, v: Tensor, isCausal: boolean): Tensor {
  return F.scaledDotProductAttention(q, k, v, { isCausal });
}

/**
 * The Tessera side of scripts/torch_reference_cases_nn.py: torch.nn.functional cases through
 * `F` (weights as inputs, so their gradients are compared).
 */
export const REFERENCE_NN_OPS: Readonly<Record<string, RefOp>> = {
  linear: ([x, w, b]) => F.linear(x!, w!, b),
  bilinear: ([x1, x2, w, b]) => F.bilinear(x1!, x2!, w!, b),
  conv2d: ([x, w, b], kw) =>
    F.conv2d(x!, w!, b, {
      stride: num(kw, 'stride', 1),
      padding: num(kw, 'padding', 0),
      dilation: num(kw, 'dilation', 1),
      groups: num(kw, 'groups', 1),
    }),
  conv1d: ([x, w, b], kw) => F.conv1d(x!, w!, b, { padding: num(kw, 'padding', 0) }),
  conv_transpose2d: ([x, w, b], kw) =>
    F.convTranspose2d(x!, w!, b, {
      stride: num(kw, 'stride', 1),
      padding: num(kw, 'padding', 0),
      outputPadding: num(kw, 'output_padding', 0),
    }),
  max_pool2d: ([x], kw) =>
    F.maxPool2d(x!, num(kw, 'kernel_size', 2), {
      ...(kw.stride !== undefined ? { stride: kw.stride as number } : {}),
      padding: num(kw, 'padding', 0),
    }),
  avg_pool2d: ([x], kw) =>
    F.avgPool2d(x!, num(kw, 'kernel_size', 2), {
      stride: kw.stride as number,
      padding: num(kw, 'padding', 0),
      countIncludePad: kw.count_include_pad as boolean,
    }),
  adaptive_avg_pool2d: ([x], kw) => F.adaptiveAvgPool2d(x!, kw.output_size as [number, number]),
  batch_norm_train: ([x, w, b]) => F.batchNorm(x!, null, null, { weight: w, bias: b, training: true }),
  batch_norm_eval: ([x, m, v, w, b]) => F.batchNorm(x!, m!, v!, { weight: w, bias: b, training: false }),
  batch_norm_running: ([x, w, b]) => {
    const rm = zeros([3], { dtype: x!.dtype });
    const rv = ones([3], { dtype: x!.dtype });
    const out = F.batchNorm(x!, rm, rv, { weight: w, bias: b, training: true, momentum: 0.3 });
    return [out, rm, rv];
  },
  layer_norm: ([x, w, b]) => F.layerNorm(x!, [4], { weight: w, bias: b }),
  layer_norm2: ([x]) => F.layerNorm(x!, [3, 4]),
  group_norm: ([x, w, b]) => F.groupNorm(x!, 2, { weight: w, bias: b }),
  embedding: ([i, w], kw) =>
    F.embedding(i!, w!, kw.padding_idx === undefined ? {} : { paddingIdx: kw.padding_idx as number }),
  normalize: ([x]) => F.normalize(x!),
  selu: ([x]) => F.selu(x!),
  max_pool1d: ([x]) => F.maxPool1d(x!, 3, { stride: 2, padding: 1 }),
  avg_pool1d: ([x]) => F.avgPool1d(x!, 3, { stride: 2 }),
  adaptive_avg_pool1d: ([x]) => F.adaptiveAvgPool1d(x!, 3),
  sdpa: ([q, k, v]) => sdpa(q!, k!, v!, false),
  sdpa_causal: ([q, k, v]) => sdpa(q!, k!, v!, true),
  mse_loss: ([a, b], kw) => F.mseLoss(a!, b!, { reduction: kw.reduction as Red }),
  l1_loss: ([a, b]) => F.l1Loss(a!, b!),
  nll_loss_weighted: ([x, t, w]) => F.nllLoss(F.logSoftmax(x!, 1), t!, { weight: w, reduction: 'none' }),
  cross_entropy_weighted_mean: ([x, t, w]) => F.crossEntropy(x!, t!, { weight: w }),
  l1_loss_sum: ([a, b]) => F.l1Loss(a!, b!, { reduction: 'sum' }),
  gaussian_nll_loss_full: ([x, t, v]) => F.gaussianNllLoss(x!, t!, v!, { full: true, reduction: 'sum' }),
  kl_div_log_target: ([x, t]) =>
    F.klDiv(F.logSoftmax(x!, 1), F.logSoftmax(t!, 1), { reduction: 'sum', logTarget: true }),
  huber_loss: ([a, b], kw) => F.huberLoss(a!, b!, { delta: num(kw, 'delta', 1) }),
  smooth_l1_loss: ([a, b], kw) => F.smoothL1Loss(a!, b!, { beta: num(kw, 'beta', 1) }),
  cross_entropy: ([x, t, w], kw) =>
    F.crossEntropy(x!, t!, {
      ...(w !== undefined ? { weight: w } : {}),
      ...(kw.ignore_index !== undefined ? { ignoreIndex: kw.ignore_index as number } : {}),
      labelSmoothing: num(kw, 'label_smoothing', 0),
      reduction: (kw.reduction as Red | undefined) ?? 'mean',
    }),
  cross_entropy_probs: ([x, t]) => F.crossEntropy(x!, softmax(t!, 1)),
  cross_entropy_2d: ([x, t]) => F.crossEntropy(x!, t!),
  nll_loss: ([x, t]) => F.nllLoss(F.logSoftmax(x!, 1), t!),
  bce: ([x, t]) => F.binaryCrossEntropy(x!.sigmoid(), t!),
  bce_weight: ([x, t, w]) => F.binaryCrossEntropy(x!.sigmoid(), t!, { weight: w }),
  bce_logits: ([x, t]) => F.binaryCrossEntropyWithLogits(x!, t!),
  bce_logits_pos: ([x, t, pw]) => F.binaryCrossEntropyWithLogits(x!, t!, { posWeight: pw }),
  bce_logits_zero: ([x, t]) => F.binaryCrossEntropyWithLogits(x!, t!),
  kl_div: ([x, t]) => F.klDiv(F.logSoftmax(x!, 1), softmax(t!, 1), { reduction: 'batchmean' }),
  gaussian_nll_loss: ([x, t, v]) => F.gaussianNllLoss(x!, t!, v!),
  cosine_embedding_loss: ([a, b, y], kw) =>
    F.cosineEmbeddingLoss(a!, b!, y!, { margin: num(kw, 'margin', 0) }),
};

/** A module whose parameters (PyTorch names, dotted paths) are replaced by the given tensors. */
function withParams<M extends AnyModule>(m: M, names: readonly string[], values: readonly Tensor[]): M {
  names.forEach((name, i) => {
    const path = name.split('.');
    let owner = m as unknown as Record<string, unknown>;
    for (const part of path.slice(0, -1)) owner = owner[part] as Record<string, unknown>;
    owner[path.at(-1)!] = values[i];
  });
  return m;
}

/** Runs a module case: inputs are the forward arguments (`nx` of them) followed by the parameters. */
function moduleOp<M extends AnyModule>(
  nx: number,
  make: () => M,
  run: (m: M, xs: [Tensor, ...Tensor[]]) => Tensor | Tensor[],
): RefOp {
  return (xs, kw) => {
    const [first, ...rest] = xs.slice(0, nx);
    if (first === undefined || rest.length !== nx - 1) {
      throw new Error(
        `moduleOp: expected ${nx} forward inputs before the parameters, got ${xs.length} tensors`,
      );
    }
    return run(withParams(make(), kw.params as string[], xs.slice(nx)), [first, ...rest]);
  };
}

/** The Tessera side of `define_modules` in scripts/torch_reference_cases_nn.py. */
export const REFERENCE_MODULES: Readonly<Record<string, RefOp>> = {
  lstm: moduleOp(
    1,
    () => new LSTM(3, 4, { numLayers: 2, batchFirst: true }),
    (m, [x]) => {
      const [out, [h, c]] = m.forward(x);
      return [out, h, c];
    },
  ),
  gru: moduleOp(
    1,
    () => new GRU(3, 4, { bidirectional: true }),
    (m, [x]) => m.forward(x),
  ),
  rnn: moduleOp(
    1,
    () => new RNN(3, 4, { nonlinearity: 'relu' }),
    (m, [x]) => m.forward(x),
  ),
  lstm_cell: moduleOp(
    1,
    () => new LSTMCell(3, 4),
    (m, [x]) => m.forward(x),
  ),
  gru_cell: moduleOp(
    1,
    () => new GRUCell(3, 4),
    (m, [x]) => m.forward(x),
  ),
  rnn_cell: moduleOp(
    1,
    () => new RNNCell(3, 4),
    (m, [x]) => m.forward(x),
  ),
  linear_module: moduleOp(
    1,
    () => new Linear(4, 3),
    (m, [x]) => m.forward(x),
  ),
  conv2d_module: moduleOp(
    1,
    () => new Conv2d(2, 3, 3, { padding: 'same', bias: false }),
    (m, [x]) => m.forward(x),
  ),
  batchnorm1d_module: moduleOp(
    1,
    () => new BatchNorm1d(3),
    (m, [x]) => m.forward(x),
  ),
  layernorm_module: moduleOp(
    1,
    () => new LayerNorm([2, 3]),
    (m, [x]) => m.forward(x),
  ),
  embedding_module: moduleOp(
    1,
    () => new Embedding(5, 3, { paddingIdx: 0 }),
    (m, [x]) => m.forward(x),
  ),
  transformer_encoder: moduleOp(
    1,
    () =>
      new TransformerEncoder(
        new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
        2,
        {
          norm: new LayerNorm(8),
        },
      ),
    (m, [x]) => m.forward(x),
  ),
  mha: moduleOp(
    3,
    () => new MultiheadAttention(6, 2, { batchFirst: true }),
    (m, [q, k, v]) => {
      // nx = 3 above: moduleOp checked that all three are there.
      const [out, weights] = m.forward(q, k!, v!);
      return weights === null ? out : [out, weights];
    },
  ),
  transformer_encoder_layer: moduleOp(
    1,
    () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
    (m, [x]) => m.forward(x),
  ),
  transformer_encoder_layer_norm_first: moduleOp(
    1,
    () =>
      new TransformerEncoderLayer(8, 2, {
        dimFeedforward: 16,
        dropout: 0,
        batchFirst: true,
        normFirst: true,
        activation: 'gelu',
      }),
    (m, [x]) => m.forward(x),
  ),
};
