import type { Tensor } from '@tessera/tensor';
import { zerosLike } from '@tessera/tensor';
import { type AdamFamilyOptions, checkAdamFamily, decayedGrad, updateMoments } from './adam-family.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';
import { beginStep } from './param-state.js';
import { checkBoolean, checkNumber, resolveOptions } from './validate.js';

/** Options of `NAdam` (PyTorch defaults). */
export interface NAdamOptions extends AdamFamilyOptions {
  /** Learning rate (default 2e-3). */
  lr?: number;
  /** Momentum decay ψ of the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)) (default 4e-3). */
  momentumDecay?: number;
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
    checkAdamFamily(this.name, o);
    checkNumber(this.name, 'momentumDecay', o.momentumDecay, { min: 0 });
    checkBoolean(this.name, 'decoupledWeightDecay', o.decoupledWeightDecay);
    checkBoolean(this.name, 'maximize', o.maximize);
  }

  protected updateGroup(group: ParamGroup<NAdamConfig>): void {
    const { lr, eps, momentumDecay } = group;
    const [beta1, beta2] = group.betas;
    for (const { value, grad, state } of this.withGrads(group)) {
      const step = beginStep(state, () => ({
        muProduct: 1,
        expAvg: zerosLike(value),
        expAvgSq: zerosLike(value),
      }));
      const expAvg = state.expAvg as Tensor;
      const expAvgSq = state.expAvgSq as Tensor;
      const biasCorrection2 = 1 - beta2 ** step;

      const g = decayedGrad(value, grad, group);

      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      const muProduct = (state.muProduct as number) * mu;
      state.muProduct = muProduct;
      const muProductNext = muProduct * muNext;

      updateMoments(expAvg, expAvgSq, g, beta1, beta2);

      const denom = expAvgSq.div(biasCorrection2);
      denom.sqrt_().add_(eps);
      value.addcdiv_(g, denom, (-lr * (1 - mu)) / (1 - muProduct));
      value.addcdiv_(expAvg, denom, (-lr * muNext) / (1 - muProductNext));
      denom.dispose();
      if (g !== grad) g.dispose();
    }
  }
}
