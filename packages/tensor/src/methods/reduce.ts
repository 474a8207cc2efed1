import * as ew from '../ops/elementwise.js';
import * as la from '../ops/linalg.js';
import * as red from '../ops/reduce.js';
import { Tensor } from '../tensor.js';

// Tensor methods of the reductions and linear algebra, declared by module augmentation and installed on the prototype by
// `installReduceMethods` (called from index.ts), so that tensor.ts stays small. Each is a one-line
// delegation to the function of the same name.

declare module '../index.js' {
  interface Tensor {
    sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    mean(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    prod(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    /** Max of all elements; with `dim`, `{values, indices}`; with a tensor, `maximum`. */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    max(other: Tensor): Tensor;
    /** Min of all elements; with `dim`, `{values, indices}`; with a tensor, `minimum`. */
    min(): Tensor;
    min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    min(other: Tensor): Tensor;
    amax(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    amin(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    var(dim?: red.VarDim, opts?: red.VarOptions | boolean, keepdim?: boolean): Tensor;
    std(dim?: red.VarDim, opts?: red.VarOptions | boolean, keepdim?: boolean): Tensor;
    logsumexp(dim: number | readonly number[], keepdim?: boolean): Tensor;
    norm(p?: number | 'fro', dim?: number | readonly number[], keepdim?: boolean): Tensor;
    all(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    any(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): { values: Tensor; indices: Tensor };
    sort(dim?: number, descending?: boolean): { values: Tensor; indices: Tensor };
    argsort(dim?: number, descending?: boolean): Tensor;
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
  }
}

/** Installs the methods declared above on `Tensor.prototype` (idempotent). */
export function installReduceMethods(): void {
  const p = Tensor.prototype as unknown as Record<string, unknown>;
  const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
    sum(dim?: number | readonly number[], keepdim?: boolean) {
      return red.sum(this, dim, keepdim);
    },
    mean(dim?: number | readonly number[], keepdim?: boolean) {
      return red.mean(this, dim, keepdim);
    },
    prod(dim?: number | readonly number[], keepdim?: boolean) {
      return red.prod(this, dim, keepdim);
    },
    max(arg?: number | Tensor, keepdim?: boolean) {
      if (arg instanceof Tensor) return ew.maximum(this, arg);
      return arg === undefined ? red.amax(this) : red.maxDim(this, arg, keepdim);
    },
    min(arg?: number | Tensor, keepdim?: boolean) {
      if (arg instanceof Tensor) return ew.minimum(this, arg);
      return arg === undefined ? red.amin(this) : red.minDim(this, arg, keepdim);
    },
    amax(dim?: number | readonly number[], keepdim?: boolean) {
      return red.amax(this, dim, keepdim);
    },
    amin(dim?: number | readonly number[], keepdim?: boolean) {
      return red.amin(this, dim, keepdim);
    },
    argmax(dim?: number, keepdim?: boolean) {
      return red.argmax(this, dim, keepdim);
    },
    argmin(dim?: number, keepdim?: boolean) {
      return red.argmin(this, dim, keepdim);
    },
    var(dim?: red.VarDim, opts?: red.VarOptions | boolean, keepdim?: boolean) {
      return red.variance(this, dim, opts, keepdim);
    },
    std(dim?: red.VarDim, opts?: red.VarOptions | boolean, keepdim?: boolean) {
      return red.std(this, dim, opts, keepdim);
    },
    logsumexp(dim: number | readonly number[], keepdim?: boolean) {
      return red.logsumexp(this, dim, keepdim);
    },
    norm(p?: number | 'fro', dim?: number | readonly number[], keepdim?: boolean) {
      return red.norm(this, p, dim, keepdim);
    },
    all(dim?: number | readonly number[], keepdim?: boolean) {
      return red.all(this, dim, keepdim);
    },
    any(dim?: number | readonly number[], keepdim?: boolean) {
      return red.any(this, dim, keepdim);
    },
    cumsum(dim: number) {
      return red.cumsum(this, dim);
    },
    cumprod(dim: number) {
      return red.cumprod(this, dim);
    },
    softmax(dim: number) {
      return red.softmax(this, dim);
    },
    logSoftmax(dim: number) {
      return red.logSoftmax(this, dim);
    },
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean) {
      return red.topk(this, k, dim, largest, sorted);
    },
    sort(dim?: number, descending?: boolean) {
      return red.sort(this, dim, descending);
    },
    argsort(dim?: number, descending?: boolean) {
      return red.argsort(this, dim, descending);
    },
    matmul(other: Tensor) {
      return la.matmul(this, other);
    },
    mm(other: Tensor) {
      return la.mm(this, other);
    },
    bmm(other: Tensor) {
      return la.bmm(this, other);
    },
    dot(other: Tensor) {
      return la.dot(this, other);
    },
    outer(other: Tensor) {
      return la.outer(this, other);
    },
  };
  for (const [name, fn] of Object.entries(methods)) p[name] = fn;
}
