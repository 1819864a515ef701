/**
 * A corpus of AgentType manifests generated from the AgentType schema itself
 * (`agentTypeOpenApiSchema()`), to compare the library's verdict with the API
 * server's. Nothing is hand-picked: every case comes from a walk of the schema
 * (each field's type, enum, pattern, format, bounds, required fields, list
 * types, unknown fields, null), from the fields each CEL rule reads (every
 * combination of absent / present values), or from a fast-check generator of
 * valid specs with a fixed seed.
 *
 * Pure (no control plane): the test sends the cases to the server.
 */
import fc from 'fast-check';
import {
  HTTP_PATH_PATTERN, HTTP_URL_PATTERN, METRIC_NAME_PATTERN, SCRAPE_INTERVAL_PATTERN, agentTypeOpenApiSchema,
} from '../../../src/install/agent-type-schema';

/** One generated manifest. */
export interface CorpusCase {
  /** Unique, readable: what was done to which field. */
  readonly id: string;
  /** The field or CEL rule the case is about (`spec.memory.size`, `spec.scaling rule 0: ...`), or `random valid spec`. */
  readonly category: string;
  /** What is done to it: `type`, `enum`, `pattern`, `format`, `maxLength`, `bounds`, `required x`, `unknown-field`, `null`, `CEL rule`, ... */
  readonly keyword: string;
  /** `create`: POSTed as a new object; `status`: PUT to the status subresource of an existing one (create drops status). */
  readonly target: 'create' | 'status';
  /** The whole manifest; `metadata.name` is set by the test. */
  readonly manifest: any;
  /** The field the case changes and the value it puts there (schema-walk cases only). */
  readonly field?: Field;
  readonly value?: unknown;
}

/** A field of the schema: its path from the manifest root (`[]` for "every item of the list") and its schema node. */
export interface Field {
  readonly path: readonly string[];
  readonly node: any;
}

/** Image fields: the library holds them to its image rule too, so their samples are image references. */
const IMAGE_SAMPLES = ['registry.example.com/agents/agent:1.0', 'nginx:1.27', 'python:3.12-slim', 'ghcr.io/acme/tool@sha256:' + 'a'.repeat(64)];

const isFreeForm = (node: any): boolean => node?.['x-kubernetes-preserve-unknown-fields'] === true;
const display = (path: readonly string[]): string => path.join('.').replace(/\.\[\]/g, '[]');

/** Every field of the schema below the root, parents before children (metadata, apiVersion and kind are the server's). */
export function schemaFields(schema: any = agentTypeOpenApiSchema()): Field[] {
  const out: Field[] = [];
  const walk = (node: any, path: string[]): void => {
    if (path.length > 0) out.push({ path, node });
    if (node.type === 'object' && node.properties && !isFreeForm(node)) {
      for (const [k, child] of Object.entries<any>(node.properties)) {
        if (path.length === 0 && ['apiVersion', 'kind', 'metadata'].includes(k)) continue;
        walk(child, [...path, k]);
      }
    }
    if (node.type === 'array' && node.items) walk(node.items, [...path, '[]']);
  };
  walk(schema, []);
  return out;
}

/** A string the schema node accepts (enum, default, pattern, format), plain otherwise. */
function sampleString(node: any, key: string): string {
  if (node.enum) return node.enum[0];
  if (node.default !== undefined) return node.default;
  if (key === 'image') return IMAGE_SAMPLES[0];
  if (node.format === 'date-time') return '2024-01-02T03:04:05Z';
  const byPattern: Record<string, string> = {
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': 'agent-a1',
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$': 'llm.creds-1',
    '^[-._a-zA-Z][-._a-zA-Z0-9]*$': 'LOG_LEVEL',
    '^\\+?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?$': '1Gi',
    [METRIC_NAME_PATTERN]: 'api_latency',
    [SCRAPE_INTERVAL_PATTERN]: '30s',
    [HTTP_PATH_PATTERN]: '/metrics',
    [HTTP_URL_PATTERN]: 'http://otel-collector.monitoring:4317',
    '^[a-f0-9]{64}$': 'ab'.repeat(32), // a custom tool's sha256
    '^[A-Za-z0-9][A-Za-z0-9-]*$': 'Authorization', // an MCP server's header name
    '^[a-z][a-z0-9_]{0,31}$': 'docs', // an MCP server's name
  };
  if (node.pattern) {
    const sample = byPattern[node.pattern];
    if (sample === undefined) throw new Error(`no sample for pattern ${node.pattern}: add one`);
    return sample;
  }
  return `${key.toLowerCase()}-value`;
}

/** A value of every field the node declares, valid against the schema and the CEL rules of this schema. */
export function validSample(node: any, key = 'root'): any {
  if (isFreeForm(node)) return { note: 'kept as given', nested: { level: 2 } };
  switch (node.type) {
    case 'object': {
      const out: any = {};
      for (const [k, child] of Object.entries<any>(node.properties ?? {})) {
        if (key === 'root' && ['apiVersion', 'kind', 'metadata'].includes(k)) continue;
        out[k] = validSample(child, k);
      }
      return out;
    }
    case 'array': return [validSample(node.items, key)];
    case 'string': return sampleString(node, key);
    case 'integer': return node.minimum ?? 1;
    case 'number': return node.minimum ?? 1;
    case 'boolean': return true;
    default: throw new Error(`no sample for type ${node.type}`);
  }
}

/** The smallest valid manifest body: `spec.agent.image` only. */
export function minimalSpec(): any {
  return { agent: { image: IMAGE_SAMPLES[1] } };
}

/** `base` with the value at `path` (first item for `[]`) replaced, or removed when `value` is `REMOVE`. */
const REMOVE = Symbol('remove');
function withValue(base: any, path: readonly string[], value: any): any {
  const out = structuredClone(base);
  let cur = out;
  for (let i = 0; i < path.length - 1; i++) cur = cur[path[i] === '[]' ? 0 : path[i]];
  const last = path[path.length - 1] === '[]' ? 0 : path[path.length - 1];
  if (value === REMOVE) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else {
    cur[last] = structuredClone(value);
  }
  return out;
}

/** Values of the wrong JSON type for a schema type. */
function wrongTypes(type: string): any[] {
  const all: Record<string, any> = { string: 'text', integer: 7, number: 7.5, boolean: true, object: { a: 'b' }, array: ['x'] };
  const out = Object.entries(all).filter(([t]) => t !== type && !(type === 'number' && t === 'integer')).map(([, v]) => v);
  if (type === 'integer') out.push(2.5, '3');
  if (type === 'boolean') out.push('true', 0);
  return out;
}

/** Mutations of a valid string: what patterns and enums are about (case, separators, edges, unicode, whitespace). */
function stringMutations(valid: string): string[] {
  return [
    '', valid.toUpperCase(), valid.toLowerCase(), `-${valid}`, `${valid}-`, `${valid}.`, `.${valid}`, `${valid}_x`, `${valid} x`,
    ` ${valid}`, `${valid}\n`, `1${valid}`, `${valid}é`, `${valid}..x`, `${valid}/x`, `+${valid}`, `${valid}0`,
  ];
}

/** Timestamps around RFC 3339: each component changed once, and the forms other parsers take. */
function dateTimeMutations(): string[] {
  return [
    '2024-01-02T03:04:05Z', '2024-01-02t03:04:05z', '2024-01-02T03:04:05.123456789Z', '2024-01-02T03:04:05+01:00', '2024-01-02T03:04:05-23:59',
    '2024-01-02T03:04:05,5Z', '2024-01-02T03:04:05:5Z', '2024-01-02T03:04:05+0100', '2024-01-02T03:04:05', '2024-01-02 03:04:05Z',
    '2024-01-02', '2024-01-02T03:04Z', '2024-01-02T24:00:00Z', '2024-01-02T23:60:00Z', '2024-01-02T23:59:60Z', '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z', '2024-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-02T03:04:05+25:00', '2024-01-02T03:04:05+05:99',
    '2024-01-02T03:04:05ZT', '2024-01-02T03:04:05Ztrailing', '0000-01-01T00:00:00Z', '24-01-02T03:04:05Z', '2024-1-2T3:4:5Z',
  ];
}

/** The cases of one field, each a `[keyword, value]` (value `REMOVE` for a missing field). */
function fieldValues(field: Field, valid: any): Array<[string, any]> {
  const { node } = field;
  const key = field.path[field.path.length - 1];
  // (the valid value itself is the base manifest's: one case, 'every field valid')
  const out: Array<[string, any]> = [['null', null]];
  if (!isFreeForm(node)) for (const v of wrongTypes(node.type)) out.push(['type', v]);
  if (node.type === 'string') {
    if (node.enum) for (const e of node.enum) out.push(['enum', e]);
    const kw = node.enum ? 'enum' : node.pattern ? 'pattern' : node.format ? 'format' : key === 'image' ? 'image' : 'string';
    if (node.format === 'date-time') for (const v of dateTimeMutations()) out.push([kw, v]);
    else for (const v of stringMutations(valid)) out.push([kw, v]);
    if (key === 'image') for (const v of IMAGE_SAMPLES.slice(1)) out.push([kw, v]);
    // a key-shaped value: the library refuses credentials anywhere, the server has no such rule
    if (!node.enum && !node.pattern && !node.format) out.push(['credential', ['sk', 'ant', 'api03', 'Zx7'.repeat(12)].join('-')]);
    if (node.maxLength !== undefined) {
      for (const n of [node.maxLength - 1, node.maxLength, node.maxLength + 1]) out.push(['maxLength', 'a'.repeat(n)]);
    }
  }
  if (node.type === 'integer' || node.type === 'number') {
    for (const bound of [node.minimum, node.maximum].filter((b) => b !== undefined)) {
      for (const v of [bound - 1, bound, bound + 1]) out.push(['bounds', v]);
    }
    out.push(['bounds', 0], ['bounds', -1]);
  }
  if (node.type === 'array') arrayValues(node, valid, out);
  if (node.type === 'object') objectValues(node, valid, out);
  return out;
}

function arrayValues(node: any, valid: any[], out: Array<[string, any]>): void {
  out.push(['items', []], ['items', [valid[0], null]], ['items', [...valid, ...wrongTypes(node.items.type).slice(0, 1)]]);
  const listType = node['x-kubernetes-list-type'];
  if (listType === 'set' || listType === 'map') out.push(['list-type', [valid[0], valid[0]]]);
  if (listType === 'set') out.push(['list-type', [valid[0], `${valid[0]}-2`]], ['list-type', ['a', 'A']]);
  if (listType === 'map') {
    for (const k of node['x-kubernetes-list-map-keys']) {
      const other = { ...valid[0] };
      for (const f of Object.keys(other)) if (f !== k && typeof other[f] === 'string' && !node.items.properties[f].enum) other[f] = `${other[f]}-2`;
      out.push(['list-type', [valid[0], other]]);
      out.push(['list-type', [valid[0], { ...valid[0], [k]: `${valid[0][k]}-2` }]]);
    }
  }
}

function objectValues(node: any, valid: any, out: Array<[string, any]>): void {
  if (isFreeForm(node)) {
    out.push(['free-form', {}], ['free-form', { deep: { list: [1, 'two', null, { three: true }] }, empty: null }], ['free-form', 'text']);
    return;
  }
  out.push(['unknown-field', { ...valid, bogusField: 'x' }], ['unknown-field', { ...valid, BogusCase: { a: 1 } }], ['empty', {}]);
  for (const r of node.required ?? []) {
    const missing = { ...valid };
    delete missing[r];
    out.push([`required ${r}`, missing]);
  }
}

/** The fields a CEL rule reads from `self` (`self.x`), in order of appearance. */
export function ruleFields(rule: string): string[] {
  return [...new Set([...rule.matchAll(/self\.([A-Za-z_]\w*)/g)].map((m) => m[1]))];
}

/** Values a field a rule reads can take: absent, then its enum values, or integers around each other, or a valid sample. */
function ruleValues(node: any, key: string): any[] {
  if (node.enum) return [REMOVE, ...node.enum];
  if (node.type === 'integer') return [REMOVE, 1, 2, 3];
  return [REMOVE, validSample(node, key)];
}

/** Every combination of the values of the fields a rule reads, on the valid object with those fields removed. */
function ruleCases(field: Field, valid: any, base: any): CorpusCase[] {
  const out: CorpusCase[] = [];
  (field.node['x-kubernetes-validations'] ?? []).forEach((v: { rule: string }, n: number) => {
    const names = ruleFields(v.rule);
    let combos: any[] = [{ ...valid }];
    for (const name of names) delete combos[0][name];
    for (const name of names) {
      combos = combos.flatMap((c) => ruleValues(field.node.properties[name], name).map((value) => {
        const next = { ...c };
        if (value !== REMOVE) next[name] = value;
        return next;
      }));
    }
    combos.forEach((obj, i) => out.push({
      id: `${display(field.path)} rule ${n} #${i} ${JSON.stringify(names.map((k) => obj[k] === undefined ? '-' : (typeof obj[k] === 'object' ? '{..}' : obj[k])))}`,
      category: `${display(field.path)} rule ${n}: ${v.rule}`,
      keyword: 'CEL rule',
      target: 'create',
      manifest: withValue(base, field.path, obj),
    }));
  });
  return out;
}

/**
 * The schema-walk cases. Each field is changed inside a manifest where every
 * other field holds a valid value (`validSample`), so a refusal is about that
 * field; `status` fields go to the status subresource.
 */
export function schemaCases(): CorpusCase[] {
  const schema = agentTypeOpenApiSchema();
  // validSample fills every field: an MCP server with both url and command breaks its CEL rules.
  const base = validSample(schema);
  satisfyMcpRules(base.spec);
  satisfyProductionRules(base.spec);
  const out: CorpusCase[] = [
    { id: 'every field valid', category: '<root>', keyword: 'valid', target: 'create', manifest: base },
    { id: 'minimal', category: '<root>', keyword: 'valid', target: 'create', manifest: { spec: minimalSpec() } },
  ];
  for (const [kw, value] of objectCasesOfRoot(base)) {
    out.push({ id: `<root> ${kw}`, category: '<root>', keyword: kw, target: 'create', manifest: value });
  }
  for (const field of schemaFields(schema)) {
    const valid = field.path.reduce((cur: any, k) => cur?.[k === '[]' ? 0 : k], base);
    // A field the base leaves out to keep a rule (a remote MCP server's command, args and env) has cases in its CEL rule's only.
    if (valid === undefined) continue;
    const target = field.path[0] === 'status' ? 'status' : 'create';
    const seen = new Set<string>();
    for (const [kw, value] of fieldValues(field, valid)) {
      const key = JSON.stringify(value === REMOVE ? '<removed>' : value);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        id: `${display(field.path)} ${kw} ${key.length > 60 ? `${key.slice(0, 57)}...` : key}`,
        category: display(field.path),
        keyword: kw,
        target,
        manifest: withValue(base, field.path, value),
        field,
        value,
      });
    }
    if (field.node.type === 'object') out.push(...ruleCases(field, valid, base));
  }
  return uniqueIds(out);
}

/** Ids made unique with a ` (2)`, ` (3)`, ... suffix where two cases print alike. */
function uniqueIds(cases: CorpusCase[]): CorpusCase[] {
  const seen = new Map<string, number>();
  return cases.map((c) => {
    const n = (seen.get(c.id) ?? 0) + 1;
    seen.set(c.id, n);
    return n === 1 ? c : { ...c, id: `${c.id} (${n})` };
  });
}

/**
 * `metadata` (ObjectMeta, which the CRD schema may not describe): the name,
 * label keys and values, annotation keys and values, changed as the schema
 * fields are (mutations, lengths around the limits, wrong types), and fields
 * ObjectMeta does not have. Checked by the server's `ValidateObjectMeta`.
 */
export function metadataCases(): CorpusCase[] {
  const spec = { agent: { image: IMAGE_SAMPLES[1] } };
  const values: Array<[string, string, any]> = [];
  for (const v of [...stringMutations('agent-a1'), 'a'.repeat(253), 'a'.repeat(254), `${'a'.repeat(63)}.${'b'.repeat(63)}`, 'a'.repeat(64), 'a.b', 7]) {
    values.push(['metadata.name', 'name', { name: v }]);
  }
  values.push(['metadata.generateName', 'name', { name: undefined, generateName: 'agent-' }]);
  for (const key of [...stringMutations('tier'), 'app.kubernetes.io/name', 'App.Kubernetes.io/name', 'example.com/', '/name', 'a/b/c', `${'a'.repeat(254)}/n`, 'a'.repeat(63), 'a'.repeat(64)]) {
    values.push(['metadata.labels', 'label key', { labels: { [key]: 'web' } }]);
    values.push(['metadata.annotations', 'annotation key', { annotations: { [key]: 'free text: any' } }]);
  }
  for (const v of [...stringMutations('web'), 'a'.repeat(63), 'a'.repeat(64), 7, null]) values.push(['metadata.labels', 'label value', { labels: { tier: v } }]);
  for (const v of ['', 'multi\nline ✓', 'x'.repeat(10000), 7, true, null]) values.push(['metadata.annotations', 'annotation value', { annotations: { note: v } }]);
  for (const [k, v] of [['bogusField', 'x'], ['labels', 'tier=web'], ['annotations', ['x']], ['finalizers', ['example.com/cleanup']], ['finalizers', 'x'], ['generation', 'two']] as const) {
    values.push(['metadata', 'field', { [k]: v }]);
  }
  return uniqueIds(values.map(([category, keyword, metadata]) => ({
    id: `${category} ${keyword} ${JSON.stringify(metadata).slice(0, 70)}`,
    category,
    keyword,
    target: 'create' as const,
    manifest: { metadata, spec },
  })));
}

function objectCasesOfRoot(base: any): Array<[string, any]> {
  const { spec, ...noSpec } = base;
  return [['required spec', noSpec], ['unknown-field', { ...base, bogusField: 1 }]];
}

// ---------------------------------------------------------------------------
// Random valid specs (fast-check)
// ---------------------------------------------------------------------------

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const word = fc.string({ unit: fc.constantFrom(...LOWER), minLength: 1, maxLength: 12 });
/** Free text: printable words, spaces and a few non-ASCII letters (never key-shaped: no long runs of mixed case and digits). */
const text = fc.array(fc.oneof(word, fc.constantFrom(' ', 'é', '✓', '/', ':', '.', '-')), { maxLength: 6 }).map((a) => a.join(''));
const imageRef = fc.tuple(fc.constantFrom('', 'registry.example.com/', 'ghcr.io/acme/', 'localhost:5000/'), word, fc.constantFrom(':1.0', ':latest', '', ':3.12-slim'))
  .map(([r, n, t]) => `${r}${n}${t}`);
const jsonLeaf = fc.oneof(text, fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null));
const jsonValue = fc.oneof(jsonLeaf, fc.dictionary(word, jsonLeaf, { maxKeys: 3 }), fc.array(jsonLeaf, { maxLength: 3 }));
const freeForm = fc.dictionary(word, jsonValue, { maxKeys: 4 });

/** An arbitrary of the values a schema node accepts (CEL rules and the agent's anyOf are fixed up by `validSpec`). */
function arbitraryOf(node: any, key: string): fc.Arbitrary<any> {
  if (isFreeForm(node)) return freeForm;
  switch (node.type) {
    case 'object': {
      const props = Object.fromEntries(Object.entries<any>(node.properties ?? {}).map(([k, child]) => [k, arbitraryOf(child, k)]));
      return fc.record(props, { requiredKeys: node.required ?? [] });
    }
    case 'array': {
      const listType = node['x-kubernetes-list-type'];
      const item = arbitraryOf(node.items, key);
      if (listType === 'map') return fc.uniqueArray(item, { maxLength: 3, selector: (i: any) => i[node['x-kubernetes-list-map-keys'][0]] });
      if (listType === 'set') return fc.uniqueArray(item, { maxLength: 4 });
      return fc.array(item, { maxLength: 3 });
    }
    case 'string':
      if (node.enum) return fc.constantFrom(...node.enum);
      if (key === 'image') return imageRef;
      if (node.format === 'date-time') {
        return fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
      }
      if (node.pattern) return fc.stringMatching(new RegExp(node.pattern)).filter((s) => s.length <= (node.maxLength ?? 100));
      return text;
    case 'integer': return fc.integer({ min: node.minimum ?? -1000, max: node.maximum ?? 1000 });
    case 'boolean': return fc.boolean();
    default: throw new Error(`no arbitrary for type ${node.type}`);
  }
}

/**
 * `spec` changed so that the CEL rules of monitoring and security hold:
 * scrape settings with `enabled: true`, no `allowedNamespaces` beside
 * `enabled: false`, one pod user id, `runAsNonRoot` true, a metrics port
 * other than the agent's port.
 */
function satisfyProductionRules(spec: any): any {
  const m = spec.monitoring;
  if (m && ['metricsPort', 'metricsPath', 'serviceMonitor', 'scrapeInterval', 'scrapeNamespaces', 'metrics'].some((k) => m[k] !== undefined)) m.enabled = true;
  if (m && m.metricsPort !== undefined && m.metricsPort === spec.agent?.port) m.metricsPort = (m.metricsPort % 65535) + 1;
  const policy = spec.security?.networkPolicy;
  if (policy && policy.enabled === false) delete policy.allowedNamespaces;
  const context = spec.security?.podSecurityContext;
  if (context) {
    if (context.runAsNonRoot !== undefined) context.runAsNonRoot = true;
    const uid = context.runAsUser ?? context.runAsGroup ?? context.fsGroup;
    for (const k of ['runAsUser', 'runAsGroup', 'fsGroup']) if (context[k] !== undefined || (k === 'runAsUser' && uid !== undefined)) context[k] = uid;
  }
  return spec;
}

/**
 * `spec` changed so that the CEL rules of each MCP server hold: a remote one
 * (with `url`) has no command, args or env and a transport other than stdio;
 * a stdio one (without `url`) has a command and no headers.
 */
function satisfyMcpRules(spec: any): any {
  for (const server of spec.tools?.mcpServers ?? []) {
    if (server.url !== undefined) {
      for (const k of ['command', 'args', 'env']) delete server[k];
      if (server.transport === 'stdio') delete server.transport;
    } else {
      server.command ??= 'npx';
      delete server.headers;
      if (server.transport !== undefined) server.transport = 'stdio';
    }
  }
  return spec;
}

/** Valid specs: the schema's arbitrary, with the agent given something to run and the CEL rules satisfied. */
export function validSpec(): fc.Arbitrary<any> {
  return arbitraryOf(agentTypeOpenApiSchema().properties.spec, 'spec').map((spec) => {
    const agent = spec.agent;
    if (agent.container && agent.container.image === undefined) agent.container.image = IMAGE_SAMPLES[2];
    if (!agent.image && !agent.container && !agent.code) agent.image = IMAGE_SAMPLES[1];
    if (agent.type === 'code' && !agent.code) agent.code = { runtime: 'python' };
    const s = spec.scaling;
    if (s && s.minReplicas !== undefined && s.maxReplicas !== undefined && s.minReplicas > s.maxReplicas) {
      [s.minReplicas, s.maxReplicas] = [s.maxReplicas, s.minReplicas];
    }
    return satisfyMcpRules(satisfyProductionRules(spec));
  });
}

/** `count` random valid specs, the same ones for the same seed. */
export function randomCases(seed: number, count: number): CorpusCase[] {
  return fc.sample(validSpec(), { seed, numRuns: count }).map((spec, i) => ({
    id: `random #${i} (seed ${seed})`, category: 'random valid spec', keyword: 'random', target: 'create', manifest: { spec },
  }));
}
