import type { Tensor } from '@tessera/tensor';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { effectiveGrad } from './update-ops.js';
import { checkBoolean, checkLr, checkNumber, resolveOptions } from './validate.js';

/** Options of `SGD` (PyTorch defaults). */
export interface SGDOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum: the gradient enters the buffer scaled by `1 - dampening` (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient: `g + weightDecay * param` (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

const DEFAULTS: Required<SGDOptions> = {
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
};

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
 * decay, exactly as `torch.optim.SGD`: with g = ∇ (negated if `maximize`) + λθ,
 * b ← g on the first step, else b ← μb + (1 − τ)g; the update direction is g + μb (Nesterov) or b;
 * θ ← θ − γ·direction. State: `momentumBuffer` (when momentum ≠ 0).
 */
export class SGD extends Optimizer<Required<SGDOptions>> {
  protected readonly stateKeys = ['momentumBuffer'] as const;

  constructor(params: ParamsInput<SGDOptions>, options?: SGDOptions) {
    super('SGD', params as ParamsInput<Required<SGDOptions>>, resolveOptions('SGD', DEFAULTS, options));
  }

  protected validateGroup(o: Required<SGDOptions>): void {
    checkLr(this.name, o.lr);
    checkNumber(this.name, 'momentum', o.momentum, { min: 0 });
    checkNumber(this.name, 'dampening', o.dampening);
    checkNumber(this.name, 'weightDecay', o.weightDecay, { min: 0 });
    checkBoolean(this.name, 'nesterov', o.nesterov);
    checkBoolean(this.name, 'maximize', o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(
        `${this.name}: Nesterov momentum requires momentum > 0 and dampening = 0 (got momentum ${o.momentum}, dampening ${o.dampening})`,
      );
    }
  }

  protected updateGroup(group: ParamGroup<Required<SGDOptions>>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const { value, grad, state } of this.withGrads(group)) {
      const g = effectiveGrad(value, grad, maximize, weightDecay);
      if (momentum === 0) {
        value.add_(g, -lr);
        if (g !== grad) g.dispose();
        continue;
      }
      let buf = state.momentumBuffer as Tensor | undefined;
      if (buf === undefined) {
        // First step: the buffer is the gradient itself (no dampening), as in PyTorch.
        buf = g === grad ? g.clone() : g;
        state.momentumBuffer = buf;
      } else {
        buf.mul_(momentum).add_(g, 1 - dampening);
      }
      if (nesterov) {
        // g + momentum * buf
        const d = buf.mul(momentum);
        d.add_(g);
        value.add_(d, -lr);
        d.dispose();
      } else {
        value.add_(buf, -lr);
      }
      if (g !== grad && g !== buf) g.dispose();
    }
  }
}
