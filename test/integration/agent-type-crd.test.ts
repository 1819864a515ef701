/**
 * The AgentType CRD on a real API server, and the library's verdict on
 * AgentTypes against the server's.
 *
 * 1. The CRD `AgentTypeCrd` renders (default and custom group) installs with
 *    server-side apply with no warning, is Established and NamesAccepted with
 *    no NonStructuralSchema condition; a minimal AgentType comes back with
 *    the schema's defaults.
 * 2. A corpus generated from the schema (support/agent-type-corpus.ts: every
 *    field's type, enum, pattern, format, bounds, required fields, list
 *    types, unknown fields and null; every combination of the fields each CEL
 *    rule reads; random valid specs from fast-check with a fixed seed) is
 *    judged by `validateAgentTypeManifest` and by the server's admission
 *    (dry-run create, or dry-run update of the status subresource for status
 *    fields, with strict field validation). The verdicts must agree; the only
 *    difference allowed is the library's own policy on top of the schema
 *    (image references, credentials), which the server has no rule for.
 */
import { App, Chart } from 'cdk8s';
import { CorpusCase, metadataCases, randomCases, schemaCases } from './support/agent-type-corpus';
import { api, kubectl, kubectlOk, waitFor } from './support/cluster';
import { manifestProblems } from '../../src/core/manifest-check';
import { AgentTypeCrd } from '../../src/install/agent-type-crd';
import { agentTypeOpenApiSchema, DEFAULT_GROUP, validateAgentTypeManifest } from '../../src/install/agent-type-schema';

const GROUPS = [DEFAULT_GROUP, 'ai.mycorp.io'];
const NAMESPACE = 'agent-type-corpus';
const FIELD_MANAGER = 'cdk8s-agents-integration';
const SEED = 20261201;
const RANDOM_CASES = 80;
const STATUS_BASE = 'status-base';

/** The CustomResourceDefinition `AgentTypeCrd` synthesizes for `group`. */
function renderCrd(group: string): any {
  const chart = new Chart(new App(), 'crd');
  new AgentTypeCrd(chart, 'crd', { group });
  const [crd] = chart.toJson();
  return crd;
}

const agentTypes = (group: string): string => `/apis/${group}/v1/namespaces/${NAMESPACE}/agenttypes`;

async function getJson(path: string): Promise<any> {
  const response = await api('GET', path);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.body}`);
  return JSON.parse(response.body);
}

const crdConditions = async (name: string): Promise<any[]> =>
  (await getJson(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)).status?.conditions ?? [];

const isTrue = (conditions: any[], type: string): boolean => conditions.some((c) => c.type === type && c.status === 'True');

/** The object with every absent field that has a schema `default` set to it, as the API server defaults (recursively). */
function withDefaults(node: any, value: any): any {
  if (value === undefined || value === null) return value;
  if (node.type === 'array' && Array.isArray(value)) return value.map((item) => withDefaults(node.items, item));
  if (node.type !== 'object' || typeof value !== 'object') return value;
  const out = { ...value };
  for (const [k, child] of Object.entries<any>(node.properties ?? {})) {
    if (out[k] === undefined && child.default !== undefined) out[k] = structuredClone(child.default);
    if (out[k] !== undefined) out[k] = withDefaults(child, out[k]);
  }
  return out;
}

beforeAll(() => {
  const crds = GROUPS.map(renderCrd);
  const result = kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds }));
  if (result.status !== 0 || result.warnings.length > 0) throw new Error(`the CRDs were not applied cleanly:\n${result.stderr}`);
  kubectlOk(['create', 'namespace', NAMESPACE]);
});

afterAll(() => {
  kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
  for (const group of GROUPS) kubectl(['delete', 'customresourcedefinition', `agenttypes.${group}`, '--wait=false']);
});

describe('the AgentType CRD on kube-apiserver', () => {
  test.each(GROUPS)('group %s: applied with no warning (no cost-budget complaint), Established, NamesAccepted, structural', async (group) => {
    const crd = renderCrd(group);
    // a second apply of the same object: the server's warnings (cost estimates, unknown formats, ...) come with every write
    const again = kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], JSON.stringify(crd));
    expect(again.status).toBe(0);
    expect(again.warnings).toEqual([]);
    expect(again.stderr).not.toMatch(/cost|budget/i);
    const conditions = await waitFor(`agenttypes.${group} Established and NamesAccepted`, 60, async () => {
      const c = await crdConditions(crd.metadata.name);
      return isTrue(c, 'Established') && isTrue(c, 'NamesAccepted') ? c : undefined;
    });
    expect(conditions.map((c) => c.type)).not.toContain('NonStructuralSchema');
    const stored = await getJson(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    // the rules and defaults are kept as rendered: nothing the server dropped or rewrote
    expect(stored.spec.versions[0].schema.openAPIV3Schema).toEqual(crd.spec.versions[0].schema.openAPIV3Schema);
    expect(stored.status.acceptedNames.kind).toBe('AgentType');
  });

  test.each(GROUPS)('group %s: a minimal AgentType comes back with the schema\'s defaults', async (group) => {
    const spec = { agent: { image: 'nginx:1.27' } };
    const expected = withDefaults(agentTypeOpenApiSchema().properties.spec, spec);
    expect(expected).not.toEqual(spec); // the schema has defaults to apply
    expect(expected.agent.name).toBe('agent');
    const manifest = { apiVersion: `${group}/v1`, kind: 'AgentType', metadata: { name: 'minimal' }, spec };
    expect(validateAgentTypeManifest(manifest)).toEqual([]);
    const created = await api('POST', `${agentTypes(group)}?fieldValidation=Strict`, manifest);
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body).spec).toEqual(expected);
    expect((await getJson(`${agentTypes(group)}/minimal`)).spec).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------

interface Verdict {
  readonly accepted: boolean;
  readonly problems: string[];
}

interface Judged {
  readonly c: CorpusCase;
  readonly library: Verdict;
  readonly server: Verdict;
  /**
   * `agree`; `policy`: the library refuses only for its own image/credential
   * rules, the server has none; `quirk`: the server takes a list for a string
   * with a `format` (kube-openapi's type check lets any list through when a
   * format is declared), the library keeps refusing it; or `disagree`.
   */
  readonly outcome: 'agree' | 'policy' | 'quirk' | 'disagree';
}

/** True when the case puts a list where the schema declares a string with a `format`. */
function listForFormattedString(c: CorpusCase): boolean {
  const node = c.field?.node;
  return node?.type === 'string' && node.format !== undefined && Array.isArray(c.value);
}

/** The library's own rules beyond what the server checks: image references and credentials (their messages). */
const POLICY_PROBLEM = /is not an image reference|looks like a credential|is named like a credential/;

/**
 * The library's verdict on an AgentType it would write: the AgentType schema
 * (`validateAgentTypeManifest`) and the final check every written object
 * passes (`manifestProblems`: metadata name, labels, annotations, credentials).
 */
function libraryProblems(manifest: any): string[] {
  return [...validateAgentTypeManifest(manifest), ...manifestProblems([manifest])];
}

/** The server's causes, or its message. */
function serverProblems(body: string): string[] {
  try {
    const status = JSON.parse(body);
    const causes: any[] = status.details?.causes ?? [];
    return causes.length > 0 ? causes.map((c) => `${c.field ?? ''}: ${c.message}`) : [status.message];
  } catch {
    return [body];
  }
}

async function serverVerdict(c: CorpusCase, manifest: any, resourceVersion: string): Promise<Verdict> {
  const response = c.target === 'create'
    ? await api('POST', `${agentTypes(DEFAULT_GROUP)}?dryRun=All&fieldValidation=Strict`, manifest)
    : await api('PUT', `${agentTypes(DEFAULT_GROUP)}/${STATUS_BASE}/status?dryRun=All&fieldValidation=Strict`,
      { ...manifest, metadata: { ...manifest.metadata, name: STATUS_BASE, resourceVersion } });
  if (response.status === 200 || response.status === 201) return { accepted: true, problems: [] };
  if (response.status === 400 || response.status === 422) return { accepted: false, problems: serverProblems(response.body) };
  throw new Error(`${c.id}: unexpected answer ${response.status}: ${response.body}`);
}

async function judge(c: CorpusCase, index: number, resourceVersion: string): Promise<Judged> {
  // the generated objects as they are (fast-check's have no prototype): the server gets their JSON
  const manifest = { apiVersion: `${DEFAULT_GROUP}/v1`, kind: 'AgentType', ...c.manifest, metadata: { name: `case-${index}`, ...c.manifest.metadata } };
  const problems = libraryProblems(manifest);
  const library = { accepted: problems.length === 0, problems };
  const server = await serverVerdict(c, manifest, resourceVersion);
  let outcome: Judged['outcome'] = library.accepted === server.accepted ? 'agree' : 'disagree';
  if (outcome === 'disagree' && server.accepted && problems.every((p) => POLICY_PROBLEM.test(p))) outcome = 'policy';
  if (outcome === 'disagree' && server.accepted && listForFormattedString(c)) outcome = 'quirk';
  return { c, library, server, outcome };
}

/** Counts by `key`: cases, accepted and refused by the server, refused by the library only by design, disagreements. */
function table(judged: Judged[], key: (j: Judged) => string): string[] {
  const rows = new Map<string, number[]>();
  for (const j of judged) {
    const row = rows.get(key(j)) ?? [0, 0, 0, 0, 0];
    row[0]++;
    row[j.server.accepted ? 1 : 2]++;
    if (j.outcome === 'policy' || j.outcome === 'quirk') row[3]++;
    if (j.outcome === 'disagree') row[4]++;
    rows.set(key(j), row);
  }
  return [...rows].map(([k, r]) => `${r.map((n) => String(n).padStart(5)).join('')}  ${k}`);
}

/** The corpus size, the outcomes, and the counts per field and CEL rule, and per kind of change. */
function report(judged: Judged[], seconds: number): string {
  const total = (o: Judged['outcome']) => judged.filter((j) => j.outcome === o).length;
  const header = `${['cases', 'ok', 'bad', 'lib', 'dis'].map((h) => h.padStart(5)).join('')}  `;
  return [
    `AgentType corpus: ${judged.length} resources (${judged.filter((j) => j.c.target === 'status').length} through the status subresource); `
      + `${total('agree')} agree, ${total('policy')} refused by the library's image/credential rules only, `
      + `${total('quirk')} lists the server takes for a date-time, ${total('disagree')} disagree; ${seconds.toFixed(1)} s`,
    '(ok/bad: the server\'s verdict; lib: refused by the library only, by design; dis: disagreements)',
    `${header}field or CEL rule`,
    ...table(judged, (j) => j.c.category),
    `${header}kind of case`,
    ...table(judged, (j) => j.c.keyword.replace(/^required .*/, 'required')),
  ].join('\n');
}

function describeDisagreement(j: Judged): string {
  const verdict = (v: Verdict) => (v.accepted ? 'accepted' : `refused: ${v.problems.join(' | ')}`);
  return `- ${j.c.id} [${j.c.target}]\n  manifest: ${JSON.stringify(j.c.manifest).slice(0, 400)}\n  library: ${verdict(j.library)}\n  server:  ${verdict(j.server)}`;
}

describe('a generated corpus of AgentTypes: the library and the API server agree', () => {
  test('at least 200 resources, zero disagreements', async () => {
    const started = Date.now();
    const cases = [...schemaCases(), ...metadataCases(), ...randomCases(SEED, RANDOM_CASES)];
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const base = { apiVersion: `${DEFAULT_GROUP}/v1`, kind: 'AgentType', metadata: { name: STATUS_BASE }, spec: { agent: { image: 'nginx:1.27' } } };
    const created = await api('POST', agentTypes(DEFAULT_GROUP), base);
    expect(created.status).toBe(201);
    const resourceVersion = JSON.parse(created.body).metadata.resourceVersion;
    const judged: Judged[] = [];
    for (let i = 0; i < cases.length; i += 8) {
      judged.push(...await Promise.all(cases.slice(i, i + 8).map((c, k) => judge(c, i + k, resourceVersion))));
    }
    const text = report(judged, (Date.now() - started) / 1000);
    console.log(text);
    // every kind of case is there: fields refused and accepted by the server, rules that pass and fail, random valid specs
    expect(judged.filter((j) => j.server.accepted).length).toBeGreaterThan(100);
    expect(judged.filter((j) => !j.server.accepted).length).toBeGreaterThan(100);
    expect(judged.filter((j) => j.c.keyword === 'random').every((j) => j.server.accepted)).toBe(true);
    expect(judged.filter((j) => j.c.keyword === 'CEL rule' && j.server.accepted).length).toBeGreaterThan(0);
    expect(judged.filter((j) => j.c.keyword === 'CEL rule' && !j.server.accepted).length).toBeGreaterThan(0);
    // the library's own rules and the server's list quirk are there, and are what they are said to be
    expect(judged.filter((j) => j.outcome === 'policy').length).toBeGreaterThan(10);
    expect(judged.filter((j) => j.outcome === 'quirk').map((j) => j.c.id)).toEqual(
      judged.filter((j) => listForFormattedString(j.c) && j.c.id.includes(' type ')).map((j) => j.c.id));
    const disagreements = judged.filter((j) => j.outcome === 'disagree');
    expect(disagreements.map(describeDisagreement).join('\n')).toBe('');
  }, 600_000);
});
