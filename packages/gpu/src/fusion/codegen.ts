import type { DType } from '@tessera/tensor';
import { entry1d, grid1d } from '../codegen/strided.js';
import { convert, storageType, type WgslType } from '../codegen/types.js';
import type { GpuBuffer } from '../memory.js';
import { dynInts, type Field, floats, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Dispatch } from '../runtime.js';
import { type ExprNode, type Leaf, leavesOf, type OpNode, opNames } from './expr.js';

/**
 * Code generation for a pending expression: ONE kernel, one thread per output element, that loads
 * each distinct leaf once, evaluates every op node once (a WGSL function per node, whose
 * parameters carry the names its op's expression uses, so the expressions of ops.ts are spliced
 * in unchanged), and stores the root into the output buffer. The pipeline key is the structure
 * (ops, dtypes, compute types, leaf addressing modes), never shapes or scalar values: those travel
 * in the params, so a training step's fused kernels compile once and are reused every step.
 *
 * A leaf that is the output buffer itself (an in-place op on a pending result) is read through the
 * output binding at the thread's own index, before the store.
 */
export function fusedDispatch(out: GpuBuffer, dtype: DType, n: number, root: ExprNode): Dispatch {
  const leaves = leavesOf(root).filter((l) => l.buf !== out);
  const order = topo(root);
  const leafIndex = new Map<Leaf, number>();
  const keyOf = (l: Leaf): number => {
    const known = leafIndex.get(l);
    if (known !== undefined) return known;
    const k = leaves.findIndex((m) => m.buf === l.buf && m.sig === l.sig);
    leafIndex.set(l, k);
    return k;
  };

  const fields: Field[] = [ints('n', n)];
  leaves.forEach((l, k) => {
    fields.push(ints(`l${k}`, l.offset));
    if (l.mode === 's') {
      fields.push(ints(`l${k}r`, l.shape.length), dynInts(`l${k}h`, l.shape), dynInts(`l${k}s`, l.strides));
    }
  });
  const ops = order.filter((x): x is OpNode => x.kind === 'op');
  ops.forEach((o, j) => {
    for (const a of o.attrs)
      fields.push(o.C === 'f32' ? floats(`a${j}${a.name}`, a.value) : ints(`a${j}${a.name}`, a.value));
  });
  const params = pack(fields);

  // Node references by position in `order`: leaves as L<k> (S for the output itself).
  const ref = (x: ExprNode): string => {
    if (x.kind === 'leaf') return x.buf === out ? 'S' : `L${keyOf(x)}`;
    return `N${ops.indexOf(x)}`;
  };
  const key = [
    'fused',
    storageType(dtype) + (dtype === 'bool' ? 'b' : ''),
    leaves.map((l) => `${storageType(l.dtype)}${l.mode}`).join(','),
    ...ops.map(
      (o) =>
        `${o.expr}|${o.C}|${o.dtype}|${o.params.map((p) => `${p.name}${p.convert ? '' : '!'}`).join(',')}|${o.args.map(ref).join(',')}`,
    ),
  ].join(';');

  const code = (at: Readonly<Record<string, number>>): string => {
    const outT = storageType(dtype);
    const value = new Map<ExprNode, { v: string; T: WgslType }>();
    const fns: string[] = [];
    const body: string[] = [];
    leaves.forEach((l, k) => {
      const T = storageType(l.dtype);
      body.push(...leafLoad(l, k, at, T));
    });
    for (const x of order) {
      if (x.kind === 'leaf') {
        const T = storageType(x.dtype);
        value.set(x, x.buf === out ? { v: 'O[i]', T } : { v: `l${keyOf(x)}`, T });
        continue;
      }
      const j = ops.indexOf(x);
      const args = x.args.map((a, p) => {
        const v = value.get(a)!;
        return x.params[p]!.convert ? convert(v.v, v.T, x.C) : v.v;
      });
      fns.push(nodeFn(x, j, at));
      body.push(`let v${j} = nd${j}(${args.join(', ')});`);
      value.set(x, { v: `v${j}`, T: storageType(x.dtype) });
    }
    const res = value.get(root)!;
    const decls = leaves
      .map((l, k) => `@group(0) @binding(${k + 2}) var<storage, read> X${k}: array<${storageType(l.dtype)}>;`)
      .join('\n');
    const e = entry1d();
    return `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<${outT}>;
${decls}
${fns.join('\n')}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let i = ${e.index};
  if (i >= P[${at.n}]) { return; }
  ${body.join('\n  ')}
  O[i] = ${res.T === outT ? res.v : convert(res.v, res.T, outT)};
}`;
  };

  const names = opNames(root);
  return {
    op: `fused(${names.join(', ')})`,
    key,
    code,
    params,
    bindings: [{ buf: out, write: true }, ...leaves.map((l) => ({ buf: l.buf }))],
    grid: grid1d(n),
    describe: () =>
      `fused(${names.join(', ')}) [${n}] ${dtype} from ${leaves.map((l) => `[${l.shape.join(',')}] ${l.dtype}${l.mode === 's' ? ` (strides [${l.strides.join(',')}])` : ''}`).join(', ')}`,
  };
}

/** Nodes of a tree in evaluation order (arguments first), each once. */
function topo(root: ExprNode): ExprNode[] {
  const seen = new Set<ExprNode>();
  const out: ExprNode[] = [];
  const visit = (x: ExprNode): void => {
    if (seen.has(x)) return;
    seen.add(x);
    if (x.kind === 'op') for (const a of x.args) visit(a);
    out.push(x);
  };
  visit(root);
  return out;
}

/** WGSL loading leaf `k` into `l<k>`: contiguous, broadcast scalar, or strided (a loop over its dims). */
function leafLoad(l: Leaf, k: number, at: Readonly<Record<string, number>>, T: WgslType): string[] {
  const off = `pi(${at[`l${k}`]}u)`;
  if (l.mode === 'z') return [`let l${k}: ${T} = X${k}[${off}];`];
  if (l.mode === 'c') return [`let l${k}: ${T} = X${k}[${off} + i32(i)];`];
  return [
    `var a${k} = ${off};`,
    `{ var r = i; let sh = P[${at[`l${k}h`]}]; let st = P[${at[`l${k}s`]}]; for (var d = P[${at[`l${k}r`]}]; d > 0u; d--) { let s = P[sh + d - 1u]; a${k} += i32(r % s) * pi(st + d - 1u); r = r / s; } }`,
    `let l${k}: ${T} = X${k}[a${k}];`,
  ];
}

/** WGSL function `nd<j>` of op node `x`: its parameters, attribute lets and converted result. */
function nodeFn(x: OpNode, j: number, at: Readonly<Record<string, number>>): string {
  const outT = storageType(x.dtype);
  const params = x.params
    .map((p, k) => `${p.name}: ${p.convert ? x.C : storageType(argDType(x, k))}`)
    .join(', ');
  const lets = x.attrs
    .map((a) => {
      const w = at[`a${j}${a.name}`];
      return `let ${a.name} = ${x.C === 'f32' ? `pf(${w}u)` : x.C === 'i32' ? `pi(${w}u)` : `P[${w}]`};`;
    })
    .join(' ');
  const result = x.bool ? `select(0u, 1u, ${x.expr})` : convert(x.expr, x.C, outT, x.dtype === 'bool');
  const resultT: WgslType = x.bool ? 'u32' : outT;
  const store = resultT === outT ? result : convert(result, resultT, outT);
  return `fn nd${j}(${params}) -> ${outT} { ${lets} return ${store}; }`;
}

/** Dtype of argument `k` of `x`. */
function argDType(x: OpNode, k: number): DType {
  return x.args[k]!.dtype;
}
