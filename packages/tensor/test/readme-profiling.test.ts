import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { firstTsBlock, README_EXAMPLE_FILE } from '../../../tests/repo/readme.js';

// The README's first block is run by readme.test.ts; this runs the one of its Profiling section.
it('README Profiling example runs', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Profiling\n');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const code = firstTsBlock(readme.slice(start, end < 0 ? undefined : end));
  expect(code).toContain('profile(');
  // A folder of its own, so that it never meets readme.test.ts's file; the name is gitignored.
  const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-profiling-'));
  const file = join(dir, README_EXAMPLE_FILE);
  writeFileSync(file, code!);
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
