import { readFileSync } from 'node:fs';
import '@tessera/autograd';
import { type DType, type Tensor, tensor } from '@tessera/tensor';
import { describe, expect, it } from 'vitest';
import {
  REFERENCE_EXTRA_OPS,
  REFERENCE_NEW_LAYERS,
  REFERENCE_NN_MODULES,
} from './torch-reference-modules.js';
import { REFERENCE_MODULES, REFERENCE_NN_OPS } from './torch-reference-nn.js';
import { type OpResult, REFERENCE_OPS } from './torch-reference-ops.js';

// Compares Tessera with PyTorch 1.13 on the fixtures scripts/torch-reference.py wrote
// (packages/train/test/fixtures/torch-reference-ops.json): every output, and the gradient of sum(output_i * w_i) with respect
// to every floating input. float64 must agree to 1e-10, float32 to 1e-4 (relative above 1,
// absolute below). Regenerating the fixtures needs PyTorch; this test does not.

type Enc = { shape: number[]; dtype: DType; data: (number | boolean | string)[]; const?: boolean };
interface Case {
  name: string;
  dtype: 'float64' | 'float32';
  kwargs: Record<string, unknown>;
  inputs: Enc[];
  outputs: Enc[];
  weights?: (Enc | null)[];
  grads?: (Enc | null)[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/torch-reference-ops.json', import.meta.url), 'utf8'),
) as {
  torch: string;
  cases: Case[];
};

const decode = (v: number | boolean | string): number =>
  v === 'nan' ? Number.NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v);

function toTensor(e: Enc, requiresGrad = false): Tensor {
  const t = tensor(e.dtype === 'bool' ? e.data.map(Boolean) : e.data.map(decode), {
    dtype: e.dtype,
    shape: e.shape,
  });
  return requiresGrad ? t.requiresGrad_(true) : t;
}

/** Worst error of `actual` against `expected` (relative above 1, absolute below); Infinity on a mismatch of shape, dtype or non-finite values. */
function worstError(actual: Tensor, expected: Enc): number {
  if (actual.shape.join() !== expected.shape.join()) return Infinity;
  const want = expected.data.map(decode);
  const got = Array.from(actual.dataSync(), Number);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Number.isNaN(b) || !Number.isFinite(b)) {
      if (!Object.is(a, b) && !(Number.isNaN(a) && Number.isNaN(b))) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(a - b) / Math.max(1, Math.abs(b)));
  }
  return worst;
}

function outputsOf(r: OpResult): Tensor[] {
  if (typeof r === 'boolean') return [tensor(r)];
  return Array.isArray(r) ? r : [r];
}

const TOL = { float64: 1e-10, float32: 1e-4 };
const worst: Record<string, number> = { float64: 0, float32: 0 };

describe(`PyTorch ${fixture.torch} reference (${fixture.cases.length} cases)`, () => {
  fixture.cases.forEach((c, n) => {
    it(`${c.name} ${c.dtype} #${n}`, () => {
      const op =
        REFERENCE_OPS[c.name] ??
        REFERENCE_NN_OPS[c.name] ??
        REFERENCE_MODULES[c.name] ??
        REFERENCE_NN_MODULES[c.name] ??
        REFERENCE_EXTRA_OPS[c.name] ??
        REFERENCE_NEW_LAYERS[c.name];
      expect(op, `no Tessera op for case '${c.name}'`).toBeDefined();
      const grad = c.grads !== undefined;
      const xs = c.inputs.map((e) =>
        toTensor(e, grad && !e.const && (e.dtype === 'float32' || e.dtype === 'float64')),
      );
      const outs = outputsOf(op!(xs, c.kwargs));
      expect(outs.length).toBe(c.outputs.length);
      const errors: number[] = [];
      outs.forEach((o, k) => {
        const want = c.outputs[k]!;
        expect(o.dtype, `output ${k} dtype`).toBe(want.dtype);
        errors.push(worstError(o.detach(), want));
      });
      if (grad) {
        let total: Tensor | null = null;
        outs.forEach((o, k) => {
          const w = c.weights![k];
          if (w === null || w === undefined) return;
          const term = o.mul(toTensor(w)).sum();
          total = total === null ? term : total.add(term);
        });
        if (total !== null) (total as Tensor).backward();
        xs.forEach((x, k) => {
          const g = c.grads![k];
          if (g === null || g === undefined) return;
          errors.push(worstError(x.grad ?? x.detach().mul(0), g));
        });
      }
      const e = Math.max(0, ...errors);
      worst[c.dtype] = Math.max(worst[c.dtype]!, e);
      expect(e, `worst error ${e}`).toBeLessThanOrEqual(TOL[c.dtype]);
    });
  });

  it('reports the worst errors', () => {
    console.log(
      `torch reference: ${fixture.cases.length} cases; worst error float64 ${worst.float64}, float32 ${worst.float32}`,
    );
    expect(fixture.cases.length).toBeGreaterThan(0);
  });
});
