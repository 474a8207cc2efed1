import type { Tensor } from '@tessera/tensor';
import { fullLike } from '@tessera/tensor';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { beginStep } from './param-state.js';
import { effectiveGrad } from './update-ops.js';
import { checkBoolean, checkLr, checkNumber, resolveOptions } from './validate.js';

/** Options of `Adagrad` (PyTorch defaults). */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning rate decay: step t uses γ/(1 + (t − 1)·lrDecay) (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps?: number;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

type AdagradConfig = Required<AdagradOptions>;

const DEFAULTS: AdagradConfig = {
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
};

/**
 * Adagrad (Duchi et al.), exactly as `torch.optim.Adagrad`: s ← s + g², θ ← θ − γ̃ g/(√s + ε) with
 * γ̃ = γ/(1 + (t − 1)·lrDecay). State: `step`, `sum` (starts at initialAccumulatorValue).
 */
export class Adagrad extends Optimizer<AdagradConfig> {
  protected readonly stateKeys = ['step', 'sum'] as const;

  constructor(params: ParamsInput<AdagradOptions>, options?: AdagradOptions) {
    super('Adagrad', params as ParamsInput<AdagradConfig>, resolveOptions('Adagrad', DEFAULTS, options));
  }

  protected validateGroup(o: AdagradConfig): void {
    checkLr(this.name, o.lr);
    checkNumber(this.name, 'lrDecay', o.lrDecay, { min: 0 });
    checkNumber(this.name, 'weightDecay', o.weightDecay, { min: 0 });
    checkNumber(this.name, 'initialAccumulatorValue', o.initialAccumulatorValue, { min: 0 });
    checkNumber(this.name, 'eps', o.eps, { min: 0 });
    checkBoolean(this.name, 'maximize', o.maximize);
  }

  protected updateGroup(group: ParamGroup<AdagradConfig>): void {
    const { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize } = group;
    for (const { value, grad, state } of this.withGrads(group)) {
      const step = beginStep(state, () => ({ sum: fullLike(value, initialAccumulatorValue) }));
      const sum = state.sum as Tensor;

      const g = effectiveGrad(value, grad, maximize, weightDecay);
      const clr = lr / (1 + (step - 1) * lrDecay);
      sum.addcmul_(g, g, 1);
      const std = sum.sqrt();
      std.add_(eps);
      value.addcdiv_(g, std, -clr);
      std.dispose();
      if (g !== grad) g.dispose();
    }
  }
}
