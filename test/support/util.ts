/** Helpers shared by the test files: finding synthesized objects and reading errors. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The one object of that kind and name; fails the test if it is missing or duplicated. */
export function findObject(manifests: any[], kind: string, name: string): any {
  const found = manifests.filter(m => m.kind === kind && m.metadata?.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} '${name}', found ${found.length} among ${manifests.map(m => `${m.kind}/${m.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/**
 * What `kubectl apply -f` of `objects`, taken in this order (files one after
 * another, documents in file order), would refuse for the order alone: an
 * object in a namespace the objects create before that Namespace, or a custom
 * resource before its CustomResourceDefinition. One message each.
 */
export function applyOrderProblems(objects: any[]): string[] {
  const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
  const crdKind = (crd: any) => `${crd.spec.group}/${crd.spec.names.kind}`;
  const namespaces = new Set(objects.filter(o => o.kind === 'Namespace').map(o => o.metadata.name));
  const customKinds = new Set(objects.filter(o => o.kind === 'CustomResourceDefinition').map(crdKind));
  const created = new Set<string>();
  const problems: string[] = [];
  for (const o of objects) {
    const namespace = o.metadata?.namespace;
    if (namespaces.has(namespace) && !created.has(`Namespace ${namespace}`)) problems.push(`${o.kind} ${namespace}/${o.metadata.name} comes before Namespace ${namespace}`);
    const kind = `${groupOf(String(o.apiVersion))}/${o.kind}`;
    if (customKinds.has(kind) && !created.has(kind)) problems.push(`${o.kind} ${o.metadata.name} comes before its CustomResourceDefinition`);
    if (o.kind === 'Namespace') created.add(`Namespace ${o.metadata.name}`);
    if (o.kind === 'CustomResourceDefinition') created.add(crdKind(o));
  }
  return problems;
}

export function podSpec(deployment: any): any {
  return deployment.spec.template.spec;
}

/** A container or init container of the Deployment's pod, by name. */
export function container(deployment: any, name: string): any {
  const spec = podSpec(deployment);
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const found = all.filter((c: any) => c.name === name);
  if (found.length !== 1) throw new Error(`expected one container '${name}', found ${found.length}`);
  return found[0];
}

/** `env` of a container as name → entry (`value` or `valueFrom`). */
export function envOf(c: any): Record<string, any> {
  const env: Record<string, any> = {};
  for (const e of c.env ?? []) {
    if (e.name in env) throw new Error(`env ${e.name} appears twice in container ${c.name}`);
    // Both fields shown when both are set: the API server refuses that, so a test must see it.
    env[e.name] = e.valueFrom ? { ...(e.value !== undefined ? { value: e.value } : {}), valueFrom: e.valueFrom } : e.value;
  }
  return env;
}

/** The message of the error `fn` throws; fails if it does not throw. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * The kubernetes-models class of an object (`kubernetes-models/apps/v1`.Deployment,
 * `@kubernetes-models/prometheus-operator` for monitoring.coreos.com), or
 * undefined when no model package covers its apiVersion.
 */
export function modelClass(m: { apiVersion: string; kind: string }): any {
  const module = m.apiVersion.startsWith('monitoring.coreos.com/')
    ? `@kubernetes-models/prometheus-operator/${m.apiVersion}`
    : `kubernetes-models/${m.apiVersion}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(module)[m.kind];
}
