import {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  type AnyModule,
  AveragedModel,
  AvgPool1d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  BCELoss,
  BCEWithLogitsLoss,
  Bilinear,
  Conv1d,
  Conv2d,
  ConvTranspose1d,
  ConvTranspose2d,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  Dropout,
  Dropout1d,
  Dropout2d,
  ELU,
  F,
  Flatten,
  GaussianNLLLoss,
  GELU,
  GLU,
  GroupNorm,
  getEmaAvgFn,
  Hardsigmoid,
  Hardswish,
  Hardtanh,
  HuberLoss,
  Identity,
  InstanceNorm1d,
  InstanceNorm2d,
  KLDivLoss,
  L1Loss,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSigmoid,
  LogSoftmax,
  MaxPool1d,
  MaxPool2d,
  Mish,
  type Module,
  MSELoss,
  NLLLoss,
  Parameter,
  PixelShuffle,
  PixelUnshuffle,
  PReLU,
  ReLU,
  ReLU6,
  SELU,
  Sequential,
  Sigmoid,
  SiLU,
  SmoothL1Loss,
  Softmax,
  Softmin,
  Softplus,
  Softsign,
  Tanh,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  Unflatten,
  Upsample,
  weightNorm,
} from '@tessera/nn';
import { clipGradNorm_, clipGradValue_, type ParamSlot } from '@tessera/optim';
import * as T from '@tessera/tensor';
import { softmax, type Tensor } from '@tessera/tensor';
import type { Kwargs, OpResult, RefOp } from './torch-reference-ops.js';

// The Tessera side of scripts/torch_reference_cases_modules.py: every layer, activation,
// container and loss module called as a module with its constructor options. Case kwargs carry
// PyTorch's option names; `train` sets the mode and `params` names the parameters that the
// trailing inputs replace.

type Red = 'mean' | 'sum' | 'none';
const red = (kw: Kwargs): Red => (kw.reduction as Red | undefined) ?? 'mean';

/** Sets the mode from `kw.train` and replaces the parameters named in `kw.params` by `values`. */
function prepared<M extends AnyModule>(m: M, kw: Kwargs, values: readonly Tensor[]): M {
  m.train(kw.train !== false);
  ((kw.params as string[] | undefined) ?? []).forEach((name, i) => {
    const path = name.split('.');
    let owner = m as unknown as Record<string, unknown>;
    for (const part of path.slice(0, -1)) owner = owner[part] as Record<string, unknown>;
    owner[path.at(-1)!] = values[i];
  });
  return m;
}

/** A module case with parameters: `nx` forward inputs, then the parameters (float64 built, cast to the case dtype). */
function withParams<M extends AnyModule>(
  nx: number,
  make: () => M,
  run: (m: M, xs: Tensor[]) => OpResult,
): RefOp {
  return (xs, kw) => {
    const m = make();
    m.to(xs[nx]!.dtype);
    return run(prepared(m, kw, xs.slice(nx)), xs.slice(0, nx));
  };
}

/** A parameter-free module built from the case kwargs and called on one input. */
function unary(make: (kw: Kwargs) => Module): RefOp {
  return ([x], kw) => prepared(make(kw), kw, []).call(x!);
}

/** A loss module built from the case kwargs and called on all the inputs. */
function loss(make: (kw: Kwargs) => { call(...xs: Tensor[]): Tensor }): RefOp {
  return (xs, kw) => make(kw).call(...xs);
}

const one = <M extends Module>(make: () => M): RefOp => withParams(1, make, (m, [x]) => m.call(x!));

const n = (kw: Kwargs, k: string) => kw[k] as number;

export const REFERENCE_NN_MODULES: Readonly<Record<string, RefOp>> = {
  m_bilinear: withParams(
    2,
    () => new Bilinear(2, 3, 4),
    (m, [a, b]) => m.call(a!, b!),
  ),
  m_linear_nobias: one(() => new Linear(4, 2, { bias: false })),
  m_conv1d: one(() => new Conv1d(2, 4, 3, { stride: 2, padding: 1, dilation: 1 })),
  m_conv1d_groups: one(() => new Conv1d(4, 4, 3, { groups: 2, padding: 'same', bias: false })),
  m_conv2d_stride: one(() => new Conv2d(2, 3, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2] })),
  m_conv2d_reflect: one(() => new Conv2d(2, 2, 3, { padding: 1, paddingMode: 'reflect' })),
  m_conv2d_circular: one(() => new Conv2d(2, 2, 3, { padding: 1, paddingMode: 'circular' })),
  m_conv2d_replicate: one(() => new Conv2d(2, 2, 3, { padding: 1, paddingMode: 'replicate' })),
  m_conv_transpose2d: one(() => new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 })),
  m_conv_transpose2d_groups: one(() => new ConvTranspose2d(4, 4, 2, { groups: 2, dilation: 2, bias: false })),
  m_batchnorm2d: one(() => new BatchNorm2d(3, { momentum: 0.2, eps: 1e-3 })),
  m_batchnorm2d_eval: one(() => new BatchNorm2d(3)),
  m_batchnorm1d_3d: one(() => new BatchNorm1d(3)),
  m_groupnorm: one(() => new GroupNorm(2, 4, { eps: 1e-4 })),
  m_layernorm_noaffine: unary(() => new LayerNorm(4, { elementwiseAffine: false })),
  m_sequential: one(() => new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 2), new Softmax(1))),

  m_maxpool1d: unary(
    (kw) =>
      new MaxPool1d(n(kw, 'kernel_size'), {
        stride: n(kw, 'stride'),
        padding: n(kw, 'padding'),
        dilation: n(kw, 'dilation'),
        ceilMode: kw.ceil_mode as boolean,
      }),
  ),
  m_maxpool2d: unary(
    (kw) =>
      new MaxPool2d(n(kw, 'kernel_size'), {
        stride: n(kw, 'stride'),
        padding: n(kw, 'padding'),
        dilation: n(kw, 'dilation'),
      }),
  ),
  m_maxpool2d_ceil: unary((kw) => new MaxPool2d(n(kw, 'kernel_size'), { ceilMode: true })),
  m_maxpool2d_indices: ([x], kw) => {
    const r = new MaxPool2d(n(kw, 'kernel_size'), { returnIndices: true }).call(x!);
    return [r.values, r.indices];
  },
  m_avgpool1d: unary(
    (kw) =>
      new AvgPool1d(n(kw, 'kernel_size'), {
        stride: n(kw, 'stride'),
        padding: n(kw, 'padding'),
        countIncludePad: kw.count_include_pad as boolean,
      }),
  ),
  m_avgpool2d: unary((kw) => new AvgPool2d(n(kw, 'kernel_size'))),
  m_avgpool2d_divisor: unary(
    (kw) =>
      new AvgPool2d(n(kw, 'kernel_size'), {
        stride: n(kw, 'stride'),
        padding: n(kw, 'padding'),
        ceilMode: kw.ceil_mode as boolean,
        divisorOverride: n(kw, 'divisor_override'),
      }),
  ),
  m_adaptive_avgpool1d: unary((kw) => new AdaptiveAvgPool1d(n(kw, 'output_size'))),
  m_adaptive_avgpool2d: unary(
    (kw) => new AdaptiveAvgPool2d(kw.output_size as [number | null, number | null]),
  ),
  m_dropout_eval: unary((kw) => new Dropout(n(kw, 'p'))),
  m_dropout1d_eval: unary((kw) => new Dropout1d(n(kw, 'p'))),
  m_dropout2d_eval: unary((kw) => new Dropout2d(n(kw, 'p'))),
  m_dropout_p0: unary((kw) => new Dropout(n(kw, 'p'))),
  m_flatten: unary(() => new Flatten()),
  m_flatten_dims: unary((kw) => new Flatten(n(kw, 'start_dim'), n(kw, 'end_dim'))),
  m_unflatten: unary((kw) => new Unflatten(n(kw, 'dim'), kw.unflattened_size as number[])),
  m_identity: unary(() => new Identity<Tensor>()),

  m_relu: unary(() => new ReLU()),
  m_leaky_relu: unary((kw) => new LeakyReLU(n(kw, 'negative_slope'))),
  m_elu: unary((kw) => new ELU(n(kw, 'alpha'))),
  m_selu: unary(() => new SELU()),
  m_gelu: unary(() => new GELU()),
  m_gelu_tanh: unary((kw) => new GELU(kw.approximate as 'tanh')),
  m_sigmoid: unary(() => new Sigmoid()),
  m_tanh: unary(() => new Tanh()),
  m_silu: unary(() => new SiLU()),
  m_softplus: unary((kw) => new Softplus(n(kw, 'beta'), n(kw, 'threshold'))),
  m_softmax: unary((kw) => new Softmax(n(kw, 'dim'))),
  m_softmax0: unary((kw) => new Softmax(n(kw, 'dim'))),
  m_log_softmax: unary((kw) => new LogSoftmax(n(kw, 'dim'))),

  m_mse: loss((kw) => new MSELoss({ reduction: red(kw) })),
  m_l1: loss((kw) => new L1Loss({ reduction: red(kw) })),
  m_huber: loss((kw) => new HuberLoss({ reduction: red(kw), delta: n(kw, 'delta') })),
  m_smooth_l1: loss((kw) => new SmoothL1Loss({ reduction: red(kw), beta: n(kw, 'beta') })),
  m_gaussian_nll: loss((kw) => new GaussianNLLLoss({ reduction: red(kw) })),
  m_gaussian_nll_full: loss((kw) => new GaussianNLLLoss({ full: true, eps: n(kw, 'eps') })),
  m_cosine_embedding: loss((kw) => new CosineEmbeddingLoss({ reduction: red(kw), margin: n(kw, 'margin') })),
  m_cross_entropy: loss(
    (kw) =>
      new CrossEntropyLoss({
        reduction: red(kw),
        ignoreIndex: n(kw, 'ignore_index'),
        labelSmoothing: n(kw, 'label_smoothing'),
      }),
  ),
  m_nll: ([x, t], kw) => new NLLLoss({ reduction: red(kw), ignoreIndex: n(kw, 'ignore_index') }).call(x!, t!),
  m_cross_entropy_weight: ([x, t, w], kw) =>
    new CrossEntropyLoss({ weight: w!, labelSmoothing: n(kw, 'label_smoothing') }).call(x!, t!),
  m_nll_weight: ([x, t, w], kw) => new NLLLoss({ weight: w!, reduction: red(kw) }).call(x!, t!),
  m_bce: ([x, t], kw) => new BCELoss({ reduction: red(kw) }).call(x!.sigmoid(), t!),
  m_bce_weight: ([x, t, w]) => new BCELoss({ weight: w! }).call(x!.sigmoid(), t!),
  m_bce_logits: ([x, t, w, pw], kw) =>
    new BCEWithLogitsLoss({ weight: w!, posWeight: pw!, reduction: red(kw) }).call(x!, t!),
  m_kl_div: ([x, t], kw) => {
    const logTarget = kw.log_target as boolean;
    const target = logTarget ? F.logSoftmax(t!, 1) : softmax(t!, 1);
    const reduction = kw.reduction as Red | 'batchmean';
    return new KLDivLoss({ reduction, logTarget }).call(F.logSoftmax(x!, 1), target);
  },
};

/** The Tessera side of `define_ops` in scripts/torch_reference_cases_modules.py. */
export const REFERENCE_EXTRA_OPS: Readonly<Record<string, RefOp>> = {
  arange: ([z], kw) => T.arange(n(kw, 'start'), n(kw, 'end'), n(kw, 'step'), { dtype: z!.dtype }),
  linspace: ([z], kw) => T.linspace(n(kw, 'start'), n(kw, 'end'), n(kw, 'steps'), { dtype: z!.dtype }),
  eye: ([z], kw) => T.eye(n(kw, 'n'), n(kw, 'm'), { dtype: z!.dtype }),
  full: ([z], kw) => T.full(kw.shape as number[], n(kw, 'value'), { dtype: z!.dtype }),
  zeros: ([z], kw) => T.zeros(kw.shape as number[], { dtype: z!.dtype }),
  ones: ([z], kw) => T.ones(kw.shape as number[], { dtype: z!.dtype }),
  zeros_like: ([x]) => T.zerosLike(x!),
  ones_like: ([x]) => T.onesLike(x!),
  full_like: ([x], kw) => T.fullLike(x!, n(kw, 'value')),
  clip: ([x], kw) => T.clip(x!, n(kw, 'min'), n(kw, 'max')),
  interpolate: ([x], kw) =>
    F.interpolate(x!, {
      mode: kw.mode as 'nearest' | 'linear' | 'bilinear',
      ...(kw.size !== null ? { size: kw.size as number[] } : { scaleFactor: n(kw, 'scale') }),
      ...(kw.align !== null ? { alignCorners: kw.align as boolean } : {}),
    }),
  clip_grad_norm: ([g1, g2], kw) => {
    const slots: ParamSlot[] = [g1!, g2!].map((g) => ({ value: T.zerosLike(g), grad: g.clone() }));
    const normType = kw.norm_type === 'inf' ? 'inf' : n(kw, 'norm_type');
    const total = clipGradNorm_(slots, n(kw, 'max_norm'), normType);
    return [slots[0]!.grad!, slots[1]!.grad!, total];
  },
  clip_grad_value: ([g1, g2], kw) => {
    const slots: ParamSlot[] = [g1!, g2!].map((g) => ({ value: T.zerosLike(g), grad: g.clone() }));
    clipGradValue_(slots, n(kw, 'clip_value'));
    return [slots[0]!.grad!, slots[1]!.grad!];
  },
  max_pool2d_with_indices: ([x]) => {
    const r = T.maxPool2dWithIndices(x!, 3, { stride: 2, padding: 1 });
    return [r.values, r.indices];
  },
};

/** The Tessera side of `define_new_layers` in scripts/torch_reference_cases_modules.py. */
export const REFERENCE_NEW_LAYERS: Readonly<Record<string, RefOp>> = {
  n_prelu: one(() => new PReLU({ numParameters: 3, init: 0.1 })),
  n_instancenorm1d: one(() => new InstanceNorm1d(3, { affine: true })),
  n_conv_transpose1d: one(() => new ConvTranspose1d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 })),
  n_transformer_decoder_layer: withParams(
    2,
    () => new TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
    (m, [tgt, memory]) => m.call(tgt!, memory!),
  ),
  n_transformer_decoder: withParams(
    2,
    () =>
      new TransformerDecoder(
        new TransformerDecoderLayer(8, 2, {
          dimFeedforward: 16,
          dropout: 0,
          batchFirst: true,
          normFirst: true,
        }),
        2,
        { norm: new LayerNorm(8) },
      ),
    (m, [tgt, memory]) => m.call(tgt!, memory!),
  ),
  n_transformer: withParams(
    2,
    () =>
      new Transformer({
        dModel: 8,
        nhead: 2,
        numEncoderLayers: 1,
        numDecoderLayers: 1,
        dimFeedforward: 16,
        dropout: 0,
        batchFirst: true,
      }),
    (m, [src, tgt]) => m.call(src!, tgt!),
  ),
  n_weight_norm: one(() => weightNorm(new Linear(3, 4))),
  n_weight_norm_conv: one(() => weightNorm(new Conv1d(2, 3, 2), 'weight', null)),
  n_averaged_model: ([x, ...snapshots], kw) => {
    const m = new Linear(3, 2);
    m.to(x!.dtype);
    const avg = new AveragedModel(m, kw.ema ? { avgFn: getEmaAvgFn(0.8) } : {});
    for (let i = 0; i < snapshots.length; i += 2) {
      m.weight = new Parameter(snapshots[i]!);
      m.bias = new Parameter(snapshots[i + 1]!);
      avg.updateParameters(m);
    }
    return [avg.module.weight, avg.module.bias!, avg.call(x!)];
  },
  n_relu6: unary(() => new ReLU6()),
  n_hardtanh: unary(() => new Hardtanh(-0.5, 0.8)),
  n_hardswish: unary(() => new Hardswish()),
  n_hardsigmoid: unary(() => new Hardsigmoid()),
  n_mish: unary(() => new Mish()),
  n_logsigmoid: unary(() => new LogSigmoid()),
  n_softsign: unary(() => new Softsign()),
  n_softmin: unary(() => new Softmin(1)),
  n_glu: unary(() => new GLU(-1)),
  n_instancenorm2d: unary(() => new InstanceNorm2d(3)),
  n_pixel_shuffle: unary(() => new PixelShuffle(2)),
  n_pixel_unshuffle: unary(() => new PixelUnshuffle(2)),
  n_upsample_nearest: unary(() => new Upsample({ scaleFactor: 2, mode: 'nearest' })),
  n_upsample_bilinear: unary(() => new Upsample({ size: [5, 7], mode: 'bilinear', alignCorners: true })),
  n_adaptive_maxpool1d: ([x]) => {
    const r = new AdaptiveMaxPool1d(3, true).call(x!);
    return [r.values, r.indices];
  },
  n_adaptive_maxpool2d: ([x]) => {
    const r = new AdaptiveMaxPool2d([3, null], true).call(x!);
    return [r.values, r.indices];
  },
};
