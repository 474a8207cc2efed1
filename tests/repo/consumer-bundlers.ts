/**
 * The browser half of the consumer matrix: bundles an entry of a consumer project (packed tarballs
 * installed by npm) with esbuild, webpack 5, Rollup and Vite, each with the minimum a user writes
 * for a browser build, and runs the output in Chromium from a local static server. Outputs may hold
 * several chunks (dynamic imports): the whole output folder is served.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import commonjsPlugin from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { build as esbuild } from 'esbuild';
import type { Browser } from 'playwright-core';
import { rollup } from 'rollup';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';

// The plugin's types are CommonJS-shaped (`export default` in the .d.ts of a package without
// "type": "module"), so NodeNext types the default import as the module; at run time it is the function.
const commonjs = commonjsPlugin as unknown as typeof commonjsPlugin.default;

/**
 * A bundler under test. Each entry is a folder of the project holding `main.mjs`; all entries are
 * built at once, as the pages of one multi-page app (one build per bundler keeps CI time down:
 * webpack's minifier dominates it), so that `outDir/<entry>/index.html` runs one entry.
 */
export interface Bundler {
  name: 'esbuild' | 'webpack' | 'rollup' | 'vite';
  /** Bundles `project/<entry>/main.mjs` for each entry into `outDir`, with a page per entry. */
  bundle(project: string, entries: readonly string[], outDir: string): Promise<void>;
}

const page = (script: string, type: 'module' | 'classic') =>
  `<!doctype html>\n<meta charset="utf-8">\n<script${type === 'module' ? ' type="module"' : ''} src="${script}"></script>\n`;

/** Writes `outDir/<entry>/index.html` loading `script` (a URL relative to that page). */
function writePages(
  outDir: string,
  entries: readonly string[],
  script: (entry: string) => string,
  type: 'module' | 'classic',
) {
  for (const e of entries) {
    mkdirSync(join(outDir, e), { recursive: true });
    writeFileSync(join(outDir, e, 'index.html'), page(script(e), type));
  }
}

/** `esbuild <entries> --bundle --format=esm --splitting --outdir=out`: ESM, so that chunks can be shared and split. */
const esbuildBundler: Bundler = {
  name: 'esbuild',
  async bundle(project, entries, outDir) {
    await esbuild({
      absWorkingDir: project,
      entryPoints: entries.map((e) => `${e}/main.mjs`),
      bundle: true,
      format: 'esm',
      splitting: true,
      outdir: outDir,
      logLevel: 'silent',
    });
    writePages(outDir, entries, () => './main.js', 'module');
  },
};

/** webpack's documented minimum: a mode, the entries and an output path; classic scripts load them. */
const webpackBundler: Bundler = {
  name: 'webpack',
  async bundle(project, entries, outDir) {
    const compiler = webpack({
      mode: 'production',
      context: project,
      entry: Object.fromEntries(entries.map((e) => [e, `./${e}/main.mjs`])),
      output: { path: outDir },
    });
    const stats = await new Promise<webpack.Stats>((done, fail) =>
      compiler.run((err, s) => (err || !s ? fail(err ?? new Error('webpack gave no stats')) : done(s))),
    );
    await new Promise<void>((done) => compiler.close(() => done()));
    if (stats.hasErrors()) throw new Error(`webpack failed:\n${stats.toString('errors-only')}`);
    writePages(outDir, entries, (e) => `../${e}.js`, 'classic');
  },
};

/** Rollup with node-resolve (browser field) and commonjs (protobufjs, a dependency of onnx, is CommonJS). */
const rollupBundler: Bundler = {
  name: 'rollup',
  async bundle(project, entries, outDir) {
    const b = await rollup({
      input: Object.fromEntries(entries.map((e) => [`${e}/main`, join(project, e, 'main.mjs')])),
      plugins: [nodeResolve({ browser: true }), commonjs()],
      onwarn: () => {}, // circular imports and `this` at the top of CommonJS files: not errors
    });
    try {
      await b.write({ dir: outDir, format: 'es' });
    } finally {
      await b.close();
    }
    writePages(outDir, entries, () => './main.js', 'module');
  },
};

/** A multi-page Vite app: an index.html beside each entry, listed as the build's inputs, no config file. */
const viteBundler: Bundler = {
  name: 'vite',
  async bundle(project, entries, outDir) {
    for (const e of entries) writeFileSync(join(project, e, 'index.html'), page('./main.mjs', 'module'));
    await viteBuild({
      root: project,
      configFile: false,
      logLevel: 'error',
      build: {
        outDir,
        emptyOutDir: true,
        rolldownOptions: {
          input: Object.fromEntries(entries.map((e) => [e, join(project, e, 'index.html')])),
        },
      },
    });
  },
};

/** Every bundler of the matrix. */
export const bundlers: readonly Bundler[] = [esbuildBundler, webpackBundler, rollupBundler, viteBundler];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.css': 'text/css',
};

/** A static file server for `root` on 127.0.0.1 (a free port); resolves to its base URL and the server. */
export function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    // Browsers ask for it by themselves; a 404 would read as a missing file of the bundle.
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    let body: Buffer | undefined;
    if (file === root || file.startsWith(root + sep)) {
      try {
        body = readFileSync(file);
      } catch {
        body = undefined;
      }
    }
    if (body === undefined) {
      res.writeHead(404).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      done({ url: `http://127.0.0.1:${port}/`, server });
    });
  });
}

/** The outcome an entry publishes through fixtures/consumer/report.mjs. */
export type EntryResult = { ok: true; value: unknown } | { ok: false; error: string };

/** What a page's entry computed, and the bytes of JavaScript and WebAssembly the page downloaded. */
export interface PageRun {
  value: unknown;
  bytes: number;
}

/**
 * Opens `url` in a new page and waits for the entry's globalThis.tesseraResult. Page errors, console
 * errors and failed requests (a missing chunk) fail it at once, with everything the page said.
 */
export async function runInPage(browser: Browser, url: string, timeout = 60_000): Promise<PageRun> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  const downloads: Promise<number>[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    else if (/\.(m?js|wasm)$/.test(new URL(r.url()).pathname))
      downloads.push(
        r.body().then(
          (b) => b.length,
          () => 0,
        ),
      );
  });
  page.on('crash', () => problems.push('page crashed'));
  const fail = (why: string) => new Error(`${url}: ${why}\n${problems.join('\n')}`);
  try {
    await page.goto(url);
    const deadline = Date.now() + timeout;
    let result: EntryResult | undefined;
    while (result === undefined) {
      if (problems.length > 0) throw fail('the page reported errors');
      if (Date.now() > deadline) throw fail(`no result after ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 100));
      result = await page.evaluate(() => (globalThis as { tesseraResult?: EntryResult }).tesseraResult);
    }
    if (!result.ok) throw fail(`the entry failed: ${result.error}`);
    if (problems.length > 0) throw fail('the page reported errors');
    const sizes = await Promise.all(downloads);
    return { value: result.value, bytes: sizes.reduce((a, b) => a + b, 0) };
  } finally {
    await page.close();
  }
}

/** Serves `dir` as a site root for the length of `use(baseUrl)`, as a user deploys a build's output folder. */
export async function withServer<T>(dir: string, use: (url: string) => Promise<T>): Promise<T> {
  const { url, server } = await serveStatic(dir);
  try {
    return await use(url);
  } finally {
    await new Promise((done) => server.close(done));
  }
}

/** Chromium's command-line flags: headless, quiet, with WebGPU on its SwiftShader (software) adapter. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];
