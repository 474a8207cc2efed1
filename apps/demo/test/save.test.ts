// The Digits page's Save button on both backends, in Debian's Chromium: the downloaded file is
// safetensors that parse (names, shapes, metadata, finite values) and load back into the page.
// Download ONNX gives a file onnxruntime-node runs with the saved weights' outputs.
// On WebGPU the weights are read back from the GPU asynchronously.
import { readFileSync } from 'node:fs';
import { loadSafetensors } from '@tessera/nn';
import { rand, type Tensor } from '@tessera/tensor';
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { describeIfAvailable, itIfAvailable } from '../../../tests/repo/requirements.js';
import { buildModel } from '../src/digits/models.js';
import type { BrowserKind } from './harness.js';
import { waitForPage } from './harness.js';
import { browserSuite } from './suite.js';

/** Presses Save (or another download button) and returns the downloaded file name and bytes. */
async function pressDownload(page: Page, action = 'save'): Promise<{ name: string; bytes: Uint8Array }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`[data-action=${action}]`),
  ]);
  return {
    name: download.suggestedFilename(),
    bytes: new Uint8Array(readFileSync((await download.path())!)),
  };
}

/** Checks that the ONNX file computes the MLP with the saved weights, on a batch of 3 (dynamic). */
async function checkOnnx(onnx: Uint8Array, weights: Record<string, Tensor>): Promise<void> {
  const model = buildModel('mlp');
  model.loadStateDict(weights);
  model.eval();
  const x = rand([3, 1, 28, 28]);
  const want = (model.call(x) as Tensor).dataSync() as Float32Array;
  const session = await ort.InferenceSession.create(onnx);
  expect(session.inputNames).toEqual(['image']);
  expect(session.outputNames).toEqual(['logits']);
  const feed = new ort.Tensor('float32', x.dataSync() as Float32Array, [3, 1, 28, 28]);
  const got = (await session.run({ image: feed })).logits!;
  expect(got.dims).toEqual([3, 10]);
  const data = got.data as Float32Array;
  const scale = Math.max(...want.map(Math.abs));
  for (let i = 0; i < want.length; i++) expect(Math.abs(data[i]! - want[i]!)).toBeLessThan(1e-4 * scale);
}

function saveSuite(kind: BrowserKind): void {
  const visit = browserSuite(kind, `save-${kind}`, `?backend=${kind}`);

  itIfAvailable(
    'mnist',
    `saves the trained MLP on ${kind} as safetensors that parse and load back, and as ONNX that runs`,
    async () => {
      const { page, errors } = await visit('#/digits?arch=mlp&optimizer=adam&lr=0.003&batch=64');
      await waitForPage(page, (d) => d.dataset === 'ready', 60_000);
      await page.click('[data-action=train]');
      await waitForPage(page, (d) => Number(d.step) >= 20, 120_000);
      await page.click('[data-action=train]');
      await waitForPage(page, (d) => d.playing === 'false');
      // The evaluation after the pause, which the loaded model must reproduce.
      const paused = await waitForPage(page, (d) => d.evalStep === d.step, 60_000);

      const { bytes } = await pressDownload(page);
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

      const onnx = await pressDownload(page, 'export-onnx');
      expect(onnx.name).toBe('tessera-digits.onnx');
      await checkOnnx(onnx.bytes, file.tensors);
      await page.getByText(/^Saved tessera-digits\.onnx \(\d+ KB\)\.$/).waitFor();

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
