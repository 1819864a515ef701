/**
 * What the operator changes in the cluster for one AgentType: the objects to
 * apply (missing, or different from what it applied last) and the objects it
 * owns that are no longer wanted (to delete). An object is compared by the
 * hash of what the operator applied (`agents.cdk8s.io/applied-hash`), not
 * field by field with the live object, which the API server fills with
 * defaults: so an AgentType whose wanted objects did not change makes no
 * write at all. The other side of that choice: a hand edit of an owned object
 * that keeps the annotation stays until the wanted object changes.
 */
import { createHash } from 'crypto';
import { canonicalJson } from '../core/canonical-json';
import { APPLIED_HASH_ANNOTATION } from '../core/labels';

/** `apiVersion`, `kind`, namespace and name of an object. */
export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The changes for one AgentType. */
export interface Plan {
  /** Objects to apply (server-side apply), each with its applied-hash annotation. */
  readonly apply: any[];
  /** Owned objects no longer wanted. */
  readonly delete: ObjectReference[];
  /** Wanted objects already as wanted (no request). */
  readonly unchanged: number;
}


/** The object's identity: API group (not version: a version change is an update), kind, namespace, name. */
export function objectKey(object: { apiVersion: string; kind: string; metadata: { namespace?: string; name: string } }): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return `${group}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** `object` with the applied-hash annotation: sha256 of its canonical JSON without that annotation. */
export function withAppliedHash(object: any): any {
  const annotations = { ...object.metadata?.annotations };
  delete annotations[APPLIED_HASH_ANNOTATION];
  const bare = { ...object, metadata: { ...object.metadata, annotations } };
  if (Object.keys(annotations).length === 0) delete bare.metadata.annotations;
  const hash = createHash('sha256').update(canonicalJson(bare)).digest('hex');
  return { ...bare, metadata: { ...bare.metadata, annotations: { ...annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
}

/**
 * The plan from the `desired` objects and the `owned` live objects (those
 * with a controller owner reference to the AgentType, from the informers'
 * caches).
 */
export function planChanges(desired: readonly any[], owned: readonly any[]): Plan {
  const live = new Map(owned.map(o => [objectKey(o), o]));
  const wanted = new Set<string>();
  const apply: any[] = [];
  let unchanged = 0;
  for (const object of desired.map(withAppliedHash)) {
    const key = objectKey(object);
    wanted.add(key);
    const current = live.get(key);
    const hash = object.metadata.annotations[APPLIED_HASH_ANNOTATION];
    if (current?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === hash && !current.metadata.deletionTimestamp) unchanged++;
    else apply.push(object);
  }
  const deletions = owned.filter(o => !wanted.has(objectKey(o)) && !o.metadata?.deletionTimestamp).map(o => ({
    apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata?.namespace, name: o.metadata.name,
  }));
  return { apply, delete: deletions, unchanged };
}
