/**
 * kustomize's field specs (internal): a path in the objects of a
 * group/version/kind, and the walker that visits the fields it names, shared
 * by the labels, annotations, images and replicas transformers.
 *
 * Ported from sigs.k8s.io/kustomize `api/types/fieldspec.go` and
 * `api/filters/fieldspec/fieldspec.go`.
 */
import { isMap } from './json-value';
import { describeId, GvkSelector, idOf, isSelected, splitApiVersion } from './resource';

/** A kustomize `types.FieldSpec`: a path in objects of a group/version/kind (empty = any). */
export interface FieldSpec extends GvkSelector {
  readonly path: string;
  /** `create: true`: missing maps on the way (and the last field) are created. */
  readonly create?: boolean;
}

/** True when the field spec's group/version/kind (empty = any) selects the object (`isMatchGVK`). */
export function fieldSpecSelects(fs: FieldSpec, object: any): boolean {
  return isSelected({ ...splitApiVersion(object?.apiVersion), kind: object?.kind ?? '' }, fs);
}

/**
 * Applies one field spec to one object the way kustomize's `fieldspec.Filter`
 * does, calling `set(holder, key)` for every field the path names
 * (`holder[key]` may be undefined when it is to be created). Rules, each
 * checked with kubectl:
 * - lists met on the way are walked element by element; `null` elements are skipped;
 * - a `name[]` segment is never created; an explicit `null` there becomes `[]`;
 * - a missing or `null` field is created (`{}` on the way) only when the spec is
 *   `create: true` and `createLeaf` is true (kustomize's `CreateKind`: the image
 *   transformer has none, so its `create: true` specs create nothing);
 *   otherwise the walk stops there, leaving a `null` as it is;
 * - a string/number/boolean where the path goes on is an error.
 *
 * This does not use `visitFieldPath` of resource.ts because that one creates
 * `name[]` segments as `{}` (e.g. `volumeClaimTemplates: {}` on every
 * StatefulSet) and does not follow the `null` rules above.
 */
export function applyFieldSpec(object: any, fs: FieldSpec, createLeaf: boolean,
  set: (holder: any, key: string | number) => void): void {
  if (!fieldSpecSelects(fs, object)) return;
  const segments = fs.path.split('/');
  const create = fs.create === true && createLeaf;
  const fail = (): never => {
    throw new Error(`considering field '${fs.path}' of ${describeId(idOf(object))}: expected sequence or mapping node`);
  };

  const visit = (holder: any, key: string | number, i: number): void => {
    if (i === segments.length) {
      set(holder, key);
      return;
    }
    const node = holder[key];
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) visit(node, index, i);
    } else if (isMap(node)) {
      field(node, i);
    } else if (node !== null && node !== undefined) {
      fail();
    }
  };

  const field = (map: Record<string, any>, i: number): void => {
    const isSeq = segments[i].endsWith('[]');
    const name = isSeq ? segments[i].slice(0, -2) : segments[i];
    const value = map[name];
    if (value === undefined || value === null) {
      if (isSeq) {
        // kustomize takes the `[]` as a hint that a null field is a sequence.
        if (value === null) map[name] = [];
        return;
      }
      if (!create) return;
      if (i < segments.length - 1) map[name] = {};
    }
    visit(map, name, i + 1);
  };

  const root = { object };
  visit(root, 'object', 0);
}
