import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const packageNames = readdirSync(`${root}packages`, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`${root}packages/${d.name}/package.json`))
  .map((d) => d.name)
  .sort();

export default defineConfig({
  resolve: {
    // Tests run on sources, no build needed: `@tessera/x` (exactly; never `@tessera/x/...`)
    // resolves to packages/x/src/index.ts.
    alias: packageNames.map((name) => ({
      find: new RegExp(`^@tessera/${name}$`),
      replacement: `${root}packages/${name}/src/index.ts`,
    })),
  },
  test: {
    reporters: ['default'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Drops Dawn's harmless "artificially reduced" limit warnings from the workers' stderr.
    globalSetup: ['tests/repo/quiet-dawn.ts', 'tests/repo/pack-cache.ts'],
    // Lets memory tests call globalThis.gc().
    execArgv: ['--expose-gc'],
    projects: [
      ...packageNames.map((name) => ({
        extends: true as const,
        test: {
          name,
          root,
          include: [`packages/${name}/test/**/*.test.ts`],
          // Software WebGPU (lavapipe) compiles each new shader on the CPU: a cold shader cache on
          // a loaded CI machine can take most of a minute for the GEMM variants alone.
          ...(name === 'gpu' ? { testTimeout: 180_000, hookTimeout: 180_000 } : {}),
        },
      })),
      {
        extends: true,
        test: {
          name: 'demo',
          root,
          include: ['apps/demo/test/**/*.test.ts'],
          // The browser tests train in Chromium (slow on a loaded machine): run them after
          // everything else, so other test processes do not compete for the cores.
          sequence: { groupOrder: 1 },
        },
      },
      { extends: true, test: { name: 'repo', root, include: ['tests/repo/**/*.test.ts'] } },
      { extends: true, test: { name: 'examples', root, include: ['examples/test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'op-extension',
          root,
          include: ['examples/op-extension/test/**/*.test.ts'],
          // WebGPU parity on lavapipe compiles its shaders on the CPU.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
