/**
 * What every property of test/property/ checks about one generated case, in
 * one place: the final output check, the error format and the secret leaks.
 *
 * The properties throw plain `Error`s (no `expect`), so bench/property.ts
 * runs them outside jest with more cases and another seed.
 */
import { App } from 'cdk8s';
import { Overlay } from '../../src';
import { manifestProblems } from '../../src/core/manifest-check';
import { AgentType } from '../../src/install/agent-type';
import { agentTypeApiVersions } from '../../src/overlay/agent-type-check';
import { checkOutput } from '../../src/overlay/output-check';
import { modelClass } from '../support/util';

/** Seed and number of cases: fixed in the test command, `PROPERTY_SEED`/`PROPERTY_RUNS` in bench/property.ts. */
export function runConfig(seed: number, numRuns: number): { seed: number; numRuns: number } {
  const envSeed = process.env.PROPERTY_SEED;
  const envRuns = process.env.PROPERTY_RUNS;
  return {
    seed: envSeed ? Number(envSeed) : seed,
    numRuns: envRuns ? Number(envRuns) : numRuns,
  };
}

/**
 * Problems of the final objects: kubernetes-models validation (the same
 * model classes the tests use), the AgentType schema for AgentTypes, the
 * library's final output check (`manifestProblems` of core/manifest-check.ts)
 * and the overlay's output check (duplicate ids, image policies).
 */
export function finalCheckProblems(objects: any[]): string[] {
  const problems: string[] = [];
  for (const m of objects) {
    const id = `${m?.apiVersion}/${m?.kind} '${m?.metadata?.name}'`;
    if (m?.kind === 'AgentType') {
      problems.push(...AgentType.validateManifest(m).map(p => `${id}: ${p}`));
      continue;
    }
    let Cls: any;
    try {
      Cls = modelClass(m);
    } catch {
      Cls = undefined;
    }
    if (!Cls) {
      problems.push(`${id}: no kubernetes-models class`);
      continue;
    }
    try {
      new Cls(m).validate();
    } catch (e) {
      problems.push(`${id}: kubernetes-models: ${(e as Error).message}`);
    }
  }
  problems.push(...manifestProblems(objects));
  try {
    checkOutput('property', objects, [], agentTypeApiVersions(objects));
  } catch (e) {
    problems.push(`output check: ${(e as Error).message}`);
  }
  return problems;
}

/** The kinds whose messages follow `Kind 'path': field ...`. */
const KINDS = new Set([
  'AgentPod', 'AgentSource', 'CodeSource', 'AgentEnvironment', 'GlueCode', 'ToolSidecar', 'MemoryProfile', 'MemoryBackend',
  'LlmProvider', 'McpServer', 'RedisMemory', 'AgentOperator', 'AgentTypeCrd', 'AgentNamespace', 'AgentType', 'Overlay', 'OverlayComponent',
  'EnvironmentPreset', 'AgentTypePreset', 'FeaturePreset', 'Patch', 'ImagePolicy',
]);
/** `Kind 'path': field ...`; an overlay names the component too: `Overlay 'prod' > OverlayComponent 'x': field ...`. */
/** `Kind 'path'`, then `> Kind 'path'` for a component, then `: ` and the field; quotes and control characters in a path are escaped (`\'`, `\n`). */
const HOUSE_FORMAT = /^([A-Z][A-Za-z0-9]*) '(?:[^'\\\n]|\\.)*'(?: > ([A-Z][A-Za-z0-9]*) '(?:[^'\\\n]|\\.)*')*: \S/;
const CDK8S_VALIDATION = 'Validation failed with the following errors:\n';

/** Why an error is not a clean one (undefined when it is): house format, and none of `secrets` repeated. */
export function errorProblem(error: unknown, secrets: string[]): string | undefined {
  if (!(error instanceof Error)) return `threw a non-Error: ${String(error)}`;
  const message = error.message;
  const leaked = secrets.filter(s => message.includes(s));
  if (leaked.length > 0) return `error message repeats secret(s) ${leaked.map(redact).join(', ')}: ${redactAll(message, secrets)}`;
  // cdk8s wraps construct validations: `[path] <message>` per line.
  const lines = message.startsWith(CDK8S_VALIDATION)
    ? message.slice(CDK8S_VALIDATION.length).split('\n  ').map(l => l.trim().replace(/^\[[^\]]*\] /, ''))
    : [message];
  for (const line of lines) {
    const m = HOUSE_FORMAT.exec(line);
    if (!m || !KINDS.has(m[1]) || (m[2] !== undefined && !KINDS.has(m[2]))) return `error not in the house format (Kind 'path': field ...): ${error.name}: ${message.slice(0, 400)}`;
  }
  return undefined;
}

/** Where each of `secrets` occurs in `objects` (any string or key): `Kind/name:/json/path`, first occurrence. */
export function leakedSecrets(objects: any[], secrets: string[]): { secret: string; at: string }[] {
  if (secrets.length === 0) return [];
  const found = new Map<string, string>();
  const visit = (value: unknown, at: string) => {
    if (typeof value === 'string') {
      for (const s of secrets) if (!found.has(s) && value.includes(s)) found.set(s, at);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        for (const s of secrets) if (!found.has(s) && k.includes(s)) found.set(s, `${at}/<key>`);
        visit(v, `${at}/${Array.isArray(value) ? '*' : k}`);
      }
    }
  };
  for (const o of objects) visit(o, `${o?.kind}:`);
  return [...found].map(([secret, at]) => ({ secret, at }));
}

const TOKEN = /(?:sk-ant-api03-|sk-proj-|sk-|ghp_|gho_|github_pat_|glpat-|AKIA|ASIA|hf_|xoxb-|AIza)[A-Za-z0-9_-]{12,}/g;
const JWT = /eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g;
const USERINFO = /:\/\/[^/\s:@]*:([^@/\s]{8,})@/g;
const QUERY = /[?&](?:api[_-]?key|access_token|token|password|secret|key)=([^&#\s]{8,})/gi;
/**
 * Map keys that name a credential (env variables, config, literals,
 * annotations): the credential word as a whole word of the key (`OPENAI_API_KEY`,
 * `x-api-key`, `db_password`), not inside another word (`max_tokens` is a count).
 */
const CREDENTIAL_KEY = /(^|[^a-z])(api[-_.]?key|token|secret|password|passwd|credentials?|private[-_.]?key)($|[^a-z])/i;
/** Prop names of this library that hold references to Secrets, not secrets. */
const REFERENCE_PROPS = new Set(['secretName', 'secretKey', 'passwordSecret', 'secretVars', 'credentialsSecret', 'secrets', 'apiKeyEnvVar']);
/** Label maps: their values are visible names, not secrets by key (a token-shaped value still counts). */
const LABEL_PROPS = new Set(['labels', 'commonLabels', 'pairs', 'podLabels', 'dnsPodLabels']);

/**
 * The secret strings a generated case put in: API-key-shaped tokens, JWTs,
 * URL passwords and `?api_key=` values, and string values (8+ characters)
 * under credential-named map keys.
 */
export function secretsOfCase(value: unknown, out = new Set<string>()): string[] {
  const add = (s: string) => {
    if (s.length >= 8) out.add(s);
  };
  const scan = (s: string) => {
    for (const re of [TOKEN, JWT]) for (const m of s.matchAll(re)) add(m[0]);
    for (const re of [USERINFO, QUERY]) for (const m of s.matchAll(re)) add(m[1]);
  };
  const walk = (v: unknown, inLabels: boolean) => {
    if (typeof v === 'string') {scan(v);} else if (Array.isArray(v)) {v.forEach(child => walk(child, inLabels));} else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        scan(k);
        if (REFERENCE_PROPS.has(k)) continue;
        if (typeof child === 'string' && !inLabels && CREDENTIAL_KEY.test(k)) add(child);
        walk(child, inLabels || LABEL_PROPS.has(k));
      }
    }
  };
  walk(value, false);
  return [...out];
}

function redact(secret: string): string {
  return `${secret.slice(0, 4)}…(${secret.length})`;
}

/** `text` with every secret shortened, for failure reports that still say which. */
export function redactAll(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => t.split(s).join(redact(s)), text);
}

/** The problems of one case's outcome: a clean error, or objects that pass the checks and leak nothing. */
export function outcomeProblems(outcome: { error: unknown } | { objects: any[] }, secrets: string[]): string[] {
  if ('error' in outcome) {
    const p = errorProblem(outcome.error, secrets);
    return p ? [p] : [];
  }
  // The secret itself is in the problem; every report redacts it (judgeProblems).
  const leaks = leakedSecrets(outcome.objects, secrets).map(l => `output contains secret ${l.secret} at ${l.at}`);
  return [...finalCheckProblems(outcome.objects), ...leaks];
}

/** Counts per family: how many cases synthesized, how many threw a clean error. */
export class Tally {
  public synthesized = 0;
  public refused = 0;
  public summary(name: string): string {
    return `${name}: ${this.synthesized} synthesized, ${this.refused} refused cleanly`;
  }
}

/**
 * Builds one case into a fresh App and synthesizes it (`Overlay.baseFiles`:
 * every construct validation runs, nothing is written) unless `build`
 * returns the objects itself (an overlay's output); throws with the
 * problems, if any.
 */
export function checkCase<C>(family: string, c: C, build: (app: App, c: C) => any[] | void, tally: Tally): void {
  const secrets = secretsOfCase(c);
  let outcome: { error: unknown } | { objects: any[] };
  try {
    const app = new App({ outdir: '/nonexistent-property-outdir' });
    const built = build(app, c);
    outcome = { objects: built ?? Overlay.baseFiles(app).flatMap(f => f.objects) };
  } catch (error) {
    outcome = { error };
  }
  judge(family, outcome, secrets, tally);
}

/** Throws unless the outcome has no problem. */
export function judge(family: string, outcome: { error: unknown } | { objects: any[] }, secrets: string[], tally: Tally): void {
  judgeProblems(family, outcomeProblems(outcome, secrets), secrets, tally, 'error' in outcome);
}

/** Counts a case without problems; throws with the problems otherwise (secrets redacted). */
export function judgeProblems(family: string, problems: string[], secrets: string[], tally: Tally, refused: boolean): void {
  if (problems.length > 0) throw new Error(`${family}: ${problems.map(p => redactAll(p, secrets)).join('\n  ')}`);
  if (refused) tally.refused++;
  else tally.synthesized++;
}
