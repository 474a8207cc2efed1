import { autogradGrad, backward, gradcheck, gradgradcheck } from '@tessera/autograd';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

describe('autograd entry points check their options', () => {
  const leaf = () => tensor([1.5, 2], { dtype: 'float64' }).requiresGrad_();

  it('backward and tensor.backward', () => {
    const x = leaf();
    expect(() =>
      x
        .mul(x)
        .sum()
        .backward({ retain_graph: true } as never),
    ).toThrow("backward: unknown option 'retain_graph', did you mean 'retainGraph'?");
    expect(() => backward(x.sum(), null, { create_graph: true } as never)).toThrow(
      "did you mean 'createGraph'?",
    );
    expect(() => backward(x.sum(), null, { retainGraph: 'yes' } as never)).toThrow(
      `backward: option 'retainGraph' must be a boolean, got the string "yes"`,
    );
    x.mul(x).sum().backward({ retainGraph: false });
    expect(Array.from(x.grad!.dataSync())).toEqual([3, 4]);
  });

  it('autogradGrad', () => {
    const x = leaf();
    expect(() => autogradGrad(x.sum(), x, null, { allow_unused: true } as never)).toThrow(
      "autogradGrad: unknown option 'allow_unused', did you mean 'allowUnused'?",
    );
  });

  it('gradcheck and gradgradcheck', () => {
    const f = (x: ReturnType<typeof leaf>) => x.mul(x);
    expect(() => gradcheck(f, [leaf()], { tol: 1e-3 } as never)).toThrow("gradcheck: unknown option 'tol'");
    expect(() => gradgradcheck(f, [leaf()], { raise_exception: false } as never)).toThrow(
      "did you mean 'raiseException'?",
    );
    expect(gradgradcheck(f, [leaf()], { seed: 3 })).toBe(true);
  });
});
