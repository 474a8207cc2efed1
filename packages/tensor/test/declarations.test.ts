import {
  ARGMAX_OP,
  attr,
  BERNOULLI_OP,
  builtinDecls,
  CAST_OP,
  CORE_DECLS,
  FILL_INPLACE_OP,
  getOpDecl,
  inplaceDecl,
  type OpCall,
  opDeclarations,
  pushOpObserver,
  SUM_OP,
  tensor,
  UPDATE_INPLACE,
} from '@tessera/tensor';
import { describe, expect, it } from 'vitest';

/** The calls `fn` makes through runOp (every level), as a pushed observer sees them. */
function calls(fn: () => unknown): OpCall[] {
  const seen: OpCall[] = [];
  const h = pushOpObserver({
    run(call, compute) {
      seen.push(call);
      return compute();
    },
  });
  try {
    fn();
  } finally {
    h.remove();
  }
  return seen;
}

describe('op declarations', () => {
  it('declare every recorded op once, each name unique and found by getOpDecl', () => {
    const decls = builtinDecls();
    expect(new Set(decls.map((d) => d.name)).size).toBe(decls.length);
    for (const d of decls) expect(getOpDecl(d.name)).toBe(d);
    expect(new Set(opDeclarations().filter((d) => !d.extension))).toEqual(new Set(decls));
    const kinds = new Set(decls.map((d) => d.kind));
    for (const k of [
      'unary',
      'binary',
      'reduce',
      'scan',
      'movement',
      'copy',
      'index',
      'conv',
      'pool',
      'inplace',
    ])
      expect(kinds.has(k as never)).toBe(true);
  });

  it('hold typed attribute entries with their defaults, and freeze them', () => {
    expect(attr('bool', false)).toEqual({ type: 'bool', default: false });
    expect(attr<readonly number[]>('dims')).toEqual({ type: 'dims' });
    expect('default' in attr('dims')).toBe(false);
    expect(SUM_OP.attrs.keepdim.default).toBe(false);
    expect(SUM_OP.attrs.dims).toEqual({ type: 'dims' });
    expect(Object.isFrozen(SUM_OP) && Object.isFrozen(SUM_OP.attrs)).toBe(true);
  });

  it('are not differentiable for index, bool and random results, nor in place', () => {
    expect(ARGMAX_OP.differentiable).toBe(false);
    expect(getOpDecl('any')?.differentiable).toBe(false);
    expect(BERNOULLI_OP.differentiable).toBe(false);
    expect(CAST_OP.differentiable).toBe(true);
    expect(builtinDecls().filter((d) => d.kind === 'inplace' && d.differentiable)).toEqual([]);
    expect(CORE_DECLS.filter((d) => d.name.endsWith('_'))).toEqual([]);
  });

  it('name the in-place variant of each elementwise op, with its attributes', () => {
    expect(inplaceDecl('relu').name).toBe('relu_');
    expect(inplaceDecl('clamp').attrs).toEqual(getOpDecl('clamp')?.attrs);
    expect(inplaceDecl('add')).toBe(UPDATE_INPLACE.add_);
    expect(UPDATE_INPLACE.lerp_.kind).toBe('inplace');
  });

  it('reach observers as call.decl, the same object runOp was given', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const seen = calls(() => {
      x.sum(0);
      x.argmax();
      x.clone().fill_(2);
      x.relu();
    });
    expect(seen.map((c) => c.name)).toEqual(
      expect.arrayContaining(['sum', 'argmax', 'clone', 'fill_', 'relu']),
    );
    for (const c of seen) expect(c.decl).toBe(getOpDecl(c.name));
    const sum = seen.find((c) => c.name === 'sum')!;
    expect(sum.decl).toBe(SUM_OP);
    expect(sum.attrs).toEqual({ dims: [0], keepdim: false });
    const fill = seen.find((c) => c.name === 'fill_')!;
    expect(fill.decl).toBe(FILL_INPLACE_OP);
    expect(fill.attrs).toEqual({ value: 2 });
  });
});
