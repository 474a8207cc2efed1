import { noGrad } from '@tessera/autograd';
import { Generator, randn, type Tensor } from '@tessera/tensor';

const gen = new Generator(1234);

/** A float64 leaf of normal samples that requires grad (deterministic across runs). */
export function rnd(shape: readonly number[], map?: (t: Tensor) => Tensor): Tensor {
  const t = noGrad(() => {
    const r = randn(shape, { dtype: 'float64', generator: gen });
    return map === undefined ? r : map(r);
  });
  return t.requiresGrad_(true);
}

/** Positive values in [0.5, ~3). */
export const positive = (t: Tensor): Tensor => t.abs().add(0.5);

/**
 * A non-contiguous float64 leaf of `shape` that requires grad: the transpose of a contiguous
 * tensor (last two dims swapped), or a stride-2 slice for 1-D shapes.
 */
export function rndStrided(shape: readonly number[], map?: (t: Tensor) => Tensor): Tensor {
  const t = noGrad(() => {
    const draw = (s: readonly number[]): Tensor => {
      const r = randn(s, { dtype: 'float64', generator: gen });
      return map === undefined ? r : map(r);
    };
    if (shape.length >= 2) {
      const s = [...shape];
      [s[s.length - 1], s[s.length - 2]] = [s[s.length - 2]!, s[s.length - 1]!];
      return draw(s).mT;
    }
    if (shape.length === 1) return draw([shape[0]! * 2]).slice(0, 0, undefined, 2);
    return draw([]);
  });
  return t.requiresGrad_(true);
}
