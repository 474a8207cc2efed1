// Helpers for the browser tests: build and serve the app with Vite's preview server on a free
// port, drive Debian's Chromium with playwright-core, and collect console errors.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { chromiumPath } from '../../../tests/repo/requirements.js';

export const appDir = fileURLToPath(new URL('..', import.meta.url));
export const resultsDir = fileURLToPath(new URL('../test-results/', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Builds the app (into test-results/dist-<name>, one folder per test file, so that files can run
 * at the same time) and serves it with `vite preview`; returns its URL.
 */
export async function startPreview(name: string): Promise<{ url: string; server: PreviewServer }> {
  const configFile = `${appDir}vite.config.ts`;
  const outDir = `${resultsDir}dist-${name}`;
  await build({ configFile, root: appDir, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const port = await freePort();
  const server = await preview({
    configFile,
    root: appDir,
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  return { url: `http://127.0.0.1:${port}/`, server };
}

/** Which backend the browser is set up for: no GPU at all, or Chromium's software WebGPU adapter. */
export type BrowserKind = 'cpu' | 'webgpu';

/** Launches Chromium headless: with the GPU disabled, or with WebGPU on its SwiftShader adapter. */
export function launch(kind: BrowserKind): Promise<Browser> {
  const args = [
    '--no-sandbox',
    '--headless=new',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
  if (kind === 'cpu') args.push('--disable-gpu');
  else
    args.push(
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-angle=swiftshader',
      '--use-webgpu-adapter=swiftshader',
    );
  return chromium.launch({ executablePath: chromiumPath()!, args });
}

/** A page with its console errors and uncaught exceptions collected. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

/**
 * Opens `url` in a new page of the given size, collecting errors: in a fresh context of `browser`,
 * or in `context` (which keeps its storage, such as the Cache API, between pages).
 */
export async function open(
  target: Browser | BrowserContext,
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<WatchedPage> {
  let page: Page;
  if ('newContext' in target) {
    page = await target.newPage({ viewport, acceptDownloads: true });
  } else {
    page = await target.newPage();
    await page.setViewportSize(viewport);
  }
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('crash', () => errors.push('page crashed'));
  await page.goto(url);
  return { page, errors };
}

/**
 * Waits until the mounted page's dataset satisfies `fn`, which runs in the browser: it sees only
 * its arguments (the dataset and `arg`, JSON), no variables of the test. Fails at once when the
 * page reports an error.
 */
export async function waitForPage<A = undefined>(
  page: Page,
  fn: (data: DOMStringMap, arg: A) => boolean,
  timeout = 30_000,
  arg?: A,
): Promise<DOMStringMap> {
  // The predicate is serialised and run in the page (playwright evaluates the expression there).
  const expression = `(() => {
    const el = document.querySelector('.page');
    if (!el) return false;
    if (el.dataset.error) throw new Error('the page reports an error: ' + el.dataset.error);
    return (${fn.toString()})(el.dataset, ${JSON.stringify(arg ?? null)});
  })()`;
  await page.waitForFunction(expression, undefined, { timeout, polling: 100 });
  return pageData(page);
}

/** The mounted page's data attributes. */
export function pageData(page: Page): Promise<DOMStringMap> {
  return page.evaluate(() => ({ ...document.querySelector<HTMLElement>('.page')!.dataset }));
}

/** Saves a full-page screenshot under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = `${resultsDir}screenshots/`;
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Animation frames counted in the page (see startFrames). */
interface FrameLog {
  __frameCount: number;
  __framesOn: boolean;
}

/**
 * Starts counting the page's animation frames (requestAnimationFrame callbacks). Tests check that
 * frames keep coming while a worker trains; how long they take is measured by `npm run bench --prefix
 * apps/demo` (bench/frames.mjs), never asserted.
 */
export async function startFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as FrameLog;
    w.__frameCount = 0;
    w.__framesOn = true;
    const tick = () => {
      w.__frameCount += 1;
      if (w.__framesOn) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Stops counting; returns the number of frames drawn since startFrames. */
export async function stopFrames(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as FrameLog;
    w.__framesOn = false;
    return w.__frameCount;
  });
}
