import { add, arange, maximum, mul, sub, type Tensor, tensor } from '@tessera/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { broadcastShape, build, closeTo, map, nested, permute, type Ref, slice, zip } from './core-ref.js';

// Property tests against the float64 reference in core-ref.ts.

const small = fc.integer({ min: 1, max: 4 });

/** Two shapes that broadcast: drawn from one shape by dropping leading dims and setting dims to 1. */
const broadcastPair = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((full) =>
    fc.tuple(
      fc.constant(full),
      fc.integer({ min: 0, max: full.length }),
      fc.integer({ min: 0, max: full.length }),
      fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
    ),
  )
  .map(([full, da, db, onesA, onesB]) => {
    const a = full.slice(da).map((s, i) => (onesA[i + da] ? 1 : s));
    const b = full.slice(db).map((s, i) => (onesB[i + db] ? 1 : s));
    return [a, b] as const;
  });

const valuesFor = (shape: readonly number[], seed: number): Ref =>
  build(shape, (idx) => Math.fround(Math.sin(seed + idx.reduce((p, v, d) => p * 7 + v * (d + 3), 1)) * 4));

const toTensor = (r: Ref): Tensor => tensor(r.data, { shape: r.shape, dtype: 'float32' });

describe('broadcasting', () => {
  it('binary ops broadcast exactly like the reference', () => {
    fc.assert(
      fc.property(broadcastPair, fc.integer(), ([sa, sb], seed) => {
        const a = valuesFor(sa, seed);
        const b = valuesFor(sb, seed + 1);
        const ops: [(x: Tensor, y: Tensor) => Tensor, (x: number, y: number) => number][] = [
          [add, (x, y) => x + y],
          [sub, (x, y) => x - y],
          [mul, (x, y) => x * y],
          [maximum, Math.max],
        ];
        for (const [op, ref] of ops) {
          const got = op(toTensor(a), toTensor(b));
          const want = zip(a, b, (x, y) => Math.fround(ref(x, y)));
          expect(got.shape).toEqual(want.shape);
          expect(Array.from(got.dataSync())).toEqual(want.data);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('incompatible shapes throw, compatible ones do not', () => {
    fc.assert(
      fc.property(fc.array(small, { maxLength: 3 }), fc.array(small, { maxLength: 3 }), (sa, sb) => {
        const ok = broadcastShape(sa, sb) !== null;
        const run = () => add(toTensor(valuesFor(sa, 1)), toTensor(valuesFor(sb, 2)));
        if (ok) expect(run().shape).toEqual(broadcastShape(sa, sb));
        else
          expect(run).toThrow(/add: shapes \[.*\] and \[.*\] cannot be broadcast \(dim -\d+: \d+ vs \d+\)/);
      }),
      { numRuns: 150 },
    );
  });
});

/** A view op applied both to a tensor and to its reference. */
interface Step {
  name: string;
  t: (x: Tensor) => Tensor;
  r: (x: Ref) => Ref;
}

/** A random view op valid for `shape`. */
function stepFor(shape: readonly number[]): fc.Arbitrary<Step> {
  const nd = shape.length;
  const options: fc.Arbitrary<Step>[] = [
    fc.constant({
      name: 'unsqueeze0',
      t: (x: Tensor) => x.unsqueeze(0),
      r: (x: Ref) => ({ shape: [1, ...x.shape], data: x.data }),
    }),
  ];
  if (nd >= 1) {
    const dims = [...Array(nd).keys()];
    options.push(
      fc.shuffledSubarray(dims, { minLength: nd, maxLength: nd }).map((perm) => ({
        name: `permute(${perm})`,
        t: (x: Tensor) => x.permute(perm),
        r: (x: Ref) => permute(x, perm),
      })),
      fc
        .tuple(
          fc.integer({ min: 0, max: nd - 1 }),
          fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
          fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }),
          fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
        )
        .map(([d, s, e, st]) => ({
          name: `slice(${d},${s},${e},${st})`,
          t: (x: Tensor) => x.slice(d, s, e, st),
          r: (x: Ref) => slice(x, d, s, e, st),
        })),
      fc.constant({
        name: 'flatten',
        t: (x: Tensor) => x.reshape(-1),
        r: (x: Ref) => ({ shape: [x.data.length], data: x.data }),
      }),
    );
    const nonEmpty = dims.filter((d) => shape[d]! > 0);
    if (nonEmpty.length > 0) {
      options.push(
        fc.tuple(fc.constantFrom(...nonEmpty), fc.nat()).map(([d, k]) => {
          const i = k % shape[d]!;
          return {
            name: `select(${d},${i})`,
            t: (x: Tensor) => x.select(d, i),
            r: (x: Ref) => {
              const s = slice(x, d, i, i + 1, 1);
              return { shape: s.shape.filter((_, j) => j !== d), data: s.data };
            },
          };
        }),
      );
    }
  }
  if (nd >= 2) {
    options.push(
      fc.integer({ min: -2, max: 2 }).map((off) => ({
        name: `diagonal(${off})`,
        t: (x: Tensor) => x.diagonal(off, 0, 1),
        r: (x: Ref) => {
          const [n, m] = [x.shape[0]!, x.shape[1]!];
          const len = Math.max(0, off >= 0 ? Math.min(n, m - off) : Math.min(n + off, m));
          const rest = x.shape.slice(2);
          return build([...rest, len], (idx) => {
            const k = idx[idx.length - 1]!;
            const i = off >= 0 ? k : k - off;
            const j = off >= 0 ? k + off : k;
            return x.data[[i, j, ...idx.slice(0, -1)].reduce((p, v, dd) => p * x.shape[dd]! + v, 0)]!;
          });
        },
      })),
    );
  }
  return fc.oneof(...options);
}

/** A shape and a chain of up to 4 view ops valid along the way. */
const viewChain = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) => {
  const go = (
    s: readonly number[],
    left: number,
    acc: Step[],
  ): fc.Arbitrary<{ shape: number[]; steps: Step[] }> => {
    if (left === 0) return fc.constant({ shape: [...shape], steps: acc });
    return stepFor(s).chain((st) => {
      const probe = st.r({ shape: s, data: new Array(s.reduce((a, b) => a * b, 1)).fill(0) });
      return go(probe.shape, left - 1, [...acc, st]);
    });
  };
  return fc.integer({ min: 1, max: 4 }).chain((n) => go(shape, n, []));
});

describe('views and copies', () => {
  it('a view, its contiguous copy and the reference read the same values', () => {
    fc.assert(
      fc.property(viewChain, ({ shape, steps }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const base = arange(n, { dtype: 'float64' }).reshape(shape);
        let t = base;
        let r: Ref = build(shape, (idx) => idx.reduce((p, v, d) => p * shape[d]! + v, 0));
        for (const st of steps) {
          t = st.t(t);
          r = st.r(r);
        }
        expect(t.shape).toEqual(r.shape);
        expect(t.arraySync()).toEqual(nested(r));
        const c = t.contiguous();
        expect(c.isContiguous()).toBe(true);
        expect(c.arraySync()).toEqual(nested(r));
        expect(t.clone().arraySync()).toEqual(nested(r));
      }),
      { numRuns: 200 },
    );
  });

  it('writing through a view changes exactly the base elements it views', () => {
    fc.assert(
      fc.property(viewChain, ({ shape, steps }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const base = arange(1, n + 1, { dtype: 'float64' }).reshape(shape);
        let t = base;
        for (const st of steps) t = st.t(t);
        // reshape copies when the strides do not allow a view; then nothing is written back.
        const isView = t._storage === base._storage;
        if (!steps.some((st) => st.name === 'flatten')) expect(isView).toBe(true);
        const seen = new Set(Array.from(t.dataSync()));
        t.mul_(-1);
        const after = Array.from(base.dataSync());
        after.forEach((v, i) => {
          expect(v).toBe(isView && seen.has(i + 1) ? -(i + 1) : i + 1);
        });
        // A copy never writes back.
        const before = Array.from(base.dataSync());
        t.contiguous().clone().fill_(0);
        expect(Array.from(base.dataSync())).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});

describe('elementwise vs reference on arbitrary views', () => {
  it('unary and binary results match on strided inputs', () => {
    const unary: [(x: Tensor) => Tensor, (v: number) => number][] = [
      [(x) => x.exp(), Math.exp],
      [(x) => x.tanh(), Math.tanh],
      [(x) => x.abs(), Math.abs],
      [(x) => x.square(), (v) => v * v],
      [(x) => x.relu(), (v) => Math.max(v, 0)],
    ];
    fc.assert(
      fc.property(viewChain, fc.integer({ min: 0, max: unary.length - 1 }), ({ shape, steps }, k) => {
        let t = toTensor(valuesFor(shape, 3)).double();
        let r = valuesFor(shape, 3);
        for (const st of steps) {
          t = st.t(t);
          r = st.r(r);
        }
        const [op, ref] = unary[k]!;
        expect(closeTo(Array.from(op(t).dataSync()), map(r, ref).data, 1e-12)).toBeNull();
        // and a binary op between the view and its own contiguous copy
        expect(Array.from(add(t, t.contiguous()).dataSync())).toEqual(r.data.map((v) => v + v));
      }),
      { numRuns: 150 },
    );
  });
});
