import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { localMnist } from './mnist-plugin.js';

const appRoot = fileURLToPath(new URL('.', import.meta.url));
const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));

/** Cross-origin isolation (SharedArrayBuffer, threaded CPU kernels), in dev and preview. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The demo builds from the packages' sources, as the tests do: `@tessera/x` -> packages/x/src/index.ts.
const tessera = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({
    find: new RegExp(`^@tessera/${d.name}$`),
    replacement: `${packagesDir}${d.name}/src/index.ts`,
  }));

export default defineConfig({
  root: appRoot,
  base: './',
  resolve: { alias: tessera },
  plugins: [localMnist(appRoot)],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
});
