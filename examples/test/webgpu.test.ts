// The examples on the WebGPU backend give the CPU's results (up to float rounding). Needs a
// WebGPU adapter (Dawn from the `webgpu` package; lavapipe will do), and the LeNet test the MNIST
// files: skipped with the reason otherwise, see tests/repo/requirements.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, it } from 'vitest';
import { describeIfAvailable, itIfAvailable } from '../../tests/repo/requirements.js';
import { runCli } from '../src/cli.js';
import { selectBackend } from '../src/lib/backend.js';
import { main as mnistLenet } from '../src/mnist-lenet.js';

describeIfAvailable('webgpu', 'examples on WebGPU', () => {
  it('tessera-train --backend webgpu trains on the GPU and matches the CPU run', async () => {
    const run = async (backend: string) => {
      const out: string[] = [];
      const code = await runCli(['-e', 'xor', '--epochs', '2', '--no-progress', '--backend', backend], {
        out: (l) => out.push(l),
        err: (l) => out.push(l),
      });
      expect(code).toBe(0);
      return out;
    };
    const gpu = await run('webgpu');
    const cpu = await run('cpu');
    expect(gpu[0]).toMatch(/^backend: webgpu \(/);
    expect(gpu.at(-1)).toMatch(/ s on webgpu\)$/);
    const loss = (lines: string[]) => Number(/loss (\d\.\d+)/.exec(lines.at(-1)!)![1]);
    expect(loss(gpu)).toBeCloseTo(loss(cpu), 3);
  });

  it('--export-onnx on webgpu reads the weights back; the file gives the outputs the model prints after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-gpu-onnx-'));
    try {
      const path = join(dir, 'xor.onnx');
      const out: string[] = [];
      const argv = [
        '-e',
        'xor',
        '--epochs',
        '2',
        '--no-progress',
        '--backend',
        'webgpu',
        '--export-onnx',
        path,
      ];
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => out.push(l) });
      expect(code, out.join('\n')).toBe(0);
      expect(out).toContain(
        `exported the trained model to ONNX: ${path} (${readFileSync(path).length} bytes)`,
      );
      // The model went back to the GPU: xor's evaluation after the export ran there.
      expect(out.at(-1)).toMatch(/ s on webgpu\)$/);
      const printed = out.flatMap((l) => /^\d xor \d -> ([\d.]+)$/.exec(l)?.[1] ?? []).map(Number);
      expect(printed).toHaveLength(4);
      const session = await ort.InferenceSession.create(readFileSync(path));
      const x = new ort.Tensor('float32', Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), [4, 2]);
      const logits = (await session.run({ input: x })).output!.data as Float32Array;
      logits.forEach((z, i) => {
        expect(Math.abs(1 / (1 + Math.exp(-z)) - printed[i]!)).toBeLessThanOrEqual(5.01e-4);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  itIfAvailable('mnist', 'LeNet-5 trains on the GPU like on the CPU', async () => {
    const opts = { epochs: 1, trainSize: 128, testSize: 50, batchSize: 32, progress: false, log: () => {} };
    const device = await selectBackend('webgpu', () => {});
    expect(device).toBe('webgpu');
    const gpu = await mnistLenet({ ...opts, device });
    const cpu = await mnistLenet({ ...opts, device: 'cpu' });
    expect(gpu.testLoss).toBeCloseTo(cpu.testLoss!, 3);
    expect(gpu.testAccuracy).toBe(cpu.testAccuracy);
  });
});
