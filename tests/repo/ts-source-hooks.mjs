// Module hooks that let a plain `node` child process run the workspace's TypeScript sources, as
// vitest does in-process: `@tessera/NAME` resolves to packages/NAME/src/index.ts, a relative
// `./x.js` to `./x.ts` when only that exists, and .ts files are transpiled (types stripped) on
// load. Used through `runSourceChild` (source-child.ts) by tests that need a fresh process with
// its own flags (a small heap, a crash that must not take the test runner down).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = new URL('../../', import.meta.url);

export async function resolve(specifier, context, next) {
  const m = /^@tessera\/([a-z0-9-]+)$/.exec(specifier);
  if (m !== null) return { url: new URL(`packages/${m[1]}/src/index.ts`, root).href, shortCircuit: true };
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const source = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (
      !existsSync(fileURLToPath(new URL(specifier, context.parentURL))) &&
      existsSync(fileURLToPath(source))
    )
      return { url: source.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const source = readFileSync(fileURLToPath(url), 'utf8');
  const out = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      sourceMap: false,
    },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
