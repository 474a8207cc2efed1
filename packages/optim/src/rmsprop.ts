import type { Tensor } from '@tessera/tensor';
import { zerosLike } from '@tessera/tensor';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { beginStep } from './param-state.js';
import { effectiveGrad } from './update-ops.js';
import { checkBoolean, checkLr, checkNumber, resolveOptions } from './validate.js';

/** Options of `RMSprop` (PyTorch defaults). */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment (default false). */
  centered?: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

type RMSpropConfig = Required<RMSpropOptions>;

const DEFAULTS: RMSpropConfig = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

/**
 * RMSprop (Hinton), exactly as `torch.optim.RMSprop`: v ← αv + (1 − α)g²; centered:
 * ḡ ← αḡ + (1 − α)g and ṽ = v − ḡ², else ṽ = v; with momentum b ← μb + g/(√ṽ + ε), θ ← θ − γb,
 * else θ ← θ − γg/(√ṽ + ε). State: `step`, `squareAvg`, `momentumBuffer` (momentum > 0),
 * `gradAvg` (centered).
 */
export class RMSprop extends Optimizer<RMSpropConfig> {
  protected readonly stateKeys = ['step', 'squareAvg', 'momentumBuffer', 'gradAvg'] as const;

  constructor(params: ParamsInput<RMSpropOptions>, options?: RMSpropOptions) {
    super('RMSprop', params as ParamsInput<RMSpropConfig>, resolveOptions('RMSprop', DEFAULTS, options));
  }

  protected validateGroup(o: RMSpropConfig): void {
    checkLr(this.name, o.lr);
    checkNumber(this.name, 'alpha', o.alpha, { min: 0 });
    checkNumber(this.name, 'eps', o.eps, { min: 0 });
    checkNumber(this.name, 'weightDecay', o.weightDecay, { min: 0 });
    checkNumber(this.name, 'momentum', o.momentum, { min: 0 });
    checkBoolean(this.name, 'centered', o.centered);
    checkBoolean(this.name, 'maximize', o.maximize);
  }

  protected updateGroup(group: ParamGroup<RMSpropConfig>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const { value, grad, state } of this.withGrads(group)) {
      beginStep(state, () => ({ squareAvg: zerosLike(value) }));
      if (momentum > 0 && state.momentumBuffer === undefined) state.momentumBuffer = zerosLike(value);
      if (centered && state.gradAvg === undefined) state.gradAvg = zerosLike(value);
      const squareAvg = state.squareAvg as Tensor;

      const g = effectiveGrad(value, grad, maximize, weightDecay);
      squareAvg.mul_(alpha).addcmul_(g, g, 1 - alpha);

      let avg: Tensor;
      if (centered) {
        const gradAvg = state.gradAvg as Tensor;
        gradAvg.lerp_(g, 1 - alpha);
        // √(v − ḡ²), computed as √(−ḡ² + v)
        avg = gradAvg.mul(gradAvg);
        avg.mul_(-1).add_(squareAvg);
        avg.sqrt_();
      } else {
        avg = squareAvg.sqrt();
      }
      avg.add_(eps);

      if (momentum > 0) {
        const buf = state.momentumBuffer as Tensor;
        buf.mul_(momentum).addcdiv_(g, avg, 1);
        value.add_(buf, -lr);
      } else {
        value.addcdiv_(g, avg, -lr);
      }
      avg.dispose();
      if (g !== grad) g.dispose();
    }
  }
}
