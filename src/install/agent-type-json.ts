/**
 * The AgentType spec in its two spellings, and the one place that maps
 * between them: the TypeScript structs of `agent-type.ts` (what the
 * constructs take and give, in every jsii language) and the JSON of the CRD
 * (what is rendered, validated against the schema, and read back from the
 * API server).
 *
 * Nearly every field is spelled the same in both. These are not: their CRD
 * names are reserved words in a jsii language (`type` in Go, `ref` in C#),
 * so the structs name them after what they hold. The CRD does not change.
 *
 * | CRD field (JSON)               | struct property                      |
 * |--------------------------------|--------------------------------------|
 * | `spec.agent.type`              | `AgentSpec.sourceType`               |
 * | `spec.agent.code.source.type`  | `AgentCodeSourceSpec.sourceType`     |
 * | `spec.agent.code.source.ref`   | `AgentCodeSourceSpec.revision`       |
 * | `spec.memory.type`             | `MemorySpec.backendType`             |
 * | `spec.llm.providers[].type`    | `LlmProviderSpec.providerType`       |
 *
 * And the quantities of `spec.scaling.metrics[]` (the `averageValue` and
 * `value` of each metric's `target`) are `k8s.Quantity` objects in the
 * structs, strings or numbers in JSON.
 */
import { k8s } from 'cdk8s-plus-28';

/** A field whose struct property is named otherwise than its CRD field. */
interface RenamedField {
  /** Path of the object holding it, from `spec`; `*` is every element of a list. */
  readonly at: readonly string[];
  /** The struct holding the property. */
  readonly struct: string;
  /** Name of the struct property. */
  readonly property: string;
  /** Name of the CRD field. */
  readonly field: string;
}

/** Every field spelled differently in the structs and in the CRD. */
export const RENAMED_FIELDS: readonly RenamedField[] = [
  { at: ['agent'], struct: 'AgentSpec', property: 'sourceType', field: 'type' },
  { at: ['agent', 'code', 'source'], struct: 'AgentCodeSourceSpec', property: 'sourceType', field: 'type' },
  { at: ['agent', 'code', 'source'], struct: 'AgentCodeSourceSpec', property: 'revision', field: 'ref' },
  { at: ['memory'], struct: 'MemorySpec', property: 'backendType', field: 'type' },
  { at: ['llm', 'providers', '*'], struct: 'LlmProviderSpec', property: 'providerType', field: 'type' },
];

/** Objects whose `averageValue` and `value` are quantities: the target of any metric source (`resource`, `pods`, ...). */
const QUANTITY_TARGET = ['scaling', 'metrics', '*', '*', 'target'];
const QUANTITY_KEYS = ['averageValue', 'value'];

type Direction = 'toJson' | 'fromJson';

/**
 * The CRD's JSON of a spec given as the structs (`AgentTypeSpec`): a deep copy, with the
 * renamed fields under their CRD names and the quantities as their values.
 * `undefined` fields are left out, as `JSON.stringify` leaves them out.
 * @param owner the construct the spec belongs to, e.g. `AgentType 'chart/web'`, for the message
 * @throws `<owner>: spec.<path>.<field> ...` if an object holds a renamed field by its CRD name
 *   (e.g. `type` in `agent`, from JavaScript): the struct property is the only spelling taken
 */
export function agentTypeSpecToJson(spec: unknown, owner: string): any {
  const json = JSON.parse(JSON.stringify(spec ?? null, (_key, value) => (value instanceof k8s.Quantity ? value.value : value)));
  return renamed(json, [], 'spec', 'toJson', owner);
}

/**
 * The structs of a spec given as the CRD's JSON (e.g. an AgentType read from
 * the API server): a deep copy, with the renamed fields under their struct
 * names and the metric targets' quantities as `k8s.Quantity` objects.
 * Nothing else is checked: validate the manifest for that.
 * @typeParam S the struct of the spec, `AgentTypeSpec` (a parameter, so that
 *   this module does not import agent-type.ts, which imports it)
 * @param owner the resource the spec belongs to, e.g. `AgentType 'agents/web'`, for the message
 * @throws `<owner>: spec.<path>.<property> ...` if an object holds a renamed field by its struct
 *   name, which is no field of the CRD
 */
export function agentTypeSpecFromJson<S>(json: unknown, owner: string): S {
  return renamed(JSON.parse(JSON.stringify(json ?? null)), [], 'spec', 'fromJson', owner);
}

/**
 * A copy of the plain JSON `value` at `path` (list elements as `*`; `shown`
 * for messages, e.g. `spec.llm.providers[0]`) with the keys renamed in
 * `direction`, keys kept in their order.
 */
function renamed(value: any, path: readonly string[], shown: string, direction: Direction, owner: string): any {
  if (Array.isArray(value)) return value.map((element, i) => renamed(element, [...path, '*'], `${shown}[${i}]`, direction, owner));
  if (value === null || typeof value !== 'object') return value;
  const here = RENAMED_FIELDS.filter(r => matches(r.at, path));
  const quantities = direction === 'fromJson' && matches(QUANTITY_TARGET, path);
  const copy: { [key: string]: any } = {};
  for (const [key, element] of Object.entries(value)) {
    const rename = here.find(r => (direction === 'toJson' ? r.property : r.field) === key);
    const misnamed = here.find(r => (direction === 'toJson' ? r.field : r.property) === key);
    if (misnamed) throw new Error(`${owner}: ${misnamedMessage(misnamed, shown, direction)}`);
    const name = rename ? (direction === 'toJson' ? rename.field : rename.property) : key;
    copy[name] = quantities && QUANTITY_KEYS.includes(key) ? quantity(element) : renamed(element, [...path, key], `${shown}.${key}`, direction, owner);
  }
  return copy;
}

function misnamedMessage(r: RenamedField, at: string, direction: Direction): string {
  return direction === 'toJson'
    ? `${at}.${r.field} is the AgentType CRD's name of ${r.struct}.${r.property}: give it as '${r.property}'`
    : `${at}.${r.property} is not a field of the AgentType CRD (${r.struct}.${r.property} is the CRD's '${r.field}')`;
}

/** True when the concrete `path` (list elements as `*`) is the pattern `at` (`*` also matches any key). */
function matches(at: readonly string[], path: readonly string[]): boolean {
  return at.length === path.length && at.every((segment, i) => segment === '*' || segment === path[i]);
}

/** A quantity of JSON as a `k8s.Quantity`; anything else as it is (the schema judges it). */
function quantity(value: unknown): unknown {
  if (typeof value === 'string') return k8s.Quantity.fromString(value);
  if (typeof value === 'number') return k8s.Quantity.fromNumber(value);
  return value;
}
