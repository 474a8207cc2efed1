import { type GradcheckOptions, gradcheck } from '@tessera/autograd';
import type { AnyModule } from '@tessera/nn';
import type { Tensor } from '@tessera/tensor';

/**
 * gradcheck of a module with respect to its inputs and all its parameters (float64): the
 * parameters are swapped for gradcheck's perturbed copies while the module runs, so that finite
 * differences see them. `out` reduces the module's output to a tensor (default: identity);
 * `run` calls the module on the inputs (default `m.call(...inputs)`).
 */
export function gradcheckModule(
  m: AnyModule,
  inputs: readonly Tensor[],
  out: (y: any) => Tensor = (y) => y as Tensor,
  opts: GradcheckOptions = { atol: 1e-6, rtol: 1e-4 },
  run: (...xs: Tensor[]) => unknown = (...xs) => m.call(...xs),
): boolean {
  const named = [...m.namedParameters()];
  const originals = named.map(([, p]) => p as Tensor);
  const set = (values: readonly Tensor[]) =>
    named.forEach(([name], i) => {
      const parts = name.split('.');
      let obj = m as unknown as Record<string, unknown>;
      for (const k of parts.slice(0, -1)) obj = obj[k] as Record<string, unknown>;
      obj[parts[parts.length - 1]!] = values[i];
    });
  const fn = (...args: Tensor[]) => {
    set(args.slice(inputs.length));
    try {
      return out(run(...args.slice(0, inputs.length)));
    } finally {
      set(originals);
    }
  };
  return gradcheck(fn, [...inputs, ...originals], opts);
}

/** Values of a tensor as a flat JS array. */
export function flat(t: Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>);
}

/** Asserts two flat arrays are elementwise close (absolute + relative tolerance). */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol = 1e-5,
  rtol = 1e-5,
): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ok =
      Math.abs(a - e) <= atol + rtol * Math.abs(e) || (Number.isNaN(a) && Number.isNaN(e)) || a === e;
    if (!ok) throw new Error(`element ${i}: ${a} is not close to ${e} (atol ${atol}, rtol ${rtol})`);
  }
}
