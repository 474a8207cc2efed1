import { noGrad } from '@tessera/autograd';
import { checkOptions, type Tensor, zeros } from '@tessera/tensor';
import { type Metric, scalar } from './metric.js';

/**
 * Class predictions from a model output: argmax over the last dim for [N, C] outputs (C > 1);
 * for [N] or [N, 1] outputs, 1 where the value exceeds `threshold` (0.5 for probabilities, 0
 * for logits).
 */
export function predictedClasses(pred: Tensor, threshold = 0.5): Tensor {
  if (pred.ndim >= 2 && pred.shape[pred.ndim - 1]! > 1) return pred.argmax(-1);
  const flat = pred.ndim >= 2 ? pred.squeeze(-1) : pred;
  return flat.gt(threshold).int();
}

/** Class-index targets: int targets as they are; one-hot / probability targets via argmax. */
export function targetClasses(target: Tensor): Tensor {
  if (target.dtype === 'int32') return target;
  if (target.ndim >= 2 && target.shape[target.ndim - 1]! > 1) return target.argmax(-1);
  return (target.ndim >= 2 ? target.squeeze(-1) : target).round().int();
}

function checkLengths(op: string, p: Tensor, t: Tensor): void {
  if (p.numel() !== t.numel()) {
    throw new RangeError(
      `${op}: ${p.numel()} predictions but ${t.numel()} targets (shapes [${p.shape}] and [${t.shape}])`,
    );
  }
}

/** Share of samples whose predicted class equals the target class. */
export class Accuracy implements Metric {
  readonly name: string;
  private correct: Tensor | null = null;
  private total = 0;

  constructor(opts: { threshold?: number; name?: string } = {}) {
    checkOptions('Accuracy', opts, { threshold: 'any', name: 'any' });
    this.threshold = opts.threshold ?? 0.5;
    this.name = opts.name ?? 'accuracy';
  }
  private readonly threshold: number;

  reset(): void {
    this.correct = null;
    this.total = 0;
  }

  update(pred: Tensor, target: Tensor): void {
    noGrad(() => {
      const p = predictedClasses(pred, this.threshold).flatten();
      const t = targetClasses(target).flatten();
      checkLengths('accuracy', p, t);
      const c = p.eq(t).sum();
      this.correct = this.correct === null ? c : this.correct.add(c);
      this.total += t.numel();
    });
  }

  async compute(): Promise<number> {
    if (this.total === 0) return Number.NaN;
    return (await scalar(this.correct!)) / this.total;
  }
}

/** Share of samples whose target class is among the k highest-scoring classes. */
export class TopKAccuracy implements Metric {
  readonly name: string;
  private correct: Tensor | null = null;
  private total = 0;

  constructor(
    readonly k: number,
    opts: { name?: string } = {},
  ) {
    checkOptions('TopKAccuracy', opts, { name: 'any' });
    if (!Number.isInteger(k) || k < 1)
      throw new RangeError(`TopKAccuracy: k must be a positive integer, got ${k}`);
    this.name = opts.name ?? `top${k}Accuracy`;
  }

  reset(): void {
    this.correct = null;
    this.total = 0;
  }

  update(pred: Tensor, target: Tensor): void {
    noGrad(() => {
      if (pred.ndim !== 2)
        throw new RangeError(`topKAccuracy: predictions must be [N, C], got [${pred.shape}]`);
      if (this.k > pred.shape[1]!)
        throw new RangeError(`topKAccuracy: k = ${this.k} exceeds the ${pred.shape[1]} classes`);
      const t = targetClasses(target).reshape(-1, 1);
      if (t.shape[0] !== pred.shape[0]) {
        throw new RangeError(`topKAccuracy: ${pred.shape[0]} predictions but ${t.shape[0]} targets`);
      }
      const top = pred.topk(this.k, 1).indices;
      const c = top.eq(t).any(1).int().sum();
      this.correct = this.correct === null ? c : this.correct.add(c);
      this.total += t.shape[0]!;
    });
  }

  async compute(): Promise<number> {
    if (this.total === 0) return Number.NaN;
    return (await scalar(this.correct!)) / this.total;
  }
}

/**
 * Counts of (target, predicted) class pairs: row = true class, column = predicted class.
 * `compute()` returns the flattened counts as `{ '0,0': n, ... }`; `matrix()` the rows.
 */
export class ConfusionMatrix implements Metric {
  readonly name: string;
  private counts: Tensor;

  constructor(
    readonly numClasses: number,
    opts: { threshold?: number; name?: string } = {},
  ) {
    checkOptions('ConfusionMatrix', opts, { threshold: 'any', name: 'any' });
    if (!Number.isInteger(numClasses) || numClasses < 2) {
      throw new RangeError(`ConfusionMatrix: numClasses must be an integer >= 2, got ${numClasses}`);
    }
    this.threshold = opts.threshold ?? 0.5;
    this.name = opts.name ?? 'confusionMatrix';
    this.counts = zeros([numClasses * numClasses], { dtype: 'int32' });
  }
  private readonly threshold: number;

  reset(): void {
    this.counts = zeros([this.numClasses * this.numClasses], { dtype: 'int32' });
  }

  update(pred: Tensor, target: Tensor): void {
    noGrad(() => {
      const p = predictedClasses(pred, this.threshold).flatten();
      const t = targetClasses(target).flatten();
      checkLengths('confusionMatrix', p, t);
      const cell = t.mul(this.numClasses).add(p);
      const ones = cell.ge(0).int();
      this.counts = this.counts.indexAdd(0, cell, ones);
    });
  }

  /** The matrix as rows of counts. */
  async matrix(): Promise<number[][]> {
    const d = await this.counts.data();
    const n = this.numClasses;
    return Array.from({ length: n }, (_, i) => Array.from(d.subarray(i * n, (i + 1) * n), Number));
  }

  async compute(): Promise<Record<string, number>> {
    const m = await this.matrix();
    const out: Record<string, number> = {};
    for (const [i, row] of m.entries()) for (const [j, v] of row.entries()) out[`${i},${j}`] = v;
    return out;
  }
}

/** Precision, recall and F1 from a confusion matrix, per class and macro-averaged. */
export interface PrecisionRecallF1 {
  precision: number[];
  recall: number[];
  f1: number[];
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
}

/** Computes precision/recall/F1 from confusion-matrix rows (classes with no support count as 0). */
export function precisionRecallF1FromMatrix(m: number[][]): PrecisionRecallF1 {
  const n = m.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  for (let c = 0; c < n; c++) {
    const tp = m[c]![c]!;
    let predicted = 0;
    let actual = 0;
    for (let k = 0; k < n; k++) {
      predicted += m[k]![c]!;
      actual += m[c]![k]!;
    }
    const p = predicted === 0 ? 0 : tp / predicted;
    const r = actual === 0 ? 0 : tp / actual;
    precision.push(p);
    recall.push(r);
    f1.push(p + r === 0 ? 0 : (2 * p * r) / (p + r));
  }
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  return {
    precision,
    recall,
    f1,
    macroPrecision: mean(precision),
    macroRecall: mean(recall),
    macroF1: mean(f1),
  };
}

/**
 * Macro-averaged precision, recall and F1 (logged as `precision`, `recall`, `f1`); per-class
 * values through `perClass()`.
 */
export class PrecisionRecallF1Metric implements Metric {
  readonly name: string;
  private readonly cm: ConfusionMatrix;

  constructor(numClasses: number, opts: { threshold?: number; name?: string } = {}) {
    checkOptions('PrecisionRecallF1Metric', opts, { threshold: 'any', name: 'any' });
    this.cm = new ConfusionMatrix(numClasses, opts);
    this.name = opts.name ?? 'prf1';
  }

  reset(): void {
    this.cm.reset();
  }

  update(pred: Tensor, target: Tensor): void {
    this.cm.update(pred, target);
  }

  /** Per-class and macro values. */
  async perClass(): Promise<PrecisionRecallF1> {
    return precisionRecallF1FromMatrix(await this.cm.matrix());
  }

  async compute(): Promise<Record<string, number>> {
    const r = await this.perClass();
    return { precision: r.macroPrecision, recall: r.macroRecall, f1: r.macroF1 };
  }
}
