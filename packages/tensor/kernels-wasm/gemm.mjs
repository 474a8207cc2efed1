// Matrix-multiplication kernels, BLIS/GotoBLAS style: operands are packed block by block into
// panels (A in slivers of MR rows, B in slivers of NR columns, both KC deep), and a register-blocked
// MR x NR micro-kernel multiplies one sliver pair with its 8 accumulator vectors kept in registers.
// All pointers are byte addresses; strides and sizes count float32 elements.

import { KC, MC, MR, NR, SCRATCH } from './layout.mjs';
import {
  add,
  c,
  f4,
  fld,
  forRange,
  g,
  locals,
  max,
  min,
  mul,
  params,
  s,
  scalarMadds,
  sub,
  tileNames,
  vectorRaggedStore,
  vmadd,
} from './wat.mjs';

if (MR !== 4 || NR !== 8) throw new Error('the micro-kernels are written for a 4 x 8 register tile');

/** f32 lane indexes (0-3 first operand, 4-7 second) as an i8x16.shuffle immediate. */
const lanes = (ls) => ls.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ');
const shuf = (a, b, ls) => `(i8x16.shuffle ${lanes(ls)} ${a} ${b})`;

/**
 * Transposes the 4x4 block held in locals r0..r3 (rows) into t0..t3 (columns), via t4..t7.
 * Emits stores of column q with `store(q, expr)`.
 */
function transpose4(store) {
  return [
    s('t4', shuf(g('r0'), g('r1'), [0, 4, 1, 5])),
    s('t5', shuf(g('r2'), g('r3'), [0, 4, 1, 5])),
    s('t6', shuf(g('r0'), g('r1'), [2, 6, 3, 7])),
    s('t7', shuf(g('r2'), g('r3'), [2, 6, 3, 7])),
    store(0, shuf(g('t4'), g('t5'), [0, 1, 4, 5])),
    store(1, shuf(g('t4'), g('t5'), [2, 3, 6, 7])),
    store(2, shuf(g('t6'), g('t7'), [0, 1, 4, 5])),
    store(3, shuf(g('t6'), g('t7'), [2, 3, 6, 7])),
  ].join('\n');
}

const transposeLocals = locals('v128', 'r0', 'r1', 'r2', 'r3', 't4', 't5', 't6', 't7');

/**
 * Stores a spilled 4 x 8 tile (row-major at $tmp) into the valid mr x nr corner of C (row stride
 * $ldc bytes), adding to C when $acc.
 */
export const raggedStore = `
  ${forRange(
    'i',
    c(0),
    g('mr'),
    c(1),
    forRange(
      'j',
      c(0),
      g('nr'),
      c(1),
      `${s('p', add(add(g('c'), mul(g('i'), g('ldc'))), f4(g('j'))))}
       ${s('v', `(f32.load ${add(g('tmp'), add(mul(g('i'), c(32)), f4(g('j'))))})`)}
       (if ${g('acc')} (then ${s('v', `(f32.add ${g('v')} (f32.load ${g('p')}))`)}))
       (f32.store ${g('p')} ${g('v')})`,
    ),
  )}`;

/** The SIMD micro-kernel: 4 x 8 tile, 8 accumulator vectors, one k step per iteration. */
function microSimd(fma) {
  const acc = tileNames(4, 2);
  const madd = vmadd(fma);
  let step = `${s('b0', `(v128.load ${g('b')})`)} ${s('b1', `(v128.load offset=16 ${g('b')})`)}\n`;
  for (let i = 0; i < 4; i++) {
    step += `${s('x', `(v128.load32_splat offset=${4 * i} ${g('a')})`)}\n`;
    step += `${s(`c${i}0`, madd('x', 'b0', `c${i}0`))} ${s(`c${i}1`, madd('x', 'b1', `c${i}1`))}\n`;
  }
  let full = '';
  let addC = '';
  for (let i = 0; i < 4; i++) {
    const row = i === 0 ? g('c') : g('r');
    if (i > 0) {
      full += s('r', i === 1 ? add(g('c'), g('ldc')) : add(g('r'), g('ldc')));
      addC += s('r', i === 1 ? add(g('c'), g('ldc')) : add(g('r'), g('ldc')));
    }
    addC += `${s(`c${i}0`, `(f32x4.add (v128.load ${row}) ${g(`c${i}0`)})`)}
      ${s(`c${i}1`, `(f32x4.add (v128.load offset=16 ${row}) ${g(`c${i}1`)})`)}\n`;
    full += `(v128.store ${row} ${g(`c${i}0`)}) (v128.store offset=16 ${row} ${g(`c${i}1`)})\n`;
  }
  return `
(func $micro ${params('i32', 'a', 'b', 'kc', 'c', 'ldc', 'mr', 'nr', 'acc', 'tmp')}
  ${locals('v128', ...acc, 'b0', 'b1', 'x')} ${locals('i32', 'r', 'i', 'j', 'p', 'q')} (local $v f32)
  (loop $k
    ${step}
    ${s('a', add(g('a'), c(16)))}
    ${s('b', add(g('b'), c(32)))}
    (br_if $k (local.tee $kc ${sub(g('kc'), c(1))})))
  (if (i32.and (i32.eq ${g('mr')} ${c(4)}) (i32.eq ${g('nr')} ${c(8)}))
    (then
      (if ${g('acc')} (then ${addC}))
      ${full}
      (return)))
  ${vectorRaggedStore({ mr: g('mr'), ldc: g('ldc'), n0: min(c(4), g('nr')), n1: max(c(0), sub(g('nr'), c(4))), cstep: c(16), acc: g('acc') })})`;
}

/** The scalar micro-kernel: the same 4 x 8 tile as two 4 x 4 halves of 16 accumulators. */
function microScalar() {
  const acc = tileNames(4, 4);
  let halves = '';
  for (let h = 0; h < 2; h++) {
    let body = '';
    for (let j = 0; j < 4; j++) body += s(`b${j}`, `(f32.load offset=${4 * j} ${g('pb')})`);
    for (let i = 0; i < 4; i++) body += s(`a${i}`, `(f32.load offset=${4 * i} ${g('pa')})`);
    body += scalarMadds(4, 4);
    let store = '';
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        store += `(f32.store offset=${4 * (i * 8 + h * 4 + j)} ${g('tmp')} ${g(`c${i}${j}`)})`;
      }
    }
    halves += `
    ${acc.map((a) => s(a, '(f32.const 0)')).join(' ')}
    ${s('pa', g('a'))} ${s('pb', add(g('b'), c(16 * h)))} ${s('k', g('kc'))}
    (loop $k${h}
      ${body}
      ${s('pa', add(g('pa'), c(16)))}
      ${s('pb', add(g('pb'), c(32)))}
      (br_if $k${h} (local.tee $k ${sub(g('k'), c(1))})))
    ${store}`;
  }
  return `
(func $micro ${params('i32', 'a', 'b', 'kc', 'c', 'ldc', 'mr', 'nr', 'acc', 'tmp')}
  ${locals('f32', ...acc, 'a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'v')}
  ${locals('i32', 'pa', 'pb', 'k', 'i', 'j', 'p')}
  ${halves}
  ${raggedStore})`;
}

/**
 * macro(ap, bp, kc, mc, nc, c, ldc, acc, tmp): C[mc x nc] (+)= packed A block [mc x kc] times
 * packed B block [kc x nc]; $ldc is C's row stride in bytes.
 */
const macro = `
(func $macro ${params('i32', 'ap', 'bp', 'kc', 'mc', 'nc', 'c', 'ldc', 'acc', 'tmp')}
  ${locals('i32', 'jr', 'ir', 'bj', 'cj')}
  ${forRange(
    'jr',
    c(0),
    g('nc'),
    c(8),
    `${s('bj', add(g('bp'), mul(f4(g('jr')), g('kc'))))}
     ${s('cj', add(g('c'), f4(g('jr'))))}
     ${forRange(
       'ir',
       c(0),
       g('mc'),
       c(4),
       `(call $micro ${add(g('ap'), mul(f4(g('ir')), g('kc')))} ${g('bj')} ${g('kc')}
          ${add(g('cj'), mul(g('ir'), g('ldc')))} ${g('ldc')}
          ${min(c(4), sub(g('mc'), g('ir')))} ${min(c(8), sub(g('nc'), g('jr')))} ${g('acc')} ${g('tmp')})`,
     )}`,
  )})`;

/**
 * pack_a(src, rs, cs, mc, kc, dst): packs A(i, p) = src[i*rs + p*cs] for i < mc, p < kc into
 * slivers of 4 rows: dst[(i/4)*kc*4 + p*4 + i%4]; rows past mc are zero.
 */
function packA(simd) {
  const generic = `
    ${forRange(
      'ii',
      c(0),
      c(4),
      c(1),
      `${s('dp', add(g('d'), f4(g('ii'))))}
       (if (i32.lt_s ${g('ii')} ${g('rows')})
         (then
           ${s('sp', add(g('src'), f4(mul(add(g('ir'), g('ii')), g('rs')))))}
           ${forRange('p', c(0), g('kc'), c(1), `(f32.store ${g('dp')} (f32.load ${g('sp')})) ${s('sp', add(g('sp'), g('step')))} ${s('dp', add(g('dp'), c(16)))}`)})
         (else
           ${forRange('p', c(0), g('kc'), c(1), `(f32.store ${g('dp')} (f32.const 0)) ${s('dp', add(g('dp'), c(16)))}`)}))`,
    )}`;
  const fast = simd
    ? `
    (if (i32.and (i32.eq ${g('rows')} ${c(4)}) (i32.eq ${g('rs')} ${c(1)}))
      (then
        ;; column-major source: the 4 rows of each column are adjacent
        ${s('sp', add(g('src'), f4(g('ir'))))}
        ${forRange('p', c(0), g('kc'), c(1), `(v128.store ${add(g('d'), mul(g('p'), c(16)))} (v128.load ${g('sp')})) ${s('sp', add(g('sp'), g('step')))}`)}
        (br $next)))
    (if (i32.and (i32.eq ${g('rows')} ${c(4)}) (i32.eq ${g('cs')} ${c(1)}))
      (then
        ;; row-major source: transpose 4 x 4 blocks
        ${s('rsb', f4(g('rs')))}
        ${s('sp', add(g('src'), mul(g('ir'), g('rsb'))))}
        ${s('p', c(0))}
        (block $tb (loop $tl
          (br_if $tb (i32.gt_s ${add(g('p'), c(4))} ${g('kc')}))
          ${s('q', add(g('sp'), f4(g('p'))))}
          ${s('r0', `(v128.load ${g('q')})`)}
          ${s('r1', `(v128.load ${add(g('q'), g('rsb'))})`)}
          ${s('r2', `(v128.load ${add(g('q'), mul(g('rsb'), c(2)))})`)}
          ${s('r3', `(v128.load ${add(g('q'), mul(g('rsb'), c(3)))})`)}
          ${s('q', add(g('d'), mul(g('p'), c(16))))}
          ${transpose4((k, e) => `(v128.store offset=${16 * k} ${g('q')} ${e})`)}
          ${s('p', add(g('p'), c(4)))}
          (br $tl)))
        (block $rb (loop $rl
          (br_if $rb (i32.ge_s ${g('p')} ${g('kc')}))
          ${forRange('ii', c(0), c(4), c(1), `(f32.store ${add(g('d'), f4(add(mul(g('p'), c(4)), g('ii'))))} (f32.load ${add(add(g('sp'), mul(g('ii'), g('rsb'))), f4(g('p')))}))`)}
          ${s('p', add(g('p'), c(1)))}
          (br $rl)))
        (br $next)))`
    : '';
  return `
(func $pack_a ${params('i32', 'src', 'rs', 'cs', 'mc', 'kc', 'dst')}
  ${locals('i32', 'ir', 'rows', 'd', 'ii', 'p', 'sp', 'dp', 'step', 'rsb', 'q')}
  ${simd ? transposeLocals : ''}
  ${s('step', f4(g('cs')))}
  ${forRange(
    'ir',
    c(0),
    g('mc'),
    c(4),
    `${s('rows', min(c(4), sub(g('mc'), g('ir'))))}
     ${s('d', add(g('dst'), mul(f4(g('ir')), g('kc'))))}
     (block $next
       ${fast}
       ${generic})`,
  )})`;
}

/**
 * pack_b(src, rs, cs, kc, nc, dst): packs B(p, j) = src[p*rs + j*cs] for p < kc, j < nc into
 * slivers of 8 columns: dst[(j/8)*kc*8 + p*8 + j%8]; columns past nc are zero.
 */
function packB(simd) {
  const generic = `
    ${forRange(
      'jj',
      c(0),
      c(8),
      c(1),
      `${s('dp', add(g('d'), f4(g('jj'))))}
       (if (i32.lt_s ${g('jj')} ${g('cols')})
         (then
           ${s('sp', add(g('src'), f4(mul(add(g('jr'), g('jj')), g('cs')))))}
           ${forRange('p', c(0), g('kc'), c(1), `(f32.store ${g('dp')} (f32.load ${g('sp')})) ${s('sp', add(g('sp'), g('step')))} ${s('dp', add(g('dp'), c(32)))}`)})
         (else
           ${forRange('p', c(0), g('kc'), c(1), `(f32.store ${g('dp')} (f32.const 0)) ${s('dp', add(g('dp'), c(32)))}`)}))`,
    )}`;
  let half = '';
  if (simd) {
    for (let h = 0; h < 2; h++) {
      half += `
        ${s('sp', add(g('src'), mul(add(g('jr'), c(4 * h)), g('csb'))))}
        ${s('p', c(0))}
        (block $tb${h} (loop $tl${h}
          (br_if $tb${h} (i32.gt_s ${add(g('p'), c(4))} ${g('kc')}))
          ${s('q', add(g('sp'), f4(g('p'))))}
          ${s('r0', `(v128.load ${g('q')})`)}
          ${s('r1', `(v128.load ${add(g('q'), g('csb'))})`)}
          ${s('r2', `(v128.load ${add(g('q'), mul(g('csb'), c(2)))})`)}
          ${s('r3', `(v128.load ${add(g('q'), mul(g('csb'), c(3)))})`)}
          ${s('q', add(g('d'), mul(g('p'), c(32))))}
          ${transpose4((k, e) => `(v128.store offset=${32 * k + 16 * h} ${g('q')} ${e})`)}
          ${s('p', add(g('p'), c(4)))}
          (br $tl${h})))
        (block $rb${h} (loop $rl${h}
          (br_if $rb${h} (i32.ge_s ${g('p')} ${g('kc')}))
          ${forRange('jj', c(0), c(4), c(1), `(f32.store ${add(g('d'), f4(add(mul(g('p'), c(8)), add(g('jj'), c(4 * h)))))} (f32.load ${add(add(g('sp'), mul(g('jj'), g('csb'))), f4(g('p')))}))`)}
          ${s('p', add(g('p'), c(1)))}
          (br $rl${h})))`;
    }
  }
  const fast = simd
    ? `
    (if (i32.and (i32.eq ${g('cols')} ${c(8)}) (i32.eq ${g('cs')} ${c(1)}))
      (then
        ;; row-major source: 8 adjacent columns per row
        ${s('sp', add(g('src'), f4(g('jr'))))}
        ${s('dp', g('d'))}
        ${forRange(
          'p',
          c(0),
          g('kc'),
          c(1),
          `(v128.store ${g('dp')} (v128.load ${g('sp')}))
           (v128.store offset=16 ${g('dp')} (v128.load offset=16 ${g('sp')}))
           ${s('sp', add(g('sp'), g('step')))} ${s('dp', add(g('dp'), c(32)))}`,
        )}
        (br $next)))
    (if (i32.and (i32.eq ${g('cols')} ${c(8)}) (i32.eq ${g('rs')} ${c(1)}))
      (then
        ;; column-major source (e.g. a transposed weight): transpose 4 x 4 blocks
        ${s('csb', f4(g('cs')))}
        ${half}
        (br $next)))`
    : '';
  return `
(func $pack_b ${params('i32', 'src', 'rs', 'cs', 'kc', 'nc', 'dst')}
  ${locals('i32', 'jr', 'cols', 'd', 'jj', 'p', 'sp', 'dp', 'step', 'csb', 'q')}
  ${simd ? transposeLocals : ''}
  ${s('step', f4(g('rs')))}
  ${forRange(
    'jr',
    c(0),
    g('nc'),
    c(8),
    `${s('cols', min(c(8), sub(g('nc'), g('jr'))))}
     ${s('d', add(g('dst'), mul(f4(g('jr')), g('kc'))))}
     (block $next
       ${fast}
       ${generic})`,
  )})`;
}

/**
 * pack_a_rows(src, rs, cs, i0, i1, K, Mpad, dst): packs rows [i0, i1) (i0 a multiple of 4) of an
 * M x K matrix into the layout of a whole packed A: for each depth block pc (KC deep), the slivers
 * of all Mpad rows, so that rows [ic, ic + mc) of block pc start at dst + (pc*Mpad + ic*kc)*4.
 */
const packARows = `
(func $pack_a_rows ${params('i32', 'src', 'rs', 'cs', 'i0', 'i1', 'K', 'Mpad', 'dst')}
  ${locals('i32', 'pc', 'kc')}
  ${forRange(
    'pc',
    c(0),
    g('K'),
    c(KC),
    `${s('kc', min(c(KC), sub(g('K'), g('pc'))))}
     (call $pack_a ${add(g('src'), f4(add(mul(g('i0'), g('rs')), mul(g('pc'), g('cs')))))} ${g('rs')} ${g('cs')}
       ${sub(g('i1'), g('i0'))} ${g('kc')}
       ${add(g('dst'), f4(add(mul(g('pc'), g('Mpad')), mul(g('i0'), g('kc')))))})`,
  )})`;

/** PACK_A task t: row block t % mBlocks of matrix t / mBlocks of the table [src, dst] pairs. */
const taskPackA = `
(func $task_pack_a ${params('i32', 'job', 't', 'scratch')}
  ${locals('i32', 'e', 'ib', 'tbl', 'i0', 'i1')}
  ${s('e', `(i32.div_u ${g('t')} ${fld('mBlocks')})`)}
  ${s('ib', sub(g('t'), mul(g('e'), fld('mBlocks'))))}
  ${s('tbl', add(fld('table'), mul(g('e'), c(8))))}
  ${s('i0', mul(g('ib'), c(MC)))}
  ${s('i1', min(fld('M'), add(g('i0'), c(MC))))}
  (call $pack_a_rows (i32.load ${g('tbl')}) ${fld('rsA')} ${fld('csA')} ${g('i0')} ${g('i1')} ${fld('K')} ${fld('Mpad')}
    (i32.load offset=4 ${g('tbl')})))`;

/**
 * GEMM task t: for matrix e of the table [packed A, B, C] triples, column block jb and row group
 * mg, C[rows, cols] = A[rows, :] @ B[:, cols]: each KC-deep block of B is packed into this
 * thread's scratch and multiplied with the pre-packed A blocks of the group's rows.
 */
const taskGemm = `
(func $task_gemm ${params('i32', 'job', 't', 'scratch')}
  ${locals('i32', 'per', 'e', 'r', 'jb', 'mg', 'tbl', 'pa', 'pb', 'pcC', 'j0', 'ncols', 'i0', 'i1', 'pc', 'kc', 'ic', 'ldc')}
  ${s('per', mul(fld('jBlocks'), fld('mGroups')))}
  ${s('e', `(i32.div_u ${g('t')} ${g('per')})`)}
  ${s('r', sub(g('t'), mul(g('e'), g('per'))))}
  ${s('jb', `(i32.div_u ${g('r')} ${fld('mGroups')})`)}
  ${s('mg', sub(g('r'), mul(g('jb'), fld('mGroups'))))}
  ${s('tbl', add(fld('table'), mul(g('e'), c(12))))}
  ${s('pa', `(i32.load ${g('tbl')})`)}
  ${s('pb', `(i32.load offset=4 ${g('tbl')})`)}
  ${s('pcC', `(i32.load offset=8 ${g('tbl')})`)}
  ${s('j0', mul(g('jb'), fld('nb')))}
  ${s('ncols', min(fld('nb'), sub(fld('N'), g('j0'))))}
  ${s('i0', mul(g('mg'), fld('mgRows')))}
  ${s('i1', min(fld('M'), add(g('i0'), fld('mgRows'))))}
  ${s('ldc', fld('ldc'))}
  ${forRange(
    'pc',
    c(0),
    fld('K'),
    c(KC),
    `${s('kc', min(c(KC), sub(fld('K'), g('pc'))))}
     (call $pack_b ${add(g('pb'), f4(add(mul(g('pc'), fld('rsB')), mul(g('j0'), fld('csB')))))} ${fld('rsB')} ${fld('csB')}
       ${g('kc')} ${g('ncols')} ${add(g('scratch'), c(SCRATCH.B))})
     ${forRange(
       'ic',
       g('i0'),
       g('i1'),
       c(MC),
       `(call $macro ${add(g('pa'), f4(add(mul(g('pc'), fld('Mpad')), mul(g('ic'), g('kc')))))}
          ${add(g('scratch'), c(SCRATCH.B))} ${g('kc')} ${min(c(MC), sub(g('i1'), g('ic')))} ${g('ncols')}
          ${add(g('pcC'), f4(add(mul(g('ic'), g('ldc')), g('j0'))))} ${f4(g('ldc'))}
          (i32.gt_s ${g('pc')} ${c(0)}) ${add(g('scratch'), c(SCRATCH.TILE))})`,
     )}`,
  )})`;

/** add_f32(dst, src, n): dst[i] += src[i]. */
function addF32(simd) {
  const vec = simd
    ? `
  (block $vb (loop $vl
    (br_if $vb (i32.lt_s ${g('n')} ${c(4)}))
    (v128.store ${g('dst')} (f32x4.add (v128.load ${g('dst')}) (v128.load ${g('src')})))
    ${s('dst', add(g('dst'), c(16)))} ${s('src', add(g('src'), c(16)))} ${s('n', sub(g('n'), c(4)))}
    (br $vl)))`
    : '';
  return `
(func $add_f32 ${params('i32', 'dst', 'src', 'n')}
  ${vec}
  (block $sb (loop $sl
    (br_if $sb (i32.le_s ${g('n')} ${c(0)}))
    (f32.store ${g('dst')} (f32.add (f32.load ${g('dst')}) (f32.load ${g('src')})))
    ${s('dst', add(g('dst'), c(4)))} ${s('src', add(g('src'), c(4)))} ${s('n', sub(g('n'), c(1)))}
    (br $sl))))`;
}

/**
 * transpose(src, dst, R, C, lds, ldd): dst[r*ldd + c] = src[c*lds + r] for r < R, c < C, in 32 x 32
 * tiles (both sides stay in L1) of 4 x 4 blocks (register transposes in the SIMD variants).
 */
function transpose(simd) {
  const block = simd
    ? `
        ${s('q', add(g('src'), f4(add(mul(g('c'), g('lds')), g('r')))))}
        ${s('r0', `(v128.load ${g('q')})`)}
        ${s('r1', `(v128.load ${add(g('q'), g('ldsb'))})`)}
        ${s('r2', `(v128.load ${add(g('q'), mul(g('ldsb'), c(2)))})`)}
        ${s('r3', `(v128.load ${add(g('q'), mul(g('ldsb'), c(3)))})`)}
        ${s('q', add(g('dst'), f4(add(mul(g('r'), g('ldd')), g('c')))))}
        ${transpose4((k, e) => `(v128.store ${k === 0 ? g('q') : add(g('q'), mul(g('lddb'), c(k)))} ${e})`)}`
    : `
        ${forRange('i', c(0), c(4), c(1), forRange('j', c(0), c(4), c(1), `(f32.store ${add(g('dst'), f4(add(mul(add(g('r'), g('i')), g('ldd')), add(g('c'), g('j')))))} (f32.load ${add(g('src'), f4(add(mul(add(g('c'), g('j')), g('lds')), add(g('r'), g('i')))))}))`))}`;
  return `
(func $transpose ${params('i32', 'src', 'dst', 'R', 'C', 'lds', 'ldd')}
  ${locals('i32', 'rt', 'ct', 'rEnd', 'cEnd', 'r4', 'c4', 'r', 'c', 'i', 'j', 'q', 'ldsb', 'lddb')}
  ${simd ? transposeLocals : ''}
  ${s('ldsb', f4(g('lds')))} ${s('lddb', f4(g('ldd')))}
  ${forRange(
    'rt',
    c(0),
    g('R'),
    c(32),
    forRange(
      'ct',
      c(0),
      g('C'),
      c(32),
      `${s('rEnd', min(g('R'), add(g('rt'), c(32))))}
       ${s('cEnd', min(g('C'), add(g('ct'), c(32))))}
       ${s('r4', add(g('rt'), `(i32.and ${sub(g('rEnd'), g('rt'))} ${c(-4)})`))}
       ${s('c4', add(g('ct'), `(i32.and ${sub(g('cEnd'), g('ct'))} ${c(-4)})`))}
       ${forRange('r', g('rt'), g('r4'), c(4), forRange('c', g('ct'), g('c4'), c(4), block))}
       ;; ragged right columns of the full rows, then the ragged bottom rows
       ${forRange('r', g('rt'), g('r4'), c(1), forRange('c', g('c4'), g('cEnd'), c(1), `(f32.store ${add(g('dst'), f4(add(mul(g('r'), g('ldd')), g('c'))))} (f32.load ${add(g('src'), f4(add(mul(g('c'), g('lds')), g('r'))))}))`))}
       ${forRange('r', g('r4'), g('rEnd'), c(1), forRange('c', g('ct'), g('cEnd'), c(1), `(f32.store ${add(g('dst'), f4(add(mul(g('r'), g('ldd')), g('c'))))} (f32.load ${add(g('src'), f4(add(mul(g('c'), g('lds')), g('r'))))}))`))}`,
    ),
  )})`;
}

/** The matrix-multiplication functions of one variant. */
export function gemmFunctions({ simd, fma }) {
  return [
    transpose(simd),
    simd ? microSimd(fma) : microScalar(),
    macro,
    packA(simd),
    packB(simd),
    packARows,
    taskPackA,
    taskGemm,
    addF32(simd),
  ].join('\n');
}
