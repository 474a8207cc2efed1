import { Linear, Module, ReLU, Sequential } from '@tessera/nn';
import { manualSeed, memory, randn, type Tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

// Sequential releases the result passed between two built-in layers (nobody else can hold it)
// as soon as the next layer has run. Anything a hook or a custom module could keep stays alive.

/** A module that keeps a reference to its input. */
class Keeper extends Module {
  kept: Tensor | null = null;
  forward(x: Tensor): Tensor {
    this.kept = x;
    return x.mul(2);
  }
}

describe('Sequential releases intermediate results', () => {
  it('between built-in layers, without changing results or gradients', () => {
    manualSeed(1);
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const x = randn([5, 4]);
    const before = memory().liveTensors;
    const y = model.call(x);
    const bySequential = memory().liveTensors - before;
    y.sum().backward();
    expect(x.isDisposed).toBe(false);
    expect(y.isDisposed).toBe(false);
    // Compare with running the layers by hand (no release).
    const [l1, r, l2] = [...model] as [Linear, ReLU, Linear];
    const grads = model.parameters().map((p) => p.grad!.dataSync());
    model.zeroGrad();
    const start = memory().liveTensors;
    const h1 = l1.call(x);
    const h2 = r.call(h1);
    const y2 = l2.call(h2);
    // By hand, both intermediate results stay alive; Sequential released them.
    expect(bySequential).toBe(memory().liveTensors - start - 2);
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    y2.sum().backward();
    model.parameters().forEach((p, i) => {
      expect(Array.from(p.grad!.dataSync())).toEqual(Array.from(grads[i]!));
    });
    expect(h1.isDisposed).toBe(false);
  });

  it('keeps results a forward hook or a custom module may hold', () => {
    manualSeed(2);
    const seen: Tensor[] = [];
    const relu = new ReLU();
    relu.registerForwardHook((_m, _inputs, out) => {
      seen.push(out as Tensor);
      return undefined;
    });
    const keeper = new Keeper();
    const model = new Sequential(new Linear(3, 4), relu, new Linear(4, 4), keeper, new Linear(4, 2));
    const x = randn([2, 3]);
    model.call(x).sum().backward();
    expect(seen[0]!.isDisposed).toBe(false);
    expect(seen[0]!.shape).toEqual([2, 4]);
    expect(keeper.kept!.isDisposed).toBe(false);
    expect(keeper.kept!.shape).toEqual([2, 4]);
    // The container's own input and output are never released.
    expect(x.isDisposed).toBe(false);
  });
});
