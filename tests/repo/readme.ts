import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** File name of the extracted example, written into the package's test/ folder (gitignored). */
export const README_EXAMPLE_FILE = '.readme-example.tmp.ts';

let runs = 0;

/** Returns the body of the first ```ts (or ```typescript) fenced block in a Markdown text. */
export function firstTsBlock(markdown: string): string | undefined {
  const match = /^(`{3,}|~{3,})[ \t]*(?:ts|typescript)\b[^\n]*\n([\s\S]*?)^\1[ \t]*$/m.exec(markdown);
  return match?.[2];
}

/**
 * Runs the first ```ts block of `<packageDir>/README.md` as a module, under vitest: the block is
 * written to `<packageDir>/test/.readme-example.tmp.ts` and imported, so it is transformed like a
 * test file and `@tessera/*` imports resolve to the workspace sources. The file is removed
 * afterwards; errors (missing README or block, a throwing example) are rethrown.
 *
 * Usage, in packages/NAME/test/readme.test.ts:
 *   it('README example runs', async () => { await runReadmeExample(new URL('..', import.meta.url)); });
 */
export async function runReadmeExample(packageDir: string | URL): Promise<Record<string, unknown>> {
  const dir = typeof packageDir === 'string' ? packageDir : fileURLToPath(packageDir);
  const readme = join(dir, 'README.md');
  const code = firstTsBlock(readFileSync(readme, 'utf8'));
  if (code === undefined) throw new Error(`${readme} has no \`\`\`ts code block`);
  // Packages keep tests in test/; the repository root keeps them in tests/.
  const file = join(dir, existsSync(join(dir, 'test')) ? 'test' : 'tests', README_EXAMPLE_FILE);
  writeFileSync(file, code);
  try {
    // A fresh query makes each call a new module, so a second run in the same worker re-executes
    // (not `?t=`: Vite strips that one as a timestamp).
    return await import(/* @vite-ignore */ `${pathToFileURL(file).href}?readme=${++runs}`);
  } finally {
    rmSync(file, { force: true });
  }
}
