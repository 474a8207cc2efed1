import {
  AveragedModel,
  AvgPool1d,
  AvgPool2d,
  BatchNorm1d,
  BCELoss,
  BCEWithLogitsLoss,
  Bilinear,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  Embedding,
  F,
  GaussianNLLLoss,
  GRU,
  GRUCell,
  GroupNorm,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  LayerNorm,
  Linear,
  LSTM,
  LSTMCell,
  MaxPool1d,
  MaxPool2d,
  MSELoss,
  MultiheadAttention,
  NLLLoss,
  PositionalEncoding,
  RNN,
  RNNCell,
  SmoothL1Loss,
  sinusoidalPositionalEncoding,
  spectralNorm,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tessera/nn';
import { ones, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

const bad = { bogus: 1 } as never;

describe('layers reject unknown and wrongly typed options', () => {
  it('suggests camelCase for PyTorch spellings', () => {
    expect(() => new LSTM(8, 16, { batch_first: true } as never)).toThrow(
      "LSTM: unknown option 'batch_first', did you mean 'batchFirst'?",
    );
    expect(() => new Conv2d(1, 2, 3, { paddding: 1 } as never)).toThrow(
      "Conv2d: unknown option 'paddding', did you mean 'padding'?",
    );
    expect(() => new CrossEntropyLoss({ ignore_index: 0 } as never)).toThrow("did you mean 'ignoreIndex'?");
    expect(() => new CrossEntropyLoss({ label_smoothing: 0.1 } as never)).toThrow(
      "did you mean 'labelSmoothing'?",
    );
    expect(() => new BCEWithLogitsLoss({ pos_weight: ones([1]) } as never)).toThrow(
      "did you mean 'posWeight'?",
    );
    expect(() => new Embedding(4, 2, { padding_idx: 0 } as never)).toThrow("did you mean 'paddingIdx'?");
  });

  it('type-checks values: Linear { bias: "no" } is not true', () => {
    expect(() => new Linear(2, 3, { bias: 'no' } as never)).toThrow(
      `Linear: option 'bias' must be a boolean, got the string "no"`,
    );
    expect(() => new LSTM(2, 3, { batchFirst: 1 as never })).toThrow(
      "LSTM: option 'batchFirst' must be a boolean, got 1",
    );
    expect(() => new Conv2d(1, 2, 3, { bias: 0 as never })).toThrow(
      "Conv2d: option 'bias' must be a boolean, got 0",
    );
    expect(() => new TransformerEncoderLayer(4, 2, { activation: 'tanh' as never })).toThrow(
      "TransformerEncoderLayer: option 'activation' must be a function, an object or one of 'relu', 'gelu'",
    );
  });

  it('every layer constructor checks its options', () => {
    const enc = new TransformerEncoderLayer(4, 2);
    const ctors: [string, () => unknown][] = [
      ['Linear', () => new Linear(2, 2, bad)],
      ['Bilinear', () => new Bilinear(2, 2, 2, bad)],
      ['Conv1d', () => new Conv1d(1, 1, 1, bad)],
      ['Conv2d', () => new Conv2d(1, 1, 1, bad)],
      ['ConvTranspose2d', () => new ConvTranspose2d(1, 1, 1, bad)],
      ['RNN', () => new RNN(2, 2, bad)],
      ['LSTM', () => new LSTM(2, 2, bad)],
      ['GRU', () => new GRU(2, 2, bad)],
      ['RNNCell', () => new RNNCell(2, 2, bad)],
      ['LSTMCell', () => new LSTMCell(2, 2, bad)],
      ['GRUCell', () => new GRUCell(2, 2, bad)],
      ['MultiheadAttention', () => new MultiheadAttention(4, 2, bad)],
      ['TransformerEncoderLayer', () => new TransformerEncoderLayer(4, 2, bad)],
      ['TransformerEncoder', () => new TransformerEncoder(enc, 1, bad)],
      ['PositionalEncoding', () => new PositionalEncoding(4, bad)],
      ['sinusoidalPositionalEncoding', () => sinusoidalPositionalEncoding(4, 4, bad)],
      ['Embedding', () => new Embedding(4, 2, bad)],
      ['Embedding.fromPretrained', () => Embedding.fromPretrained(ones([2, 2]), bad)],
      ['LayerNorm', () => new LayerNorm(4, bad)],
      ['GroupNorm', () => new GroupNorm(2, 4, bad)],
      ['BatchNorm1d', () => new BatchNorm1d(4, bad)],
      ['MaxPool1d', () => new MaxPool1d(2, bad)],
      ['MaxPool2d', () => new MaxPool2d(2, bad)],
      ['AvgPool1d', () => new AvgPool1d(2, bad)],
      ['AvgPool2d', () => new AvgPool2d(2, bad)],
      ['MSELoss', () => new MSELoss(bad)],
      ['L1Loss', () => new L1Loss(bad)],
      ['HuberLoss', () => new HuberLoss(bad)],
      ['SmoothL1Loss', () => new SmoothL1Loss(bad)],
      ['CrossEntropyLoss', () => new CrossEntropyLoss(bad)],
      ['NLLLoss', () => new NLLLoss(bad)],
      ['BCELoss', () => new BCELoss(bad)],
      ['BCEWithLogitsLoss', () => new BCEWithLogitsLoss(bad)],
      ['GaussianNLLLoss', () => new GaussianNLLLoss(bad)],
      ['KLDivLoss', () => new KLDivLoss(bad)],
      ['CosineEmbeddingLoss', () => new CosineEmbeddingLoss(bad)],
    ];
    for (const [name, make] of ctors) expect(make, name).toThrow(`${name}: unknown option 'bogus'`);
  });

  it('forward options are checked too (MultiheadAttention key_padding_mask)', () => {
    const mha = new MultiheadAttention(4, 2);
    const x = zeros([3, 1, 4]);
    expect(() => mha.call(x, x, x, { key_padding_mask: zeros([1, 3], { dtype: 'bool' }) } as never)).toThrow(
      "MultiheadAttention.forward: unknown option 'key_padding_mask', did you mean 'keyPaddingMask'?",
    );
    const enc = new TransformerEncoderLayer(4, 2);
    expect(() => enc.call(x, { src_key_padding_mask: null } as never)).toThrow(
      "did you mean 'srcKeyPaddingMask'?",
    );
    expect(() => new TransformerEncoder(enc, 1).call(x, bad)).toThrow(
      "TransformerEncoder.forward: unknown option 'bogus'",
    );
  });
});

describe('functional forms check their options', () => {
  const p = tensor([0.2, 0.7]);
  const y = tensor([0, 1], { dtype: 'float32' });
  const logits = zeros([2, 3]);
  const cls = tensor([0, 2]);
  it('losses', () => {
    expect(() => F.crossEntropy(logits, cls, { ignore_index: 1 } as never)).toThrow(
      "crossEntropy: unknown option 'ignore_index', did you mean 'ignoreIndex'?",
    );
    expect(() => F.nllLoss(logits, cls, bad)).toThrow("nllLoss: unknown option 'bogus'");
    expect(() => F.binaryCrossEntropy(p, y, bad)).toThrow("binaryCrossEntropy: unknown option 'bogus'");
    expect(() => F.binaryCrossEntropyWithLogits(p, y, bad)).toThrow('binaryCrossEntropyWithLogits: unknown');
    expect(() => F.mseLoss(p, y, bad)).toThrow("mseLoss: unknown option 'bogus'");
    expect(() => F.l1Loss(p, y, bad)).toThrow("l1Loss: unknown option 'bogus'");
    expect(() => F.huberLoss(p, y, bad)).toThrow("huberLoss: unknown option 'bogus'");
    expect(() => F.smoothL1Loss(p, y, bad)).toThrow("smoothL1Loss: unknown option 'bogus'");
    expect(() => F.klDiv(p, y, bad)).toThrow("klDiv: unknown option 'bogus'");
    expect(() => F.gaussianNllLoss(p, y, ones([2]), bad)).toThrow("gaussianNllLoss: unknown option 'bogus'");
    expect(() => F.cosineEmbeddingLoss(logits, logits, ones([2]), bad)).toThrow(
      'cosineEmbeddingLoss: unknown',
    );
    expect(() => F.crossEntropy(logits, cls, { weight: [1, 2, 3] } as never)).toThrow(
      "crossEntropy: option 'weight' must be a Tensor or null, got an array",
    );
  });

  it('dropout, normalisation, pooling, embedding, attention', () => {
    const x = ones([1, 2, 4]);
    expect(() => F.dropout(x, 0.5, { train: true } as never)).toThrow("did you mean 'training'?");
    expect(() => F.dropout1d(x, 0.5, bad)).toThrow("dropout1d: unknown option 'bogus'");
    expect(() => F.layerNorm(x, [4], bad)).toThrow("layerNorm: unknown option 'bogus'");
    expect(() => F.groupNorm(x, 1, bad)).toThrow("groupNorm: unknown option 'bogus'");
    expect(() => F.batchNorm(x, zeros([2]), ones([2]), bad)).toThrow("batchNorm: unknown option 'bogus'");
    expect(() => F.maxPool1d(x, 2, bad)).toThrow("maxPool1d: unknown option 'bogus'");
    expect(() => F.avgPool1d(x, 2, bad)).toThrow("avgPool1d: unknown option 'bogus'");
    expect(() => F.embedding(tensor([0]), ones([2, 2]), { padding_idx: 0 } as never)).toThrow(
      "did you mean 'paddingIdx'?",
    );
    const q = ones([1, 2, 4]);
    expect(() => F.scaledDotProductAttention(q, q, q, { is_causal: true } as never)).toThrow(
      "did you mean 'isCausal'?",
    );
  });

  it('valid options still work', () => {
    expect(new MaxPool1d(2, { stride: 2 }).call(ones([1, 1, 4])).shape).toEqual([1, 1, 2]);
    expect(new AvgPool1d(2).call(ones([1, 1, 4])).shape).toEqual([1, 1, 2]);
    expect(new Linear(2, 3, { bias: false }).bias).toBeNull();
  });
});

describe('init, penalties and summary check their options', () => {
  it('rejects unknown names', async () => {
    const { init, l1Penalty, l2Penalty, summary } = await import('@tessera/nn');
    const w = zeros([3, 4]);
    expect(() => init.kaimingUniform_(w, { nonlinearty: 'relu' } as never)).toThrow(
      "kaimingUniform_: unknown option 'nonlinearty', did you mean 'nonlinearity'?",
    );
    expect(() => init.kaimingNormal_(w, bad)).toThrow("kaimingNormal_: unknown option 'bogus'");
    expect(() => init.uniform_(w, 0, 1, { seed: 1 } as never)).toThrow("uniform_: unknown option 'seed'");
    expect(() => init.normal_(w, 0, 1, bad)).toThrow("normal_: unknown option 'bogus'");
    expect(() => init.xavierUniform_(w, 1, bad)).toThrow("xavierUniform_: unknown option 'bogus'");
    expect(() => init.xavierNormal_(w, 1, bad)).toThrow("xavierNormal_: unknown option 'bogus'");
    expect(() => init.orthogonal_(w, 1, bad)).toThrow("orthogonal_: unknown option 'bogus'");
    const model = new Linear(2, 2);
    expect(() => l1Penalty(model, { include_bias: true } as never)).toThrow("did you mean 'includeBias'?");
    expect(() => l2Penalty(model, bad)).toThrow("l2Penalty: unknown option 'bogus'");
    expect(() => summary(model, [1, 2], bad)).toThrow("summary: unknown option 'bogus'");
    expect(init.kaimingUniform_(w, { a: 0, mode: 'fan_out', nonlinearity: 'relu' }).shape).toEqual([3, 4]);
  });
});

describe('Module.loadStateDict options', () => {
  it('rejects unknown names and a non-boolean strict', () => {
    const m = new Linear(2, 2);
    expect(() => m.loadStateDict(m.stateDict(), { strct: false } as never)).toThrow(
      "loadStateDict: unknown option 'strct', did you mean 'strict'?",
    );
    expect(() => m.loadStateDict(m.stateDict(), { strict: 'no' } as never)).toThrow(
      `loadStateDict: option 'strict' must be a boolean, got the string "no"`,
    );
  });
});

describe('parametrisations and averaged models check their options', () => {
  it('spectralNorm rejects snake_case and misspelt option names', () => {
    expect(() => spectralNorm(new Linear(3, 2), 'weight', { n_power_iterations: 5 } as never)).toThrow(
      /spectralNorm: unknown option 'n_power_iterations'.*nPowerIterations/,
    );
  });
  it('AveragedModel rejects avg_fn instead of silently averaging with SWA', () => {
    expect(() => new AveragedModel(new Linear(3, 2), { avg_fn: () => 0 } as never)).toThrow(
      /AveragedModel: unknown option 'avg_fn'.*avgFn/,
    );
  });
});
