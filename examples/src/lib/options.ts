/** Options every example's `main` understands (each example adds its own). */
export interface ExampleOptions {
  /** Training epochs (each example has its own default). */
  epochs?: number;
  /** Samples per batch. */
  batchSize?: number;
  /** Learning rate (peak rate where the example uses a schedule). */
  lr?: number;
  /** Seed of the weights, the data order and the synthetic data (default 0). */
  seed?: number;
  /** Device to train on: 'cpu' (default) or a registered backend such as 'webgpu'. */
  device?: string;
  /** Save a checkpoint there after every epoch, and resume from the newest one found there. */
  checkpointDir?: string;
  /** After training, export the model to ONNX at this path (batch dimension symbolic). */
  exportOnnx?: string;
  /** Folder with the dataset files (MNIST examples; default $TESSERA_MNIST_DIR, else ../shared/datasets/mnist). */
  dataDir?: string;
  /** Download the dataset when no folder has it (MNIST examples; default false). */
  download?: boolean;
  /** Draw @tessera/train's ProgressBar on stderr (default true). */
  progress?: boolean;
  /** Where messages go (default console.log); tests pass a function that collects them. */
  log?: (line: string) => void;
}

/** What an example's `main` returns: its final metrics, by name (accuracies in [0, 1]). */
export type Metrics = Record<string, number>;

/** An example's entry point. */
export type ExampleMain = (options?: ExampleOptions) => Promise<Metrics>;

/**
 * Flags only one example takes, beside the shared ones (for the script and tessera-train).
 * `apply` takes them off a command line and returns the rest and the example's main with their
 * options set; it throws a UsageError for a bad value. `help` lists them for `--help`.
 */
export interface ScriptFlags {
  help: string;
  apply: (argv: readonly string[]) => { argv: string[]; main: ExampleMain };
}

/** Checks that an option is a positive integer (or absent) and returns it or the default. */
export function positiveInt(
  example: string,
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${example}: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Checks that an option is a positive finite number (or absent) and returns it or the default. */
export function positiveNumber(
  example: string,
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${example}: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

/** The log function of the options (console.log by default). */
export function logOf(options: ExampleOptions): (line: string) => void {
  return options.log ?? ((line: string) => console.log(line));
}

/** Formats a share in [0, 1] as a percentage with two decimals: `98.35%`. */
export function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}
