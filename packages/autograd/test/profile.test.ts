import { backward, noGrad } from '@tessera/autograd';
import {
  getOpObserver,
  hasOpObservers,
  manualSeed,
  profile,
  pushOpObserver,
  randn,
  recordFunction,
  setOpObserver,
  type Tensor,
  tensor,
} from '@tessera/tensor';
import { afterEach, describe, expect, it } from 'vitest';

const autograd = getOpObserver();

afterEach(() => {
  // Autograd's observer is still the base, and no profiler is left behind.
  expect(getOpObserver()).toBe(autograd);
  expect(autograd).not.toBe(null);
  expect(hasOpObservers()).toBe(true);
});

/** A linear layer with ReLU, on float64 leaves: x [8,4], w [3,4], b [3]. */
function linearLeaves(): { x: Tensor; w: Tensor; b: Tensor } {
  manualSeed(7);
  const opts = { dtype: 'float64', requiresGrad: true } as const;
  return { x: randn([8, 4], opts), w: randn([3, 4], opts), b: randn([3], opts) };
}

function forward(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return x.matmul(w.transpose(0, 1)).add(b).relu().sum();
}

describe('profile with autograd attached', () => {
  it('profiles a linear forward and backward: matmul counts and correct gradients', () => {
    const { x, w, b } = linearLeaves();
    const fwd = profile(() => forward(x, w, b));
    expect(fwd.row('matmul')?.count).toBe(1);
    expect(fwd.row('add')?.count).toBe(1);
    expect(fwd.row('relu')?.count).toBe(1);
    expect(fwd.row('matmul')?.bytesAllocated).toBe(8 * 3 * 8);
    const loss = fwd.value;
    expect(loss.requiresGrad).toBe(true); // autograd recorded under the profiler
    const bwd = profile(() => backward(loss));
    // dL/dx = g @ w and dL/dw = g^T @ x: two matmuls, run by backward.
    expect(bwd.row('matmul')?.count).toBe(2);
    expect(bwd.rows.length).toBeGreaterThan(1);

    // The same gradients as with no profiler, and as computed by hand.
    const ref = linearLeaves();
    backward(forward(ref.x, ref.w, ref.b));
    expect(x.grad!.arraySync()).toEqual(ref.x.grad!.arraySync());
    expect(w.grad!.arraySync()).toEqual(ref.w.grad!.arraySync());
    expect(b.grad!.arraySync()).toEqual(ref.b.grad!.arraySync());
    noGrad(() => {
      const g = x.matmul(w.transpose(0, 1)).add(b).gt(0).to('float64'); // dL/dy: the ReLU mask
      expect(x.grad!.sub(g.matmul(w)).abs().max().item()).toBeLessThan(1e-12);
      expect(w.grad!.sub(g.transpose(0, 1).matmul(x)).abs().max().item()).toBeLessThan(1e-12);
      expect(b.grad!.sub(g.sum(0)).abs().max().item()).toBeLessThan(1e-12);
    });
  });

  it('splits a training step into forward and backward regions', () => {
    const { x, w, b } = linearLeaves();
    const p = profile(() => {
      const loss = recordFunction('forward', () => forward(x, w, b));
      recordFunction('backward', () => backward(loss));
    });
    expect(p.row('forward')?.count).toBe(1);
    expect(p.row('backward')?.count).toBe(1);
    expect(p.row('matmul')?.count).toBe(3);
    // Every op ran inside a region: the regions' totals hold all of the ops' time and bytes.
    const ops = p.rows.filter((r) => r.name !== 'forward' && r.name !== 'backward');
    const regionBytes = p.row('forward')!.bytesAllocated + p.row('backward')!.bytesAllocated;
    expect(regionBytes).toBe(ops.reduce((s, r) => s + r.selfBytesAllocated, 0));
    expect(w.grad).not.toBe(null);
  });

  it('sees the ops run inside noGrad, whose results do not require grad', () => {
    const { x, w } = linearLeaves();
    const p = profile(() => noGrad(() => x.matmul(w.transpose(0, 1)).exp()));
    expect(p.row('matmul')?.count).toBe(1);
    expect(p.row('exp')?.count).toBe(1);
    expect(p.value.requiresGrad).toBe(false);
    const q = noGrad(() => profile(() => x.neg()));
    expect(q.row('neg')?.count).toBe(1);
    expect(q.value.requiresGrad).toBe(false);
  });

  it('keeps profiling while the base observer is detached, as optimizers do for their updates', () => {
    const w = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const p = profile(() => {
      const prev = setOpObserver(null); // withoutRecording() in @tessera/optim
      try {
        w.sub_(tensor([0.5, 0.5]));
      } finally {
        setOpObserver(prev);
      }
      return w.mul(2);
    });
    expect(p.row('sub_')?.count).toBe(1);
    expect(p.row('mul')?.count).toBe(1);
    expect(w.arraySync()).toEqual([0.5, 1.5]);
    expect(p.value.requiresGrad).toBe(true);
  });

  it('counts an op autograd refuses, and unwinds', () => {
    const w = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    let inner: ReturnType<typeof profile<void>> | undefined;
    const outer = profile(() => {
      expect(() => {
        inner = profile(() => {
          w.add_(1);
        });
      }).toThrow(/add_: in-place op on a tensor that requires grad/);
    });
    expect(inner).toBeUndefined();
    expect(outer.row('add_')?.count).toBe(1);
    expect(w.arraySync()).toEqual([1, 2]);
  });

  it('runs pushed observers above autograd: they see results that already carry their graph', () => {
    const { x } = linearLeaves();
    const seen: boolean[] = [];
    const h = pushOpObserver({
      run(_call, compute) {
        const r = compute();
        seen.push((r as Tensor).requiresGrad);
        return r;
      },
    });
    try {
      x.exp();
      noGrad(() => x.exp());
    } finally {
      h.remove();
    }
    expect(seen).toEqual([true, false]);
  });
});
