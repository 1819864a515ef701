/**
 * Kubernetes resource quantities (`k8s.io/apimachinery/pkg/api/resource`):
 * the one rule for memory sizes, storage sizes and CPU amounts, shared by the
 * construct checks and the AgentType CRD schema (`QUANTITY_PATTERN`).
 * Internal module.
 */
import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { fail } from './validation';

/**
 * A quantity as the API server reads it: a signed decimal number, then a
 * binary suffix (`Ki`..`Ei`), a decimal suffix (`n`, `u`, `m`, `k`, `M`..`E`)
 * or a decimal exponent (`e3`). The CRD schema uses this text as `pattern`.
 */
export const QUANTITY_PATTERN = '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?$';
const QUANTITY = new RegExp(QUANTITY_PATTERN);

/** CPU as containers are usually sized: whole millicores (`250m`) or cores (`1`, `0.5`). */
const CPU = /^(\d+m|\d+(\.\d+)?)$/;

/** Multipliers of the suffixes a memory or storage size may carry. */
const FACTORS: { readonly [suffix: string]: number } = {
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 1024,
  'Mi': 1024 ** 2,
  'Gi': 1024 ** 3,
  'Ti': 1024 ** 4,
  'Pi': 1024 ** 5,
  'Ei': 1024 ** 6,
};

/** Multipliers of the decimal suffixes below one. */
const SMALL_FACTORS: { readonly [suffix: string]: number } = { n: 1e-9, u: 1e-6, m: 1e-3 };

/**
 * The amount a quantity stands for (`500m` is 0.5, `1Ki` is 1024, `1e3` is
 * 1000), as a number (rendered manifests may hold plain numbers); undefined
 * when `value` is not a quantity. Precise enough to compare requests with limits.
 */
export function quantityValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (!isQuantity(value)) return undefined;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$/.exec(value)!;
  const suffix = m[2];
  const exponent = /^[eE]([+-]?\d+)$/.exec(suffix);
  const factor = exponent ? 10 ** Number(exponent[1]) : FACTORS[suffix] ?? SMALL_FACTORS[suffix];
  return Number(m[1]) * factor;
}

/** True when `value` is a Kubernetes quantity. */
export function isQuantity(value: unknown): value is string {
  return typeof value === 'string' && QUANTITY.test(value);
}

/** Throws `<Kind> '<path>': <field> '<value>' is not a Kubernetes quantity (<example>)` unless `value` is one. */
export function checkQuantity(kind: string, path: string, field: string, value: string, example = 'e.g. 4, 500m, 8Gi'): string {
  if (!isQuantity(value)) fail(kind, path, field, value, `is not a Kubernetes quantity (${example})`);
  return value;
}

/**
 * A memory or storage size in bytes (`512Mi` is 536870912).
 * @throws unless `value` is a quantity of a positive whole number of bytes
 */
export function checkBytes(kind: string, path: string, field: string, value: string): number {
  checkQuantity(kind, path, field, value, 'for example \'512Mi\', \'2Gi\'');
  const m = /^\+?(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(value);
  const bytes = m ? Number(m[1]) * FACTORS[m[2] ?? ''] : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    fail(kind, path, field, value, 'must be a positive whole number of bytes (for example \'512Mi\', \'2Gi\')');
  }
  return bytes;
}

/**
 * A memory size in whole mebibytes, as cdk8s-plus `Size` takes it.
 * @throws unless `value` is a positive whole number of mebibytes (`256Mi`, `1Gi`)
 */
export function checkMebibytes(kind: string, path: string, field: string, value: string): Size {
  const bytes = checkBytes(kind, path, field, value);
  if (bytes % 1024 ** 2 !== 0) {
    fail(kind, path, field, value, 'must be a whole number of mebibytes (for example \'256Mi\', \'1Gi\')');
  }
  return Size.mebibytes(bytes / 1024 ** 2);
}

/**
 * A CPU amount: millicores (`250m`) or cores (`0.5`, `2`).
 * @throws unless `value` is such a quantity
 */
export function checkCpu(kind: string, path: string, field: string, value: string): Cpu {
  if (!isQuantity(value) || !CPU.test(value)) {
    fail(kind, path, field, value, 'is not a CPU quantity (millicores like \'250m\' or cores like \'0.5\')');
  }
  return value.endsWith('m') ? Cpu.millis(Number(value.slice(0, -1))) : Cpu.units(Number(value));
}
