import { parseArgs } from 'node:util';
import { BACKENDS, type BackendName } from './backend.js';
import type { ExampleOptions } from './options.js';

/** A command-line mistake: the message says what is wrong; the command prints it with the usage hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The parsed command line of `tessera-train` (or of an example run directly). */
export interface TrainArgs {
  /** `--example`: which example to train (tessera-train only). */
  example?: string;
  /** `--backend` (default 'cpu'). */
  backend: BackendName;
  /** `--help`. */
  help: boolean;
  /** `--verbose`: print the stack trace of a failure. */
  verbose: boolean;
  /** The flags that become the example's options. */
  options: ExampleOptions;
}

const FLAGS = {
  example: { type: 'string', short: 'e' },
  backend: { type: 'string', short: 'b' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  'checkpoint-dir': { type: 'string' },
  'export-onnx': { type: 'string' },
  'data-dir': { type: 'string' },
  download: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flag descriptions printed by `--help` (without `--example`, which only tessera-train has). */
export const FLAG_HELP = `  --backend, -b <cpu|webgpu>  device to train on (default cpu; webgpu falls back to cpu when unavailable)
  --epochs <n>                training epochs (positive integer; default per example)
  --batch-size <n>            samples per batch (positive integer; default per example)
  --lr <x>                    learning rate (positive number; default per example)
  --seed <n>                  seed of weights, data order and synthetic data (integer >= 0; default 0)
  --checkpoint-dir <dir>      save a checkpoint every epoch there, and resume from the newest one found
  --export-onnx <path>        after training, write the model as ONNX there (batch dimension dynamic)
  --data-dir <dir>            MNIST folder (default $TESSERA_MNIST_DIR, else ../shared/datasets/mnist)
  --download                  download MNIST into .cache/mnist when no folder has it
  --no-progress               no progress bar
  --verbose, -v               print the stack trace when training fails
  --help, -h                  print this help`;

function intFlag(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${raw}'`);
  }
  return v;
}

function positiveFlag(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) {
    throw new UsageError(`--${name} must be a positive number, got '${raw}'`);
  }
  return v;
}

function nonEmpty(name: string, raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.trim() === '') throw new UsageError(`--${name} must not be empty`);
  return raw;
}

/**
 * Parses and validates the training flags (node:util parseArgs, strict: unknown flags and stray
 * arguments are errors). `allowExample` is false for an example run directly, where `--example`
 * makes no sense. Throws a UsageError naming the bad flag and value.
 */
export function parseTrainArgs(argv: readonly string[], opts: { allowExample: boolean }): TrainArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    // `pnpm xor -- --epochs 3` passes the `--` along: skip a leading one.
    const args = argv[0] === '--' ? argv.slice(1) : [...argv];
    ({ values } = parseArgs({ args, options: FLAGS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const str = (k: keyof typeof FLAGS) => values[k] as string | undefined;
  if (!opts.allowExample && str('example') !== undefined) {
    throw new UsageError('--example is only for tessera-train; this script runs one example');
  }
  const backend = str('backend') ?? 'cpu';
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${backend}'`);
  }
  const options: ExampleOptions = {};
  const set = <K extends keyof ExampleOptions>(k: K, v: ExampleOptions[K] | undefined) => {
    if (v !== undefined) options[k] = v;
  };
  set('epochs', intFlag('epochs', str('epochs'), 1));
  set('batchSize', intFlag('batch-size', str('batch-size'), 1));
  set('lr', positiveFlag('lr', str('lr')));
  set('seed', intFlag('seed', str('seed'), 0));
  set('checkpointDir', nonEmpty('checkpoint-dir', str('checkpoint-dir')));
  set('exportOnnx', nonEmpty('export-onnx', str('export-onnx')));
  set('dataDir', nonEmpty('data-dir', str('data-dir')));
  if (values.download === true) options.download = true;
  if (values['no-progress'] === true) options.progress = false;
  return {
    example: nonEmpty('example', str('example')),
    backend: backend as BackendName,
    help: values.help === true,
    verbose: values.verbose === true,
    options,
  };
}
