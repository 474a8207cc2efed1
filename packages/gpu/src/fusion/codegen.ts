import type { DType } from '@tessera/tensor';
import { entry1d, grid1d } from '../codegen/strided.js';
import { convert, storageType, type WgslType } from '../codegen/types.js';
import type { GemmOut } from '../kernels/gemm.js';
import type { InputSource } from '../kernels/reduce.js';
import type { GpuBuffer } from '../memory.js';
import { dynInts, type Field, floats, ints, PARAMS_WGSL, pack } from '../params.js';
import type { Binding, Dispatch } from '../runtime.js';
import { type ExprNode, type Leaf, leavesOf, type OpNode, opNames, type ProducerNode } from './expr.js';

/**
 * Code generation for pending expressions. A tree becomes WGSL that loads each distinct leaf once
 * for flat index `i`, evaluates every op node once (a WGSL function per node, whose parameters
 * carry the names its op's expression uses, so the expressions of ops.ts are spliced in
 * unchanged) and yields the root's value. It runs as its own kernel (one thread per element), as
 * a reduction's input (`ldX`), or as a matmul's or reduction's epilogue (`epi`). The pipeline key
 * is the structure (ops, dtypes, compute types, leaf addressing modes), never shapes or scalar
 * values: those travel in the params, so a training step's fused kernels compile once.
 *
 * A leaf that is the output buffer itself (an in-place op on a pending result) is read through the
 * output binding at the thread's own index, before the store.
 */
export function fusedDispatch(out: GpuBuffer, dtype: DType, n: number, root: ExprNode): Dispatch {
  const prog = program(out, dtype, root, 'e');
  const params = pack([ints('n', n), ...prog.fields]);
  const code = (at: Readonly<Record<string, number>>): string => {
    const outT = storageType(dtype);
    const g = prog.wgsl((name) => `${at[name]}u`, 2, 'X', null);
    const e = entry1d();
    return `${PARAMS_WGSL}
@group(0) @binding(1) var<storage, read_write> O: array<${outT}>;
${g.decls}
@compute @workgroup_size(256)
fn main(${e.params}) {
  let i = ${e.index};
  if (i >= P[${at.n}]) { return; }
  ${g.body}
  O[i] = ${g.result};
}`;
  };
  const names = opNames(root);
  return {
    op: `fused(${names.join(', ')})`,
    key: `fused;${prog.key}`,
    code,
    params,
    bindings: [{ buf: out, write: true }, ...prog.leaves.map((l) => ({ buf: l.buf }))],
    grid: grid1d(n),
    describe: () =>
      `fused(${names.join(', ')}) [${n}] ${dtype} from ${prog.leaves.map((l) => `[${l.shape.join(',')}] ${l.dtype}${l.mode === 's' ? ` (strides [${l.strides.join(',')}])` : ''}`).join(', ')}`,
  };
}

/**
 * The rest of a tree over a producer's result, for the producer's kernel to apply when it stores
 * element i (value v) of its result: `code` defines `fn epi(v, i)` returning what to store into
 * `out` (a whole contiguous buffer of `dtype`) at i.
 */
export interface Epilogue {
  /** The ops of the whole tree, producer included (for messages). */
  readonly names: string;
  readonly out: GpuBuffer;
  readonly dtype: DType;
  readonly key: string;
  readonly fields: readonly Field[];
  /**
   * Buffers the epilogue reads, bound in order from the binding passed to `code`, then the one it
   * writes the producer's own result to, if any (`keep`).
   */
  readonly buffers: readonly Binding[];
  /** Module-scope WGSL given `w` (a param's index as a u32 literal or placeholder) and the first binding. */
  readonly code: (w: (name: string) => string, binding: number) => string;
}

/**
 * The epilogue computing `root` (a tree over the result of producer `g`) into `out`; with `keep`
 * (a whole contiguous buffer of `g`'s dtype), it also stores `g`'s own result there, so that other
 * readers of that result need not compute it again.
 */
export function epilogue(
  out: GpuBuffer,
  dtype: DType,
  root: ExprNode,
  g: ProducerNode,
  keep: GpuBuffer | null = null,
): Epilogue {
  const prog = program(out, dtype, root, 'e');
  const gT = storageType(g.dtype);
  const reads: Binding[] = prog.leaves.map((l) => ({ buf: l.buf }));
  return {
    names: opNames(root).join(', '),
    out,
    dtype,
    key: `epi${keep === null ? '' : 'k'};${prog.key}`,
    fields: prog.fields,
    buffers: keep === null ? reads : [...reads, { buf: keep, write: true }],
    code: (w, binding) => {
      const c = prog.wgsl(w, binding, 'E', g);
      const k = binding + reads.length;
      const kd = keep === null ? '' : `@group(0) @binding(${k}) var<storage, read_write> EK: array<${gT}>;`;
      return `${c.decls}
${kd}
fn epi(v: ${gT}, i: u32) -> ${storageType(dtype)} {
  ${keep === null ? '' : 'EK[i] = v;'}
  ${c.body}
  return ${c.result};
}`;
    },
  };
}

/** A GEMM output that stores through `epi` (float32 only: the GEMM's output binding is f32). */
export function gemmOut(epi: Epilogue): GemmOut {
  if (epi.dtype !== 'float32')
    throw new Error(`webgpu: a matmul epilogue must produce float32, not ${epi.dtype}`);
  return {
    kind: 'custom',
    buffer: epi.out,
    fields: epi.fields,
    code: `${epi.code((name) => `PARAM(${name})`, 4)}
fn storeC(z: u32, m: u32, n: u32, v: f32) {
  let i = (z * dimM + m) * dimN + n;
  O[i] = epi(v, i);
}`,
    extra: epi.buffers,
  };
}

/**
 * A reduction's input read through a pending expression (a reduction prologue): `ldX(a)` evaluates
 * the tree of `buf` at element `a`, so the reduced values are never stored. The tree must not read
 * `buf` itself.
 */
export function inputSource(buf: GpuBuffer, dtype: DType, root: ExprNode): InputSource {
  const prog = program(buf, dtype, root, 'p');
  return {
    key: `src;${prog.key}`,
    fields: prog.fields,
    buffers: prog.leaves.map((l) => l.buf),
    code: (at) => {
      const g = prog.wgsl((name) => `${at[name]}u`, 2, 'S', null);
      return `${g.decls}
fn ldX(a: i32) -> ${storageType(dtype)} {
  let i = u32(a);
  ${g.body}
  return ${g.result};
}`;
    },
  };
}

/** The code of a tree, independent of how its params are addressed and where it runs. */
interface Program {
  /** Leaves bound as arrays (the output itself excluded), in binding order. */
  readonly leaves: readonly Leaf[];
  readonly fields: readonly Field[];
  /** Structure of the tree (pipeline key part). */
  readonly key: string;
  /**
   * WGSL given `w` (a param field's index as a u32 literal or placeholder), the first leaf
   * binding, the leaf arrays' name prefix and the producer whose value is `v`: module-scope
   * declarations, the statements for flat index `i`, and the result's expression.
   */
  wgsl(
    w: (name: string) => string,
    binding: number,
    arr: string,
    g: ProducerNode | null,
  ): { decls: string; body: string; result: string };
}

/** The program of `root` writing `out`; `prefix` keeps its param and function names apart. */
function program(out: GpuBuffer, dtype: DType, root: ExprNode, prefix: string): Program {
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
  const fields: Field[] = [];
  leaves.forEach((l, k) => {
    const f = `${prefix}l${k}`;
    fields.push(ints(f, l.offset));
    if (l.mode === 's') {
      fields.push(ints(`${f}r`, l.shape.length), dynInts(`${f}h`, l.shape), dynInts(`${f}s`, l.strides));
    }
  });
  const ops = order.filter((x): x is OpNode => x.kind === 'op');
  ops.forEach((o, j) => {
    for (const a of o.attrs) {
      const f = `${prefix}a${j}${a.name}`;
      fields.push(o.C === 'f32' ? floats(f, a.value) : ints(f, a.value));
    }
  });
  // Node references by position: leaves as L<k> (S for the output itself), the producer as G.
  const ref = (x: ExprNode): string => {
    if (x.kind === 'leaf') return x.buf === out ? 'S' : `L${keyOf(x)}`;
    if (x.kind === 'producer') return `G${storageType(x.dtype)}`;
    return `N${ops.indexOf(x)}`;
  };
  const key = [
    storageType(dtype) + (dtype === 'bool' ? 'b' : ''),
    leaves.map((l) => `${storageType(l.dtype)}${l.mode}`).join(','),
    ...ops.map(
      (o) =>
        `${o.expr}|${o.C}|${o.dtype}|${o.params.map((p) => `${p.name}${p.convert ? '' : '!'}`).join(',')}|${o.args.map(ref).join(',')}`,
    ),
  ].join(';');

  const wgsl: Program['wgsl'] = (w, binding, arr, g) => {
    const outT = storageType(dtype);
    const value = new Map<ExprNode, { v: string; T: WgslType }>();
    const fns: string[] = [];
    const body: string[] = [];
    leaves.forEach((l, k) => {
      body.push(...leafLoad(l, k, w, arr, prefix));
    });
    for (const x of order) {
      if (x.kind === 'producer') {
        if (x !== g) throw new Error('webgpu: a fused kernel computes at most one matmul or reduction');
        value.set(x, { v: 'v', T: storageType(x.dtype) });
        continue;
      }
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
      fns.push(nodeFn(x, j, w, prefix));
      body.push(`let v${j} = ${prefix}nd${j}(${args.join(', ')});`);
      value.set(x, { v: `v${j}`, T: storageType(x.dtype) });
    }
    const res = value.get(root)!;
    const decls = leaves.map(
      (l, k) =>
        `@group(0) @binding(${k + binding}) var<storage, read> ${arr}${k}: array<${storageType(l.dtype)}>;`,
    );
    return {
      decls: [...decls, ...fns].join('\n'),
      body: body.join('\n  '),
      result: res.T === outT ? res.v : convert(res.v, res.T, outT),
    };
  };
  return { leaves, fields, key, wgsl };
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
function leafLoad(l: Leaf, k: number, w: (name: string) => string, arr: string, prefix: string): string[] {
  const T = storageType(l.dtype);
  const f = `${prefix}l${k}`;
  const off = `pi(${w(f)})`;
  if (l.mode === 'z') return [`let l${k}: ${T} = ${arr}${k}[${off}];`];
  if (l.mode === 'c') return [`let l${k}: ${T} = ${arr}${k}[${off} + i32(i)];`];
  return [
    `var a${k} = ${off};`,
    `{ var r = i; let sh = P[${w(`${f}h`)}]; let st = P[${w(`${f}s`)}]; for (var d = P[${w(`${f}r`)}]; d > 0u; d--) { let s = P[sh + d - 1u]; a${k} += i32(r % s) * pi(st + d - 1u); r = r / s; } }`,
    `let l${k}: ${T} = ${arr}${k}[a${k}];`,
  ];
}

/** WGSL function `<prefix>nd<j>` of op node `x`: its parameters, attribute lets and converted result. */
function nodeFn(x: OpNode, j: number, w: (name: string) => string, prefix: string): string {
  const outT = storageType(x.dtype);
  const params = x.params
    .map((p, k) => `${p.name}: ${p.convert ? x.C : storageType(x.args[k]!.dtype)}`)
    .join(', ');
  const lets = x.attrs
    .map((a) => {
      const at = w(`${prefix}a${j}${a.name}`);
      return `let ${a.name} = ${x.C === 'f32' ? `pf(${at})` : x.C === 'i32' ? `pi(${at})` : `P[${at}]`};`;
    })
    .join(' ');
  const result = x.bool ? `select(0u, 1u, ${x.expr})` : convert(x.expr, x.C, outT, x.dtype === 'bool');
  const resultT: WgslType = x.bool ? 'u32' : outT;
  const store = resultT === outT ? result : convert(result, resultT, outT);
  return `fn ${prefix}nd${j}(${params}) -> ${outT} { ${lets} return ${store}; }`;
}
