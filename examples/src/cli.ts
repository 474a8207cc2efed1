#!/usr/bin/env node
/**
 * tessera-train: trains one of the examples from the command line.
 *
 *   npx tessera-train --example mnist-lenet --epochs 5 --checkpoint-dir runs/lenet
 *   npx tessera-train --help
 */
import { FLAG_HELP, parseTrainArgs, type TrainArgs, UsageError } from './lib/args.js';
import type { ExampleMain } from './lib/options.js';
import { type CommandIO, consoleIO, exitWith, failureMessage, isMain, runExample } from './lib/run.js';
import { EXAMPLES } from './registry.js';

/** The `--help` text. */
export function usage(): string {
  const names = Object.keys(EXAMPLES);
  const width = Math.max(...names.map((n) => n.length));
  const list = names.map((n) => `  ${n.padEnd(width)}  ${EXAMPLES[n]!.summary}`).join('\n');
  const own = names
    .filter((n) => EXAMPLES[n]!.flags !== undefined)
    .map((n) => `\n\n${n}'s own flags:\n${EXAMPLES[n]!.flags!.help}`)
    .join('');
  return `Usage: tessera-train --example <name> [flags]

Trains one of the Tessera examples and prints its final metrics.

Examples:
${list}

Flags:
  --example, -e <name>        the example to train (required)
${FLAG_HELP}${own}`;
}

/** The value of `--example` / `-e` on a command line, before it is parsed (undefined: none). */
export function exampleIn(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--example' || a === '-e') return argv[i + 1];
    if (a.startsWith('--example=')) return a.slice('--example='.length);
  }
  return undefined;
}

/**
 * Runs tessera-train with `argv` (the arguments after the command). Returns the exit code:
 * 0 on success, 1 when training fails, 2 for a usage error (the message names the bad flag).
 */
export async function runCli(argv: readonly string[], io: CommandIO = consoleIO): Promise<number> {
  let args: TrainArgs;
  let main: ExampleMain | undefined;
  try {
    // The example's own flags (if it has any) come off first: the shared parser rejects them.
    const named = exampleIn(argv);
    const own = named !== undefined && Object.hasOwn(EXAMPLES, named) ? EXAMPLES[named]!.flags : undefined;
    let rest = argv;
    if (own !== undefined) ({ argv: rest, main } = own.apply(argv));
    args = parseTrainArgs(rest, { allowExample: true });
    if (!args.help) {
      if (args.example === undefined) throw new UsageError('--example is required');
      if (!Object.hasOwn(EXAMPLES, args.example)) {
        throw new UsageError(
          `unknown example '${args.example}' (choose from: ${Object.keys(EXAMPLES).join(', ')})`,
        );
      }
      checkDataFlags(args);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`tessera-train: ${e.message}\nRun tessera-train --help for usage.`);
    return 2;
  }
  if (args.help) {
    io.out(usage());
    return 0;
  }
  const name = args.example!;
  try {
    await runExample(name, main ?? EXAMPLES[name]!.main, args, io);
    return 0;
  } catch (e) {
    io.err(failureMessage(`tessera-train: ${name}`, e, args.verbose));
    return 1;
  }
}

/** Refuses --data-dir and --download for an example that makes its own data. */
function checkDataFlags(args: TrainArgs): void {
  const flag =
    args.options.dataDir !== undefined ? '--data-dir' : args.options.download ? '--download' : undefined;
  if (flag === undefined || EXAMPLES[args.example!]!.usesData === true) return;
  const withData = Object.keys(EXAMPLES).filter((n) => EXAMPLES[n]!.usesData === true);
  throw new UsageError(
    `${flag} does not apply to ${args.example}, which makes its own data (it applies to ${withData.join(', ')})`,
  );
}

export { exitWith };

if (isMain(import.meta.url)) exitWith(await runCli(process.argv.slice(2)));
