import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  deepCopy,
  Flatten,
  Linear,
  l1Penalty,
  l2Penalty,
  MaxPool2d,
  Module,
  ModuleDict,
  ModuleList,
  Parameter,
  ReLU,
  Sequential,
  summary,
  Tanh,
} from '@tessera/nn';
import { manualSeed, ones, type Tensor, tensor, zeros } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import { flat } from './helpers/grad.js';

/** LeNet-5 (LeCun et al., 1998) as usually written in PyTorch: 1x32x32 input, 5x5 convs. */
class LeNet5 extends Module {
  conv1 = new Conv2d(1, 6, 5); // 6 x 28 x 28 → pool → 6 x 14 x 14
  conv2 = new Conv2d(6, 16, 5); // 16 x 10 x 10 → pool → 16 x 5 x 5
  fc1 = new Linear(16 * 5 * 5, 120);
  fc2 = new Linear(120, 84);
  fc3 = new Linear(84, 10);
  pool = new MaxPool2d(2);

  forward(x: Tensor): Tensor {
    x = this.pool.call(this.conv1.call(x).relu());
    x = this.pool.call(this.conv2.call(x).relu());
    x = x.flatten(1);
    return this.fc3.call(this.fc2.call(this.fc1.call(x).relu()).relu());
  }
}

describe('Module', () => {
  it('LeNet-5 (6/16/120/84/10, 5x5 convs, 1x32x32 input) has 61,706 parameters', () => {
    const net = new LeNet5();
    // conv1 6*(1*25)+6 = 156, conv2 16*(6*25)+16 = 2,416, fc1 400*120+120 = 48,120,
    // fc2 120*84+84 = 10,164, fc3 84*10+10 = 850.
    const count = net.parameters().reduce((a, p) => a + p.numel(), 0);
    expect(count).toBe(61706);
    expect(net.call(zeros([2, 1, 32, 32])).shape).toEqual([2, 10]);
    expect(Object.keys(net.stateDict())).toEqual([
      'conv1.weight',
      'conv1.bias',
      'conv2.weight',
      'conv2.bias',
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
      'fc3.weight',
      'fc3.bias',
    ]);
  });

  it('a 2-3-1 MLP has 13 parameters', () => {
    const mlp = new Sequential(new Linear(2, 3), new Tanh(), new Linear(3, 1));
    expect(mlp.parameters().reduce((a, p) => a + p.numel(), 0)).toBe(13);
    expect([...mlp.namedParameters()].map(([n, p]) => [n, p.shape])).toEqual([
      ['0.weight', [3, 2]],
      ['0.bias', [3]],
      ['2.weight', [1, 3]],
      ['2.bias', [1]],
    ]);
  });

  it('state dict keys follow PyTorch for Sequential with batch norm (buffers included)', () => {
    const m = new Sequential(
      new Conv2d(3, 4, 3),
      new BatchNorm2d(4),
      new ReLU(),
      new Flatten(),
      new Linear(4, 2),
    );
    const sd = m.stateDict();
    expect(Object.keys(sd)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '4.weight',
      '4.bias',
    ]);
    expect(sd['1.num_batches_tracked']!.dtype).toBe('int32');
    expect(sd['1.num_batches_tracked']!.shape).toEqual([]);
  });

  it('orders more than ten Sequential children numerically', () => {
    const m = new Sequential(...Array.from({ length: 12 }, () => new Linear(1, 1)));
    expect([...m.namedChildren()].map(([k]) => k)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
      '11',
    ]);
    expect(m.length).toBe(12);
  });

  it('loadStateDict copies values and reports key problems', () => {
    manualSeed(1);
    const a = new Sequential(new Linear(3, 2), new BatchNorm2d(2));
    const b = new Sequential(new Linear(3, 2), new BatchNorm2d(2));
    b.loadStateDict(a.stateDict());
    expect(flat(b.stateDict()['0.weight']!)).toEqual(flat(a.stateDict()['0.weight']!));
    const sd = { ...a.stateDict() };
    delete sd['0.bias'];
    expect(() => b.loadStateDict(sd)).toThrow(/missing keys: 0\.bias/);
    expect(b.loadStateDict(sd, { strict: false }).missingKeys).toEqual(['0.bias']);
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: zeros([1]) })).toThrow(/unexpected keys: extra/);
    expect(() => b.loadStateDict({ ...a.stateDict(), '0.weight': zeros([2, 2]) })).toThrow(
      /0\.weight: expected \[2,3\], got \[2,2\]/,
    );
  });

  it('train/eval reaches every descendant; zeroGrad clears gradients', () => {
    const m = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5)));
    m.eval();
    expect([...m.modules()].every((x) => !x.training)).toBe(true);
    m.train();
    expect([...m.modules()].every((x) => x.training)).toBe(true);
    m.call(ones([1, 2]))
      .sum()
      .backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('registers parameters by assignment, shared ones once, and requiresGrad_ freezes them', () => {
    class Tied extends Module {
      a = new Linear(2, 2);
      b = new Linear(2, 2);
      scale = new Parameter(ones([1]));
      constructor() {
        super();
        this.b.weight = this.a.weight;
      }
      forward(x: Tensor): Tensor {
        return this.b.call(this.a.call(x)).mul(this.scale);
      }
    }
    const m = new Tied();
    expect([...m.namedParameters()].map(([n]) => n)).toEqual(['scale', 'a.weight', 'a.bias', 'b.bias']);
    m.requiresGrad_(false);
    expect(m.parameters().every((p) => !p.requiresGrad)).toBe(true);
  });

  it('forward hooks and pre-hooks run around call', () => {
    const m = new Linear(2, 2);
    const seen: string[] = [];
    const h1 = m.registerForwardPreHook((_m, inputs) => {
      seen.push('pre');
      return [(inputs[0] as Tensor).mul(0)];
    });
    const h2 = m.registerForwardHook((_m, _i, out) => {
      seen.push('post');
      return (out as Tensor).add(1);
    });
    const y = m.call(ones([1, 2]));
    expect(seen).toEqual(['pre', 'post']);
    expect(flat(y)).toEqual(flat(m.bias!.add(1)));
    h1.remove();
    h2.remove();
    m.call(ones([1, 2]));
    expect(seen.length).toBe(2);
  });

  it('deepCopy makes independent parameters with equal values, keeping ties', () => {
    const m = new Sequential(new Linear(2, 2), new BatchNorm2d(2));
    (m.at(1) as BatchNorm2d).weight = (m.at(0) as Linear).bias;
    const c = deepCopy(m);
    expect(c).toBeInstanceOf(Sequential);
    expect(flat(c.stateDict()['0.weight']!)).toEqual(flat(m.stateDict()['0.weight']!));
    expect(c.stateDict()['0.weight']).not.toBe(m.stateDict()['0.weight']);
    expect((c.at(1) as BatchNorm2d).weight).toBe((c.at(0) as Linear).bias);
    expect(Object.keys(c.stateDict())).toEqual(Object.keys(m.stateDict()));
  });

  it('ModuleList and ModuleDict register their modules', () => {
    const l = new ModuleList([new Linear(1, 2), new Linear(2, 3)]);
    expect(Object.keys(l.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    const d = new ModuleDict({ enc: new Linear(1, 1), dec: new Linear(1, 1) });
    expect(d.keys()).toEqual(['enc', 'dec']);
    expect(Object.keys(d.stateDict())).toEqual(['enc.weight', 'enc.bias', 'dec.weight', 'dec.bias']);
  });

  it('to("float64") converts parameters and buffers', () => {
    const m = new Sequential(new Linear(2, 2), new BatchNorm2d(2)).to('float64');
    expect(
      m.parameters().every((p) => p.dtype === 'float64' && p instanceof Parameter && p.requiresGrad),
    ).toBe(true);
    const sd = m.stateDict();
    expect(sd['1.running_mean']!.dtype).toBe('float64');
    expect(sd['1.num_batches_tracked']!.dtype).toBe('int32');
  });

  it('toString prints the module tree like PyTorch', () => {
    const m = new Sequential(new Linear(2, 3), new ReLU());
    expect(String(m)).toBe(
      'Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n)',
    );
  });
});

describe('summary', () => {
  it('lists output shapes and parameter counts per layer, and the totals', () => {
    const net = new LeNet5();
    net.fc3.weight.requiresGrad_(false); // 840 frozen
    const s = summary(net, [1, 1, 32, 32]);
    expect(s.rows.map((r) => [r.name, r.type, r.outputShape, r.params])).toEqual([
      ['conv1', 'Conv2d', [1, 6, 28, 28], 156],
      ['pool', 'MaxPool2d', [1, 6, 14, 14], 0],
      ['conv2', 'Conv2d', [1, 16, 10, 10], 2416],
      ['pool', 'MaxPool2d', [1, 16, 5, 5], 0],
      ['fc1', 'Linear', [1, 120], 48120],
      ['fc2', 'Linear', [1, 84], 10164],
      ['fc3', 'Linear', [1, 10], 850],
    ]);
    expect(s.totalParams).toBe(61706);
    expect(s.trainableParams).toBe(61706 - 840);
    expect(s.nonTrainableParams).toBe(840);
    const text = String(s);
    expect(text).toContain('Total params: 61,706');
    expect(text).toContain('Trainable params: 60,866');
    expect(text).toContain('Non-trainable params: 840');
    expect(text).toMatch(/conv1 \(Conv2d\)\s+\[1, 6, 28, 28\]\s+156/);
    // Hooks are removed and modes restored.
    expect(net.training).toBe(true);
  });

  it('indents nested modules and counts buffers separately', () => {
    const m = new Sequential(
      new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2)),
      new Flatten(),
      new Linear(8, 1),
    );
    const s = summary(m, [2, 1, 4, 4]);
    expect(s.rows.map((r) => [r.name, r.depth, r.outputShape])).toEqual([
      ['0', 1, [2, 2, 2, 2]],
      ['0.0', 2, [2, 2, 2, 2]],
      ['0.1', 2, [2, 2, 2, 2]],
      ['1', 1, [2, 8]],
      ['2', 1, [2, 1]],
    ]);
    expect(s.bufferElements).toBe(2 + 2 + 1);
    expect((m.at(0) as Sequential).at(1)).toBeInstanceOf(BatchNorm2d);
    expect(flat(((m.at(0) as Sequential).at(1) as BatchNorm2d).num_batches_tracked!)).toEqual([0]);
  });
});

describe('regularisation penalties', () => {
  it('l1Penalty and l2Penalty sum |w| and w^2, skipping biases by default', () => {
    const m = new Sequential(new Linear(2, 2), new Linear(2, 1));
    const w0 = m.stateDict()['0.weight']!;
    const w1 = m.stateDict()['1.weight']!;
    const l1 = flat(w0.abs())
      .concat(flat(w1.abs()))
      .reduce((a, b) => a + b, 0);
    const l2 = flat(w0.square())
      .concat(flat(w1.square()))
      .reduce((a, b) => a + b, 0);
    expect(l1Penalty(m).item()).toBeCloseTo(l1, 5);
    expect(l2Penalty(m).item()).toBeCloseTo(l2, 5);
    const withBias =
      l2 +
      flat(m.stateDict()['0.bias']!.square())
        .concat(flat(m.stateDict()['1.bias']!.square()))
        .reduce((a, b) => a + b, 0);
    expect(l2Penalty(m, { includeBias: true }).item()).toBeCloseTo(withBias, 5);
    expect(l1Penalty([tensor([1, -2]), tensor([3])]).item()).toBe(6);
  });

  it('its gradient is sign(w) for L1 and 2w for L2', () => {
    const lin = new Linear(3, 2);
    l1Penalty(lin).add(l2Penalty(lin)).backward();
    const w = lin.weight;
    expect(flat(w.grad!)).toEqual(flat(w.sign().add(w.mul(2))));
    expect(lin.bias!.grad).toBeNull();
  });
});
