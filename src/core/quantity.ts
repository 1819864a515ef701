/**
 * Kubernetes resource quantities (`k8s.io/apimachinery/pkg/api/resource`):
 * the one rule for memory sizes, storage sizes and CPU amounts, shared by the
 * construct checks and the AgentType CRD schema (`QUANTITY_PATTERN`).
 * Internal module.
 */
import { Size, SizeRoundingBehavior } from 'cdk8s';
import { ContainerResources, Cpu } from 'cdk8s-plus-28';
import { fail } from './validation';

/**
 * A resource amount as the API server reads it: a decimal number that is not
 * negative (requests, limits, quotas and sizes may not be), then a binary
 * suffix (`Ki`..`Ei`), a decimal suffix (`n`, `u`, `m`, `k`, `M`..`E`) or a
 * decimal exponent (`e3`). The CRD schema uses this text as `pattern`.
 */
export const QUANTITY_PATTERN = '^\\+?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?$';
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

/** True when `value` is a Kubernetes quantity that is not negative (a resource amount). */
export function isQuantity(value: unknown): value is string {
  return typeof value === 'string' && QUANTITY.test(value);
}

/**
 * Checks a resource amount (requests, limits, quotas, sizes): a Kubernetes
 * quantity that is not negative, as the API server requires of each of them.
 * @throws `<Kind> '<path>': <field> '<value>' is not a Kubernetes quantity (<example>)`, or `... must not be negative`
 */
export function checkQuantity(kind: string, path: string, field: string, value: string, example = 'e.g. 4, 500m, 8Gi'): string {
  const problem = quantityProblem(value);
  if (problem !== undefined) fail(kind, path, field, value, problem === NEGATIVE ? problem : `${problem} (${example})`);
  return value;
}

const NEGATIVE = 'must not be negative';

/**
 * Why `value` is not a resource amount (a non-negative Kubernetes quantity),
 * undefined when it is one: `must not be negative` or `is not a Kubernetes quantity`.
 * Rendered manifests may hold numbers (`cpu: 1`): a finite non-negative number is one.
 */
export function quantityProblem(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text === 'string' && text.startsWith('-') && isQuantity(text.slice(1))) return NEGATIVE;
  return isQuantity(text) ? undefined : 'is not a Kubernetes quantity';
}

/** Decimal exponents of the suffixes; binary suffixes are powers of 1024. */
const DECIMAL_EXPONENTS: { readonly [suffix: string]: number } = { 'n': -9, 'u': -6, 'm': -3, '': 0, 'k': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18 };
const BINARY_POWERS: { readonly [suffix: string]: number } = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

/** A quantity as `sign * digits * 10^exponent` (binary suffixes multiplied into `digits`). */
interface ExactQuantity {
  readonly digits: bigint;
  readonly exponent: number;
}

function exactQuantity(value: string): ExactQuantity {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(value)!;
  const suffix = m[4];
  let digits = BigInt(`${m[1] === '-' ? '-' : ''}${m[2] || '0'}${m[3] ?? ''}`);
  let exponent = -(m[3] ?? '').length;
  if (suffix in BINARY_POWERS) digits *= 1024n ** BigInt(BINARY_POWERS[suffix]);
  else if (suffix in DECIMAL_EXPONENTS) exponent += DECIMAL_EXPONENTS[suffix];
  else exponent += Number(suffix.slice(1));
  return { digits, exponent };
}

/**
 * Compares two Kubernetes quantities exactly (`1` and `1000m` are equal,
 * `1Gi` is more than `1G`), as the API server compares a request with its limit.
 * @returns a negative number, 0 or a positive number as `a` is less than, equal to or more than `b`
 */
export function compareQuantities(a: string, b: string): number {
  const x = exactQuantity(a);
  const y = exactQuantity(b);
  if (x.digits === 0n || y.digits === 0n || (x.digits < 0n) !== (y.digits < 0n)) return Number(x.digits > y.digits) - Number(x.digits < y.digits);
  // Same sign, both non-zero: compare orders of magnitude first, so no huge power of ten is built.
  const magnitude = (q: ExactQuantity) => q.digits.toString().replace('-', '').length + q.exponent;
  const sign = x.digits < 0n ? -1 : 1;
  if (magnitude(x) !== magnitude(y)) return magnitude(x) > magnitude(y) ? sign : -sign;
  const low = Math.min(x.exponent, y.exponent);
  const scaled = (q: ExactQuantity) => q.digits * 10n ** BigInt(q.exponent - low);
  return Number(scaled(x) > scaled(y)) - Number(scaled(x) < scaled(y));
}

/**
 * Checks that a request is at most its limit (both quantities already
 * checked), as the API server does for every container resource.
 * @throws `<Kind> '<path>': <requestField> '<request>' is more than <limitField> '<limit>'`
 */
export function checkRequestWithinLimit(kind: string, path: string, requestField: string, request: string, limitField: string, limit: string): void {
  if (compareQuantities(request, limit) > 0) fail(kind, path, requestField, request, `is more than ${limitField} '${limit}'`);
}

/** A cdk8s `Size` as a quantity string in mebibytes, as cdk8s-plus renders memory (`512Mi`). */
function sizeQuantity(size: Size): string {
  return `${size.toMebibytes({ rounding: SizeRoundingBehavior.NONE })}Mi`;
}

/**
 * Checks cdk8s-plus `ContainerResources` (`resources` of a container): every
 * CPU amount a non-negative quantity, and each request at most its limit
 * (cpu, memory, ephemeral storage).
 * @param field the prop, e.g. `resources`: errors name `resources.cpu.request`
 * @throws naming the field and the value
 */
export function checkContainerResources(kind: string, path: string, field: string, resources: ContainerResources): ContainerResources {
  const cpu = resources.cpu;
  const cpuRequest = cpu?.request && checkQuantity(kind, path, `${field}.cpu.request`, cpu.request.amount, 'e.g. 250m or 1');
  const cpuLimit = cpu?.limit && checkQuantity(kind, path, `${field}.cpu.limit`, cpu.limit.amount, 'e.g. 250m or 1');
  if (cpuRequest && cpuLimit) checkRequestWithinLimit(kind, path, `${field}.cpu.request`, cpuRequest, `${field}.cpu.limit`, cpuLimit);
  for (const resource of ['memory', 'ephemeralStorage'] as const) {
    const { request, limit } = resources[resource] ?? {};
    if (request && limit) {
      checkRequestWithinLimit(kind, path, `${field}.${resource}.request`, sizeQuantity(request), `${field}.${resource}.limit`, sizeQuantity(limit));
    }
  }
  return resources;
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
