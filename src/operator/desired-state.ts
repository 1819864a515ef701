/**
 * What the operator wants in the cluster for one AgentType: the objects the
 * library's own `AgentPod` renders from the AgentType's spec (so `cdk8s synth`
 * and the operator cannot drift), each owned by the AgentType (a controller
 * owner reference, so the garbage collector removes them with it), with the
 * checksum of the Secrets the pod reads in its template (so pods roll when a
 * key is rotated; the values never leave the operator).
 */
import { App, Chart } from 'cdk8s';
import { AgentPod, AgentPodFromSpecOptions } from '../agent/agent-pod';
import { SECRET_CHECKSUM_ANNOTATION } from '../core/labels';
import { checkManifests } from '../core/manifest-check';
import { secretChecksum, SecretContent } from '../core/secret-checksum';
import type { AgentTypeSpec } from '../install/agent-type';
import { agentTypeSpecFromJson } from '../install/agent-type-json';

/** An AgentType as read from the API server (the fields the operator uses). */
export interface AgentTypeResource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly generation?: number;
  };
  /**
   * The spec as the API server returns it: the CRD's JSON (`agent.type`,
   * `code.source.ref`, ...), which `agentTypeSpecFromJson` reads into the structs.
   */
  readonly spec: any;
}

/** A Secret an agent's pod reads, by name and, for a single key, the key. */
export interface SecretReference {
  readonly name: string;
  /** The key (`secretKeyRef`); undefined for the whole Secret (`envFrom`, a volume). */
  readonly key?: string;
  /** Where the pod reads it, e.g. `container agent env OPENAI_API_KEY`. */
  readonly usedBy: string;
}

/**
 * Renders the objects of `agentType`: `AgentPod.fromAgentTypeSpec` of its
 * spec (read from the CRD's JSON) with the AgentType's name as the agent name
 * and its namespace, then a controller
 * owner reference to the AgentType on each object. The final output check of
 * `app.synth()` runs on them.
 * @throws the library's message for a spec the constructs refuse (naming
 * the field and the value, never a credential), which the operator puts in
 * the AgentType's `Failed` condition
 */
export function renderAgentType(agentType: AgentTypeResource, options: AgentPodFromSpecOptions = {}): any[] {
  const { name, namespace } = agentType.metadata;
  const app = new App();
  const chart = new Chart(app, 'agent-type');
  const spec = agentTypeSpecFromJson<AgentTypeSpec>(agentType.spec, `AgentType '${namespace}/${name}'`);
  AgentPod.fromAgentTypeSpec(chart, name, spec, { ...options, agentName: name, namespaceName: namespace });
  const problems = app.node.findAll().flatMap(c => c.node.validate());
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const objects = chart.toJson();
  checkManifests(`AgentType '${namespace}/${name}'`, objects);
  const owner = {
    apiVersion: agentType.apiVersion,
    kind: agentType.kind,
    name,
    uid: agentType.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
  return objects.map(o => ({ ...o, metadata: { ...o.metadata, ownerReferences: [owner] } }));
}

/** The Secrets the pod templates of `objects` read (env, envFrom, volumes), in order of first use, without repeats. */
export function secretReferences(objects: readonly any[]): SecretReference[] {
  const found: SecretReference[] = [];
  const seen = new Set<string>();
  const add = (name: string | undefined, key: string | undefined, usedBy: string) => {
    const id = `${name}\0${key ?? ''}`;
    if (!name || seen.has(id)) return;
    seen.add(id);
    found.push({ name, key, usedBy });
  };
  for (const spec of objects.map(o => o?.spec?.template?.spec).filter(s => s)) {
    for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const env of container.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref) add(ref.name, ref.key, `container ${container.name} env ${env.name}`);
      }
      for (const from of container.envFrom ?? []) add(from.secretRef?.name, undefined, `container ${container.name} envFrom`);
    }
    for (const volume of spec.volumes ?? []) {
      add(volume.secret?.secretName, undefined, `volume ${volume.name}`);
      for (const source of volume.projected?.sources ?? []) add(source.secret?.name, undefined, `volume ${volume.name}`);
    }
  }
  return found;
}

/**
 * Puts the checksum of `secrets` (the contents of the Secrets `secretReferences`
 * found, read from the cluster) in each pod template of `objects`, as the
 * `agents.cdk8s.io/secret-checksum` annotation. Returns new objects.
 */
export function withSecretChecksum(objects: readonly any[], secrets: readonly SecretContent[]): any[] {
  if (secrets.length === 0) return [...objects];
  const checksum = secretChecksum(secrets);
  return objects.map((o) => {
    const template = o?.spec?.template;
    if (!template?.spec) return o;
    const annotations = { ...template.metadata?.annotations, [SECRET_CHECKSUM_ANNOTATION]: checksum };
    return { ...o, spec: { ...o.spec, template: { ...template, metadata: { ...template.metadata, annotations } } } };
  });
}
