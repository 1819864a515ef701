/**
 * Input checks shared by every construct of the library.
 *
 * Each check throws an `Error` whose message names the construct (kind and
 * path), the field and the offending value, e.g.
 * `AgentPod 'app/web': memory limit '2Gx' is not a Kubernetes quantity`.
 * Nothing here is exported from the package: these are internal helpers.
 */

import { quotable, redactSecrets, safeSubject, safeText, screenMap, screenText, secretProblem } from './credential-screen';
import { ImageReference } from './image-reference';
import { cdk8sWritesAmbiguous } from './yaml';

export { isCredentialName, looksLikeSecretValue } from './credential-screen';

/**
 * RFC 1123 label: lowercase alphanumerics and '-', starting and ending
 * alphanumeric, at most 63 characters (Namespace, Service and container
 * names). The AgentType CRD schema uses the same text as `pattern`.
 */
export const DNS1123_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/**
 * RFC 1123 subdomain: dot-separated RFC 1123 labels, at most 253 characters
 * (ConfigMap, Secret, Deployment and most other object names).
 */
export const DNS1123_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/**
 * RFC 1035 label: an RFC 1123 label that starts with a letter (Service names).
 */
export const DNS1035_LABEL_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
/** Environment variable name, in the relaxed form the API server accepts. */
export const ENV_VAR_NAME_PATTERN = '^[-._a-zA-Z][-._a-zA-Z0-9]*$';

const DNS1123_LABEL = new RegExp(DNS1123_LABEL_PATTERN);
const DNS1123_SUBDOMAIN = new RegExp(DNS1123_SUBDOMAIN_PATTERN);
const DNS1035_LABEL = new RegExp(DNS1035_LABEL_PATTERN);
const ENV_VAR_NAME = new RegExp(ENV_VAR_NAME_PATTERN);

/** The problem of a name cdk8s writes so that `kubectl` reads a number, e.g. `0o17`. */
const AMBIGUOUS_YAML = 'is written unquoted by cdk8s (YAML 1.1) and kubectl (sigs.k8s.io/yaml) would read it as a number, not a string; choose another name';

/** Formats `<Kind> '<path>'` for error messages; a path that looks like a credential is shown as `<redacted: ...>`. */
export function subject(kind: string, path: string): string {
  return safeSubject(kind, path);
}

/**
 * Throws `<Kind> '<path>': <field> '<value>' <problem>`. A value that looks
 * like a credential (itself or any string inside it, see `secretProblem`) is
 * never repeated: it is shown as `<redacted: an OpenAI key>`; so is such a
 * path or field.
 */
export function fail(kind: string, path: string, field: string, value: unknown, problem: string): never {
  throw new Error(`${subject(kind, path)}: ${safeText(field)} '${shown(value)}' ${redactSecrets(problem)}`);
}

/** A value as error messages show it: verbatim, or `<redacted: ...>` when it (or a string inside it) looks like a credential. */
export function shown(value: unknown): string {
  const why = firstSecretProblem(value, 0);
  if (why) return `<redacted: ${why}>`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return quotable(text === undefined ? String(value) : text);
}

function firstSecretProblem(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return secretProblem(value);
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const why = secretProblem(key) ?? firstSecretProblem(item, depth + 1);
    if (why) return why;
  }
  return undefined;
}

/** True when `value` is an RFC 1123 label of at most 63 characters. */
export function isDns1123Label(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && DNS1123_LABEL.test(value);
}

/** True when `value` is an RFC 1123 subdomain of at most 253 characters. */
export function isDns1123Subdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/**
 * Checks an RFC 1123 label (most object names, namespaces, container names).
 * @throws unless `value` is one; when cdk8s's YAML would make it a number for kubectl (`0o17`);
 *   when it looks like a credential (never repeated)
 */
export function checkDns1123Label(kind: string, path: string, field: string, value: string): string {
  if (!isDns1123Label(value)) {
    fail(kind, path, field, value, 'is not a valid RFC 1123 label (lowercase letters, digits and \'-\', at most 63 characters, starting and ending with a letter or digit)');
  }
  checkWrittenName(kind, path, field, value, AMBIGUOUS_YAML);
  return value;
}

/**
 * Checks an RFC 1123 subdomain (ConfigMap, Secret, Deployment names).
 * @throws unless `value` is one; when cdk8s's YAML would make it a number for kubectl (`0o17`);
 *   when it looks like a credential (never repeated)
 */
export function checkDns1123Subdomain(kind: string, path: string, field: string, value: string): string {
  if (!isDns1123Subdomain(value)) {
    fail(kind, path, field, value, 'is not a valid RFC 1123 subdomain (lowercase letters, digits, \'-\' and \'.\', at most 253 characters)');
  }
  checkWrittenName(kind, path, field, value, AMBIGUOUS_YAML);
  return value;
}

/**
 * Checks an RFC 1035 label, the rule of Service names: an RFC 1123 label
 * starting with a letter. `field` names the prop the name comes from, e.g.
 * `agentName (Service '<agentName>-metrics')` for a derived name.
 * @throws `<Kind> '<path>': <field> '<value>' is not a valid Service name (...)`; as `checkDns1123Label` for `0o17` and credentials
 */
export function checkDns1035Label(kind: string, path: string, field: string, value: string): string {
  if (typeof value !== 'string' || value.length > 63 || !DNS1035_LABEL.test(value)) {
    fail(kind, path, field, value, 'is not a valid Service name (RFC 1035 label: lowercase letters, digits and \'-\', at most 63 characters, starting with a letter and ending with a letter or digit)');
  }
  checkWrittenName(kind, path, field, value, AMBIGUOUS_YAML);
  return value;
}

/**
 * What every name and label value written into a manifest must also be: a
 * string cdk8s's YAML keeps a string for kubectl (not `0o17`), and not a key
 * pasted in its place (`sk-a5a` is a valid name).
 */
function checkWrittenName(kind: string, path: string, field: string, value: string, ambiguousProblem: string): void {
  if (cdk8sWritesAmbiguous(value)) fail(kind, path, field, value, ambiguousProblem);
  screenText(kind, path, field, value);
}

export function checkEnvVarName(kind: string, path: string, field: string, value: string): string {
  if (!isEnvVarName(value)) {
    fail(kind, path, field, value, 'is not a valid environment variable name');
  }
  return value;
}

export function checkPort(kind: string, path: string, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    fail(kind, path, field, value, 'is not a port number (an integer from 1 to 65535)');
  }
  return value;
}

export function checkNonEmpty(kind: string, path: string, field: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    fail(kind, path, field, value ?? '', 'must not be empty');
  }
  return value;
}

/**
 * Checks a container image reference with the one image rule of the library,
 * {@link ImageReference.parse} (the grammar kubelet and containerd read).
 * @throws `<Kind> '<path>': <field> '<image>' is not an image reference: <reason>`
 */
export function checkImage(image: string, kind = 'AgentSource', path = 'image', field = 'image'): string {
  if (typeof image !== 'string' || image.trim() === '') {
    fail(kind, path, field, image ?? '', 'is required: give an image reference such as \'registry.example.com/agent:1.0\'');
  }
  const problem = ImageReference.problemOf(image);
  if (problem !== undefined) fail(kind, path, field, image, `is not an image reference ([registry/]name[:tag][@digest]): ${problem}`);
  return image;
}


/**
 * Environment variable prefixes the library sets itself in agent pods
 * (`AGENT_*`, `TOOL_MANAGER_*`, `LLM_*`); user variables may not use them, so
 * nothing the library relies on can be overwritten silently.
 */
export const RESERVED_ENV_PREFIX = /^(AGENT_|TOOL_MANAGER_|LLM_)/;

/** Kubernetes label/annotation name part: alphanumerics, '-', '_', '.', at most 63 characters. */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Why `key` is not a label or annotation key (`[prefix/]name`: name at most 63
 * alphanumerics, '-', '_', '.', starting and ending alphanumeric; prefix an
 * RFC 1123 subdomain), as apimachinery's `IsQualifiedName`; undefined when it is one.
 */
export function labelKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return 'is not a string';
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefixOk = prefix === undefined || isDns1123Subdomain(prefix);
  if (!prefixOk || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'is not a valid label key ([prefix/]name: name of at most 63 alphanumerics, \'-\', \'_\', \'.\'; prefix an RFC 1123 subdomain)';
  }
  return undefined;
}

/** True when `value` is a label value: empty, or at most 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric. */
export function isLabelValue(value: unknown): value is string {
  return typeof value === 'string' && (value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value)));
}

/** The problem text of a label value that is not one. */
export const LABEL_VALUE_PROBLEM = 'is not a valid label value (at most 63 alphanumerics, \'-\', \'_\', \'.\', starting and ending alphanumeric)';

/** True when `value` is an environment variable name the API server accepts. */
export function isEnvVarName(value: unknown): value is string {
  return typeof value === 'string' && ENV_VAR_NAME.test(value);
}

/** Checks a label or annotation key (`[prefix/]name`, prefix an RFC 1123 subdomain). */
export function checkLabelKey(kind: string, path: string, field: string, key: string): string {
  const problem = labelKeyProblem(key);
  if (problem !== undefined) fail(kind, path, field, key, problem);
  return key;
}

/**
 * Checks a label value: empty, or at most 63 alphanumerics, '-', '_', '.',
 * starting and ending alphanumeric; not read as a number by kubectl; not a credential.
 */
export function checkLabelValue(kind: string, path: string, field: string, value: string): string {
  if (!isLabelValue(value)) fail(kind, path, field, value, LABEL_VALUE_PROBLEM);
  checkWrittenName(kind, path, field, value, AMBIGUOUS_YAML.replace('name', 'value'));
  return value;
}

/**
 * Checks a label map (`metadata.labels`, selectors): every key with
 * {@link checkLabelKey}, every value with {@link checkLabelValue}, the map
 * with the credential screen (`screenMap`). Errors name
 * `<field> key` or `<field>['<key>']`.
 * @returns a copy of `labels`
 */
export function checkLabels(kind: string, path: string, field: string, labels: { [key: string]: string }): { [key: string]: string } {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) fail(kind, path, field, labels ?? '', 'is not a map of label keys to values');
  screenMap(kind, path, field, labels);
  for (const [key, value] of Object.entries(labels)) {
    checkLabelKey(kind, path, `${field} key`, key);
    checkLabelValue(kind, path, `${field}['${key}']`, value);
  }
  return { ...labels };
}

/**
 * Checks an annotation map (`metadata.annotations`): every key by the label
 * key rule (annotation keys follow it), every value a string, the map with
 * the credential screen (`screenMap`).
 * @throws `<Kind> '<path>': <field> key ...` or `<field>['<key>'] ...`, never repeating a secret
 */
export function checkAnnotations(kind: string, path: string, field: string, annotations: { [key: string]: string }): { [key: string]: string } {
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) {
    fail(kind, path, field, annotations ?? '', 'is not a map of annotation keys to values');
  }
  screenMap(kind, path, field, annotations);
  for (const [key, value] of Object.entries(annotations)) {
    checkLabelKey(kind, path, `${field} key`, key);
    if (typeof value !== 'string') fail(kind, path, `${field}['${key}']`, value, 'must be a string');
  }
  return { ...annotations };
}

/** The `imagePullPolicy` values of a container. */
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/**
 * Checks a container `imagePullPolicy`: `Always`, `IfNotPresent` or `Never`
 * (the values of cdk8s-plus `ImagePullPolicy`).
 * @throws `<Kind> '<path>': <field> '<value>' is not an image pull policy (Always, IfNotPresent, Never)`
 */
export function checkPullPolicy<T extends string>(kind: string, path: string, field: string, value: T): T {
  if (!PULL_POLICIES.includes(value)) fail(kind, path, field, value ?? '', `is not an image pull policy (${PULL_POLICIES.join(', ')})`);
  return value;
}

/** The largest int32, the type of ids (`runAsUser`, `runAsGroup`, `fsGroup`) and replica counts in the Kubernetes API: 2^31 - 1. */
export const MAX_INT32 = 2147483647;

/** The largest user or group id Kubernetes accepts (`runAsUser`, `runAsGroup`, `fsGroup`). */
export const MAX_ID = MAX_INT32;

/**
 * Checks a replica count (`spec.replicas`, `minReplicas`, `maxReplicas`): an
 * integer from `min` to 2147483647 (an int32 of the API).
 * @throws `<Kind> '<path>': <field> '<value>' is not an integer from <min> to 2147483647`
 */
export function checkReplicaCount(kind: string, path: string, field: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min || value > MAX_INT32) {
    fail(kind, path, field, typeof value === 'number' ? String(value) : value, `is not an integer from ${min} to ${MAX_INT32}`);
  }
  return value;
}

/**
 * Checks a user or group id (`runAsUser`, `runAsGroup`, `fsGroup`): an
 * integer from `min` (0, or 1 where root is refused) to 2147483647.
 * @throws `<Kind> '<path>': <field> '<value>' is not a user or group id (an integer from <min> to 2147483647)`
 */
export function checkUserId(kind: string, path: string, field: string, value: number, min = 0): number {
  if (!Number.isInteger(value) || value < min || value > MAX_ID) {
    fail(kind, path, field, typeof value === 'number' ? String(value) : value, `is not a ${min > 0 ? 'non-root ' : ''}user or group id (an integer from ${min} to ${MAX_ID})`);
  }
  return value;
}
