/**
 * The one final check of synthesized objects: what the API server would
 * refuse in them (names, labels, annotations, containers, selectors,
 * resources), this library's own promises about what it renders (an
 * autoscaled workload has no `replicas`; a Service, PodDisruptionBudget or
 * HorizontalPodAutoscaler the library made reaches its pods), and no
 * credential-looking value anywhere. Pure: plain objects in, problems out.
 * `app.synth()` (see `synth-check.ts`) and `Overlay.synth`/`apply` run it
 * before anything is written. Internal module.
 *
 * Rules as in Kubernetes' `ValidateObjectMeta` (apimachinery) with the name
 * function of each kind (`k8s.io/kubernetes/pkg/apis/<group>/validation`),
 * `ValidateLabels`, `ValidateAnnotations`, `validateContainers` and
 * `ValidateResourceRequirements`.
 */
import { secretProblem as credentialShape } from './credential-screen';
import { compareQuantities, quantityProblem } from './quantity';
import {
  isDns1123Label, isDns1123Subdomain, isEnvVarName, isLabelValue, LABEL_VALUE_PROBLEM, labelKeyProblem, MAX_INT32, subject,
} from './validation';

/** Options of {@link manifestProblems}. */
export interface ManifestCheckOptions {
  /**
   * More problems of one object (e.g. the AgentType schema, which lives
   * above this layer), each a full message.
   * @default - none
   */
  readonly objectProblems?: (object: any) => string[];
}

/** Why `value` looks like a credential (the credential screen's rule), or undefined; never the value. */
function secretProblem(value: string): string | undefined {
  const what = credentialShape(value);
  return what === undefined ? undefined : `looks like a credential (${what})`;
}

/**
 * Every problem of `objects`, one message each:
 * `<Kind> '<namespace>/<name>': <field path> '<value>' <problem>`. A
 * credential-looking value is never repeated (`<redacted>` instead).
 */
export function manifestProblems(objects: any[], options: ManifestCheckOptions = {}): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    if (object === null || typeof object !== 'object') continue;
    const p = new ObjectProblems(object, problems);
    checkMetadata(p, object.metadata ?? {}, 'metadata', nameRuleOf(object));
    checkCrdName(p, object);
    const pod = podTemplateOf(object);
    if (pod) {
      if (pod.metadata) checkLabelsAndAnnotations(p, pod.metadata, `${pod.path}.metadata`);
      checkPodSpec(p, pod.spec ?? {}, `${pod.path}.spec`);
      checkWorkloadSelector(p, object, pod.metadata?.labels ?? {}, pod.path);
    }
    checkReplicas(p, object);
    if (object.kind === 'Service') checkServicePorts(p, object.spec ?? {});
    screenSecrets(p, object);
    problems.push(...(options.objectProblems?.(object) ?? []));
  }
  checkUniqueObjects(objects, problems);
  checkAutoscaledReplicas(objects, problems);
  checkLibraryTargets(objects, problems);
  return problems;
}

/** How many problems an error lists. */
const SHOWN_PROBLEMS = 20;

/**
 * Throws `<where>: <problem>` (one problem) or `<where>: <n> problems in the
 * output:` and one problem a line (the first 20), unless `objects` pass {@link manifestProblems}.
 */
export function checkManifests(where: string, objects: any[], options: ManifestCheckOptions = {}): void {
  const problems = manifestProblems(objects, options);
  if (problems.length === 1) throw new Error(`${where}: ${problems[0]}`);
  if (problems.length > 1) {
    const more = problems.length > SHOWN_PROBLEMS ? [`... and ${problems.length - SHOWN_PROBLEMS} more`] : [];
    throw new Error(`${where}: ${problems.length} problems in the output:\n  ${[...problems.slice(0, SHOWN_PROBLEMS), ...more].join('\n  ')}`);
  }
}

/** `<Kind> '<namespace>/<name>'` of a rendered object. */
export function objectSubject(object: any): string {
  const name = object?.metadata?.name ?? object?.metadata?.generateName ?? '';
  const namespace = object?.metadata?.namespace;
  return subject(String(object?.kind ?? 'object'), namespace ? `${namespace}/${name}` : String(name));
}

/** A value as messages show it: never a credential-looking one. */
function shown(value: unknown): string {
  if (typeof value === 'string') return secretProblem(value) === undefined ? value : '<redacted>';
  const json = JSON.stringify(value) ?? String(value);
  return secretProblem(json.replace(/^"|"$/g, '')) === undefined ? json : '<redacted>';
}

/** Collects the problems of one object, each prefixed with its subject. */
class ObjectProblems {
  /** Made at the first problem: most objects have none. */
  private subject?: string;
  constructor(private readonly object: any, private readonly out: string[]) {}
  public add(field: string, value: unknown, problem: string): void {
    this.out.push(`${this.subjectOf()}: ${field} '${shown(value)}' ${problem}`);
  }
  public addPlain(field: string, problem: string): void {
    this.out.push(`${this.subjectOf()}: ${field} ${problem}`);
  }
  private subjectOf(): string {
    this.subject ??= objectSubject(this.object);
    return this.subject;
  }
}

// ---- names and metadata ----

/** A name function: why `name` is not valid (`prefix`: a generateName, whose trailing '-' is masked), or undefined. */
type NameRule = (name: string) => string | undefined;

const SUBDOMAIN_PROBLEM = 'is not a valid RFC 1123 subdomain (lowercase letters, digits, \'-\' and \'.\', at most 253 characters, starting and ending with a letter or digit)';
const subdomain: NameRule = name => isDns1123Subdomain(name) ? undefined : SUBDOMAIN_PROBLEM;
const label1123: NameRule = name => isDns1123Label(name) ? undefined
  : 'is not a valid RFC 1123 label (lowercase letters, digits and \'-\', at most 63 characters, starting and ending with a letter or digit)';
const label1035: NameRule = name => isDns1123Label(name) && /^[a-z]/.test(name) ? undefined
  : 'is not a valid RFC 1035 label (lowercase letters, digits and \'-\', at most 63 characters, starting with a letter, ending with a letter or digit)';
/** apimachinery `path.IsValidPathSegmentName` (RBAC objects: `system:auth-delegator` is a valid name). */
const pathSegment: NameRule = name => (name === '.' || name === '..' || /[/%]/.test(name))
  ? 'is not a valid path segment name (not \'.\' or \'..\', no \'/\' or \'%\')' : undefined;
/** `validateCronJobName`: the Jobs it creates add 11 characters to a 63-character label. */
const cronJob: NameRule = name => subdomain(name) ?? (name.length > 52 ? 'is longer than 52 characters (a CronJob name)' : undefined);

/** The name function of each kind whose rule is not the default RFC 1123 subdomain. */
const NAME_RULES: { readonly [kind: string]: NameRule } = {
  Namespace: label1123,
  Service: label1035,
  CronJob: cronJob,
  Role: pathSegment,
  ClusterRole: pathSegment,
  RoleBinding: pathSegment,
  ClusterRoleBinding: pathSegment,
};

function nameRuleOf(object: any): NameRule {
  return NAME_RULES[object.kind] ?? subdomain;
}

/** `ValidateObjectMeta`: name or generateName, namespace, labels, annotations. */
function checkMetadata(p: ObjectProblems, metadata: any, path: string, rule: NameRule): void {
  const { name, generateName, namespace } = metadata;
  if (name === undefined || name === '') {
    if (generateName === undefined || generateName === '') p.addPlain(`${path}.name`, 'is required (no name or generateName)');
  } else {
    const problem = typeof name === 'string' ? rule(name) : 'is not a string';
    if (problem) p.add(`${path}.name`, name, problem);
  }
  if (generateName !== undefined && generateName !== '') {
    const problem = typeof generateName === 'string' ? rule(generateName.replace(/-$/, 'a')) : 'is not a string';
    if (problem) p.add(`${path}.generateName`, generateName, problem);
  }
  if (namespace !== undefined && !isDns1123Label(namespace)) p.add(`${path}.namespace`, namespace, label1123('')!);
  checkLabelsAndAnnotations(p, metadata, path);
}

/** A CustomResourceDefinition is named `<spec.names.plural>.<spec.group>`. */
function checkCrdName(p: ObjectProblems, object: any): void {
  if (object.kind !== 'CustomResourceDefinition' || !object.spec) return;
  const expected = `${object.spec.names?.plural}.${object.spec.group}`;
  if (object.metadata?.name !== expected) p.add('metadata.name', object.metadata?.name, `must be spec.names.plural + '.' + spec.group ('${expected}')`);
}

/** Largest total size of an object's annotations (`TotalAnnotationSizeLimitB`): 256 KiB. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/**
 * `ValidateLabels` and `ValidateAnnotations` (keys are lowercased before the
 * check, as the API server does). A `null` value is the empty string: the
 * server decodes it so into its `map[string]string`.
 */
function checkLabelsAndAnnotations(p: ObjectProblems, metadata: any, path: string): void {
  for (const [key, value] of Object.entries<unknown>(metadata.labels ?? {})) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) p.add(`${path}.labels key`, key, keyProblem);
    if (!isLabelValue(value ?? '')) p.add(`${path}.labels['${shown(key)}']`, value, LABEL_VALUE_PROBLEM);
  }
  let bytes = 0;
  for (const [key, value] of Object.entries<unknown>(metadata.annotations ?? {})) {
    const keyProblem = labelKeyProblem(key.toLowerCase());
    if (keyProblem) p.add(`${path}.annotations key`, key, keyProblem.replace('label key', 'annotation key'));
    if (typeof (value ?? '') !== 'string') p.add(`${path}.annotations['${shown(key)}']`, value, 'is not a string');
    bytes += Buffer.byteLength(key) + Buffer.byteLength(String(value ?? ''));
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) {
    p.addPlain(`${path}.annotations`, `are ${bytes} bytes in total, more than the API server's limit of ${ANNOTATIONS_MAX_BYTES} (256 KiB)`);
  }
}

// ---- pods ----

/** The pod template (or the pod) of a workload, with the path of its `metadata`/`spec` parent. */
function podTemplateOf(object: any): { metadata?: any; spec?: any; path: string } | undefined {
  switch (object.kind) {
    case 'Pod':
      return { spec: object.spec, path: '' };
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job': case 'ReplicationController':
      return object.spec?.template ? { ...object.spec.template, path: 'spec.template' } : undefined;
    case 'CronJob':
      return object.spec?.jobTemplate?.spec?.template ? { ...object.spec.jobTemplate.spec.template, path: 'spec.jobTemplate.spec.template' } : undefined;
    default:
      return undefined;
  }
}

/** IANA service name (`validation.IsValidPortName`): what a container port's `name` must be. */
function isPortName(name: unknown): boolean {
  return typeof name === 'string' && name.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

/** Containers of every list: names, ports, env names, resources. */
function checkPodSpec(p: ObjectProblems, spec: any, path: string): void {
  const names = new Set<string>();
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    (spec[list] ?? []).forEach((container: any, i: number) => {
      const at = `${path.replace(/^\./, '')}.${list}[${i}]`;
      if (!isDns1123Label(container.name)) p.add(`${at}.name`, container.name, label1123('')!);
      else if (names.has(container.name)) p.add(`${at}.name`, container.name, 'is the name of another container of the pod (names must be unique)');
      names.add(container.name);
      checkContainerPorts(p, container.ports ?? [], `${at}.ports`);
      (container.env ?? []).forEach((env: any, j: number) => {
        if (!isEnvVarName(env?.name)) p.add(`${at}.env[${j}].name`, env?.name, 'is not a valid environment variable name');
        // `validateEnvVarValueFrom`: a literal and a source exclude each other
        // (an overlay patch that adds `valueFrom` must set `value: null`).
        if (env?.valueFrom !== undefined && env?.value !== undefined && env.value !== '') {
          p.addPlain(`${at}.env[${j}] '${shown(env.name)}'`, 'has both value and valueFrom (the API server refuses valueFrom when value is not empty)');
        }
      });
      checkResources(p, container.resources ?? {}, `${at}.resources`);
    });
  }
  checkTopologySpread(p, spec.topologySpreadConstraints ?? [], `${path.replace(/^\./, '')}.topologySpreadConstraints`);
}

/**
 * `validateMatchLabelKeysInTopologySpread`: a key of `matchLabelKeys` may not
 * also be a key of the constraint's `labelSelector`.
 */
function checkTopologySpread(p: ObjectProblems, constraints: any[], path: string): void {
  constraints.forEach((constraint, i) => {
    const selector = constraint?.labelSelector ?? {};
    const selected = new Set<string>([
      ...Object.keys(selector.matchLabels ?? {}),
      ...(selector.matchExpressions ?? []).map((e: any) => e?.key),
    ]);
    (constraint?.matchLabelKeys ?? []).forEach((key: unknown, j: number) => {
      if (typeof key === 'string' && selected.has(key)) {
        p.add(`${path}[${i}].matchLabelKeys[${j}]`, key, 'is also a key of the constraint\'s labelSelector (the API server refuses a key in both)');
      }
    });
  });
}

function checkContainerPorts(p: ObjectProblems, ports: any[], path: string): void {
  const names = new Set<string>();
  ports.forEach((port, i) => {
    if (port?.name === undefined) return;
    if (!isPortName(port.name)) {
      p.add(`${path}[${i}].name`, port.name, 'is not a valid port name (an IANA service name: at most 15 lowercase letters, digits and \'-\', with a letter, no \'--\')');
    } else if (names.has(port.name)) {
      p.add(`${path}[${i}].name`, port.name, 'is the name of another port of the container (names must be unique)');
    }
    names.add(port.name);
  });
}

/** Quantities valid and not negative; every request at most its limit (the rules of core/quantity). */
function checkResources(p: ObjectProblems, resources: any, path: string): void {
  const valid = new Set<string>();
  for (const part of ['requests', 'limits']) {
    for (const [resource, value] of Object.entries(resources[part] ?? {})) {
      const problem = quantityProblem(value);
      if (problem !== undefined) p.add(`${path}.${part}.${resource}`, value, problem);
      else valid.add(`${part}.${resource}`);
    }
  }
  for (const [resource, request] of Object.entries(resources.requests ?? {})) {
    const limit = resources.limits?.[resource];
    if (valid.has(`requests.${resource}`) && valid.has(`limits.${resource}`) && compareQuantities(String(request), String(limit)) > 0) {
      p.add(`${path}.requests.${resource}`, request, `is above limits.${resource} '${shown(limit)}'`);
    }
  }
}

/** Service ports: names RFC 1123 labels, unique, required when there are several. */
function checkServicePorts(p: ObjectProblems, spec: any): void {
  const ports: any[] = spec.ports ?? [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const at = `spec.ports[${i}].name`;
    if (port?.name === undefined || port.name === '') {
      if (ports.length > 1) p.addPlain(at, 'is required when a Service has more than one port');
      return;
    }
    if (!isDns1123Label(port.name)) p.add(at, port.name, label1123('')!);
    else if (names.has(port.name)) p.add(at, port.name, 'is the name of another port of the Service (names must be unique)');
    names.add(port.name);
  });
}

// ---- selectors ----

/** True when `selector` (a LabelSelector) selects an object with `labels`. */
export function selectorMatches(selector: any, labels: { [key: string]: string }): boolean {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector?.matchExpressions ?? []).every((e: any) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

/** `spec.replicas` (workloads) and `minReplicas`/`maxReplicas` (HPA): int32 counts of the API. */
function checkReplicas(p: ObjectProblems, object: any): void {
  const fields = object.kind === 'HorizontalPodAutoscaler' ? ['minReplicas', 'maxReplicas'] : ['replicas'];
  for (const field of fields) {
    const value = object.spec?.[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > MAX_INT32)) {
      p.add(`spec.${field}`, value, `is not an integer from 0 to ${MAX_INT32}`);
    }
  }
}

const SELECTOR_REQUIRED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** A workload's `spec.selector` must select its own pod template (required but for a Job). */
function checkWorkloadSelector(p: ObjectProblems, object: any, templateLabels: { [key: string]: string }, templatePath: string): void {
  if (object.kind === 'Pod' || object.kind === 'CronJob' || object.kind === 'ReplicationController') return;
  const selector = object.spec?.selector;
  const empty = !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
  if (empty) {
    if (SELECTOR_REQUIRED.has(object.kind)) p.addPlain('spec.selector', 'is required and must not be empty');
    return;
  }
  if (!selectorMatches(selector, templateLabels)) {
    p.add('spec.selector', selector, `does not select the labels of ${templatePath}.metadata.labels ${shown(templateLabels)}`);
  }
}

// ---- across objects ----

const key = (kind: unknown, namespace: unknown, name: unknown) => JSON.stringify([kind, namespace ?? '', name]);

/**
 * No two objects of one API group, kind, namespace and name: applied, the
 * second would silently replace the first (e.g. two constructs installing
 * one CustomResourceDefinition).
 */
function checkUniqueObjects(objects: any[], problems: string[]): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const group = String(o?.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/')[0] : '';
    const k = key(`${o?.kind}.${group}`, o?.metadata?.namespace, o?.metadata?.name);
    if (seen.has(k)) {
      problems.push(`${objectSubject(o)}: metadata.name '${shown(o?.metadata?.name)}' is the name of another ${o?.kind} of the output`
        + ' (same API group and namespace): applied, one would replace the other');
    }
    seen.add(k);
  }
}

/** An HPA-managed workload must not have `replicas`: the two would fight. */
function checkAutoscaledReplicas(objects: any[], problems: string[]): void {
  const hpas = objects.filter(o => o?.kind === 'HorizontalPodAutoscaler');
  if (hpas.length === 0) return;
  const byId = new Map<string, any>();
  for (const o of objects) {
    const k = key(o?.kind, o?.metadata?.namespace, o?.metadata?.name);
    if (!byId.has(k)) byId.set(k, o);
  }
  for (const hpa of hpas) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = byId.get(key(ref.kind, hpa.metadata?.namespace, ref.name));
    if (target && target.spec?.replicas !== undefined) {
      problems.push(`${objectSubject(target)}: spec.replicas '${shown(target.spec.replicas)}' is set, but HorizontalPodAutoscaler `
        + `'${hpa.metadata?.name}' manages its replicas: remove the replicas entry or patch`);
    }
  }
}

/** `app.kubernetes.io/part-of` of what this library renders. */
const PART_OF = ['app.kubernetes.io/part-of', 'cdk8s-agents'] as const;

/**
 * The library's promise: a Service or PodDisruptionBudget it renders selects
 * the pods of a workload in the output, and an HPA it renders targets one.
 */
function checkLibraryTargets(objects: any[], problems: string[]): void {
  const ours = objects.filter(o => o?.metadata?.labels?.[PART_OF[0]] === PART_OF[1]
    && (o.kind === 'Service' || o.kind === 'PodDisruptionBudget' || o.kind === 'HorizontalPodAutoscaler'));
  if (ours.length === 0) return;
  const pods = objects.flatMap(o => {
    const template = o && podTemplateOf(o);
    return template ? [{ object: o, namespace: o.metadata?.namespace ?? '', labels: template.metadata?.labels ?? {} }] : [];
  });
  for (const o of ours) {
    const namespace = o.metadata?.namespace ?? '';
    const here = pods.filter(pod => pod.namespace === namespace);
    if (o.kind === 'HorizontalPodAutoscaler') {
      const ref = o.spec?.scaleTargetRef ?? {};
      if (!here.some(pod => pod.object.kind === ref.kind && pod.object.metadata?.name === ref.name)) {
        problems.push(`${objectSubject(o)}: spec.scaleTargetRef '${ref.kind}/${ref.name}' names no workload of the output`);
      }
      continue;
    }
    const selector = o.kind === 'Service' ? (o.spec?.selector && { matchLabels: o.spec.selector }) : o.spec?.selector;
    if (selector && !here.some(pod => selectorMatches(selector, pod.labels))) {
      problems.push(`${objectSubject(o)}: spec.selector '${shown(selector)}' selects the pods of no workload of the output`);
    }
  }
}

// ---- credentials ----

/** `a.b[0].c` from the segments `a`, `b`, 0, `c` (`''` for none). */
function fieldPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path = path === '' ? segment : `${path}.${segment}`;
  }
  return path;
}

/**
 * Every key and string value of `object`, and the decoded `data` of a
 * Secret, through {@link secretProblem}; never the value in the message.
 * No Secret is exempt: a `secretGenerator` opted in to plain-text values
 * still refuses key-shaped ones, so its data passes.
 */
function screenSecrets(p: ObjectProblems, object: any): void {
  // The path of the value being visited, as segments: built into a string only for a problem.
  const at: (string | number)[] = [];
  const visit = (value: any): void => {
    if (typeof value === 'string') {
      const problem = secretProblem(value);
      if (problem) p.addPlain(fieldPath(at), `${problem} (value not shown): a credential is never written to a manifest; keep it in a Secret made out of band and refer to it`);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        at.push(i);
        visit(value[i]);
        at.pop();
      }
      return;
    }
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      if (secretProblem(k)) {
        const path = fieldPath(at);
        p.addPlain(`${path === '' ? '' : path + ' '}key`, 'looks like a credential (key not shown): a credential is never written to a manifest');
      }
      at.push(k);
      visit(value[k]);
      at.pop();
    }
  };
  visit(object);
  if (object.kind === 'Secret') {
    for (const [k, v] of Object.entries(object.data ?? {})) {
      if (typeof v === 'string' && secretProblem(Buffer.from(v, 'base64').toString('utf8'))) {
        p.addPlain(`data['${shown(k)}']`, 'decodes to a value that looks like a credential (value not shown): a credential is never written to a manifest');
      }
    }
  }
}
