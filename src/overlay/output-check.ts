/**
 * What the API server would refuse in an overlay's output, checked before
 * anything is written since no cluster is at hand; and the image policies,
 * which are this library's own rules.
 */
import { agentTypeErrors } from './agent-type-check';
import { ImagePolicy } from '../core/image-reference';
import { fail } from '../core/validation';
import { describeId, idOf } from '../kustomize';

/** Kinds whose names must be RFC 1123 labels (at most 63 characters). */
const DNS_LABEL_KINDS = new Set(['Namespace', 'Service']);

/**
 * Checks the objects of overlay `overlay` after all its transformations.
 * `agentTypeApiVersions` says which AgentType objects follow the AgentType
 * schema (see `agentTypeApiVersions`).
 * @throws naming the overlay, the object and the field or value at fault
 */
export function checkOutput(overlay: string, objects: any[], policies: ImagePolicy[], agentTypeApiVersions: Set<string>): void {
  checkImagePolicies(overlay, objects, policies);
  checkAutoscaledReplicas(overlay, objects);
  checkObjects(overlay, objects, agentTypeApiVersions);
}

function checkImagePolicies(overlay: string, objects: any[], policies: ImagePolicy[]): void {
  if (policies.length === 0) return;
  const images = ImagePolicy.imagesOf(objects);
  const problems = policies.flatMap(policy => policy.violations(images));
  if (problems.length > 0) {
    throw new Error(`Overlay '${overlay}': images break the image policy:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
}

/** An HPA-managed workload must not have replicas: the two would fight. */
function checkAutoscaledReplicas(overlay: string, objects: any[]): void {
  const key = (kind: unknown, namespace: unknown, name: unknown) => JSON.stringify([kind, namespace ?? '', name]);
  let byId: Map<string, any> | undefined;
  for (const hpa of objects.filter(o => o.kind === 'HorizontalPodAutoscaler')) {
    if (byId === undefined) {
      byId = new Map();
      for (const o of objects) {
        const k = key(o.kind, o.metadata?.namespace, o.metadata?.name);
        if (!byId.has(k)) byId.set(k, o);
      }
    }
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = byId.get(key(ref.kind, hpa.metadata?.namespace, ref.name));
    if (target && target.spec?.replicas !== undefined) {
      fail('Overlay', overlay, `${ref.kind} '${ref.name}' spec.replicas`, target.spec.replicas,
        `is set, but HorizontalPodAutoscaler '${hpa.metadata?.name}' manages its replicas: remove the replicas entry or patch`);
    }
  }
}

/** Unique ids, valid names, AgentTypes that follow their schema. */
function checkObjects(overlay: string, objects: any[], agentTypeApiVersions: Set<string>): void {
  const seen = new Set<string>();
  for (const object of objects) {
    const id = idOf(object);
    const key = `${id.group}/${id.kind}/${id.namespace}/${id.name}`;
    if (seen.has(key)) fail('Overlay', overlay, 'output', describeId(id), 'appears twice after the overlay');
    seen.add(key);
    if (id.name.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(id.name)) {
      fail('Overlay', overlay, `${id.kind} metadata.name`, id.name, 'is not a valid RFC 1123 subdomain after the overlay');
    }
    if (DNS_LABEL_KINDS.has(id.kind) && id.name.length > 63) {
      fail('Overlay', overlay, `${id.kind} metadata.name`, id.name, 'is longer than 63 characters after the overlay');
    }
    const errors = agentTypeErrors(object, agentTypeApiVersions);
    if (errors.length > 0) fail('Overlay', overlay, `AgentType '${id.name}'`, errors.join('; '), 'breaks the AgentType schema after the overlay');
  }
}
