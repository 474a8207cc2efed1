import { noGrad } from '@tessera/autograd';
import { cat, Tensor } from '@tessera/tensor';
import type { ExportOnnxOptions } from './export.js';
import { importOnnx } from './import.js';

/** Dims of one value named in `dynamicAxes`. */
export function dynamicDims(name: string, dynamic: ExportOnnxOptions['dynamicAxes']): number[] {
  const spec = dynamic?.[name];
  if (spec === undefined) return [];
  return Array.isArray(spec) ? [...spec] : Object.keys(spec).map(Number);
}

/** The tensor one longer along each of `dims` (its first slice repeated, so indices stay valid). */
function grow(t: Tensor, dims: readonly number[]): Tensor {
  let out = t;
  for (const d of dims) out = cat([out, out.narrow(d, 0, 1)], d);
  return out;
}

function flat(v: unknown): Tensor[] {
  return v instanceof Tensor ? [v] : Array.isArray(v) ? v.flatMap(flat) : [];
}

function close(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) return false;
  const x = a.contiguous().dataSync();
  const y = b.contiguous().dataSync();
  for (let i = 0; i < x.length; i++) {
    const p = Number(x[i]);
    const q = Number(y[i]);
    if (!(Math.abs(p - q) <= 1e-4 * Math.max(1, Math.abs(q))) && !(Number.isNaN(p) && Number.isNaN(q)))
      return false;
  }
  return true;
}

/**
 * Checks that dims named in `dynamicAxes` really are free: runs the exported graph (with this
 * package's importer) and the model on inputs one longer along those dims, and compares. A trace
 * that baked a traced size in (an RNN's zero state, attention's head reshapes) is an error rather
 * than a file that fails, or is wrong, at another size. A model that itself rejects the other
 * size cannot be checked and is left as traced.
 */
export function verifyDynamic(
  model: { call(...xs: Tensor[]): unknown },
  inputs: readonly Tensor[],
  inNames: readonly string[],
  dynamic: ExportOnnxOptions['dynamicAxes'],
  bytes: Uint8Array,
): void {
  const dims = inNames.map((n) => dynamicDims(n, dynamic));
  if (dims.every((d) => d.length === 0)) return;
  const grown = inputs.map((t, i) => grow(t, dims[i]!));
  let expected: Tensor[];
  try {
    expected = flat(noGrad(() => model.call(...grown)));
  } catch {
    return;
  }
  const what = inNames
    .map((n, i) => (dims[i]!.length ? `${n} dims [${dims[i]}]` : ''))
    .filter((s) => s !== '')
    .join(', ');
  let got: Tensor[];
  try {
    got = flat(noGrad(() => importOnnx(bytes).call(...grown)));
  } catch (e) {
    throw new Error(
      `exportOnnx: dynamicAxes (${what}): the traced graph fails at another size, so some op keeps the traced size (${(e as Error).message})`,
    );
  }
  if (got.length !== expected.length || got.some((g, i) => !close(g, expected[i]!))) {
    throw new Error(
      `exportOnnx: dynamicAxes (${what}): the traced graph gives different results at another size, so some op keeps the traced size`,
    );
  }
}
