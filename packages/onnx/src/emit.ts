import type { DType, Tensor } from '@tessera/tensor';
import { ATTR, type AttributeProto, type NodeProto } from './proto.js';

/** An attribute value as the exporter writes it: number arrays are INTS unless marked floats. */
export type AttrValue = number | readonly number[] | { floats: readonly number[] } | { float: number };

/** What an op's export rule may do: name inputs, add constants and nodes, get fresh value names. */
export interface EmitContext {
  readonly opset: number;
  /** A fresh value name. */
  fresh(hint: string): string;
  /** Adds an int64 constant initializer; returns its name. */
  int64(values: readonly number[], scalar?: boolean): string;
  /** Adds a scalar constant of the given dtype; returns its name. */
  scalar(value: number, dtype: DType): string;
  /** Adds a node; returns its (first) output name. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs?: Record<string, AttrValue>,
  ): string;
}

/** One recorded op to export: its inputs (tensors and value names), attrs and output names. */
export interface EmitCall {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly names: readonly string[];
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly outputs: readonly Tensor[];
  readonly outNames: readonly string[];
}

/** An op's export rule. */
export type Emitter = (ctx: EmitContext, call: EmitCall) => void;

/** Encodes exporter attribute values as AttributeProtos. */
export function toAttributes(attrs: Record<string, AttrValue>): AttributeProto[] {
  const out: AttributeProto[] = [];
  for (const [name, v] of Object.entries(attrs)) {
    if (typeof v === 'number') out.push({ name, type: ATTR.INT, i: v });
    else if (Array.isArray(v)) out.push({ name, type: ATTR.INTS, ints: [...(v as number[])] });
    else if ('floats' in v) out.push({ name, type: ATTR.FLOATS, floats: [...v.floats] });
    else out.push({ name, type: ATTR.FLOAT, f: (v as { float: number }).float });
  }
  return out;
}

/** Builds a NodeProto. */
export function makeNode(
  name: string,
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Record<string, AttrValue> = {},
): NodeProto {
  const attribute = toAttributes(attrs);
  return {
    name,
    op_type: opType,
    input: [...inputs],
    output: [...outputs],
    ...(attribute.length ? { attribute } : {}),
  };
}
