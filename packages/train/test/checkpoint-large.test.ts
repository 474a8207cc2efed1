import { Module, Parameter } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { type Tensor, tensor } from '@tessera/tensor';
import { memoryStore, resumeFrom, saveCheckpoint } from '@tessera/train';
import { expect, it } from 'vitest';

// Optimizer state used to be JSON text (~42.6 bytes per parameter): Adam over ~12.6M parameters
// failed with "RangeError: Invalid string length". It is binary now; 100M parameters must round
// trip. Four large parameters with cheap patterned values keep the test fast.
const N = 25_000_000;

function pattern(seed: number, n = N): Tensor {
  // A 1M-value block repeated (memcpy speed), shifted by the seed.
  const block = new Float32Array(Math.min(n, 1 << 20));
  for (let i = 0; i < block.length; i++) block[i] = ((i * 7919 + seed * 104729) % 1000) / 1000 - 0.5;
  const a = new Float32Array(n);
  for (let k = 0; k < n; k += block.length) a.set(block.subarray(0, Math.min(block.length, n - k)), k);
  return tensor(a);
}

class Big extends Module {
  a: Parameter;
  b: Parameter;
  c: Parameter;
  d: Parameter;
  constructor(seed: number) {
    super();
    this.a = new Parameter(pattern(seed));
    this.b = new Parameter(pattern(seed + 1));
    this.c = new Parameter(pattern(seed + 2).reshape([N / 1000, 1000]));
    this.d = new Parameter(pattern(seed + 3));
  }
  forward(): Tensor {
    return this.a;
  }
}

function sample(t: Tensor): number[] {
  const d = t.dataSync();
  return [d[0]!, d[12_345]!, d[d.length - 1]!];
}

it('checkpoints and resumes Adam over 100M float32 parameters', { timeout: 180_000 }, async () => {
  const model = new Big(1);
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  // Adam state as after some steps (set directly: a real step over 100M values is slow here).
  optimizer.loadStateDict({
    state: Object.fromEntries(
      model.parameters().map((p, i) => [
        String(i),
        {
          step: 7,
          expAvg: pattern(10 + i, p.numel()).reshape(p.shape),
          expAvgSq: pattern(20 + i, p.numel())
            .abs()
            .reshape(p.shape),
        },
      ]),
    ),
    paramGroups: [{ ...optimizer.stateDict().paramGroups[0]!, params: [0, 1, 2, 3] }],
  });
  const store = memoryStore();
  await saveCheckpoint(store, { model, optimizer }, 1, { epochs: [] });
  expect(store.files.get('ckpt-000001.state.safetensors')!.length).toBeGreaterThan(800_000_000);
  expect(store.files.get('ckpt-000001.json')!.length).toBeLessThan(10_000);
  const want = model.parameters().map(sample);
  const wantSq = model.parameters().map((p) => sample(optimizer.state.get(p)!.expAvgSq as Tensor));
  optimizer.state.clear();

  const fresh = new Big(100);
  const opt2 = new Adam(fresh.parameters(), { lr: 0.5 });
  const r = await resumeFrom(store, { model: fresh, optimizer: opt2 });
  expect(r.initialEpoch).toBe(1);
  expect(fresh.parameters().map(sample)).toEqual(want);
  expect(fresh.parameters().map((p) => sample(opt2.state.get(p)!.expAvgSq as Tensor))).toEqual(wantSq);
  expect(opt2.state.get(fresh.d)!.step).toBe(7);
  expect(opt2.paramGroups[0]!.lr).toBe(0.01);
});

it('checkpoints a model with more tensors than an untrusted safetensors file may hold', {
  timeout: 60_000,
}, async () => {
  class Many extends Module {
    constructor(value: number) {
      super();
      // 5,000 parameters: Adam keeps 10,000 state tensors, past the 8,192-entry default cap.
      for (let i = 0; i < 5000; i++)
        (this as unknown as Record<string, Parameter>)[`p${i}`] = new Parameter(tensor([value, i + 0.5]));
    }
    forward(): Tensor {
      return this.parameters()[0]!;
    }
  }
  const model = new Many(1);
  const optimizer = new Adam(model.parameters(), { lr: 0.1 });
  for (const p of model.parameters()) p.grad = p.detach().mul(2);
  optimizer.step();
  const store = memoryStore();
  await saveCheckpoint(store, { model, optimizer }, 3, { epochs: [] });
  const fresh = new Many(5);
  const opt2 = new Adam(fresh.parameters(), { lr: 0.1 });
  await resumeFrom(store, { model: fresh, optimizer: opt2 });
  expect(fresh.parameters()[4999]!.arraySync()).toEqual(model.parameters()[4999]!.arraySync());
  expect(opt2.state.size).toBe(5000);
});
