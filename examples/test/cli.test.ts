import { describe, expect, it } from 'vitest';
import { runCli, usage } from '../src/cli.js';
import { parseTrainArgs } from '../src/lib/args.js';
import { selectBackend } from '../src/lib/backend.js';
import { formatMetrics, runScript } from '../src/lib/run.js';
import { EXAMPLES } from '../src/registry.js';
import { main as xor } from '../src/xor.js';

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
      '--data-dir',
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
    [['-e', 'xor', '--frobnicate'], "Unknown option '--frobnicate'"],
    [
      ['-e', 'spiral', '--data-dir', 'x'],
      '--data-dir does not apply to spiral, which makes its own data (it applies to mnist-mlp, mnist-lenet, search-mnist-mlp)',
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
        '--data-dir',
        'data/mnist',
        '--no-progress',
      ],
      { allowExample: true },
    );
    expect(a).toEqual({
      example: 'mnist-lenet',
      backend: 'webgpu',
      help: false,
      options: {
        epochs: 3,
        batchSize: 128,
        lr: 1e-3,
        seed: 7,
        checkpointDir: 'runs/a',
        dataDir: 'data/mnist',
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
