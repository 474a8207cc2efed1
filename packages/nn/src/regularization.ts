import { checkOptions, Tensor, zeros } from '@tessera/tensor';
import { type AnyModule, Module } from './module.js';
import type { Parameter } from './parameter.js';

/** Options of l1Penalty and l2Penalty. */
export interface PenaltyOptions {
  /**
   * Also penalise biases (default false): with a module, parameters whose name's last part
   * starts with 'bias' or ends with '_bias' (bias, bias_ih_l0, in_proj_bias) are skipped.
   * A plain list of parameters is penalised entirely.
   */
  includeBias?: boolean;
}

/** The parameters a penalty covers. */
function covered(source: AnyModule | Iterable<Tensor>, opts: PenaltyOptions, op: string): Tensor[] {
  checkOptions(op, opts, { includeBias: 'boolean' });
  if (source instanceof Module) {
    const out: Parameter[] = [];
    for (const [name, p] of source.namedParameters()) {
      const last = name.slice(name.lastIndexOf('.') + 1);
      const isBias = last.startsWith('bias') || last.endsWith('_bias');
      if (p.requiresGrad && (opts.includeBias || !isBias)) out.push(p);
    }
    return out;
  }
  const list = [...source];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor))
      throw new TypeError(`penalty: element ${i} of the parameter list is not a tensor`);
  });
  return list;
}

/** Sums f(p) over the covered parameters as one scalar tensor (0 when there are none). */
function total(params: Tensor[], f: (p: Tensor) => Tensor): Tensor {
  if (params.length === 0) return zeros([]);
  let acc = f(params[0]!);
  for (let i = 1; i < params.length; i++) acc = acc.add(f(params[i]!));
  return acc;
}

/**
 * Sum of |w| over a module's weights (biases excluded unless `includeBias`) or over a list of
 * parameters: add `lambda * l1Penalty(model)` to a loss for L1 regularisation (sparsity).
 */
export function l1Penalty(source: AnyModule | Iterable<Tensor>, opts: PenaltyOptions = {}): Tensor {
  return total(covered(source, opts, 'l1Penalty'), (p) => p.abs().sum());
}

/**
 * Sum of w^2 over a module's weights (biases excluded unless `includeBias`) or over a list of
 * parameters: adding `lambda / 2 * l2Penalty(model)` to a loss equals SGD weight decay `lambda`.
 */
export function l2Penalty(source: AnyModule | Iterable<Tensor>, opts: PenaltyOptions = {}): Tensor {
  return total(covered(source, opts, 'l2Penalty'), (p) => p.square().sum());
}
