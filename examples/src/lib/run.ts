import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { FLAG_HELP, parseTrainArgs, type TrainArgs, UsageError } from './args.js';
import { selectBackend } from './backend.js';
import { MnistNotFoundError } from './mnist-data.js';
import type { ExampleMain, Metrics, ScriptFlags } from './options.js';

/** Where a command writes: normal output and errors (process streams by default; tests collect). */
export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
}

/** Console output. */
export const consoleIO: CommandIO = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** Final metrics on one line: accuracies as percentages, other values with 4 decimals. */
export function formatMetrics(metrics: Metrics): string {
  return Object.entries(metrics)
    .map(([k, v]) => {
      if (/accuracy/i.test(k)) return `${k} ${(100 * v).toFixed(2)}%`;
      if (Number.isInteger(v)) return `${k} ${v}`;
      return `${k} ${Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3)}`;
    })
    .join(' · ');
}

/**
 * Runs an example with parsed flags: picks the backend (WebGPU falls back to the CPU with a
 * message), trains, and prints the final metrics with the time taken.
 */
export async function runExample(
  name: string,
  main: ExampleMain,
  args: TrainArgs,
  io: CommandIO,
): Promise<Metrics> {
  const device = await selectBackend(args.backend, io.out);
  const t0 = performance.now();
  const metrics = await main({ ...args.options, device, log: io.out });
  const seconds = (performance.now() - t0) / 1000;
  io.out(`${name}: ${formatMetrics(metrics)} (${seconds.toFixed(1)} s on ${device})`);
  return metrics;
}

/** Whether the module at `metaUrl` is the script node was started with (symlinks resolved). */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === metaUrl;
  } catch {
    return false;
  }
}

/**
 * Entry point of an example run as a script (`node examples/dist/xor.js --epochs 5`): parses the
 * shared flags (and the example's own `flags`, if it has any), runs it, and returns the exit code
 * (2 for a usage error, 1 for a failure).
 */
export async function runScript(
  name: string,
  main: ExampleMain,
  argv: readonly string[],
  io = consoleIO,
  flags?: ScriptFlags,
): Promise<number> {
  let args: TrainArgs;
  let run = main;
  try {
    let rest = argv;
    if (flags !== undefined) ({ argv: rest, main: run } = flags.apply(argv));
    args = parseTrainArgs(rest, { allowExample: false });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${name}: ${e.message}\nRun with --help for the flags.`);
    return 2;
  }
  if (args.help) {
    const own = flags === undefined ? '' : `\n${name}'s own flags:\n${flags.help}`;
    io.out(`Usage: node examples/dist/${name}.js [flags]\n\nFlags:\n${FLAG_HELP}${own}`);
    return 0;
  }
  try {
    await runExample(name, run, args, io);
    return 0;
  } catch (e) {
    io.err(failureMessage(name, e, args.verbose));
    return 1;
  }
}

/**
 * How a command reports a failed run: `<prefix> failed: <message>`, the stack trace only when
 * `verbose` (a missing dataset is a setup problem: its message says what to do, no stack needed).
 */
export function failureMessage(prefix: string, error: unknown, verbose: boolean): string {
  const e = error instanceof Error ? error : new Error(String(error));
  if (verbose) return `${prefix} failed: ${e.stack ?? e.message}`;
  const hint = e instanceof MnistNotFoundError ? '' : '\n(run with --verbose for the stack trace)';
  return `${prefix} failed: ${e.message}${hint}`;
}

/** Runs `main` as a script when `metaUrl` is the module node was started with. */
export async function runIfMain(metaUrl: string, name: string, main: ExampleMain): Promise<void> {
  if (!isMain(metaUrl)) return;
  exitWith(await runScript(name, main, process.argv.slice(2)));
}

/**
 * Ends the process with `code` once pending output is written. Explicit because a WebGPU device
 * (Dawn) keeps the event loop alive after training.
 */
export function exitWith(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
