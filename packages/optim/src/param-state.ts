import type { ParamState } from './optimizer.js';

/**
 * Starts one parameter's update: on its first step, sets `step` to 0 and adds the entries `init`
 * makes (in that order, which is the order the state dict lists them); then counts the step.
 * Returns the new step number (1 on the first update).
 */
export function beginStep(state: ParamState, init: () => ParamState): number {
  if (state.step === undefined) Object.assign(state, { step: 0 }, init());
  const step = (state.step as number) + 1;
  state.step = step;
  return step;
}
