/**
 * WGSL helper functions shared by generated kernels. WGSL's built-in transcendental functions
 * only promise loose accuracy on some GPUs (e.g. Vulkan allows sin/cos an absolute error of 2^-11
 * and log an absolute error of 2^-21 near 1), so the functions where that shows (log, log1p,
 * expm1, sin, cos, tanh, erf) are written out here from Cephes-style polynomials, accurate to a
 * few float32 ulps everywhere. NaN tests use bit patterns: a compiler may fold `x != x`.
 */
const MATH_WGSL = /* wgsl */ `
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isfinite_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
// x != 0 as JS sees it (NaN is truthy): a bit test, immune to ordered-comparison compilation.
fn truthy(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }

// JS ToInt32 of a float: truncate toward zero, wrap modulo 2^32; NaN and ±Infinity give 0.
fn f2i(x: f32) -> i32 {
  let b = bitcast<u32>(x);
  let e = i32((b >> 23u) & 0xffu) - 127;
  if (e < 31) { return i32(x); }
  if (e == 128 || e - 23 >= 32) { return 0; }
  let v = ((b & 0x7fffffu) | 0x800000u) << u32(e - 23);
  return select(bitcast<i32>(v), -bitcast<i32>(v), (b >> 31u) == 1u);
}

fn fsign(x: f32) -> f32 { return select(sign(x), x, isnan_(x) || x == 0.0); }

// Natural log (Cephes logf): exponent split, polynomial on [sqrt(1/2), sqrt(2)).
fn logc(x0: f32) -> f32 {
  if (isnan_(x0) || x0 < 0.0) { return nan_(); }
  if (x0 == 0.0) { return -inf_(); }
  if (!isfinite_(x0)) { return x0; }
  var x = x0;
  var e = 0.0;
  if (x < 1.17549435e-38) { x = x * 16777216.0; e = -24.0; }
  let b = bitcast<u32>(x);
  e = e + f32(i32((b >> 23u) & 0xffu) - 126);
  var m = bitcast<f32>((b & 0x807fffffu) | 0x3f000000u); // [0.5, 1)
  if (m < 0.707106781186547524) { e = e - 1.0; m = m + m - 1.0; } else { m = m - 1.0; }
  let z = m * m;
  var y = 7.0376836292e-2;
  y = y * m - 1.1514610310e-1;
  y = y * m + 1.1676998740e-1;
  y = y * m - 1.2420140846e-1;
  y = y * m + 1.4249322787e-1;
  y = y * m - 1.6668057665e-1;
  y = y * m + 2.0000714765e-1;
  y = y * m - 2.4999993993e-1;
  y = y * m + 3.3333331174e-1;
  y = y * m * z;
  y = y - 2.12194440e-4 * e;
  y = y - 0.5 * z;
  return m + y + 0.693359375 * e;
}

// log(1 + x) without cancellation tricks (compilers may reassociate them away): the series of
// 2·atanh(x / (2 + x)) near 0, else log(1 + x) (1 + x is exact below -0.25, and relatively
// accurate enough above 0.5).
fn log1p_(x: f32) -> f32 {
  if (x > -0.3 && x < 0.5) {
    let s = x / (2.0 + x);
    let t = s * s;
    var p = 1.0 / 13.0;
    p = p * t + 1.0 / 11.0;
    p = p * t + 1.0 / 9.0;
    p = p * t + 1.0 / 7.0;
    p = p * t + 1.0 / 5.0;
    p = p * t + 1.0 / 3.0;
    p = p * t + 1.0;
    return 2.0 * s * p;
  }
  return logc(1.0 + x);
}

fn expm1_(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    var p = 2.7557319e-6;
    p = p * x + 2.4801587e-5;
    p = p * x + 1.9841270e-4;
    p = p * x + 1.3888889e-3;
    p = p * x + 8.3333333e-3;
    p = p * x + 4.1666667e-2;
    p = p * x + 1.6666667e-1;
    p = p * x + 0.5;
    return x + x * x * p;
  }
  return exp(x) - 1.0;
}

// sin and cos (Cephes sinf/cosf): reduction by multiples of pi/4 in three parts, then a
// polynomial on [-pi/4, pi/4]. Accurate for |x| < 8192; beyond, the built-ins.
fn sincos_poly(z: f32, useCos: bool) -> f32 {
  let zz = z * z;
  if (useCos) {
    return ((2.443315711809948e-5 * zz - 1.388731625493765e-3) * zz + 4.166664568298827e-2) * zz * zz - 0.5 * zz + 1.0;
  }
  return ((-1.9515295891e-4 * zz + 8.3321608736e-3) * zz - 1.6666654611e-1) * zz * z + z;
}
fn reduce_pi4(ax: f32) -> vec2<f32> {
  var j = u32(1.27323954473516 * ax);
  var y = f32(j);
  if ((j & 1u) == 1u) { j = j + 1u; y = y + 1.0; }
  let z = ((ax - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  return vec2<f32>(z, f32(j & 7u));
}
fn sin_(x: f32) -> f32 {
  if (!isfinite_(x)) { return nan_(); }
  if (abs(x) > 8192.0) { return sin(x); }
  let r = reduce_pi4(abs(x));
  var j = u32(r.y);
  var s = select(1.0, -1.0, x < 0.0);
  if (j > 3u) { s = -s; j = j - 4u; }
  let v = sincos_poly(r.x, j == 1u || j == 2u);
  return s * v;
}
fn cos_(x: f32) -> f32 {
  if (!isfinite_(x)) { return nan_(); }
  if (abs(x) > 8192.0) { return cos(x); }
  let r = reduce_pi4(abs(x));
  var j = u32(r.y);
  var s = 1.0;
  if (j > 3u) { s = -s; j = j - 4u; }
  if (j > 1u) { s = -s; }
  let v = sincos_poly(r.x, !(j == 1u || j == 2u));
  return s * v;
}

fn tanh_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let e = expm1_(2.0 * clamp(x, -10.0, 10.0));
  return e / (e + 2.0);
}

fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// Cephes asinf / acosf / atanf: the built-ins are loose (lavapipe's asin is off by 2e-4).
fn asin_(x: f32) -> f32 {
  let a = abs(x);
  if (isnan_(x) || a > 1.0) { return nan_(); }
  var z = a * a;
  var v = a;
  let big = a > 0.5;
  if (big) { z = 0.5 * (1.0 - a); v = sqrt(z); }
  var p = 4.2163199048e-2;
  p = p * z + 2.4181311049e-2;
  p = p * z + 4.5470025998e-2;
  p = p * z + 7.4953002686e-2;
  p = p * z + 1.6666752422e-1;
  var r = p * z * v + v;
  if (big) { r = 1.5707963267948966 - (r + r); }
  return select(r, -r, x < 0.0);
}

fn acos_(x: f32) -> f32 {
  if (x < -0.5) { return 3.141592653589793 - 2.0 * asin_(sqrt(0.5 * (1.0 + x))); }
  if (x > 0.5) { return 2.0 * asin_(sqrt(0.5 * (1.0 - x))); }
  return 1.5707963267948966 - asin_(x);
}

fn atan_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  var a = abs(x);
  var base = 0.0;
  if (a > 2.414213562373095) {
    base = 1.5707963267948966;
    a = -1.0 / a;
  } else if (a > 0.4142135623730950) {
    base = 0.7853981633974483;
    a = (a - 1.0) / (a + 1.0);
  }
  let z = a * a;
  var p = 8.05374449538e-2;
  p = p * z - 1.38776856032e-1;
  p = p * z + 1.99777106478e-1;
  p = p * z - 3.33329491539e-1;
  let r = base + (p * z * a + a);
  return select(r, -r, x < 0.0);
}

// sinh through expm1, so small |x| keeps its relative accuracy (exp(x) - exp(-x) cancels).
fn sinh_(x: f32) -> f32 { return 0.5 * (expm1_(x) - expm1_(-x)); }

// asinh(|x|) = log1p(|x| + x² / (1 + sqrt(1 + x²))), exact near 0; log(2|x|) once x² overflows.
fn asinh_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let a = abs(x);
  var r = logc(a) + 0.6931471805599453;
  if (a < 1e18) { r = log1p_(a + a * a / (1.0 + sqrt(1.0 + a * a))); }
  return select(r, -r, x < 0.0);
}

// acosh(x) = log1p(t + sqrt(2t + t²)) with t = x - 1 (exact near 1); log(2x) for large x.
fn acosh_(x: f32) -> f32 {
  if (isnan_(x) || x < 1.0) { return nan_(); }
  if (x > 1e18) { return logc(x) + 0.6931471805599453; }
  let t = x - 1.0;
  return log1p_(t + sqrt(2.0 * t + t * t));
}

// atanh(x) = log1p(2x / (1 - x)) / 2: ±Infinity at ±1, NaN outside [-1, 1] (log1p of < -1).
fn atanh_(x: f32) -> f32 {
  if (isnan_(x) || abs(x) > 1.0) { return nan_(); }
  return 0.5 * log1p_(2.0 * x / (1.0 - x));
}

// erf: odd Taylor series below 0.5; above, 1 - erfc with the Numerical Recipes erfc
// (fractional error < 1.2e-7).
fn erf_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  let z = abs(x);
  if (z < 0.5) {
    let t = x * x;
    var p = 1.0 / 75600.0;
    p = p * -t + 1.0 / 9360.0;
    p = p * -t + 1.0 / 1320.0;
    p = p * -t + 1.0 / 216.0;
    p = p * -t + 1.0 / 42.0;
    p = p * -t + 1.0 / 10.0;
    p = p * -t + 1.0 / 3.0;
    p = p * -t + 1.0;
    return 1.1283791670955126 * x * p;
  }
  if (z > 6.0) { return sign(x); }
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let erfc = t * exp(-z * z + poly);
  return select(erfc - 1.0, 1.0 - erfc, x >= 0.0);
}

// a ** b with JavaScript's (IEEE pow) special cases.
fn fpow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_(a) || isnan_(b)) { return nan_(); }
  let aa = abs(a);
  if (!isfinite_(b)) {
    if (aa == 1.0) { return nan_(); }
    return select(0.0, inf_(), (aa > 1.0) == (b > 0.0));
  }
  let isInt = trunc(b) == b;
  let odd = isInt && abs(b) < 16777216.0 && (u32(abs(b)) & 1u) == 1u;
  let neg = a < 0.0 || (a == 0.0 && (bitcast<u32>(a) >> 31u) == 1u);
  if (a == 0.0 || !isfinite_(a)) {
    // |a| is 0 or infinity: the result is 0 or infinity, negative only for odd integer b.
    let big = (aa == 0.0) == (b < 0.0);
    let m = select(0.0, inf_(), big);
    return select(m, -m, neg && odd);
  }
  if (isInt && abs(b) <= 64.0) {
    // Small integer exponent: repeated squaring (exact for small results, any sign of a).
    var e = u32(abs(b));
    var base = a;
    var r = 1.0;
    loop {
      if ((e & 1u) == 1u) { r = r * base; }
      e = e >> 1u;
      if (e == 0u) { break; }
      base = base * base;
    }
    return select(r, 1.0 / r, b < 0.0);
  }
  if (a < 0.0 && !isInt) { return nan_(); }
  let m = exp2(b * logc(aa) * 1.4426950408889634);
  return select(m, -m, a < 0.0 && odd);
}

// Exact product of two f32s as (hi, lo) by Dekker splitting (12-bit halves).
fn split12(a: f32) -> vec2<f32> { let h = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u); return vec2<f32>(h, a - h); }
fn twoProd(a: f32, b: f32) -> vec2<f32> {
  let p = a * b;
  let x = split12(a);
  let y = split12(b);
  return vec2<f32>(p, ((x.x * y.x - p) + x.x * y.y + x.y * y.x) + x.y * y.y);
}

// Python-style remainder (sign of the divisor): a - b*trunc(a/b) with the product exact, then
// corrected when a/b rounded across an integer.
fn fmod_py(a: f32, b: f32) -> f32 {
  if (!isfinite_(a) || isnan_(b) || b == 0.0) { return nan_(); }
  if (!isfinite_(b)) { return select(a, b, a != 0.0 && ((a < 0.0) != (b < 0.0))); }
  let q = trunc(a / b);
  let p = twoProd(b, q);
  var r = (a - p.x) - p.y;
  let ab = abs(b);
  if (r != 0.0 && ((r < 0.0) != (a < 0.0))) { r = r + select(-ab, ab, a > 0.0); }
  if (abs(r) >= ab) { r = r - select(-ab, ab, a > 0.0); }
  return select(r, r + b, r != 0.0 && ((r < 0.0) != (b < 0.0)));
}
fn fmin_nan(a: f32, b: f32) -> f32 { return select(min(a, b), nan_(), isnan_(a) || isnan_(b)); }
fn fmax_nan(a: f32, b: f32) -> f32 { return select(max(a, b), nan_(), isnan_(a) || isnan_(b)); }

fn idiv(a: i32, b: i32) -> i32 { return select(a / select(b, 1, b == 0), 0, b == 0); }
fn imod_py(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let r = a % b;
  return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}
fn ipow(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) == 1); }
    return 0;
  }
  var e = u32(b);
  var base = a;
  var r = 1;
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { r = r * base; }
    e = e >> 1u;
    base = base * base;
  }
  return r;
}
`;

/** The helper functions of MATH_WGSL, each with its leading comment, by name. */
const HELPERS: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  let pending: string[] = [];
  let current: { name: string; lines: string[] } | null = null;
  for (const line of MATH_WGSL.split('\n')) {
    const m = /^fn (\w+)/.exec(line);
    if (m) {
      if (current) map.set(current.name, current.lines.join('\n'));
      current = { name: m[1]!, lines: [...pending, line] };
      pending = [];
    } else if (line.startsWith('//') && (current === null || current.lines.at(-1) === '}')) {
      if (current) {
        map.set(current.name, current.lines.join('\n'));
        current = null;
      }
      pending.push(line);
    } else if (current) current.lines.push(line);
  }
  if (current) map.set(current.name, current.lines.join('\n'));
  return map;
})();

/**
 * `code` followed by the MATH_WGSL helpers it calls (directly or through other helpers), so
 * shaders carry only what they use (smaller modules compile faster).
 */
export function withMath(code: string): string {
  const used = new Set<string>();
  const visit = (text: string): void => {
    for (const [name, body] of HELPERS) {
      if (!used.has(name) && new RegExp(`\\b${name}\\(`).test(text)) {
        used.add(name);
        visit(body);
      }
    }
  };
  visit(code);
  return [code, ...[...HELPERS].filter(([n]) => used.has(n)).map(([, b]) => b)].join('\n');
}
