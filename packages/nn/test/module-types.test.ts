import {
  type AnyModule,
  Bilinear,
  CrossEntropyLoss,
  GaussianNLLLoss,
  Identity,
  Linear,
  LSTM,
  LSTMCell,
  MaxPool2d,
  Module,
  ModuleDict,
  ModuleList,
  MultiheadAttention,
  ReLU,
  RNN,
  Sequential,
  summary,
  TransformerEncoder,
  TransformerEncoderLayer,
} from '@tessera/nn';
import { randn, type Tensor, zeros } from '@tessera/tensor';
import { describe, expect, expectTypeOf, it } from 'vitest';

// Module<In, Out>: `call` takes forward's arguments and returns its result, so misuse is a compile
// error. The @ts-expect-error lines fail `tsc -p packages/nn/tsconfig.test.json` if they compile.
describe('Module<In, Out> typing', () => {
  it('types a Tensor -> Tensor layer and rejects wrong arguments', () => {
    const lin = new Linear(2, 3);
    const y = lin.call(randn([4, 2]));
    expectTypeOf(y).toEqualTypeOf<Tensor>();
    expectTypeOf(lin.forward).parameters.toEqualTypeOf<[Tensor]>();
    expect(y.shape).toEqual([4, 3]);
    // @ts-expect-error Linear takes one tensor, not a number
    expect(() => lin.call(3)).toThrow();
    // @ts-expect-error Linear takes exactly one input
    expect(() => lin.call(randn([4, 2]), randn([4, 2]))).not.toThrow();
  });

  it('types multi-input and tuple-returning layers', () => {
    expectTypeOf(new Bilinear(2, 3, 4).call).parameters.toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf(new GaussianNLLLoss().call).returns.toEqualTypeOf<Tensor>();
    expectTypeOf(new CrossEntropyLoss().call).parameters.toEqualTypeOf<[Tensor, Tensor]>();
    const [out, hn] = new RNN(2, 3).call(randn([5, 1, 2]));
    expectTypeOf(out).toEqualTypeOf<Tensor>();
    expectTypeOf(hn).toEqualTypeOf<Tensor>();
    expect(hn.shape).toEqual([1, 1, 3]);
    const [, [h, c]] = new LSTM(2, 3).call(randn([5, 1, 2]));
    expectTypeOf(c).toEqualTypeOf<Tensor>();
    expect(h.shape).toEqual([1, 1, 3]);
    expectTypeOf(new LSTMCell(2, 3).call).returns.toEqualTypeOf<[Tensor, Tensor]>();
    const q = randn([3, 1, 4]);
    const [att, weights] = new MultiheadAttention(4, 2).call(q, q, q, { needWeights: true });
    expectTypeOf(weights).toEqualTypeOf<Tensor | null>();
    expect(att.shape).toEqual([3, 1, 4]);
    // @ts-expect-error MultiheadAttention needs query, key and value
    expect(() => new MultiheadAttention(4, 2).call(q)).toThrow();
    const enc = new TransformerEncoder(new TransformerEncoderLayer(4, 2), 1);
    expectTypeOf(enc.call(q)).toEqualTypeOf<Tensor>();
  });

  it('types max pooling by its returnIndices option', () => {
    const x = randn([1, 1, 4, 4]);
    expectTypeOf(new MaxPool2d(2).call(x)).toEqualTypeOf<Tensor>();
    const r = new MaxPool2d(2, { returnIndices: true }).call(x);
    expectTypeOf(r).toEqualTypeOf<{ values: Tensor; indices: Tensor }>();
    expect(r.indices.shape).toEqual([1, 1, 2, 2]);
  });

  it('types containers: Sequential is Tensor -> Tensor, lists keep their module type', () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU());
    expectTypeOf(seq.call(randn([1, 2]))).toEqualTypeOf<Tensor>();
    // @ts-expect-error an LSTM returns a tuple, so it cannot feed the next module of a Sequential
    expect(() => new Sequential(new LSTM(2, 3), new Linear(3, 1)).call(randn([5, 1, 2]))).toThrow();
    const list = new ModuleList([new Linear(2, 2), new Linear(2, 2)]);
    expectTypeOf(list.at(0)).toEqualTypeOf<Linear>();
    const dict = new ModuleDict({ a: new Linear(2, 2), b: new LSTM(2, 2) });
    expectTypeOf(dict.get('a')).toEqualTypeOf<Linear | LSTM>();
    expectTypeOf(new Identity().call(zeros([1]))).toEqualTypeOf<Tensor>();
    expectTypeOf(new Identity<string>().call('s')).toEqualTypeOf<string>();
  });

  it('types user modules with several inputs; AnyModule accepts every module', () => {
    class Pair extends Module<[Tensor, Tensor], { sum: Tensor }> {
      forward(a: Tensor, b: Tensor): { sum: Tensor } {
        return { sum: a.add(b) };
      }
    }
    const p = new Pair();
    expectTypeOf(p.call(zeros([2]), zeros([2])).sum).toEqualTypeOf<Tensor>();
    // @ts-expect-error Pair takes two tensors
    expect(() => p.call(zeros([2]))).toThrow();
    const all: AnyModule[] = [p, new LSTM(2, 2), new Linear(2, 2), new ModuleList(), new MaxPool2d(2)];
    expect(all.map((m) => m.parameters().length)).toEqual([0, 4, 2, 0, 0]);
    expect(summary(new LSTM(2, 2), [3, 1, 2]).totalParams).toBe(48);
  });
});
