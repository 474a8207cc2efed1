import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli, usage } from '../src/cli.js';
import { parseTrainArgs } from '../src/lib/args.js';
import { selectBackend } from '../src/lib/backend.js';
import { MnistNotFoundError } from '../src/lib/mnist-data.js';
import { failureMessage, formatMetrics, runScript } from '../src/lib/run.js';
import { EXAMPLES } from '../src/registry.js';
import { main as xor } from '../src/xor.js';

const tmp = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Runs the CLI, collecting what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tessera-train argument validation', () => {
  it('--help lists every example and flag', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const name of Object.keys(EXAMPLES)) expect(r.out).toContain(`  ${name} `);
    for (const flag of [
      '--example',
      '--backend',
      '--epochs',
      '--batch-size',
      '--lr',
      '--checkpoint-dir',
      '--export-onnx',
      '--data-dir',
      '--download',
      '--verbose',
    ]) {
      expect(r.out).toContain(flag);
    }
    expect(r.out).toBe(usage());
  });

  it.each([
    [[], '--example is required'],
    [['--example', 'nope'], "unknown example 'nope' (choose from: xor, spiral, mnist-mlp,"],
    [['-e', 'xor', '--epochs', '0'], "--epochs must be an integer >= 1, got '0'"],
    [['-e', 'xor', '--epochs', '2.5'], "--epochs must be an integer >= 1, got '2.5'"],
    [['-e', 'xor', '--epochs', 'ten'], "--epochs must be an integer >= 1, got 'ten'"],
    [['-e', 'xor', '--batch-size=-4'], "--batch-size must be an integer >= 1, got '-4'"],
    [['-e', 'xor', '--batch-size', '-4'], "Option '--batch-size' argument is ambiguous."],
    [['-e', 'xor', '--lr', 'abc'], "--lr must be a positive number, got 'abc'"],
    [['-e', 'xor', '--lr', '0'], "--lr must be a positive number, got '0'"],
    [['-e', 'xor', '--lr', ''], "--lr must be a positive number, got ''"],
    [['-e', 'xor', '--seed=-1'], "--seed must be an integer >= 0, got '-1'"],
    [['-e', 'xor', '--backend', 'tpu'], "--backend must be one of cpu, webgpu, got 'tpu'"],
    [['-e', 'xor', '--checkpoint-dir', ''], '--checkpoint-dir must not be empty'],
    [['-e', 'xor', '--export-onnx', ''], '--export-onnx must not be empty'],
    [['-e', 'xor', '--frobnicate'], "Unknown option '--frobnicate'"],
    [
      ['-e', 'spiral', '--data-dir', 'x'],
      '--data-dir does not apply to spiral, which makes its own data (it applies to mnist-mlp, mnist-lenet, search-mnist-mlp, autoencoder-features, resnet-mnist, plain-vs-residual, conv-autoencoder, dcgan-mnist)',
    ],
    [
      ['-e', 'xor', '--download'],
      '--download does not apply to xor, which makes its own data (it applies to mnist-mlp, mnist-lenet, search-mnist-mlp, autoencoder-features, resnet-mnist, plain-vs-residual, conv-autoencoder, dcgan-mnist)',
    ],
    [['-e', 'xor', 'extra'], "Unexpected argument 'extra'"],
    [['-e', 'xor', '--epochs'], "Option '--epochs <value>' argument missing"],
  ])('%j fails with exit code 2: %s', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`tessera-train: ${message}`);
    expect(r.err).toContain('Run tessera-train --help for usage.');
    expect(r.out).toBe('');
  });

  it('parses every flag into the example options', () => {
    const a = parseTrainArgs(
      [
        '--example=mnist-lenet',
        '--backend',
        'webgpu',
        '--epochs',
        '3',
        '--batch-size',
        '128',
        '--lr',
        '1e-3',
        '--seed',
        '7',
        '--checkpoint-dir',
        'runs/a',
        '--export-onnx',
        'runs/a/model.onnx',
        '--data-dir',
        'data/mnist',
        '--download',
        '--no-progress',
        '--verbose',
      ],
      { allowExample: true },
    );
    expect(a).toEqual({
      example: 'mnist-lenet',
      backend: 'webgpu',
      help: false,
      verbose: true,
      options: {
        epochs: 3,
        batchSize: 128,
        lr: 1e-3,
        seed: 7,
        checkpointDir: 'runs/a',
        exportOnnx: 'runs/a/model.onnx',
        dataDir: 'data/mnist',
        download: true,
        progress: false,
      },
    });
    // `pnpm --filter @tessera/examples xor -- --epochs 3` passes the `--` on.
    expect(parseTrainArgs(['--', '--epochs', '3'], { allowExample: false }).options).toEqual({ epochs: 3 });
    expect(() => parseTrainArgs(['--example', 'xor'], { allowExample: false })).toThrow(
      '--example is only for tessera-train',
    );
  });
});

describe('tessera-train runs', () => {
  it('trains an example and prints its final metrics', async () => {
    const r = await cli('--example', 'xor', '--epochs', '30', '--no-progress');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^xor: accuracy 100\.00% · loss 0\.\d{4} · epochs 30 \(\d+\.\d s on cpu\)$/m);
  });

  it('an example run as a script takes the same flags', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await runScript('xor', xor, ['--epochs', '2', '--no-progress'], io)).toBe(0);
    expect(out.at(-1)).toMatch(/^xor: accuracy .* · epochs 2 /);
    expect(await runScript('xor', xor, ['--epochs', 'x'], io)).toBe(2);
    expect(err.at(-1)).toContain("xor: --epochs must be an integer >= 1, got 'x'");
  });

  it('falls back to the CPU with a message when WebGPU is unavailable', async () => {
    const lines: string[] = [];
    const noAdapter = async () => ({
      initWebGPU: async (): Promise<never> => {
        throw new Error('initWebGPU: no WebGPU adapter was found');
      },
    });
    expect(await selectBackend('webgpu', (l) => lines.push(l), noAdapter)).toBe('cpu');
    expect(lines).toEqual([
      'backend: WebGPU is not available (initWebGPU: no WebGPU adapter was found); falling back to the CPU backend',
    ]);
    expect(await selectBackend('cpu', (l) => lines.push(l), noAdapter)).toBe('cpu');
    expect(lines).toHaveLength(1);
  });

  it('formats accuracies as percentages', () => {
    expect(formatMetrics({ testAccuracy: 0.985, testLoss: 0.05, epochs: 15, lr: 2e-5 })).toBe(
      'testAccuracy 98.50% · testLoss 0.0500 · epochs 15 · lr 2.000e-5',
    );
  });
});

describe('tessera-train failures', () => {
  const mnistArgs = ['-e', 'mnist-mlp', '--epochs', '1', '--no-progress'];

  it('a missing dataset names --data-dir and TESSERA_MNIST_DIR, without a stack trace', async () => {
    const missing = join(tmp, 'no-mnist-here');
    vi.stubEnv('TESSERA_MNIST_DIR', missing);
    const r = await cli(...mnistArgs);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`tessera-train: mnist-mlp failed: mnist: data folder ${missing} does not exist`);
    expect(r.err).toContain(`from TESSERA_MNIST_DIR=${missing}`);
    expect(r.err).toContain('--data-dir <folder with the MNIST IDX files>');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err.split('\n')).toHaveLength(1);

    const flag = await cli(...mnistArgs, '--data-dir', missing);
    expect(flag.code).toBe(1);
    expect(flag.err).toContain(`(from --data-dir ${missing})`);
    expect(flag.err).toContain('set TESSERA_MNIST_DIR=<folder>');
  });

  it('--verbose adds the stack trace', async () => {
    vi.stubEnv('TESSERA_MNIST_DIR', join(tmp, 'no-mnist-here'));
    const r = await cli(...mnistArgs, '--verbose');
    expect(r.code).toBe(1);
    expect(r.err).toContain('MnistNotFoundError: mnist: data folder');
    expect(r.err).toMatch(/\n\s+at /);
  });

  it('other failures print the message and point to --verbose', () => {
    const e = new RangeError('mnist: trainSize must be a positive integer, got 0');
    expect(failureMessage('tessera-train: mnist-mlp', e, false)).toBe(
      'tessera-train: mnist-mlp failed: mnist: trainSize must be a positive integer, got 0\n(run with --verbose for the stack trace)',
    );
    expect(failureMessage('x', e, true)).toMatch(/^x failed: RangeError: mnist: trainSize .*\n\s+at /);
    expect(failureMessage('x', new MnistNotFoundError('mnist: MNIST not found'), false)).toBe(
      'x failed: mnist: MNIST not found',
    );
    expect(failureMessage('x', 'a string', false)).toContain('x failed: a string');
  });

  it('running a finished run again says it is already complete', async () => {
    const dir = join(tmp, 'xor-done');
    const args = ['-e', 'xor', '--epochs', '2', '--no-progress', '--checkpoint-dir', dir];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    expect(first.out).not.toContain('already complete');
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.out).toContain(
      `the run in ${dir} is already complete: 2 epochs done (ckpt-000002.json); nothing to train. Raise --epochs to train further`,
    );
    expect(again.out).not.toContain('resumed from');
    // Its final metrics are those of the finished run.
    const metrics = (out: string) =>
      out
        .split('\n')
        .at(-1)!
        .replace(/ \(.*$/, '');
    expect(metrics(again.out)).toBe(metrics(first.out));
    const fewer = await cli('-e', 'xor', '--epochs', '1', '--no-progress', '--checkpoint-dir', dir);
    expect(fewer.out).toContain('already complete: 2 epochs done, more than the 1 asked');
    const more = await cli('-e', 'xor', '--epochs', '3', '--no-progress', '--checkpoint-dir', dir);
    expect(more.out).toContain(`resumed from ${dir}/ckpt-000002.json at epoch 3 of 3`);
    expect(more.out).toMatch(/epochs 3 \(/);
  });
});

describe('tessera-train --export-onnx', () => {
  it('writes the trained model as ONNX; onnxruntime-node gives the model outputs at any batch size', async () => {
    const path = join(tmp, 'onnx', 'xor.onnx');
    const r = await cli('-e', 'xor', '--no-progress', '--export-onnx', path);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`exported the trained model to ONNX: ${path} \\(\\d+ bytes\\)`));
    expect(r.out).toContain('accuracy 100.00%');
    // xor prints sigmoid(model(x)) for the four points, after the export: the file must give the same.
    const printed = [...r.out.matchAll(/^(\d) xor (\d) -> ([\d.]+)$/gm)].map((m) => Number(m[3]));
    expect(printed).toHaveLength(4);
    const session = await ort.InferenceSession.create(readFileSync(path));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    const points = [0, 0, 0, 1, 1, 0, 1, 1];
    const run = async (rows: number[]) => {
      const x = new ort.Tensor('float32', Float32Array.from(rows), [rows.length / 2, 2]);
      const out = (await session.run({ input: x })).output!;
      expect(out.dims).toEqual([rows.length / 2, 1]);
      return [...(out.data as Float32Array)].map((z) => 1 / (1 + Math.exp(-z)));
    };
    const p4 = await run(points);
    p4.forEach((p, i) => {
      expect(Math.abs(p - printed[i]!)).toBeLessThanOrEqual(5.01e-4);
    });
    // The batch dimension is symbolic: one point and the points twice over give the same values.
    expect((await run([1, 0]))[0]).toBeCloseTo(p4[2]!, 6);
    const twice = await run([...points, ...points]);
    twice.forEach((p, i) => {
      expect(p).toBeCloseTo(p4[i % 4]!, 6);
    });
  });
});
