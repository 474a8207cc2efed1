// Optimizers against PyTorch 1.13 trajectories: fixtures/torch-optimizers.json (from
// scripts/torch-reference-optimizers.py) holds the initial parameters, the gradient of every step
// and the parameters after each step; Tessera replays the gradients and must agree to 1e-10
// (float64) or 1e-5 relative (float32).

import { readFileSync } from 'node:fs';
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  NAdam,
  type Optimizer,
  type ParamLike,
  type ParamSlot,
  RAdam,
  RMSprop,
  SGD,
} from '@tessera/optim';
import { tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

interface Case {
  optimizer: string;
  options: Record<string, unknown>;
  dtype: 'float64' | 'float32';
  init: number[][];
  shapes: number[][];
  grads: number[][][];
  params: number[][][];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/torch-optimizers.json', import.meta.url), 'utf8'),
) as {
  torch: string;
  cases: Case[];
};

const MAKE: Record<string, (p: ParamLike[], o: never) => Optimizer<object>> = {
  SGD: (p, o) => new SGD(p, o),
  Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o),
  Adagrad: (p, o) => new Adagrad(p, o),
  Adadelta: (p, o) => new Adadelta(p, o),
  Adamax: (p, o) => new Adamax(p, o),
  NAdam: (p, o) => new NAdam(p, o),
  RAdam: (p, o) => new RAdam(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
};

describe(`optimizers follow PyTorch ${fixture.torch} trajectories`, () => {
  fixture.cases.forEach((c, n) => {
    it(`${c.optimizer} ${c.dtype} ${JSON.stringify(c.options)} #${n}`, () => {
      const params: ParamSlot[] = c.init.map((v, i) => ({
        value: tensor(v, { dtype: c.dtype, shape: c.shapes[i] }),
        grad: null,
      }));
      const opt = MAKE[c.optimizer]!(params, c.options as never);
      const tol = c.dtype === 'float64' ? 1e-10 : 1e-5;
      c.grads.forEach((step, k) => {
        params.forEach((p, i) => {
          p.grad = tensor(step[i]!, { dtype: c.dtype, shape: c.shapes[i] });
        });
        opt.step();
        params.forEach((p, i) => {
          const got = p.value.dataSync();
          const want = c.params[k]![i]!;
          want.forEach((w, j) => {
            const err = Math.abs(got[j]! - w) / Math.max(1, Math.abs(w));
            if (err > tol) throw new Error(`step ${k} param ${i}[${j}]: got ${got[j]}, PyTorch ${w}`);
          });
        });
      });
      expect(c.params.length).toBe(c.grads.length);
    });
  });
});
