import { tensor } from '@tessera/tensor';
import {
  Accuracy,
  ConfusionMatrix,
  MeanAbsoluteError,
  MeanSquaredError,
  PrecisionRecallF1Metric,
  precisionRecallF1FromMatrix,
  RunningAverage,
  TopKAccuracy,
} from '@tessera/train';
import { describe, expect, it } from 'vitest';

describe('metrics', () => {
  it('accuracy from logits, accumulated over batches', async () => {
    const m = new Accuracy();
    m.update(
      tensor([
        [2, 1, 0],
        [0, 3, 1],
      ]).float(),
      tensor([0, 2]),
    );
    m.update(tensor([[0, 0, 5]]).float(), tensor([2]));
    expect(await m.compute()).toBeCloseTo(2 / 3);
    m.reset();
    expect(Number.isNaN(await m.compute())).toBe(true);
  });

  it('accuracy for binary probabilities and one-hot targets', async () => {
    const b = new Accuracy();
    b.update(tensor([0.9, 0.2, 0.6, 0.4]), tensor([1, 0, 0, 0]).float());
    expect(await b.compute()).toBe(0.75);
    const logits = new Accuracy({ threshold: 0 });
    logits.update(tensor([[1.5], [-2]]), tensor([[1], [1]]).float());
    expect(await logits.compute()).toBe(0.5);
    const oh = new Accuracy();
    oh.update(
      tensor([
        [0.1, 0.9],
        [0.8, 0.2],
      ]),
      tensor([
        [0, 1],
        [0, 1],
      ]).float(),
    );
    expect(await oh.compute()).toBe(0.5);
  });

  it('accuracy rejects mismatched lengths', () => {
    expect(() => new Accuracy().update(tensor([[1, 0]]).float(), tensor([0, 1]))).toThrow(
      /1 predictions but 2 targets/,
    );
  });

  it('top-k accuracy', async () => {
    const m = new TopKAccuracy(2);
    m.update(
      tensor([
        [0.5, 0.3, 0.2],
        [0.1, 0.2, 0.7],
        [0.6, 0.3, 0.1],
      ]),
      tensor([1, 0, 2]),
    );
    expect(await m.compute()).toBeCloseTo(1 / 3);
    expect(() => new TopKAccuracy(4).update(tensor([[1, 2, 3]]).float(), tensor([0]))).toThrow(
      /exceeds the 3 classes/,
    );
  });

  it('confusion matrix and precision/recall/F1 by hand', async () => {
    // targets 0 0 1 1 2, predictions 0 1 1 1 0
    const logits = tensor([
      [9, 0, 0],
      [0, 9, 0],
      [0, 9, 0],
      [0, 9, 0],
      [9, 0, 0],
    ]).float();
    const targets = tensor([0, 0, 1, 1, 2]);
    const cm = new ConfusionMatrix(3);
    cm.update(logits, targets);
    expect(await cm.matrix()).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    const prf = new PrecisionRecallF1Metric(3);
    prf.update(logits, targets);
    const r = await prf.perClass();
    expect(r.precision).toEqual([0.5, 2 / 3, 0]);
    expect(r.recall).toEqual([0.5, 1, 0]);
    expect(r.f1[1]).toBeCloseTo(0.8);
    expect(r.macroF1).toBeCloseTo((0.5 + 0.8 + 0) / 3);
    expect(await prf.compute()).toEqual({
      precision: r.macroPrecision,
      recall: r.macroRecall,
      f1: r.macroF1,
    });
    expect(
      precisionRecallF1FromMatrix([
        [0, 0],
        [0, 0],
      ]).macroF1,
    ).toBe(0);
  });

  it('regression errors', async () => {
    const mse = new MeanSquaredError();
    const mae = new MeanAbsoluteError();
    for (const m of [mse, mae]) {
      m.update(tensor([[1], [2]]).float(), tensor([0, 4]).float());
      m.update(tensor([3]).float(), tensor([3]).float());
    }
    expect(await mse.compute()).toBeCloseTo(5 / 3);
    expect(await mae.compute()).toBeCloseTo(1);
    expect(() => mse.update(tensor([1, 2]).float(), tensor([1]).float())).toThrow(/does not match/);
  });

  it('running average weights by count', () => {
    const a = new RunningAverage();
    a.update(1, 3);
    a.update(5, 1);
    expect(a.value).toBe(2);
    expect(a.count).toBe(4);
    expect(() => a.update(1, -1)).toThrow(/weight/);
  });
});
