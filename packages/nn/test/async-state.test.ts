import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad } from '@tessera/autograd';
import { BatchNorm1d, Linear, loadFile, Sequential, save, saveAsync, saveFile } from '@tessera/nn';
import { manualSeed, randn, Tensor } from '@tessera/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The asynchronous twins give the same results as the synchronous calls on the CPU; the WebGPU
// side (where only they work) is tested in examples/test/webgpu-checkpoint.test.ts.
function net() {
  manualSeed(3);
  const m = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new Linear(4, 2));
  m.call(randn([5, 3]));
  return m;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('async state dicts and saving', () => {
  it('stateDictAsync has the keys and values of stateDict, on the CPU', async () => {
    const m = net();
    const sync = m.stateDict();
    const asyncSd = await m.stateDictAsync();
    expect(Object.keys(asyncSd)).toEqual(Object.keys(sync));
    for (const [k, t] of Object.entries(asyncSd)) {
      expect(t.device).toBe('cpu');
      expect(t.arraySync()).toEqual(sync[k]!.arraySync());
    }
  });

  it('saveAsync writes the same bytes as save, for a module and a dict', async () => {
    const m = net();
    expect(await saveAsync(m, { a: 'b' })).toEqual(save(m, { a: 'b' }));
    const d = { x: randn([2, 3]), y: randn([4]).gt(0) };
    expect(await saveAsync(d)).toEqual(save(d));
  });

  it('saveFile writes what loadFile reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-nn-'));
    try {
      const m = net();
      await saveFile(join(dir, 'm.safetensors'), m);
      const back = await loadFile(join(dir, 'm.safetensors'));
      expect(back['1.running_var']!.arraySync()).toEqual(m.stateDict()['1.running_var']!.arraySync());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('toAsync to the same device keeps the parameters; to a dtype casts like to', async () => {
    const m = net();
    const before = m.parameters();
    expect(await m.toAsync('cpu')).toBe(m);
    expect(m.parameters()).toEqual(before);
    await m.toAsync('float64');
    expect(m.parameters().every((p) => p.dtype === 'float64')).toBe(true);
    expect(m.stateDict()['1.num_batches_tracked']!.dtype).toBe('int32');
  });
});

describe('BatchNorm with momentum null', () => {
  it('never reads a value back to the host while training (works on devices without readSync)', () => {
    const bn = new BatchNorm1d(3, { momentum: null });
    const item = vi.spyOn(Tensor.prototype, 'item');
    const dataSync = vi.spyOn(Tensor.prototype, 'dataSync');
    manualSeed(1);
    for (let i = 0; i < 3; i++) bn.call(randn([4, 3]));
    expect(item).not.toHaveBeenCalled();
    expect(dataSync).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(bn.num_batches_tracked!.item()).toBe(3);
  });

  it('keeps the cumulative average of the batch statistics', () => {
    manualSeed(2);
    const xs = [randn([6, 2]), randn([6, 2]).mul(2).add(1), randn([6, 2]).sub(3)];
    const bn = new BatchNorm1d(2, { momentum: null });
    for (const x of xs) bn.call(x);
    const mean = noGrad(() =>
      xs
        .map((x) => x.mean(0))
        .reduce((a, b) => a.add(b))
        .div(3),
    );
    const vars = noGrad(() =>
      xs
        .map((x) => x.var(0))
        .reduce((a, b) => a.add(b))
        .div(3),
    );
    const got = bn.running_mean!.dataSync();
    const want = mean.dataSync();
    for (let c = 0; c < 2; c++) expect(got[c]).toBeCloseTo(want[c]!, 5);
    const gotV = bn.running_var!.dataSync();
    const wantV = vars.dataSync();
    for (let c = 0; c < 2; c++) expect(gotV[c]).toBeCloseTo(wantV[c]!, 5);
  });
});
