import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { firstTsBlock, README_EXAMPLE_FILE, runReadmeExample } from './readme.js';

it('the root README example runs', async () => {
  await runReadmeExample(new URL('../..', import.meta.url));
});

it('the "Beyond one machine" example runs (exportOnnx, then onnxruntime-node)', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const at = readme.indexOf('\n## Beyond one machine\n');
  expect(at).toBeGreaterThan(0);
  const code = firstTsBlock(readme.slice(at));
  expect(code).toContain('exportOnnx');
  const file = new URL(`../${README_EXAMPLE_FILE}`, import.meta.url);
  writeFileSync(file, code!);
  try {
    await import(/* @vite-ignore */ `${pathToFileURL(file.pathname).href}?section=beyond`);
  } finally {
    rmSync(file, { force: true });
  }
});
