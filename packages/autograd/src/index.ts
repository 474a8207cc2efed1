/**
 * @tessera/autograd: eager reverse-mode automatic differentiation for @tessera/tensor.
 *
 * Importing this package attaches an op observer to @tessera/tensor and adds `requiresGrad`,
 * `grad`, `gradFn`, `isLeaf`, `backward()`, `retainGrad()` and `registerHook()` to every Tensor.
 * Programs that do not import it pay nothing.
 */
import './rules/index.js';
import { attach } from './observer.js';
import { installTensorMethods } from './tensor-methods.js';

installTensorMethods();
attach();

export { type AutogradGradOptions, autogradGrad, type BackwardOptions, backward } from './backward.js';
export { checkpoint } from './checkpoint.js';
export { defineFunction, FunctionContext, type FunctionDefinition } from './function.js';
export { type GradsOf, grad, valueAndGrad, vjp } from './functional.js';
export { type FunctionalOptions, functional, hessian, hvp, jacobian, jvp, vhp } from './functional-higher.js';
export { type GradcheckOptions, type GradgradcheckOptions, gradcheck, gradgradcheck } from './gradcheck.js';
export type { GradHook } from './meta.js';
export {
  detectAnomaly,
  enableGrad,
  isAnomalyEnabled,
  isGradEnabled,
  noGrad,
  setDetectAnomaly,
  setGradEnabled,
} from './mode.js';
export { Node } from './node.js';
export {
  type BuiltinGradRule,
  type BuiltinRules,
  type DeclaredGradRule,
  type GradContext,
  type GradRule,
  gradRule,
  gradRuleNames,
  isKnownOp,
  isNonDifferentiable,
  registerGradient,
  registerGradRule,
  type UnknownAttrs,
} from './rule.js';
export type { HookHandle } from './tensor-methods.js';
