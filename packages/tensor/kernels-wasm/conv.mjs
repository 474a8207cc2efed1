// 2-D convolution kernels as im2col + the packed gemm of gemm.mjs. Every task builds the column
// matrix it needs in its own scratch (an im2col block staged as rows, then packed), so no column
// matrix is ever materialised whole. Operands are contiguous NCHW (the driver copies views in).

import { KC, MC, NB, SCRATCH } from './layout.mjs';
import { add, c, f4, fld, forRange, g, locals, max, min, mul, params, s, sub } from './wat.mjs';

/** zero(dp, n), copy(dp, sp, n) and addto(dp, sp, n) (dp += sp) over n floats. */
function runHelpers(simd) {
  const loop = (name, vecBody, scalarBody, args) => {
    const vec = simd
      ? `
  (block $vb (loop $vl
    (br_if $vb (i32.lt_s ${g('n')} ${c(4)}))
    ${vecBody}
    ${s('dp', add(g('dp'), c(16)))} ${args.includes('sp') ? s('sp', add(g('sp'), c(16))) : ''} ${s('n', sub(g('n'), c(4)))}
    (br $vl)))`
      : '';
    return `
(func $${name} ${params('i32', ...args)}
  ${vec}
  (block $sb (loop $sl
    (br_if $sb (i32.le_s ${g('n')} ${c(0)}))
    ${scalarBody}
    ${s('dp', add(g('dp'), c(4)))} ${args.includes('sp') ? s('sp', add(g('sp'), c(4))) : ''} ${s('n', sub(g('n'), c(1)))}
    (br $sl))))`;
  };
  return [
    loop(
      'zero',
      `(v128.store ${g('dp')} (v128.const i32x4 0 0 0 0))`,
      `(f32.store ${g('dp')} (f32.const 0))`,
      ['dp', 'n'],
    ),
    loop(
      'copy',
      `(v128.store ${g('dp')} (v128.load ${g('sp')}))`,
      `(f32.store ${g('dp')} (f32.load ${g('sp')}))`,
      ['dp', 'sp', 'n'],
    ),
    loop(
      'addto',
      `(v128.store ${g('dp')} (f32x4.add (v128.load ${g('dp')}) (v128.load ${g('sp')})))`,
      `(f32.store ${g('dp')} (f32.add (f32.load ${g('dp')}) (f32.load ${g('sp')})))`,
      ['dp', 'sp', 'n'],
    ),
  ].join('\n');
}

/**
 * The shared walk of im2col and col2im over rows [r0, r0 + nrows) of the column matrix (row r =
 * (c*KH + kh)*KW + kw relative to the image/group base $xg) and positions [j0, j0 + ncols) of the
 * output (position = oh*OW + ow). Row rr of the staging matrix lives at $buf + rr*ld*4.
 * - im2col_rows: buf[rr][q] = x[c, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw] (0 outside x).
 * - col2im_rows_add: x[...] += buf[rr][q] for the positions inside x.
 * Each output row is split into the runs before, inside and after the image, so the inner loops
 * are plain copies (vectorised when sw = 1).
 */
function walk(name, gather) {
  const inside = gather
    ? `(if (i32.eq ${g('sw')} ${c(1)})
         (then (call $copy ${g('dp')} ${g('sp')} ${g('n')}))
         (else ${forRange('i', c(0), g('n'), c(1), `(f32.store ${g('dp')} (f32.load ${g('sp')})) ${s('dp', add(g('dp'), c(4)))} ${s('sp', add(g('sp'), g('swb')))}`)}))`
    : `(if (i32.eq ${g('sw')} ${c(1)})
         (then (call $addto ${g('sp')} ${g('dp')} ${g('n')}))
         (else ${forRange('i', c(0), g('n'), c(1), `(f32.store ${g('sp')} (f32.add (f32.load ${g('sp')}) (f32.load ${g('dp')}))) ${s('dp', add(g('dp'), c(4)))} ${s('sp', add(g('sp'), g('swb')))}`)}))`;
  const zero = (at, n) => (gather ? `(call $zero ${at} ${n})` : '');
  return `
(func $${name} ${params('i32', 'job', 'xg', 'r0', 'nrows', 'j0', 'ncols', 'buf', 'ld')}
  ${locals('i32', 'H', 'W', 'KW', 'KK', 'OW', 'sh', 'sw', 'pt', 'pl', 'dh', 'dw', 'HW', 'oh0', 'ow0', 'rr', 'r', 'ch', 'k2', 'kh', 'kw', 'xc', 'off', 'lo0', 'hi0', 'd', 'q', 'oh', 'ow', 'seg', 'ih', 'lo', 'hi', 'sp', 'dp', 'n', 'i', 'swb')}
  ${s('H', fld('cH'))} ${s('W', fld('cW'))} ${s('KW', fld('KW'))} ${s('KK', mul(fld('KH'), g('KW')))}
  ${s('OW', fld('OW'))} ${s('sh', fld('sh'))} ${s('sw', fld('sw'))} ${s('pt', fld('pt'))} ${s('pl', fld('pl'))}
  ${s('dh', fld('dh'))} ${s('dw', fld('dw'))} ${s('HW', mul(g('H'), g('W')))} ${s('swb', f4(g('sw')))}
  ${s('oh0', `(i32.div_s ${g('j0')} ${g('OW')})`)}
  ${s('ow0', sub(g('j0'), mul(g('oh0'), g('OW'))))}
  ${forRange(
    'rr',
    c(0),
    g('nrows'),
    c(1),
    `${s('r', add(g('r0'), g('rr')))}
     ${s('ch', `(i32.div_s ${g('r')} ${g('KK')})`)}
     ${s('k2', sub(g('r'), mul(g('ch'), g('KK'))))}
     ${s('kh', `(i32.div_s ${g('k2')} ${g('KW')})`)}
     ${s('kw', sub(g('k2'), mul(g('kh'), g('KW'))))}
     ${s('xc', add(g('xg'), f4(mul(g('ch'), g('HW')))))}
     ${s('off', sub(mul(g('kw'), g('dw')), g('pl')))}
     ;; ow in [lo0, hi0) maps inside the image: 0 <= ow*sw + off <= W - 1
     ${s('lo0', `(select ${c(0)} (i32.div_s ${sub(sub(g('sw'), c(1)), g('off'))} ${g('sw')}) (i32.ge_s ${g('off')} ${c(0)}))`)}
     ${s('hi0', `(select ${c(0)} ${add(`(i32.div_s ${sub(sub(g('W'), c(1)), g('off'))} ${g('sw')})`, c(1))} (i32.lt_s ${sub(sub(g('W'), c(1)), g('off'))} ${c(0)}))`)}
     ${s('hi0', min(g('hi0'), g('OW')))}
     ${s('d', add(g('buf'), f4(mul(g('rr'), g('ld')))))}
     ${s('q', c(0))} ${s('oh', g('oh0'))} ${s('ow', g('ow0'))}
     (block $qb (loop $ql
       (br_if $qb (i32.ge_s ${g('q')} ${g('ncols')}))
       ${s('seg', min(sub(g('OW'), g('ow')), sub(g('ncols'), g('q'))))}
       ${s('ih', add(sub(mul(g('oh'), g('sh')), g('pt')), mul(g('kh'), g('dh'))))}
       (if (i32.lt_u ${g('ih')} ${g('H')})
         (then
           ${s('lo', min(max(g('lo0'), g('ow')), add(g('ow'), g('seg'))))}
           ${s('hi', min(max(g('hi0'), g('lo')), add(g('ow'), g('seg'))))}
           ${zero(add(g('d'), f4(g('q'))), sub(g('lo'), g('ow')))}
           ${s('dp', add(g('d'), f4(add(g('q'), sub(g('lo'), g('ow'))))))}
           ${s('sp', add(g('xc'), f4(add(mul(g('ih'), g('W')), add(mul(g('lo'), g('sw')), g('off'))))))}
           ${s('n', sub(g('hi'), g('lo')))}
           ${inside}
           ${zero(add(g('d'), f4(add(g('q'), sub(g('hi'), g('ow'))))), sub(add(g('ow'), g('seg')), g('hi')))})
         (else ${zero(add(g('d'), f4(g('q'))), g('seg'))}))
       ${s('q', add(g('q'), g('seg')))} ${s('ow', c(0))} ${s('oh', add(g('oh'), c(1)))}
       (br $ql)))`,
  )})`;
}

const SCR_B = add(g('scratch'), c(SCRATCH.B));
const SCR_A = add(g('scratch'), c(SCRATCH.A));
const SCR_T = add(g('scratch'), c(SCRATCH.T));
const SCR_C = add(g('scratch'), c(SCRATCH.C));
const TILE = add(g('scratch'), c(SCRATCH.TILE));

/** Loads the geometry every conv task needs into locals. */
const convLocals = `
  ${locals('i32', 'C', 'HW', 'O', 'G', 'Cg', 'Og', 'Ck', 'L', 'KK', 'nb')}
  ${s('C', fld('cC'))} ${s('HW', mul(fld('cH'), fld('cW')))} ${s('O', fld('cO'))} ${s('G', fld('G'))}
  ${s('Cg', fld('Cg'))} ${s('Og', fld('Og'))} ${s('Ck', fld('Ck'))} ${s('L', fld('L'))}
  ${s('KK', mul(fld('KH'), fld('KW')))} ${s('nb', fld('cnb'))}`;

/**
 * CONV_FWD task t = ((n*G + group)*cjBlocks + jb): y[n, group][:, cols] = Wg @ im2col(x[n, group])
 * for the block of output positions cols; W is pre-packed per group (wpStride = Og rounded to 4).
 */
const taskConvFwd = `
(func $task_conv_fwd ${params('i32', 'job', 't', 'scratch')}
  ${locals('i32', 'e', 'jb', 'n', 'gg', 'j0', 'ncols', 'xg', 'wg', 'yg', 'pc', 'kc', 'ic', 'OgPad')}
  ${convLocals}
  ${s('OgPad', fld('wpStride'))}
  ${s('e', `(i32.div_u ${g('t')} ${fld('cjBlocks')})`)}
  ${s('jb', sub(g('t'), mul(g('e'), fld('cjBlocks'))))}
  ${s('n', `(i32.div_u ${g('e')} ${g('G')})`)}
  ${s('gg', sub(g('e'), mul(g('n'), g('G'))))}
  ${s('j0', mul(g('jb'), g('nb')))}
  ${s('ncols', min(g('nb'), sub(g('L'), g('j0'))))}
  ${s('xg', add(fld('x'), f4(mul(add(mul(g('n'), g('C')), mul(g('gg'), g('Cg'))), g('HW')))))}
  ${s('wg', add(fld('wp'), f4(mul(mul(g('gg'), g('OgPad')), g('Ck')))))}
  ${s('yg', add(fld('out'), f4(add(mul(add(mul(g('n'), g('O')), mul(g('gg'), g('Og'))), g('L')), g('j0')))))}
  ${forRange(
    'pc',
    c(0),
    g('Ck'),
    c(KC),
    `${s('kc', min(c(KC), sub(g('Ck'), g('pc'))))}
     (if ${fld('pointwise')}
       (then (call $pack_b ${add(g('xg'), f4(add(mul(g('pc'), g('HW')), g('j0'))))} ${g('HW')} ${c(1)} ${g('kc')} ${g('ncols')} ${SCR_B}))
       (else
         (call $im2col_rows ${g('job')} ${g('xg')} ${g('pc')} ${g('kc')} ${g('j0')} ${g('ncols')} ${SCR_C} ${c(NB)})
         (call $pack_b ${SCR_C} ${c(NB)} ${c(1)} ${g('kc')} ${g('ncols')} ${SCR_B})))
     ${forRange(
       'ic',
       c(0),
       g('Og'),
       c(MC),
       `(call $macro ${add(g('wg'), f4(add(mul(g('pc'), g('OgPad')), mul(g('ic'), g('kc')))))} ${SCR_B} ${g('kc')}
          ${min(c(MC), sub(g('Og'), g('ic')))} ${g('ncols')} ${add(g('yg'), f4(mul(g('ic'), g('L'))))} ${f4(g('L'))}
          (i32.gt_s ${g('pc')} ${c(0)}) ${TILE})`,
     )}`,
  )})`;

/**
 * CONV_BWD_INPUT task t = ((n*G + group)*nCB + cb): dx for the cbC input channels of block cb,
 * from cols = Wg^T[rows of the block] @ dy[n, group] one block of positions at a time, scattered
 * back by col2im. Tasks own disjoint channels of dx, so no two write the same element.
 */
const taskConvBwdInput = `
(func $task_conv_bwd_input ${params('i32', 'job', 't', 'scratch')}
  ${locals('i32', 'per', 'n', 'r', 'gg', 'cb', 'c0', 'cN', 'R', 'Rpad', 'dxc', 'wt', 'dyb', 'j0', 'ncols', 'pc', 'kc', 'ic')}
  ${convLocals}
  ${s('per', mul(g('G'), fld('nCB')))}
  ${s('n', `(i32.div_u ${g('t')} ${g('per')})`)}
  ${s('r', sub(g('t'), mul(g('n'), g('per'))))}
  ${s('gg', `(i32.div_u ${g('r')} ${fld('nCB')})`)}
  ${s('cb', sub(g('r'), mul(g('gg'), fld('nCB'))))}
  ${s('c0', mul(g('cb'), fld('cbC')))}
  ${s('cN', min(fld('cbC'), sub(g('Cg'), g('c0'))))}
  ${s('R', mul(g('cN'), g('KK')))}
  ${s('Rpad', `(i32.and ${add(g('R'), c(3))} ${c(-4)})`)}
  ${s('dxc', add(fld('out'), f4(mul(add(mul(g('n'), g('C')), add(mul(g('gg'), g('Cg')), g('c0'))), g('HW')))))}
  ${s('wt', add(fld('wp'), f4(mul(add(mul(g('gg'), fld('nCB')), g('cb')), fld('wpStride')))))}
  ${s('dyb', add(fld('dy'), f4(mul(add(mul(g('n'), g('O')), mul(g('gg'), g('Og'))), g('L')))))}
  (if (i32.eqz ${fld('pointwise')}) (then (call $zero ${g('dxc')} ${mul(g('cN'), g('HW'))})))
  ${forRange(
    'j0',
    c(0),
    g('L'),
    g('nb'),
    `${s('ncols', min(g('nb'), sub(g('L'), g('j0'))))}
     ${forRange(
       'pc',
       c(0),
       g('Og'),
       c(KC),
       `${s('kc', min(c(KC), sub(g('Og'), g('pc'))))}
        (call $pack_b ${add(g('dyb'), f4(add(mul(g('pc'), g('L')), g('j0'))))} ${g('L')} ${c(1)} ${g('kc')} ${g('ncols')} ${SCR_B})
        ${forRange(
          'ic',
          c(0),
          g('R'),
          c(MC),
          `(if ${fld('pointwise')}
             (then
               (call $macro ${add(g('wt'), f4(add(mul(g('pc'), g('Rpad')), mul(g('ic'), g('kc')))))} ${SCR_B} ${g('kc')}
                 ${min(c(MC), sub(g('R'), g('ic')))} ${g('ncols')} ${add(g('dxc'), f4(add(mul(g('ic'), g('HW')), g('j0'))))}
                 ${f4(g('HW'))} (i32.gt_s ${g('pc')} ${c(0)}) ${TILE}))
             (else
               (call $macro ${add(g('wt'), f4(add(mul(g('pc'), g('Rpad')), mul(g('ic'), g('kc')))))} ${SCR_B} ${g('kc')}
                 ${min(c(MC), sub(g('R'), g('ic')))} ${g('ncols')} ${add(SCR_T, f4(mul(g('ic'), g('nb'))))}
                 ${f4(g('nb'))} (i32.gt_s ${g('pc')} ${c(0)}) ${TILE})))`,
        )}`,
     )}
     (if (i32.eqz ${fld('pointwise')})
       (then (call $col2im_rows_add ${g('job')} ${g('dxc')} ${c(0)} ${g('R')} ${g('j0')} ${g('ncols')} ${SCR_T} ${g('nb')})))`,
  )})`;

/**
 * CONV_BWD_WEIGHT task t = ((group*S + split)*iBlocks + ib)*cjBlocks + jb: the partial sum, over
 * the images of one split of the batch, of dy[n, group][rows] @ im2col(x[n, group])^T[:, cols],
 * written to partial buffer `split` (the driver adds the S partials in order afterwards).
 */
const taskConvBwdWeight = `
(func $task_conv_bwd_weight ${params('i32', 'job', 't', 'scratch')}
  ${locals('i32', 'per', 'gg', 'r', 'sp', 'ib', 'jb', 'i0', 'mc', 'j0', 'ncols', 'cOut', 'first', 'n', 'n1', 'xg', 'dyg', 'pc', 'kc', 'blocks')}
  ${convLocals}
  ${s('blocks', mul(fld('iBlocks'), fld('cjBlocks')))}
  ${s('per', mul(fld('S'), g('blocks')))}
  ${s('gg', `(i32.div_u ${g('t')} ${g('per')})`)}
  ${s('r', sub(g('t'), mul(g('gg'), g('per'))))}
  ${s('sp', `(i32.div_u ${g('r')} ${g('blocks')})`)}
  ${s('r', sub(g('r'), mul(g('sp'), g('blocks'))))}
  ${s('ib', `(i32.div_u ${g('r')} ${fld('cjBlocks')})`)}
  ${s('jb', sub(g('r'), mul(g('ib'), fld('cjBlocks'))))}
  ${s('i0', mul(g('ib'), c(MC)))}
  ${s('mc', min(c(MC), sub(g('Og'), g('i0'))))}
  ${s('j0', mul(g('jb'), g('nb')))}
  ${s('ncols', min(g('nb'), sub(g('Ck'), g('j0'))))}
  ${s('cOut', add(fld('out'), f4(add(mul(mul(g('sp'), g('O')), g('Ck')), add(mul(add(mul(g('gg'), g('Og')), g('i0')), g('Ck')), g('j0'))))))}
  ${s('first', c(1))}
  ${s('n1', min(fld('cN'), mul(add(g('sp'), c(1)), fld('nPer'))))}
  ${forRange(
    'n',
    mul(g('sp'), fld('nPer')),
    g('n1'),
    c(1),
    `${s('xg', add(fld('x'), f4(mul(add(mul(g('n'), g('C')), mul(g('gg'), g('Cg'))), g('HW')))))}
     ${s('dyg', add(fld('dy'), f4(mul(add(mul(g('n'), g('O')), add(mul(g('gg'), g('Og')), g('i0'))), g('L')))))}
     ${forRange(
       'pc',
       c(0),
       g('L'),
       c(KC),
       `${s('kc', min(c(KC), sub(g('L'), g('pc'))))}
        (call $pack_a ${add(g('dyg'), f4(g('pc')))} ${g('L')} ${c(1)} ${g('mc')} ${g('kc')} ${SCR_A})
        (if ${fld('pointwise')}
          (then (call $pack_b ${add(g('xg'), f4(add(mul(g('j0'), g('HW')), g('pc'))))} ${c(1)} ${g('HW')} ${g('kc')} ${g('ncols')} ${SCR_B}))
          (else
            (call $im2col_rows ${g('job')} ${g('xg')} ${g('j0')} ${g('ncols')} ${g('pc')} ${g('kc')} ${SCR_C} ${c(KC)})
            (call $pack_b ${SCR_C} ${c(1)} ${c(KC)} ${g('kc')} ${g('ncols')} ${SCR_B})))
        (call $macro ${SCR_A} ${SCR_B} ${g('kc')} ${g('mc')} ${g('ncols')} ${g('cOut')} ${f4(g('Ck'))}
          (i32.eqz ${g('first')}) ${TILE})
        ${s('first', c(0))}`,
     )}`,
  )})`;

/** The convolution functions of one variant. */
export function convFunctions({ simd }) {
  return [
    runHelpers(simd),
    walk('im2col_rows', true),
    walk('col2im_rows_add', false),
    taskConvFwd,
    taskConvBwdInput,
    taskConvBwdWeight,
  ].join('\n');
}
