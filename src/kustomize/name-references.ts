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
 *
 * The pass is linear in the number of objects: the objects that could be
 * referred to are indexed once (by previous name and by original namespace),
 * and the field specs by referrer kind, instead of filtering every object for
 * every referrer as kustomize does.
 */
import { FieldSpec } from './field-spec';
import { NAME_REFERENCES } from './name-reference-config';
import {
  describeId, effectiveNamespace, GvkSelector, idOf, isClusterScoped, isSelected, KustomizeResource, nameAffixesOf, originalId,
  ResourceId, visitFieldPath,
} from './resource';

/** One field spec of `NAME_REFERENCES` and the kind of object its field names. */
interface Reference {
  readonly target: GvkSelector;
  readonly fieldSpec: FieldSpec;
}

/** The field specs of `NAME_REFERENCES` by the kind of the referrer, each list in `NAME_REFERENCES` order. */
const REFERENCES_BY_KIND: ReadonlyMap<string, readonly Reference[]> = (() => {
  const byKind = new Map<string, Reference[]>();
  for (const { target, fieldSpecs } of NAME_REFERENCES) {
    for (const fieldSpec of fieldSpecs) {
      // Every builtin field spec names a kind; one without would apply to all kinds.
      if (!fieldSpec.kind) throw new Error(`name reference field spec '${fieldSpec.path}' has no kind`);
      const list = byKind.get(fieldSpec.kind) ?? [];
      list.push({ target, fieldSpec });
      byKind.set(fieldSpec.kind, list);
    }
  }
  return byKind;
})();

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
  const index = new CandidateIndex(resources);
  for (const referrer of resources) {
    const orgId = originalId(referrer);
    let scope: ReferrerScope | undefined;
    for (const { target, fieldSpec } of REFERENCES_BY_KIND.get(orgId.kind) ?? []) {
      if (!isSelected(orgId, fieldSpec)) continue;
      // Read before the first field of the referrer is changed, as kustomize does.
      scope = scope ?? new ReferrerScope(referrer);
      const fix = new ReferenceFix(referrer, fieldSpec, target, scope, index);
      visitSpecPath(referrer.object, fieldSpec.path, (holder, key) => fix.set(holder, key));
    }
  }
}

/**
 * What the pass reads of an object, read once: the transformer changes
 * reference fields only, never a name or namespace, so ids stay put.
 */
interface Candidate {
  readonly res: KustomizeResource;
  /** The current id. */
  readonly id: ResourceId;
  /** Effective namespace of the current id. */
  readonly namespace: string;
  /** Effective namespace of the original id. */
  readonly originalNamespace: string;
}

/** The namespaces (now) of the objects that had one original namespace. */
interface NamespaceMoves {
  /** Some of them are cluster-scoped now. */
  clusterScoped: boolean;
  /** Their effective current namespaces. */
  readonly namespaces: Set<string>;
  /** Their current `metadata.namespace` values (`''` when none). */
  readonly rawNamespaces: Set<string>;
}

/** The objects of one pass, indexed once. */
class CandidateIndex {
  /** Objects by every name they had before (they were renamed or moved), in object order. */
  private readonly byPreviousName = new Map<string, Candidate[]>();
  private readonly byOriginalNamespace = new Map<string, NamespaceMoves>();

  constructor(resources: KustomizeResource[]) {
    for (const res of resources) {
      const id = idOf(res.object);
      const candidate = { res, id, namespace: effectiveNamespace(id), originalNamespace: effectiveNamespace(originalId(res)) };
      for (const name of new Set(res.previousIds.map(p => p.name))) {
        const list = this.byPreviousName.get(name) ?? [];
        list.push(candidate);
        this.byPreviousName.set(name, list);
      }
      let moves = this.byOriginalNamespace.get(candidate.originalNamespace);
      if (!moves) {
        moves = { clusterScoped: false, namespaces: new Set(), rawNamespaces: new Set() };
        this.byOriginalNamespace.set(candidate.originalNamespace, moves);
      }
      moves.clusterScoped = moves.clusterScoped || isClusterScoped(id.kind);
      moves.namespaces.add(candidate.namespace);
      moves.rawNamespaces.add(id.namespace);
    }
  }

  /** The objects in `scope` that once were named `name`, in object order. */
  named(name: string, scope: ReferrerScope): Candidate[] {
    return (this.byPreviousName.get(name) ?? []).filter(c => scope.includes(c));
  }

  /** True when some object in `scope` had the original (effective) namespace `namespace`. */
  hasOriginalNamespace(namespace: string, scope: ReferrerScope): boolean {
    const moves = this.byOriginalNamespace.get(namespace);
    if (!moves) return false;
    return scope.includesAny(moves);
  }
}

/** `resWrangler.SubsetThatCouldBeReferencedByResource`, as a test on one object. */
class ReferrerScope {
  /** A cluster-scoped referrer may refer to anything. */
  private readonly everything: boolean;
  private readonly namespace: string;
  /** For a RoleBinding, the namespaces of its ServiceAccount subjects. */
  private readonly roleBindingNamespaces = new Set<string>();

  constructor(referrer: KustomizeResource) {
    const referrerId = idOf(referrer.object);
    this.everything = isClusterScoped(referrerId.kind);
    this.namespace = effectiveNamespace(referrerId);
    if (referrerId.kind === 'RoleBinding' && Array.isArray(referrer.object.subjects)) {
      for (const subject of referrer.object.subjects) {
        if (subject && subject.kind === 'ServiceAccount' && typeof subject.namespace === 'string') {
          this.roleBindingNamespaces.add(subject.namespace);
        }
      }
    }
  }

  /** Cluster-scoped objects, those in the referrer's namespace, and those in a subject's namespace. */
  includes(candidate: Candidate): boolean {
    if (this.everything || isClusterScoped(candidate.id.kind)) return true;
    if (candidate.namespace === this.namespace) return true;
    return this.roleBindingNamespaces.has(candidate.id.namespace);
  }

  /** True when `includes` holds for one of the objects `moves` sums up. */
  includesAny(moves: NamespaceMoves): boolean {
    if (this.everything || moves.clusterScoped || moves.namespaces.has(this.namespace)) return true;
    return [...this.roleBindingNamespaces].some(namespace => moves.rawNamespaces.has(namespace));
  }
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

/** One `nameref.Filter`: a referrer, one of its field specs, the target kind and the objects it may refer to. */
class ReferenceFix {
  constructor(
    private readonly referrer: KustomizeResource,
    private readonly fieldSpec: FieldSpec,
    private readonly target: GvkSelector,
    private readonly scope: ReferrerScope,
    private readonly index: CandidateIndex,
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
    const candidates = this.index.named(oldName, this.scope).map(c => c.res);
    const referral = this.selectReferral(oldName, candidates, sameNames);
    return referral ? idOf(referral.object).name : oldName;
  }

  private setMapping(node: any): void {
    if (typeof node.name !== 'string') {
      throw new Error(`updating name reference in '${this.fieldSpec.path}' field of ${describeId(idOf(this.referrer.object))}: `
        + 'path config error; no \'name\' field in node');
    }
    const oldName = node.name;
    const inNamespace = this.namespaceFilter(node);
    const candidates = this.index.named(oldName, this.scope).filter(inNamespace).map(c => c.res);
    const referral = this.selectReferral(oldName, candidates, sameNamesAndNamespaces);
    if (!referral) return;
    const { name, namespace } = idOf(referral.object);
    if (name === oldName && namespace === '') return;
    node.name = name;
    // An empty namespace is a wildcard here, never written over e.g. `default`.
    if (namespace !== '') node.namespace = namespace;
  }

  /**
   * `filterMapCandidatesByNamespace`: by original namespace when any object
   * the referrer may refer to had that namespace, else by current namespace.
   */
  private namespaceFilter(node: any): (candidate: Candidate) => boolean {
    if (node.namespace === undefined || node.namespace === null) return () => true;
    const namespace = String(node.namespace);
    if (this.index.hasOriginalNamespace(namespace, this.scope)) return c => c.originalNamespace === namespace;
    return c => c.namespace === namespace;
  }

  /** `Filter.selectReferral`, given the objects in scope that had the referenced name. */
  private selectReferral(
    oldName: string,
    named: KustomizeResource[],
    identical: (list: KustomizeResource[]) => boolean,
  ): KustomizeResource | undefined {
    let candidates = named.filter(c => c.previousIds.some(id => isSelected(id, this.target)));
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
