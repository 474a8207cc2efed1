import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The import graph of packages/tensor/src: folders do not import each other in a cycle, the CPU
// backend reaches its WebAssembly accelerator through one seam, and the kernels (with their
// base64 binaries) are reached from the package's entry only through a dynamic import().

const src = fileURLToPath(new URL('../src', import.meta.url));

interface Import {
  from: string;
  to: string;
  dynamic: boolean;
  /** `import type` / `export type`: erased by the compiler, no dependency at run time. */
  typeOnly: boolean;
}

/** Every relative import of every .ts file under src/, as paths relative to src/ ('x.ts'). */
function imports(): Import[] {
  const out: Import[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts')) {
        const from = relative(src, path).split('\\').join('/');
        // Comments may quote imports: drop block comments and whole-line // comments.
        const text = readFileSync(path, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/^\s*\/\/.*$/gm, '');
        for (const m of text.matchAll(
          /(?:^(import|export)(\s+type\b)?[^;']*?\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.[^']+)'/gm,
        )) {
          const to = posix.normalize(posix.join(posix.dirname(from), m[3]!)).replace(/\.js$/, '.ts');
          out.push({ from, to, dynamic: m[0].includes('('), typeOnly: m[2] !== undefined });
        }
      }
    }
  };
  walk(src);
  return out;
}

/** A file's folder under src/ ('.' for the top level). */
const folder = (file: string): string => posix.dirname(file);

/** Folder cycles: the strongly connected components of more than one folder (Tarjan). */
function folderCycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('imports under packages/tensor/src', () => {
  const all = imports();

  it('are found (the parser sees the known seam)', () => {
    expect(all).toContainEqual({
      from: 'cpu/matmul.ts',
      to: 'wasm/index.ts',
      dynamic: false,
      typeOnly: false,
    });
    expect(all).toContainEqual({
      from: 'wasm/load.ts',
      to: 'wasm/kernels.ts',
      dynamic: true,
      typeOnly: false,
    });
  });

  it('form no cycle between folders (the package entry, index.ts, aside)', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of all) {
      // Type-only imports are erased by the compiler (no load order, no run-time dependency): the
      // core's Backend interface names the op unions declared in ops/, as dependency-cruiser's
      // default graph leaves them out too. Every value import counts.
      if (i.from === 'index.ts' || i.typeOnly || folder(i.from) === folder(i.to)) continue;
      if (!edges.has(folder(i.from))) edges.set(folder(i.from), new Set());
      edges.get(folder(i.from))!.add(folder(i.to));
    }
    expect(folderCycles(edges)).toEqual([]);
    // The layers: the core (top level) imports no other folder at run time; ops build on the
    // core; creation and the Tensor methods (methods/) build on both.
    expect(edges.get('.')).toBeUndefined();
    expect(edges.get('ops')).toEqual(new Set(['.']));
    expect(edges.get('creation')).toEqual(new Set(['.', 'ops']));
    expect(edges.get('methods')).toEqual(new Set(['.', 'ops']));
    expect(edges.get('wasm')).toEqual(new Set(['.']));
    expect(edges.get('cpu')).toEqual(new Set(['.', 'wasm']));
  });

  it('tell type-only imports apart (the core names the op unions declared in ops/ by type only)', () => {
    const fromCore = all.filter(
      (i) => folder(i.from) === '.' && i.from !== 'index.ts' && folder(i.to) !== '.',
    );
    expect(fromCore.length).toBeGreaterThan(0);
    expect(fromCore.filter((i) => !i.typeOnly)).toEqual([]);
    expect(fromCore).toContainEqual({
      from: 'backend.ts',
      to: 'ops/binary-decls.ts',
      dynamic: false,
      typeOnly: true,
    });
  });

  it('reach src/wasm from src/cpu only through its seam, wasm/index.ts', () => {
    const intoWasm = all.filter((i) => folder(i.from) !== 'wasm' && folder(i.to) === 'wasm');
    expect(intoWasm.filter((i) => i.to !== 'wasm/index.ts')).toEqual([]);
    expect(intoWasm.map((i) => i.from).sort()).toEqual([
      'cpu/backend.ts',
      'cpu/conv.ts',
      'cpu/elementwise.ts',
      'cpu/matmul.ts',
      'cpu/pool.ts',
      'cpu/reduce.ts',
      'cpu/threshold.ts',
      'cpu/update.ts',
      'cpu/where.ts',
      'index.ts',
    ]);
  });

  it('reach the kernels and their binaries from the entry only through a dynamic import()', () => {
    const reached = new Set(['index.ts']);
    for (const file of reached) {
      for (const i of all) if (i.from === file && !i.dynamic) reached.add(i.to);
    }
    expect(reached.has('wasm/index.ts')).toBe(true);
    for (const lazy of [
      'wasm/kernels.ts',
      'wasm/runtime.ts',
      'wasm/module.ts',
      'wasm/binaries.generated.ts',
    ]) {
      expect(reached.has(lazy), lazy).toBe(false);
    }
    expect(all.filter((i) => i.dynamic && i.to === 'wasm/kernels.ts').map((i) => i.from)).toEqual([
      'wasm/load.ts',
    ]);
  });
});
