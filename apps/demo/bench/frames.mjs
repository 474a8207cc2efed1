// Frame pacing of the demo while it trains, in Debian's Chromium (headless, playwright-core):
// for each page and backend (CPU with the GPU disabled; WebGPU on Chromium's SwiftShader adapter),
// trains for a fixed time and prints the number of animation frames, the median, 95th and 99th
// percentile and the longest time between two frames, and the main thread's long tasks.
// Timings are measured here, never asserted in tests (issue #16): a busy machine makes them slow.
//
//   npm run bench --prefix apps/demo   (or `pnpm bench:packages`, which runs every package's bench)
//   node apps/demo/bench/frames.mjs [--seconds 8] [--backend cpu|webgpu] [--page playground|digits|inside]
//
// Uses the build in apps/demo/dist (built first when missing or with --build), served by `vite preview`, which
// serves the local MNIST folder ($TESSERA_MNIST_DIR or ../shared/datasets/mnist); without it the
// Digits rows are skipped with the reason.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const configFile = `${appDir}vite.config.ts`;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const SECONDS = Number(arg('seconds', '8'));
const BACKENDS = arg('backend') ? [arg('backend')] : ['cpu', 'webgpu'];

/** What each page trains, per backend (the same setups as the browser tests). */
const PAGES = {
  playground: {
    cpu: '#/playground?dataset=circle&activation=tanh&optimizer=sgd&learningRate=0.1',
    webgpu: '#/playground?dataset=circle&optimizer=adam&learningRate=0.03&batchSize=25',
    button: '[data-action=play]',
    ready: (d) => Number(d.snapshots) >= 1,
  },
  digits: {
    cpu: '#/digits?arch=lenet5&optimizer=adam&lr=0.001&batch=32',
    webgpu: '#/digits?arch=mlp&optimizer=adam&lr=0.003&batch=64',
    button: '[data-action=train]',
    ready: (d) => d.dataset === 'ready',
    needsMnist: true,
  },
  generate: {
    cpu: '#/generate?decoder=convtranspose&lr=0.003&batch=64',
    webgpu: '#/generate?decoder=upsample&lr=0.003&batch=32',
    button: '[data-action=train]',
    ready: (d) => d.dataset === 'ready',
    needsMnist: true,
  },
  inside: {
    cpu: '#/inside?depth=6&activation=relu&init=kaiming&optimizer=adam&lr=0.01',
    webgpu: '#/inside?depth=4&activation=relu&init=kaiming&optimizer=adam&lr=0.01',
    button: '[data-action=train]',
    ready: (d) => d.trace === 'ready',
  },
};
const PAGE_NAMES = arg('page') ? [arg('page')] : Object.keys(PAGES);

function launch(backend) {
  const args = ['--no-sandbox', '--headless=new', '--disable-background-networking', '--no-first-run'];
  if (backend === 'cpu') args.push('--disable-gpu');
  else
    args.push(
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-angle=swiftshader',
      '--use-webgpu-adapter=swiftshader',
    );
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
}

/** Waits until the page's data attributes satisfy `fn` (run in the page). */
async function waitFor(page, fn, timeout = 120_000) {
  await page.waitForFunction(
    `(() => { const el = document.querySelector('.page'); if (!el) return false;
      if (el.dataset.error) throw new Error(el.dataset.error); return (${fn})(el.dataset); })()`,
    undefined,
    { timeout, polling: 100 },
  );
}

/** Records the time between animation frames and the long tasks for `ms` milliseconds. */
function record(page, ms) {
  return page.evaluate(async (ms) => {
    const gaps = [];
    const long = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) long.push(e.duration);
    });
    if (PerformanceObserver.supportedEntryTypes.includes('longtask')) observer.observe({ type: 'longtask' });
    await new Promise((done) => {
      const t0 = performance.now();
      let last = -1;
      const tick = (t) => {
        if (last >= 0) gaps.push(t - last);
        last = t;
        if (t - t0 < ms) requestAnimationFrame(tick);
        else done();
      };
      requestAnimationFrame(tick);
    });
    observer.disconnect();
    return { gaps, long };
  }, ms);
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function measure(browser, base, backend, name) {
  const spec = PAGES[name];
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`${base}?backend=${backend}${spec[backend]}`);
    await waitFor(page, spec.ready.toString());
    await page.click(spec.button);
    await waitFor(page, ((d) => d.playing === 'true').toString());
    const { gaps, long } = await record(page, SECONDS * 1000);
    await page.click(spec.button);
    const sorted = [...gaps].sort((a, b) => a - b);
    const r = (v) => v.toFixed(0);
    return {
      page: name,
      backend,
      frames: gaps.length,
      'median ms': r(pct(sorted, 0.5)),
      'p95 ms': r(pct(sorted, 0.95)),
      'p99 ms': r(pct(sorted, 0.99)),
      'longest ms': r(sorted[sorted.length - 1] ?? 0),
      'long tasks': long.length,
      'longest task ms': r(Math.max(0, ...long)),
    };
  } finally {
    await page.close();
  }
}

async function main() {
  if (process.argv.includes('--build') || !existsSync(`${appDir}dist/index.html`))
    await build({ configFile, root: appDir, logLevel: 'error' });
  const server = await preview({
    configFile,
    root: appDir,
    logLevel: 'error',
    preview: { host: '127.0.0.1', port: 0, open: false },
  });
  const base = server.resolvedUrls.local[0];
  // The preview server lists the local MNIST folder's files when it has one (see mnist-plugin.ts).
  const listing = await fetch(`${base}datasets/mnist/index.json`).catch(() => null);
  const mnist = listing?.ok && (await listing.json()).files?.length > 0;
  const rows = [];
  try {
    for (const backend of BACKENDS) {
      const browser = await launch(backend);
      try {
        for (const name of PAGE_NAMES) {
          if (PAGES[name].needsMnist && !mnist) {
            console.log(`${name} on ${backend}: skipped (no MNIST folder; set TESSERA_MNIST_DIR)`);
            continue;
          }
          rows.push(await measure(browser, base, backend, name));
          console.log(`${name} on ${backend}: ${JSON.stringify(rows[rows.length - 1])}`);
        }
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  console.log(`\nFrames while training (${SECONDS} s per row; headless Chromium on this machine):`);
  console.table(rows);
}

await main();
