/**
 * kustomize's name-reference transformer (internal): after names and
 * namespaces have changed, every field that refers to a renamed or moved
 * object by name (see name-reference-config.ts) gets the object's new name
 * (and, for `{name, namespace}` references, its new namespace).
 *
 * Behaviour follows kustomize v5.5.0 (the one in kubectl 1.32) and was checked
 * against `kubectl kustomize` (see test/kustomize/names.test.ts). Sources:
 * - sigs.k8s.io/kustomize/api/filters/nameref/nameref.go
 * - sigs.k8s.io/kustomize/api/resmap/reswrangler.go (SubsetThatCouldBeReferencedByResource)
 */
import { FieldSpec } from './field-spec';
import { NAME_REFERENCES } from './name-reference-config';
import {
  describeId, effectiveNamespace, GvkSelector, idOf, isClusterScoped, isSelected, KustomizeResource, nameAffixesOf, originalId,
  visitFieldPath,
} from './resource';

/**
 * kustomize's name-reference transformer with its builtin configuration
 * (`NAME_REFERENCES` of name-reference-config.ts, from namereference.go). For every object (the
 * referrer) and every field spec selecting its original kind, the name found
 * in that field is looked up among the objects that were renamed (they have
 * previous ids), and replaced with the current name of the one it designates:
 *
 * - candidates are the objects the referrer could refer to: cluster-scoped
 *   ones, ones in the referrer's namespace (`''` counts as `default`), and, for
 *   a RoleBinding, ones in the namespace of a ServiceAccount subject;
 * - a candidate must have had the referenced name and the target kind before
 *   (any previous id), match `roleRef.apiGroup/kind` for `roleRef/name`, and be
 *   in the referrer's current namespace unless it is cluster-scoped or a
 *   ServiceAccount;
 * - map-valued fields (RoleBinding/ClusterRoleBinding `subjects`, webhook
 *   `clientConfig.service`) are matched on `name` and, when present, on
 *   `namespace` (original namespace first, current one otherwise), and get both
 *   the new name and the new namespace (the namespace only when the target has
 *   one). kustomize does not look at a subject's `kind`: a `User` named like a
 *   renamed ServiceAccount is rewritten too, and so it is here.
 *
 * Several different candidates left after kustomize's prefix/suffix
 * tie-break is an error, as in kustomize. Runs once, at the end of an overlay,
 * after `addHashSuffixes`.
 */
export function fixNameReferences(resources: KustomizeResource[]): void {
  for (const referrer of resources) {
    const orgId = originalId(referrer);
    let candidates: KustomizeResource[] | undefined;
    for (const backRef of NAME_REFERENCES) {
      for (const fieldSpec of backRef.fieldSpecs) {
        if (!isSelected(orgId, fieldSpec)) continue;
        candidates = candidates ?? subsetThatCouldBeReferencedBy(resources, referrer);
        const context = new ReferenceFix(referrer, fieldSpec, backRef.target, candidates);
        visitSpecPath(referrer.object, fieldSpec.path, (holder, key) => context.set(holder, key));
      }
    }
  }
}

/** `resWrangler.SubsetThatCouldBeReferencedByResource`. */
function subsetThatCouldBeReferencedBy(resources: KustomizeResource[], referrer: KustomizeResource): KustomizeResource[] {
  const referrerId = idOf(referrer.object);
  if (isClusterScoped(referrerId.kind)) return resources;
  const roleBindingNamespaces = new Set<string>();
  if (referrerId.kind === 'RoleBinding' && Array.isArray(referrer.object.subjects)) {
    for (const subject of referrer.object.subjects) {
      if (subject && subject.kind === 'ServiceAccount' && typeof subject.namespace === 'string') {
        roleBindingNamespaces.add(subject.namespace);
      }
    }
  }
  return resources.filter(target => {
    const id = idOf(target.object);
    if (isClusterScoped(id.kind)) return true;
    if (effectiveNamespace(id) === effectiveNamespace(referrerId)) return true;
    return roleBindingNamespaces.has(id.namespace);
  });
}

/** Splits a field spec path on unescaped `/` (`nginx.ingress.kubernetes.io\/auth-secret` is one key). */
function visitSpecPath(node: any, path: string, fn: (holder: any, key: string) => void): void {
  if (!path.includes('\\/')) {
    visitFieldPath(node, path, false, fn);
    return;
  }
  const segments = path.split(/(?<!\\)\//).map(s => s.replace(/\\\//g, '/'));
  const walk = (current: any, i: number): void => {
    if (current === null || typeof current !== 'object') return;
    if (Array.isArray(current)) {
      current.forEach(item => walk(item, i));
      return;
    }
    const key = segments[i];
    if (current[key] === undefined || current[key] === null) return;
    if (i === segments.length - 1) fn(current, key);
    else walk(current[key], i + 1);
  };
  walk(node, 0);
}

/** One `nameref.Filter`: a referrer, one of its field specs, the target kind and the candidates. */
class ReferenceFix {
  constructor(
    private readonly referrer: KustomizeResource,
    private readonly fieldSpec: FieldSpec,
    private readonly target: GvkSelector,
    private readonly candidates: KustomizeResource[],
  ) {}

  /** `Filter.set`: the field holds a name, a {name, namespace} map, or a list of either. */
  set(holder: any, key: string): void {
    const value = holder[key];
    if (typeof value === 'string') {
      holder[key] = this.newScalar(value);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (typeof item === 'string') value[i] = this.newScalar(item);
        else if (item !== null && typeof item === 'object') this.setMapping(item);
      });
    } else if (value !== null && typeof value === 'object') {
      this.setMapping(value);
    }
  }

  private newScalar(oldName: string): string {
    const referral = this.selectReferral(oldName, this.candidates, sameNames);
    return referral ? idOf(referral.object).name : oldName;
  }

  private setMapping(node: any): void {
    if (typeof node.name !== 'string') {
      throw new Error(`updating name reference in '${this.fieldSpec.path}' field of ${describeId(idOf(this.referrer.object))}: `
        + 'path config error; no \'name\' field in node');
    }
    const oldName = node.name;
    const referral = this.selectReferral(oldName, this.candidatesByNamespace(node), sameNamesAndNamespaces);
    if (!referral) return;
    const { name, namespace } = idOf(referral.object);
    if (name === oldName && namespace === '') return;
    node.name = name;
    // An empty namespace is a wildcard here, never written over e.g. `default`.
    if (namespace !== '') node.namespace = namespace;
  }

  /** `filterMapCandidatesByNamespace`: by original namespace first, then by current namespace. */
  private candidatesByNamespace(node: any): KustomizeResource[] {
    if (node.namespace === undefined || node.namespace === null) return this.candidates;
    const namespace = String(node.namespace);
    const byOriginal = this.candidates.filter(c => effectiveNamespace(originalId(c)) === namespace);
    if (byOriginal.length > 0) return byOriginal;
    return this.candidates.filter(c => effectiveNamespace(idOf(c.object)) === namespace);
  }

  /** `Filter.selectReferral`. */
  private selectReferral(
    oldName: string,
    all: KustomizeResource[],
    identical: (list: KustomizeResource[]) => boolean,
  ): KustomizeResource | undefined {
    let candidates = all.filter(c => c.previousIds.some(id => id.name === oldName));
    candidates = candidates.filter(c => c.previousIds.some(id => isSelected(id, this.target)));
    const roleRef = this.roleRefSelector();
    if (roleRef) candidates = candidates.filter(c => c.previousIds.some(id => isSelected(id, roleRef)));
    candidates = candidates.filter(c => this.sameCurrentNamespaceAsReferrer(c));
    if (candidates.length === 1) return candidates[0];
    const mine = nameAffixesOf(this.referrer);
    candidates = candidates.filter(c => {
      const theirs = nameAffixesOf(c);
      return sameList(mine.prefixes, theirs.prefixes) && sameList(mine.suffixes, theirs.suffixes);
    });
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) return undefined;
    if (identical(candidates)) return candidates[0];
    throw new Error(`updating name reference in '${this.fieldSpec.path}' field of ${describeId(idOf(this.referrer.object))}: `
      + `found multiple possible referrals for '${oldName}': ${candidates.map(c => describeId(idOf(c.object))).join(', ')}`);
  }

  /** `roleRefFilter`: for `roleRef/name`, the roleRef's apiGroup and kind select the target. */
  private roleRefSelector(): GvkSelector | undefined {
    if (!this.fieldSpec.path.endsWith('roleRef/name')) return undefined;
    const roleRef = this.referrer.object.roleRef;
    if (!roleRef || typeof roleRef !== 'object') return undefined;
    if (roleRef.apiGroup === undefined || roleRef.apiGroup === null) return undefined;
    if (roleRef.kind === undefined || roleRef.kind === null) return undefined;
    return { group: String(roleRef.apiGroup), kind: String(roleRef.kind) };
  }

  /** `sameCurrentNamespaceAsReferrer`. */
  private sameCurrentNamespaceAsReferrer(candidate: KustomizeResource): boolean {
    const referrerId = idOf(this.referrer.object);
    if (isClusterScoped(referrerId.kind)) return true;
    const id = idOf(candidate.object);
    if (isClusterScoped(id.kind)) return true;
    // A RoleBinding may name a ServiceAccount of another namespace.
    if (id.kind === 'ServiceAccount') return true;
    return effectiveNamespace(id) === effectiveNamespace(referrerId);
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameNames(list: KustomizeResource[]): boolean {
  const first = idOf(list[0].object).name;
  return list.every(r => idOf(r.object).name === first);
}

function sameNamesAndNamespaces(list: KustomizeResource[]): boolean {
  const first = idOf(list[0].object);
  return list.every(r => idOf(r.object).name === first.name && idOf(r.object).namespace === first.namespace);
}
