// Screenshots of every page after a diverging run and after a normal one, for a look at the
// demo's state (not a test): writes test-results/screenshots/review-<backend>-<page>-<case>.png.
//
//   node apps/demo/scripts/screenshots.mjs [--backend cpu|webgpu] [--build]
//
// Uses the build in apps/demo/dist (built first when missing or with --build), served by
// `vite preview` (with the local MNIST folder when there is one).
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const outDir = `${appDir}test-results/screenshots/`;
const configFile = `${appDir}vite.config.ts`;
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const backend = arg('backend') ?? 'cpu';

/** Each page: a diverging setup and a healthy one, what to wait for, and how long to train. */
const CASES = [
  {
    page: 'playground',
    diverged: '#/playground?dataset=plane&activation=tanh&learningRate=3',
    trained: '#/playground?dataset=circle&activation=tanh&learningRate=0.1',
    done: (d) => Number(d.epoch) >= 60,
    button: '[data-action=play]',
  },
  {
    page: 'inside',
    diverged: '#/inside?depth=8&activation=relu&init=large&optimizer=sgd&lr=1',
    trained: '#/inside?depth=6&activation=relu&init=kaiming&optimizer=adam&lr=0.01',
    done: (d) => Number(d.step) >= 300,
    button: '[data-action=train]',
  },
  {
    page: 'digits',
    diverged: '#/digits?arch=lenet5&optimizer=sgd&lr=0.1&batch=16',
    trained: '#/digits?arch=mlp&optimizer=adam&lr=0.003&batch=64',
    done: (d) => Number(d.evalStep) >= 300,
    button: '[data-action=train]',
    ready: (d) => d.dataset === 'ready',
  },
  {
    page: 'generate',
    diverged: '#/generate?decoder=upsample&lr=0.01&batch=32',
    trained: '#/generate?decoder=convtranspose&lr=0.003&batch=64',
    done: (d) => Number(d.reconStep) >= 500,
    button: '[data-action=train]',
    ready: (d) => d.dataset === 'ready',
  },
];

async function waitFor(page, fn, timeout = 180_000) {
  await page.waitForFunction(
    `(() => { const el = document.querySelector('.page'); return !!el && (${fn})(el.dataset); })()`,
    undefined,
    { timeout, polling: 200 },
  );
}

/** Saves the model, loads the file back, and takes a screenshot of the loaded state. */
async function saveAndLoad(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action=save]')]);
  await page.setInputFiles('[data-control=load-model]', await download.path());
  await waitFor(page, ((d) => d.modelLoaded !== undefined && d.evalStep === d.step).toString());
  await page.waitForTimeout(1000);
  const path = `${outDir}review-${backend}-digits-loaded.png`;
  await page.screenshot({ path, fullPage: true });
  console.log(path);
}

async function shoot(browser, base, c, which) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && console.log(`  console.error: ${m.text()}`));
  await page.goto(`${base}?backend=${backend}${c[which]}`);
  await waitFor(page, (c.ready ?? ((d) => d.ready === 'true')).toString());
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${outDir}review-${backend}-${c.page}-before.png`, fullPage: true });
  await page.click(c.button);
  const stop =
    which === 'diverged'
      ? `(d) => d.diverged !== undefined || d.error !== undefined || (${c.done})(d)`
      : `(d) => d.error !== undefined || (${c.done})(d)`;
  await waitFor(page, stop).catch((e) => console.log(`  ${c.page} ${which}: ${e.message.split('\n')[0]}`));
  if ((await page.evaluate(() => document.querySelector('.page').dataset.playing)) === 'true')
    await page.click(c.button);
  await page.waitForTimeout(1000);
  const path = `${outDir}review-${backend}-${c.page}-${which}.png`;
  await page.screenshot({ path, fullPage: true });
  console.log(`${path}`);
  if (c.page === 'digits' && which === 'trained') await saveAndLoad(page);
  await page.close();
}

if (process.argv.includes('--build') || !existsSync(`${appDir}dist/index.html`))
  await build({ configFile, root: appDir, logLevel: 'error' });
mkdirSync(outDir, { recursive: true });
const server = await preview({
  configFile,
  root: appDir,
  logLevel: 'error',
  preview: { host: '127.0.0.1', port: 0, open: false },
});
const args = ['--no-sandbox', '--headless=new', '--no-first-run'];
if (backend === 'cpu') args.push('--disable-gpu');
else args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args,
});
try {
  const only = arg('page');
  for (const c of CASES.filter((x) => !only || x.page === only)) {
    for (const which of ['diverged', 'trained']) await shoot(browser, server.resolvedUrls.local[0], c, which);
  }
} finally {
  await browser.close();
  await server.close();
}
