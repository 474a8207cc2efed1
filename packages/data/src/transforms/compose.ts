/**
 * A transform: a function from one value (usually a tensor) to another. Written as a method type
 * so TypeScript checks its parameter bivariantly: any `(x: Tensor) => Tensor` is a `Transform`.
 */
export type Transform<I = unknown, O = unknown> = { bivariant(x: I): O }['bivariant'];

/**
 * Chains transforms left to right (torchvision's `Compose`): `compose(f, g)(x)` is `g(f(x))`.
 * With no transforms it is the identity.
 */
export function compose<T>(...transforms: Transform<T, T>[]): Transform<T, T>;
export function compose<A, B, C>(f: Transform<A, B>, g: Transform<B, C>): Transform<A, C>;
export function compose<A, B, C, D>(
  f: Transform<A, B>,
  g: Transform<B, C>,
  h: Transform<C, D>,
): Transform<A, D>;
export function compose(...transforms: Transform[]): Transform;
export function compose(...transforms: Transform[]): Transform {
  transforms.forEach((t, i) => {
    if (typeof t !== 'function')
      throw new TypeError(`compose: transform ${i} is ${t === null ? 'null' : typeof t}, not a function`);
  });
  return (x: unknown) => {
    let v = x;
    for (const t of transforms) v = t(v);
    return v;
  };
}
