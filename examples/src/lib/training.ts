import type { Module } from '@tessera/nn';
import type { Generator } from '@tessera/tensor';
import {
  type Batch,
  type Callback,
  type FitOptions,
  findLatestCheckpoint,
  fit,
  type History,
  ModelCheckpoint,
  ProgressBar,
  resumeFrom,
} from '@tessera/train';
import { exportTrainedModel, firstBatchInput } from './onnx-export.js';
import { type ExampleOptions, logOf } from './options.js';

/** What `train` needs beyond `fit`'s options. */
export interface TrainSetup {
  /** The example's options (progress, device, checkpointDir, log). */
  options: ExampleOptions;
  /** Generators to checkpoint and restore with the weights (the loader's shuffling, augmentation). */
  generators?: Record<string, Generator>;
}

/**
 * What resuming from checkpoint `name` in `dir` after `done` epochs of `epochs` means: continuing
 * at the next epoch, or, when every epoch is done already, that the run is complete (it then only
 * evaluates) and how to train further.
 */
export function resumeMessage(dir: string, name: string, done: number, epochs: number): string {
  if (done < epochs) return `resumed from ${dir}/${name} at epoch ${done + 1} of ${epochs}`;
  const more = done > epochs ? `, more than the ${epochs} asked` : '';
  return (
    `the run in ${dir} is already complete: ${done} epochs done${more} (${name}); nothing to train. ` +
    `Raise --epochs to train further, or pass a new --checkpoint-dir to start over.`
  );
}

/**
 * Runs `fit` the way every example does: @tessera/train's ProgressBar on stderr, the batches moved
 * to `options.device`, and with `options.checkpointDir` a checkpoint after every epoch, resuming
 * from the newest valid one found there (weights, optimizer, scheduler, generators and history),
 * so an interrupted run continues where it stopped. With `options.exportOnnx`, the trained model
 * is then written as ONNX there. Build the optimizer and scheduler first.
 */
export async function train<B = Batch>(
  model: Module,
  fitOptions: FitOptions<B>,
  setup: TrainSetup,
): Promise<History> {
  const { options, generators } = setup;
  const log = logOf(options);
  const callbacks: Callback[] = [...(fitOptions.callbacks ?? [])];
  if (options.progress ?? true) callbacks.push(new ProgressBar());
  let initialEpoch = fitOptions.initialEpoch;
  let history = fitOptions.history;
  const dir = options.checkpointDir;
  if (dir !== undefined) {
    callbacks.push(new ModelCheckpoint({ dir, generators }));
    // The callbacks too (same list and order as the interrupted run): their states are restored.
    const targets = {
      model,
      optimizer: fitOptions.optimizer,
      scheduler: fitOptions.scheduler,
      generators,
      callbacks,
    };
    if ((await findLatestCheckpoint(dir)) !== null) {
      const resumed = await resumeFrom(dir, targets);
      for (const s of resumed.skipped) log(`skipped checkpoint ${s.name}: ${s.reason}`);
      log(resumeMessage(dir, resumed.name, resumed.initialEpoch, fitOptions.epochs));
      initialEpoch = resumed.initialEpoch;
      history = resumed.history;
    }
  }
  const result = await fit(model, {
    ...fitOptions,
    callbacks,
    initialEpoch,
    history,
    device: options.device ?? fitOptions.device,
  });
  if (options.exportOnnx !== undefined) {
    // The first training batch gives the input shape; its batch size stays symbolic in the file.
    const example = await firstBatchInput(fitOptions.train, fitOptions.split);
    const out = await exportTrainedModel(model, example, options.exportOnnx, log);
    log(`exported the trained model to ONNX: ${out.path} (${out.bytes} bytes)`);
  }
  return result;
}
