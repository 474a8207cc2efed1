#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
// `pnpm --filter @tessera/demo size`: builds the demo and prints the gzipped size of its JavaScript:
// every file, what each page loads on first visit, and how much of it each Tessera package is.
// A package's share of a file is its share of the file's rendered (tree-shaken) code, applied to
// the file's gzipped size; the workers are separate bundles, so a package appears once per worker.
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
/** @type {{ fileName: string, code: string, modules: Record<string, { renderedLength: number }>, imports: string[], dynamicImports: string[], facade: string | null, worker: boolean }[]} */
const chunks = [];
/** @type {{ fileName: string, size: number, gzip: number }[]} */
const css = [];

const gz = (s) => gzipSync(Buffer.from(s), { level: 9 }).length;

function collector(worker) {
  return {
    name: 'tessera-size',
    generateBundle(_options, bundle) {
      for (const c of Object.values(bundle)) {
        if (c.type === 'chunk') {
          chunks.push({
            fileName: c.fileName,
            code: c.code,
            modules: c.modules,
            imports: c.imports,
            dynamicImports: c.dynamicImports,
            facade: c.facadeModuleId,
            worker,
          });
        } else if (c.fileName.endsWith('.css')) {
          const text = typeof c.source === 'string' ? c.source : Buffer.from(c.source).toString();
          css.push({ fileName: c.fileName, size: text.length, gzip: gz(text) });
        }
      }
    },
  };
}

await build({
  configFile: `${root}vite.config.ts`,
  root,
  logLevel: 'error',
  plugins: [collector(false)],
  worker: { plugins: () => [collector(true)] },
});

/** Which package a module belongs to. */
function owner(id) {
  const path = id.replaceAll('\\', '/');
  const pkg = path.match(/\/packages\/([^/]+)\/src\//);
  if (pkg) return `@tessera/${pkg[1]}`;
  if (path.includes('/node_modules/uplot/')) return 'uplot';
  if (path.includes('/apps/demo/')) return 'demo app';
  return 'other (bundler runtime)';
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const base = (f) => f.split('/').pop();
const byName = new Map(chunks.map((c) => [c.fileName, c]));
for (const c of chunks) c.gzip = gz(c.code);

function rel(id) {
  return id ? id.replaceAll('\\', '/').replace(/^.*\/apps\/demo\//, '') : '(shared chunk)';
}

console.log('\nFiles (minified; gzip -9)');
const rows = [...chunks].sort((a, b) => a.worker - b.worker || b.gzip - a.gzip);
for (const c of rows) {
  console.log(
    `  ${base(c.fileName).padEnd(28)} ${kb(c.code.length).padStart(10)} ${kb(c.gzip).padStart(10)} gz   ${c.worker ? 'worker' : 'page  '}  ${rel(c.facade)}`,
  );
}
for (const c of css)
  console.log(
    `  ${base(c.fileName).padEnd(28)} ${kb(c.size).padStart(10)} ${kb(c.gzip).padStart(10)} gz   css`,
  );

/** A chunk and its static imports, transitively. */
function closure(c, seen = new Set()) {
  if (!c || seen.has(c.fileName)) return seen;
  seen.add(c.fileName);
  for (const i of c.imports) closure(byName.get(i) ?? chunks.find((x) => x.fileName.endsWith(base(i))), seen);
  return seen;
}
const find = (suffix, worker) =>
  chunks.find((c) => c.worker === worker && (c.facade ?? '').replaceAll('\\', '/').endsWith(suffix));
const entry = chunks.find((c) => !c.worker && (c.facade ?? '').endsWith('/src/main.ts'));
const cssTotal = css.reduce((s, c) => s + c.gzip, 0);

console.log('\nJavaScript loaded by each page on a first visit (gzip; CSS adds ' + kb(cssTotal) + ')');
for (const page of ['playground', 'digits', 'inside']) {
  const main = closure(entry);
  closure(find(`/src/${page}/page.ts`, false), main);
  const worker = closure(find(`/src/${page}/worker.ts`, true));
  const gpu = new Set();
  for (const f of worker)
    for (const d of byName.get(f)?.dynamicImports ?? [])
      closure(byName.get(d) ?? chunks.find((x) => x.worker && x.fileName.endsWith(base(d))), gpu);
  for (const f of worker) gpu.delete(f);
  const sum = (set) => [...set].reduce((s, f) => s + (byName.get(f)?.gzip ?? 0), 0);
  console.log(
    `  ${page.padEnd(11)} page ${kb(sum(main)).padStart(9)}  + worker ${kb(sum(worker)).padStart(9)}  = ${kb(sum(main) + sum(worker)).padStart(9)}   (+ ${kb(sum(gpu))} for @tessera/gpu when WebGPU is used)`,
  );
}

/** A page-side chunk loaded only when asked (its own entry, not the app or a page): the Digits ONNX export. */
function onDemand(c) {
  const f = (c.facade ?? '').replaceAll('\\', '/');
  return f !== '' && !/\/(main|page)\.ts$|index\.html$/.test(f);
}

console.log('\nGzipped size by package, per bundle (share of rendered code x gzip size of each file)');
const bundles = new Map();
for (const c of chunks) {
  const page = rel(c.facade).match(/src\/(\w+)\/worker\.ts/)?.[1];
  const key = c.worker
    ? page
      ? `${page} worker`
      : 'gpu, per worker'
    : onDemand(c)
      ? 'page, on demand'
      : 'main thread';
  const total = Object.values(c.modules).reduce((s, m) => s + m.renderedLength, 0) || 1;
  const shares = bundles.get(key) ?? new Map();
  // The lazily loaded chunk exists once per worker (identical copies): count one.
  if (!page && c.worker && bundles.has(key) && !c.counted) {
    c.counted = true;
    continue;
  }
  for (const [id, m] of Object.entries(c.modules)) {
    const o = owner(id);
    shares.set(o, (shares.get(o) ?? 0) + (c.gzip * m.renderedLength) / total);
  }
  bundles.set(key, shares);
}
const owners = [...new Set([...bundles.values()].flatMap((m) => [...m.keys()]))].sort();
const keys = [...bundles.keys()].sort();
console.log(`  ${'package'.padEnd(24)}${keys.map((k) => k.padStart(19)).join('')}`);
for (const o of owners) {
  console.log(
    `  ${o.padEnd(24)}${keys.map((k) => (bundles.get(k).has(o) ? kb(bundles.get(k).get(o)) : '–').padStart(19)).join('')}`,
  );
}
const totals = keys.map((k) => kb([...bundles.get(k).values()].reduce((a, b) => a + b, 0)).padStart(19));
console.log(`  ${'total'.padEnd(24)}${totals.join('')}`);
console.log(
  '\n"main thread" is the page code of all three pages; "gpu, per worker" is @tessera/gpu, which a',
);
console.log('worker loads only when the browser has WebGPU (each worker bundle has its own copy).');
console.log(
  '"page, on demand" loads only when asked (Download ONNX on the Digits page), not on a first visit.',
);
