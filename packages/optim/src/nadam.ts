import type { Tensor } from '@tessera/tensor';
import { zerosLike } from '@tessera/tensor';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { addcdiv, addcmul, addS_, divS, effectiveGrad, lerpTo, mulS_ } from './update-ops.js';
import { checkBetas, checkBoolean, checkLr, checkNumber, resolveOptions } from './validate.js';

/** Options of `NAdam` (PyTorch defaults). */
export interface NAdamOptions {
  /** Learning rate (default 2e-3). */
  lr?: number;
  /** Decay rates of the first and second moment averages (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay (L2 penalty, or decoupled) (default 0). */
  weightDecay?: number;
  /** Momentum decay ψ of the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)) (default 4e-3). */
  momentumDecay?: number;
  /** Decay the weights directly (θ ← θ(1 − γλ)) instead of adding λθ to the gradient (default false). */
  decoupledWeightDecay?: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize?: boolean;
}

type NAdamConfig = Required<NAdamOptions>;

const DEFAULTS: NAdamConfig = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 4e-3,
  decoupledWeightDecay: false,
  maximize: false,
};

/**
 * NAdam (Dozat): Adam with Nesterov momentum and a momentum schedule, exactly as
 * `torch.optim.NAdam`:
 * θ ← θ − γ(1 − μₜ)/(1 − Πμ₁..ₜ) · g/d − γμₜ₊₁/(1 − Πμ₁..ₜ₊₁) · m/d with d = √(v/(1 − β₂ᵗ)) + ε.
 * State: `step`, `muProduct` (a number; PyTorch keeps it as a float32 tensor), `expAvg`, `expAvgSq`.
 */
export class NAdam extends Optimizer<NAdamConfig> {
  protected readonly stateKeys = ['step', 'muProduct', 'expAvg', 'expAvgSq'] as const;

  constructor(params: ParamsInput<NAdamOptions>, options?: NAdamOptions) {
    super('NAdam', params as ParamsInput<NAdamConfig>, resolveOptions('NAdam', DEFAULTS, options));
  }

  protected validateGroup(o: NAdamConfig): void {
    checkLr(this.name, o.lr);
    checkBetas(this.name, o.betas);
    checkNumber(this.name, 'eps', o.eps, { min: 0 });
    checkNumber(this.name, 'weightDecay', o.weightDecay, { min: 0 });
    checkNumber(this.name, 'momentumDecay', o.momentumDecay, { min: 0 });
    checkBoolean(this.name, 'decoupledWeightDecay', o.decoupledWeightDecay);
    checkBoolean(this.name, 'maximize', o.maximize);
  }

  protected updateGroup(group: ParamGroup<NAdamConfig>): void {
    const { lr, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize } = group;
    const [beta1, beta2] = group.betas;
    for (const { value, grad, state } of this.withGrads(group)) {
      if (state.step === undefined) {
        state.step = 0;
        state.muProduct = 1;
        state.expAvg = zerosLike(value);
        state.expAvgSq = zerosLike(value);
      }
      const step = (state.step as number) + 1;
      state.step = step;
      const expAvg = state.expAvg as Tensor;
      const expAvgSq = state.expAvgSq as Tensor;
      const biasCorrection2 = 1 - beta2 ** step;

      if (decoupledWeightDecay && weightDecay !== 0) mulS_(value, 1 - lr * weightDecay);
      const { g, owned } = effectiveGrad(value, grad, maximize, decoupledWeightDecay ? 0 : weightDecay);

      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      const muProduct = (state.muProduct as number) * mu;
      state.muProduct = muProduct;
      const muProductNext = muProduct * muNext;

      lerpTo(expAvg, g, 1 - beta1);
      mulS_(expAvgSq, beta2);
      addcmul(expAvgSq, g, g, 1 - beta2);

      const denom = divS(expAvgSq, biasCorrection2);
      denom.sqrt_();
      addS_(denom, eps);
      addcdiv(value, g, denom, (-lr * (1 - mu)) / (1 - muProduct));
      addcdiv(value, expAvg, denom, (-lr * muNext) / (1 - muProductNext));
      denom.dispose();
      if (owned) g.dispose();
    }
  }
}
