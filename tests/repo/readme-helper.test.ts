import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstTsBlock, README_EXAMPLE_FILE, runReadmeExample } from './readme.js';

const dirs: string[] = [];
function fakePackage(readme: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-readme-'));
  mkdirSync(join(dir, 'test'));
  writeFileSync(join(dir, 'README.md'), readme);
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('runReadmeExample', () => {
  it('runs the first ts block as TypeScript and removes the temp file', async () => {
    const dir = fakePackage(
      [
        '# pkg',
        '```bash',
        'npm i @tessera/tensor',
        '```',
        '```ts',
        "import { basename } from 'node:path';",
        'const n: number = 6 * 7;',
        'export const answer = n;',
        'export const file = basename(import.meta.url);',
        '```',
        '```ts',
        "throw new Error('second block must not run');",
        '```',
      ].join('\n'),
    );
    const mod = await runReadmeExample(dir);
    expect(mod).toMatchObject({ answer: 42, file: expect.stringContaining(README_EXAMPLE_FILE) });
    expect(existsSync(join(dir, 'test', README_EXAMPLE_FILE))).toBe(false);
  });

  it('accepts a URL and re-runs the example on each call', async () => {
    const dir = fakePackage('```typescript\nexport const at = performance.now();\n```\n');
    const url = new URL(`file://${dir}/`);
    const a = await runReadmeExample(url);
    const b = await runReadmeExample(url);
    expect(a.at).not.toBe(b.at);
  });

  it('rethrows what the example throws and still cleans up', async () => {
    const dir = fakePackage("```ts\nthrow new RangeError('boom');\n```\n");
    await expect(runReadmeExample(dir)).rejects.toThrow(RangeError);
    expect(existsSync(join(dir, 'test', README_EXAMPLE_FILE))).toBe(false);
  });

  it('fails clearly when there is no ts block', async () => {
    const dir = fakePackage('# nothing\n```js\n1\n```\n');
    await expect(runReadmeExample(dir)).rejects.toThrow(/no ```ts code block/);
  });

  it('firstTsBlock ignores other languages and keeps the block body verbatim', () => {
    expect(firstTsBlock('```tsx\nx\n```\n```ts title="a"\nconst a = 1;\n\nconst b = 2;\n```')).toBe(
      'const a = 1;\n\nconst b = 2;\n',
    );
  });
});
