import { getOpDecl, type OpDecl, registerOp } from '@tessera/tensor';

/**
 * A declared op named `name` for tests that call `runOp` directly: registered once (as an
 * identity unary extension op), then reused, since names are unique.
 */
export function testOp(name: string): OpDecl {
  return getOpDecl(name) ?? registerOp({ name, kind: 'unary', doc: 'test op' }, { cpu: (x) => x });
}
