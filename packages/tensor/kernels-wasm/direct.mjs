// Direct ("implicit GEMM") convolution kernels: no column matrix at all. A task copies the input
// rows it needs into a zero-padded window in its scratch; the micro-kernels then read the window
// in place through a table of per-tap offsets (tap k = (c, kh, kw) sits at offs[k] bytes from an
// output position's origin), so the im2col expansion (KH*KW times the input) is never written.
//
// - direct_conv (forward; the input gradient of stride-1 convolutions is the same kernel run on
//   dy with flipped, transposed weights): 4 output channels x 8 adjacent output columns per
//   register tile, reducing over all taps; needs unit column stride (8 adjacent loads).
// - direct_wgrad (weight gradient): dW^T tile of 4 taps x 8 output channels, reducing over the
//   output positions of the window; taps are broadcast from the window, dy^T is packed.

import { raggedStore } from './gemm.mjs';
import { SCRATCH } from './layout.mjs';
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

/**
 * pad_window(src, C, H, W, r0, rows, pitch, pl, Wp, dst): for each of C channel planes of src
 * (H x W, contiguous), window row i (< rows) of plane c, at dst + ((c*pitch + i)*Wp)*4, gets
 * src row r0 + i shifted right by pl columns (negative: cropped), zeros elsewhere.
 */
const padWindow = `
(func $pad_window ${params('i32', 'src', 'C', 'H', 'W', 'r0', 'rows', 'pitch', 'pl', 'Wp', 'dst')}
  ${locals('i32', 'ch', 'i', 'ih', 'd', 'j0', 'j1')}
  ${s('j0', max(c(0), g('pl')))}
  ${s('j1', max(g('j0'), min(g('Wp'), add(g('W'), g('pl')))))}
  ${forRange(
    'ch',
    c(0),
    g('C'),
    c(1),
    forRange(
      'i',
      c(0),
      g('rows'),
      c(1),
      `${s('ih', add(g('r0'), g('i')))}
       ${s('d', add(g('dst'), f4(mul(add(mul(g('ch'), g('pitch')), g('i')), g('Wp')))))}
       (if (i32.lt_u ${g('ih')} ${g('H')})
         (then
           (call $zero ${g('d')} ${g('j0')})
           (call $copy ${add(g('d'), f4(g('j0')))}
             ${add(g('src'), f4(add(mul(add(mul(g('ch'), g('H')), g('ih')), g('W')), sub(g('j0'), g('pl')))))}
             ${sub(g('j1'), g('j0'))})
           (call $zero ${add(g('d'), f4(g('j1')))} ${sub(g('Wp'), g('j1'))}))
         (else (call $zero ${g('d')} ${g('Wp')})))`,
    ),
  )})`;

/**
 * Stores the spilled 4 x 8 tile at $tmp into C: row i (< mr) at c + i*ldc, lanes 0-3 (the first n0
 * valid) at +0, lanes 4-7 (the first n1 valid) at +cstep.
 */
const splitStore = `
  ${forRange(
    'i',
    c(0),
    g('mr'),
    c(1),
    forRange(
      'j',
      c(0),
      c(8),
      c(1),
      `(if (i32.lt_s (i32.and ${g('j')} ${c(3)}) (select ${g('n1')} ${g('n0')} (i32.ge_s ${g('j')} ${c(4)})))
         (then
           (f32.store
             ${add(add(g('c'), mul(g('i'), g('ldc'))), add(`(select ${g('cstep')} ${c(0)} (i32.ge_s ${g('j')} ${c(4)}))`, f4(`(i32.and ${g('j')} ${c(3)})`)))}
             (f32.load ${add(g('tmp'), add(mul(g('i'), c(32)), f4(g('j'))))}))))`,
    ),
  )}`;

/**
 * micro_direct(a, base, offs, kc, c, ldc, mr, bstep, cstep, n0, n1, tmp): a 4 x 8 tile of output
 * channels x output positions, reducing over all kc taps: A is a packed weight sliver [kc][4],
 * lanes 0-3 of tap k read the window at base + offs[k], lanes 4-7 at base + offs[k] + bstep. The
 * lanes are 8 adjacent columns of one output row (bstep = cstep = 16) or 4 columns of two rows
 * (bstep: one input row pitch, cstep: one output row), which wastes fewer lanes on narrow outputs.
 */
function microDirect({ simd, fma }) {
  const sig = params('i32', 'a', 'base', 'offs', 'kc', 'c', 'ldc', 'mr', 'bstep', 'cstep', 'n0', 'n1', 'tmp');
  if (!simd) {
    // Scalar: the two halves in turn, 16 accumulators each.
    const acc = tileNames(4, 4);
    let halves = '';
    for (let h = 0; h < 2; h++) {
      let body = s('p', add(add(g('base'), `(i32.load ${g('po')})`), h ? g('bstep') : c(0)));
      for (let j = 0; j < 4; j++) body += s(`b${j}`, `(f32.load offset=${4 * j} ${g('p')})`);
      for (let i = 0; i < 4; i++) body += s(`a${i}`, `(f32.load offset=${4 * i} ${g('pa')})`);
      body += scalarMadds(4, 4);
      let store = '';
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++)
          store += `(f32.store offset=${4 * (i * 8 + h * 4 + j)} ${g('tmp')} ${g(`c${i}${j}`)})`;
      }
      halves += `
      ${acc.map((a) => s(a, '(f32.const 0)')).join(' ')}
      ${s('pa', g('a'))} ${s('po', g('offs'))} ${s('k', g('kc'))}
      (loop $k${h}
        ${body}
        ${s('pa', add(g('pa'), c(16)))}
        ${s('po', add(g('po'), c(4)))}
        (br_if $k${h} (local.tee $k ${sub(g('k'), c(1))})))
      ${store}`;
    }
    return `
(func $micro_direct ${sig}
  ${locals('f32', ...acc, 'a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3')}
  ${locals('i32', 'pa', 'po', 'k', 'p', 'i', 'j')}
  ${halves}
  ${splitStore})`;
  }
  const acc = tileNames(4, 2);
  const madd = vmadd(fma);
  let step = `${s('p', add(g('base'), `(i32.load ${g('offs')})`))}
    ${s('b0', `(v128.load ${g('p')})`)} ${s('b1', `(v128.load ${add(g('p'), g('bstep'))})`)}\n`;
  for (let i = 0; i < 4; i++) {
    step += `${s('x', `(v128.load32_splat offset=${4 * i} ${g('a')})`)}\n`;
    step += `${s(`c${i}0`, madd('x', 'b0', `c${i}0`))} ${s(`c${i}1`, madd('x', 'b1', `c${i}1`))}\n`;
  }
  let full = '';
  for (let i = 0; i < 4; i++) {
    if (i > 0) full += s('p', add(g('p'), g('ldc')));
    full += `(v128.store ${g('p')} ${g(`c${i}0`)}) (v128.store ${add(g('p'), g('cstep'))} ${g(`c${i}1`)})\n`;
  }
  return `
(func $micro_direct ${sig}
  ${locals('v128', ...acc, 'b0', 'b1', 'x')} ${locals('i32', 'p', 'q', 'i', 'j')}
  (loop $k
    ${step}
    ${s('a', add(g('a'), c(16)))}
    ${s('offs', add(g('offs'), c(4)))}
    (br_if $k (local.tee $kc ${sub(g('kc'), c(1))})))
  (if (i32.and (i32.eq ${g('mr')} ${c(4)}) (i32.and (i32.eq ${g('n0')} ${c(4)}) (i32.eq ${g('n1')} ${c(4)})))
    (then
      ${s('p', g('c'))}
      ${full}
      (return)))
  ${vectorRaggedStore({ mr: g('mr'), ldc: g('ldc'), n0: g('n0'), n1: g('n1'), cstep: g('cstep') })})`;
}

/**
 * micro_wgrad(offs4, win, rows, OW, rowStep, colStep, b, c, ldc, mr, nr, acc, tmp):
 * C[4 taps x 8 channels] (+)= sum over output positions (rows x OW) of window[tap offset +
 * position] * B[position][8], B being dy^T packed as one sliver ([P][8]).
 */
function microWgrad({ simd, fma }) {
  const o = ['o0', 'o1', 'o2', 'o3'];
  const loadOffs = o.map((n, i) => s(n, `(i32.load offset=${4 * i} ${g('offs4')})`)).join(' ');
  if (!simd) {
    const acc = tileNames(4, 8);
    let body = '';
    for (let i = 0; i < 4; i++) body += s(`a${i}`, `(f32.load ${add(g('q'), g(o[i]))})`);
    for (let j = 0; j < 8; j++) body += s(`b${j}`, `(f32.load offset=${4 * j} ${g('b')})`);
    body += scalarMadds(4, 8);
    let store = '';
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 8; j++)
        store += `(f32.store offset=${4 * (i * 8 + j)} ${g('tmp')} ${g(`c${i}${j}`)})`;
    return `
(func $micro_wgrad ${params('i32', 'offs4', 'win', 'rows', 'OW', 'rowStep', 'colStep', 'b', 'c', 'ldc', 'mr', 'nr', 'acc', 'tmp')}
  ${locals('f32', ...acc, 'a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'v')}
  ${locals('i32', ...o, 'r', 'q', 'w', 'i', 'j', 'p')}
  ${loadOffs}
  ${forRange(
    'r',
    c(0),
    g('rows'),
    c(1),
    `${s('q', add(g('win'), mul(g('r'), g('rowStep'))))}
     ${forRange('w', c(0), g('OW'), c(1), `${body} ${s('q', add(g('q'), g('colStep')))} ${s('b', add(g('b'), c(32)))}`)}`,
  )}
  ${store}
  ${raggedStore})`;
  }
  const acc = tileNames(4, 2);
  const madd = vmadd(fma);
  let step = `${s('b0', `(v128.load ${g('b')})`)} ${s('b1', `(v128.load offset=16 ${g('b')})`)}\n`;
  for (let i = 0; i < 4; i++) {
    step += `${s('x', `(v128.load32_splat ${add(g('q'), g(o[i]))})`)}\n`;
    step += `${s(`c${i}0`, madd('x', 'b0', `c${i}0`))} ${s(`c${i}1`, madd('x', 'b1', `c${i}1`))}\n`;
  }
  let addC = '';
  let full = '';
  for (let i = 0; i < 4; i++) {
    if (i > 0) {
      addC += s('p', add(g('p'), g('ldc')));
      full += s('p', add(g('p'), g('ldc')));
    }
    addC += `${s(`c${i}0`, `(f32x4.add (v128.load ${g('p')}) ${g(`c${i}0`)})`)}
      ${s(`c${i}1`, `(f32x4.add (v128.load offset=16 ${g('p')}) ${g(`c${i}1`)})`)}\n`;
    full += `(v128.store ${g('p')} ${g(`c${i}0`)}) (v128.store offset=16 ${g('p')} ${g(`c${i}1`)})\n`;
  }
  return `
(func $micro_wgrad ${params('i32', 'offs4', 'win', 'rows', 'OW', 'rowStep', 'colStep', 'b', 'c', 'ldc', 'mr', 'nr', 'acc', 'tmp')}
  ${locals('v128', ...acc, 'b0', 'b1', 'x')} ${locals('i32', ...o, 'r', 'q', 'w', 'i', 'j', 'p')} (local $v f32)
  ${loadOffs}
  ${forRange(
    'r',
    c(0),
    g('rows'),
    c(1),
    `${s('q', add(g('win'), mul(g('r'), g('rowStep'))))}
     ${s('w', g('OW'))}
     (loop $w
       ${step}
       ${s('q', add(g('q'), g('colStep')))}
       ${s('b', add(g('b'), c(32)))}
       (br_if $w (local.tee $w ${sub(g('w'), c(1))})))`,
  )}
  (if (i32.and (i32.eq ${g('mr')} ${c(4)}) (i32.eq ${g('nr')} ${c(8)}))
    (then
      ${s('p', g('c'))}
      (if ${g('acc')} (then ${addC} ${s('p', g('c'))}))
      ${full}
      (return)))
  ${vectorRaggedStore({ mr: g('mr'), ldc: g('ldc'), n0: min(c(4), g('nr')), n1: max(c(0), sub(g('nr'), c(4))), cstep: c(16), acc: g('acc') })})`;
}

const WIN = add(g('scratch'), c(SCRATCH.WIN));
const OFFS = add(g('scratch'), c(SCRATCH.OFFS));
const TILE = add(g('scratch'), c(SCRATCH.TILE));
const SCR_B = add(g('scratch'), c(SCRATCH.B));

/** Writes the byte offset of every tap (ch, kh, kw) in [k0, k1) of the window to the table at `at`. */
const tapOffsets = (k0, k1, at) => `
  ${forRange(
    'k',
    k0,
    k1,
    c(1),
    `${s('ch', `(i32.div_u ${g('k')} ${g('KK')})`)}
     ${s('kk', sub(g('k'), mul(g('ch'), g('KK'))))}
     ${s('kh', `(i32.div_u ${g('kk')} ${g('KW')})`)}
     ${s('kw', sub(g('kk'), mul(g('kh'), g('KW'))))}
     (i32.store ${add(at, f4(sub(g('k'), k0)))}
       (select
         ${f4(add(mul(add(mul(g('ch'), g('winRows')), mul(g('kh'), g('dh'))), g('Wp')), mul(g('kw'), g('dw'))))}
         ${c(0)}
         (i32.lt_u ${g('k')} ${g('Ck')})))`,
  )}`;

/** Geometry locals of both direct tasks (declared by geometryLocals, loaded by geometry). */
const geometryLocals = locals(
  'i32',
  ...[
    'Cin',
    'Cg',
    'H',
    'W',
    'G',
    'Og',
    'O',
    'OH',
    'OW',
    'L',
    'KW',
    'KK',
    'Ck',
    'sh',
    'dh',
    'dw',
    'Wp',
    'winRows',
  ],
  ...['ch', 'kk', 'kh', 'kw', 'k'],
);
const geometry = `
  ${s('Cin', fld('cC'))} ${s('Cg', fld('Cg'))} ${s('H', fld('cH'))} ${s('W', fld('cW'))} ${s('G', fld('G'))}
  ${s('Og', fld('Og'))} ${s('O', fld('cO'))} ${s('OH', fld('OH'))} ${s('OW', fld('OW'))} ${s('L', mul(g('OH'), g('OW')))}
  ${s('KW', fld('KW'))} ${s('KK', mul(fld('KH'), g('KW')))} ${s('Ck', fld('Ck'))} ${s('sh', fld('sh'))}
  ${s('dh', fld('dh'))} ${s('dw', fld('dw'))} ${s('Wp', fld('Wp'))} ${s('winRows', fld('winRows'))}`;

/** Window rows that output rows [oh0, oh1) read. */
const windowRows = (oh0, oh1) =>
  add(mul(sub(sub(oh1, oh0), c(1)), g('sh')), add(mul(sub(fld('KH'), c(1)), g('dh')), c(1)));

/**
 * DIRECT_CONV task t = ((n*G + group)*rBlocks + rb): output rows of block rb of image n, group g.
 * wp holds W per group packed in 4-row slivers of all Ck taps (wpStride = Og rounded up to 4).
 */
const taskDirectConv = `
(func $task_direct_conv ${params('i32', 'job', 't', 'scratch')}
  ${geometryLocals}
  ${locals('i32', 'e', 'rb', 'n', 'gg', 'oh0', 'oh1', 'oh', 'ow', 'os', 'wg', 'yg', 'row', 'two', 'nc')}
  ${geometry}
  ${s('e', `(i32.div_u ${g('t')} ${fld('rBlocks')})`)}
  ${s('rb', sub(g('t'), mul(g('e'), fld('rBlocks'))))}
  ${s('n', `(i32.div_u ${g('e')} ${g('G')})`)}
  ${s('gg', sub(g('e'), mul(g('n'), g('G'))))}
  ${s('oh0', mul(g('rb'), fld('rowsPer')))}
  ${s('oh1', min(g('OH'), add(g('oh0'), fld('rowsPer'))))}
  (call $pad_window ${add(fld('x'), f4(mul(add(mul(g('n'), g('Cin')), mul(g('gg'), g('Cg'))), mul(g('H'), g('W')))))}
    ${g('Cg')} ${g('H')} ${g('W')} ${sub(mul(g('oh0'), g('sh')), fld('pt'))} ${windowRows(g('oh0'), g('oh1'))}
    ${g('winRows')} ${fld('pl')} ${g('Wp')} ${WIN})
  ${tapOffsets(c(0), g('Ck'), OFFS)}
  ${s('wg', add(fld('wp'), f4(mul(mul(g('gg'), fld('wpStride')), g('Ck')))))}
  ${s('yg', add(fld('out'), f4(mul(add(mul(g('n'), g('O')), mul(g('gg'), g('Og'))), g('L')))))}
  (if ${fld('pairRows')}
    (then
      ;; tiles of 4 columns x 2 output rows
      ${forRange(
        'oh',
        g('oh0'),
        g('oh1'),
        c(2),
        `${s('row', add(WIN, f4(mul(mul(sub(g('oh'), g('oh0')), g('sh')), g('Wp')))))}
         ${s('two', `(i32.lt_s ${add(g('oh'), c(1))} ${g('oh1')})`)}
         ${forRange(
           'ow',
           c(0),
           g('OW'),
           c(4),
           `${s('nc', min(c(4), sub(g('OW'), g('ow'))))}
            ${forRange(
              'os',
              c(0),
              g('Og'),
              c(4),
              `(call $micro_direct ${add(g('wg'), mul(f4(g('os')), g('Ck')))} ${add(g('row'), f4(g('ow')))} ${OFFS} ${g('Ck')}
                 ${add(g('yg'), f4(add(mul(g('os'), g('L')), add(mul(g('oh'), g('OW')), g('ow')))))} ${f4(g('L'))}
                 ${min(c(4), sub(g('Og'), g('os')))} ${f4(mul(g('sh'), g('Wp')))} ${f4(g('OW'))}
                 ${g('nc')} (select ${g('nc')} ${c(0)} ${g('two')}) ${TILE})`,
            )}`,
         )}`,
      )})
    (else
      ;; tiles of 8 adjacent columns of one output row
      ${forRange(
        'oh',
        g('oh0'),
        g('oh1'),
        c(1),
        `${s('row', add(WIN, f4(mul(mul(sub(g('oh'), g('oh0')), g('sh')), g('Wp')))))}
         ${forRange(
           'ow',
           c(0),
           g('OW'),
           c(8),
           `${s('nc', sub(g('OW'), g('ow')))}
            ${forRange(
              'os',
              c(0),
              g('Og'),
              c(4),
              `(call $micro_direct ${add(g('wg'), mul(f4(g('os')), g('Ck')))} ${add(g('row'), f4(g('ow')))} ${OFFS} ${g('Ck')}
                 ${add(g('yg'), f4(add(mul(g('os'), g('L')), add(mul(g('oh'), g('OW')), g('ow')))))} ${f4(g('L'))}
                 ${min(c(4), sub(g('Og'), g('os')))} ${c(16)} ${c(16)}
                 ${min(c(4), g('nc'))} ${max(c(0), min(c(4), sub(g('nc'), c(4))))} ${TILE})`,
            )}`,
         )}`,
      )})))`;

/**
 * DIRECT_WGRAD task t = ((group*S + split)*rsBlocks + rb): the dW^T rows (taps) of slivers
 * [rb*rsPer, ...) for one group, summed over the images of one split of the batch into partial
 * buffer `split` ([S][G][Ck][Og] floats at out). Each window of rowsPer output rows is padded
 * once and its dy^T packed once, then every (tap sliver, channel sliver) tile reduces over it.
 */
const taskDirectWgrad = `
(func $task_direct_wgrad ${params('i32', 'job', 't', 'scratch')}
  ${geometryLocals}
  ${locals('i32', 'per', 'gg', 'r', 'sp', 'rb', 'rs0', 'rs1', 'rsl', 'n', 'n1', 'oh0', 'oh1', 'P', 'os', 'first', 'xg', 'dyg', 'part')}
  ${geometry}
  ${s('per', mul(fld('S'), fld('rsBlocks')))}
  ${s('gg', `(i32.div_u ${g('t')} ${g('per')})`)}
  ${s('r', sub(g('t'), mul(g('gg'), g('per'))))}
  ${s('sp', `(i32.div_u ${g('r')} ${fld('rsBlocks')})`)}
  ${s('rb', sub(g('r'), mul(g('sp'), fld('rsBlocks'))))}
  ${s('rs0', mul(g('rb'), fld('rsPer')))}
  ${s('rs1', min(`(i32.shr_u ${add(g('Ck'), c(3))} ${c(2)})`, add(g('rs0'), fld('rsPer'))))}
  ${tapOffsets(mul(g('rs0'), c(4)), mul(g('rs1'), c(4)), OFFS)}
  ${s('part', add(fld('out'), f4(mul(mul(add(mul(g('sp'), g('G')), g('gg')), g('Ck')), g('Og')))))}
  ${s('first', c(1))}
  ${s('n1', min(fld('cN'), mul(add(g('sp'), c(1)), fld('nPer'))))}
  ${forRange(
    'n',
    mul(g('sp'), fld('nPer')),
    g('n1'),
    c(1),
    `${s('xg', add(fld('x'), f4(mul(add(mul(g('n'), g('Cin')), mul(g('gg'), g('Cg'))), mul(g('H'), g('W'))))))}
     ${s('dyg', add(fld('dy'), f4(mul(add(mul(g('n'), g('O')), mul(g('gg'), g('Og'))), g('L')))))}
     ${forRange(
       'oh0',
       c(0),
       g('OH'),
       fld('rowsPer'),
       `${s('oh1', min(g('OH'), add(g('oh0'), fld('rowsPer'))))}
        ${s('P', mul(sub(g('oh1'), g('oh0')), g('OW')))}
        (call $pad_window ${g('xg')} ${g('Cg')} ${g('H')} ${g('W')} ${sub(mul(g('oh0'), g('sh')), fld('pt'))}
          ${windowRows(g('oh0'), g('oh1'))} ${g('winRows')} ${fld('pl')} ${g('Wp')} ${WIN})
        (call $pack_b ${add(g('dyg'), f4(mul(g('oh0'), g('OW'))))} ${c(1)} ${g('L')} ${g('P')} ${g('Og')} ${SCR_B})
        ${forRange(
          'rsl',
          g('rs0'),
          g('rs1'),
          c(1),
          forRange(
            'os',
            c(0),
            g('Og'),
            c(8),
            `(call $micro_wgrad ${add(OFFS, mul(sub(g('rsl'), g('rs0')), c(16)))} ${WIN} ${sub(g('oh1'), g('oh0'))} ${g('OW')}
               ${f4(mul(g('sh'), g('Wp')))} ${f4(fld('sw'))} ${add(SCR_B, mul(f4(g('os')), g('P')))}
               ${add(g('part'), f4(add(mul(mul(g('rsl'), c(4)), g('Og')), g('os'))))} ${f4(g('Og'))}
               ${min(c(4), sub(g('Ck'), mul(g('rsl'), c(4))))} ${min(c(8), sub(g('Og'), g('os')))}
               (i32.eqz ${g('first')}) ${TILE})`,
          ),
        )}
        ${s('first', c(0))}`,
     )}`,
  )})`;

/**
 * wgrad_finish(parts, S, G, Ck, Og, out): out[(g*Og + o)*Ck + r] = sum over s (in order) of
 * parts[((s*G + g)*Ck + r)*Og + o]: adds the partial dW^T of the S splits and transposes.
 */
const wgradFinish = `
(func $wgrad_finish ${params('i32', 'parts', 'S', 'G', 'Ck', 'Og', 'out')}
  ${locals('i32', 'gg', 'o', 'r', 'sp', 'stride', 'src')} (local $v f32)
  ${s('stride', f4(mul(mul(g('G'), g('Ck')), g('Og'))))}
  ${forRange(
    'gg',
    c(0),
    g('G'),
    c(1),
    forRange(
      'o',
      c(0),
      g('Og'),
      c(1),
      forRange(
        'r',
        c(0),
        g('Ck'),
        c(1),
        `${s('src', add(g('parts'), f4(add(mul(add(mul(g('gg'), g('Ck')), g('r')), g('Og')), g('o')))))}
         ${s('v', '(f32.const 0)')}
         ${forRange('sp', c(0), g('S'), c(1), `${s('v', `(f32.add ${g('v')} (f32.load ${g('src')}))`)} ${s('src', add(g('src'), g('stride')))}`)}
         (f32.store ${add(g('out'), f4(add(mul(add(mul(g('gg'), g('Og')), g('o')), g('Ck')), g('r'))))} ${g('v')})`,
      ),
    ),
  )})`;

/** The direct-convolution functions of one variant. */
export function directFunctions(v) {
  return [padWindow, microDirect(v), microWgrad(v), taskDirectConv, taskDirectWgrad, wgradFinish].join('\n');
}
