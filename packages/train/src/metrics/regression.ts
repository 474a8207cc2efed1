import { noGrad } from '@tessera/autograd';
import type { Tensor } from '@tessera/tensor';
import { checkOptions } from '@tessera/tensor';
import { type Metric, scalar } from './metric.js';

abstract class ErrorMean implements Metric {
  abstract readonly name: string;
  private total: Tensor | null = null;
  private count = 0;

  protected abstract error(diff: Tensor): Tensor;

  reset(): void {
    this.total = null;
    this.count = 0;
  }

  update(pred: Tensor, target: Tensor): void {
    noGrad(() => {
      const p =
        pred.shape.length === target.shape.length + 1 && pred.shape.at(-1) === 1 ? pred.squeeze(-1) : pred;
      if (p.numel() !== target.numel()) {
        throw new RangeError(
          `${this.name}: prediction shape [${pred.shape}] does not match target shape [${target.shape}]`,
        );
      }
      const s = this.error(p.reshape(-1).sub(target.reshape(-1).to(p.dtype))).sum();
      this.total = this.total === null ? s : this.total.add(s);
      this.count += target.numel();
    });
  }

  async compute(): Promise<number> {
    return this.count === 0 ? Number.NaN : (await scalar(this.total!)) / this.count;
  }
}

/** Mean squared error. */
export class MeanSquaredError extends ErrorMean {
  readonly name: string;
  constructor(opts: { name?: string } = {}) {
    super();
    checkOptions('MeanSquaredError', opts, { name: 'string' });
    this.name = opts.name ?? 'mse';
  }
  protected error(d: Tensor): Tensor {
    return d.square();
  }
}

/** Mean absolute error. */
export class MeanAbsoluteError extends ErrorMean {
  readonly name: string;
  constructor(opts: { name?: string } = {}) {
    super();
    checkOptions('MeanAbsoluteError', opts, { name: 'string' });
    this.name = opts.name ?? 'mae';
  }
  protected error(d: Tensor): Tensor {
    return d.abs();
  }
}
