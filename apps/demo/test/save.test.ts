// The Digits page's Save button on both backends, in Debian's Chromium: the downloaded file is
// safetensors that parse (names, shapes, metadata, finite values) and load back into the page.
// On WebGPU the weights are read back from the GPU asynchronously.
import { readFileSync } from 'node:fs';
import { loadSafetensors } from '@tessera/nn';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { describeIfAvailable, itIfAvailable } from '../../../tests/repo/requirements.js';
import type { BrowserKind } from './harness.js';
import { waitForPage } from './harness.js';
import { browserSuite } from './suite.js';

/** Presses Save and returns the downloaded bytes. */
async function pressSave(page: Page): Promise<Uint8Array> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action=save]')]);
  return new Uint8Array(readFileSync((await download.path())!));
}

function saveSuite(kind: BrowserKind): void {
  const visit = browserSuite(kind, `save-${kind}`, `?backend=${kind}`);

  itIfAvailable(
    'mnist',
    `saves the trained MLP on ${kind} as safetensors that parse and load back`,
    async () => {
      const { page, errors } = await visit('#/digits?arch=mlp&optimizer=adam&lr=0.003&batch=64');
      await waitForPage(page, (d) => d.dataset === 'ready', 60_000);
      await page.click('[data-action=train]');
      await waitForPage(page, (d) => Number(d.step) >= 20, 120_000);
      await page.click('[data-action=train]');
      await waitForPage(page, (d) => d.playing === 'false');
      // The evaluation after the pause, which the loaded model must reproduce.
      const paused = await waitForPage(page, (d) => d.evalStep === d.step, 60_000);

      const bytes = await pressSave(page);
      const file = loadSafetensors(bytes, 'the downloaded model');
      expect(file.metadata.arch).toBe('mlp');
      expect(file.metadata.format).toBe('tessera-demo-digits');
      expect(Number(file.metadata.step)).toBe(Number(paused.step));
      const shapes = Object.fromEntries(Object.entries(file.tensors).map(([k, t]) => [k, t.shape]));
      expect(shapes).toEqual({
        '1.weight': [128, 784],
        '1.bias': [128],
        '3.weight': [10, 128],
        '3.bias': [10],
      });
      for (const [name, t] of Object.entries(file.tensors)) {
        const v = t.dataSync() as Float32Array;
        expect(
          v.every((x) => Number.isFinite(x)),
          `${name}: finite values`,
        ).toBe(true);
        // Trained weights, not zeros.
        expect(v.some((x) => x !== 0)).toBe(true);
      }

      await page.setInputFiles('[data-control=load-model]', {
        name: 'model.safetensors',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(bytes),
      });
      const loaded = await waitForPage(page, (d) => d.modelLoaded === 'mlp' && d.evalStep === d.step, 60_000);
      expect(Number(loaded.testAcc)).toBeCloseTo(Number(paused.testAcc), 3);
      // The loaded model's curves are one evaluation: a dot, and a line under each chart says so.
      const notes = page.locator('.chart-empty.below');
      await notes.first().waitFor({ state: 'visible' });
      expect(await notes.count()).toBe(2);
      expect(await notes.first().textContent()).toContain('A loaded model: the dot is its test evaluation');
      expect(errors).toEqual([]);
    },
    240_000,
  );
}

describeIfAvailable('chromium', 'Digits Save on the CPU backend', () => saveSuite('cpu'));
describeIfAvailable('chromium', 'Digits Save on WebGPU (SwiftShader)', () => saveSuite('webgpu'));
