/**
 * One entry of kustomize's `patches` field as the overlay API takes it:
 * `Patch.strategicMerge(...)` or `Patch.json6902(...)`, with the objects it
 * selects (`PatchTarget`, defined by the engine and re-exported here).
 */
import { JsonPatch } from 'cdk8s';
import { sortedKeys } from '../core/canonical-json';
import { screenDeep } from '../core/credential-screen';
import { fail } from '../core/validation';
import { clone, type PatchSpec, type PatchTarget } from '../kustomize';

export type { PatchTarget } from '../kustomize';

/** Options of a strategic-merge patch (kustomize `patches[].target` and `patches[].options`). */
export interface StrategicMergePatchOptions {
  /**
   * The objects to patch. Without a target, kustomize patches the one object
   * named by the patch's own `apiVersion`, `kind` and `metadata.name`.
   * @default - the object the patch names
   */
  readonly target?: PatchTarget;
  /**
   * Let the patch change `metadata.name` (kustomize `options.allowNameChange`).
   * @default false - a name in the patch is ignored, as kustomize does
   */
  readonly allowNameChange?: boolean;
  /**
   * Let the patch change `kind` (kustomize `options.allowKindChange`).
   * @default false - a kind in the patch is ignored, as kustomize does
   */
  readonly allowKindChange?: boolean;
}

/** How a `Patch` changes its targets. */
export enum PatchType {
  /** Kubernetes strategic merge patch: lists merge by their patch merge key (`containers` and `env` by `name`, ...). */
  STRATEGIC_MERGE = 'StrategicMerge',
  /** RFC 6902 JSON patch: a list of `add`/`remove`/`replace`/`copy`/`move`/`test` operations. */
  JSON6902 = 'Json6902',
}

/**
 * One entry of kustomize's `patches` field
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/).
 */
export class Patch {
  /**
   * A strategic merge patch: a partial Kubernetes object. Lists merge the way
   * the Kubernetes API says (`containers`, `initContainers`, `volumes`, `env`
   * by `name`; `volumeMounts` by `mountPath`; `ports` by `containerPort`),
   * other lists are replaced; `null` deletes a field, `$patch: delete` an
   * element or the whole object, `$patch: replace` replaces instead of merging.
   *
   * The patch is kept with the keys of every map sorted (lists keep their
   * order), as cdk8s writes manifests: the patch file of the kustomize tree and
   * the fields it adds to objects do not depend on the order of the map given
   * (a Java `Map.of` or a Go map has none).
   *
   * @param patch any JSON object: the partial Kubernetes object, e.g. `{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } }`
   * @throws when `patch` is not an object, or has neither `options.target` nor a kind and `metadata.name`;
   *   when it holds what looks like a credential (a key shape, a credential URL, a credential-named key or env var with a literal value)
   */
  public static strategicMerge(patch: any, options: StrategicMergePatchOptions = {}): Patch {
    return Patch._strategicMerge(patch, options, 'sorted');
  }

  /**
   * `strategicMerge`, with the key order of `patch` kept when `keys` is
   * `'as-written'`: for the presets, whose patches are written in the order
   * Kubernetes documents read in (a list item's merge key `name` first).
   * @internal
   */
  public static _strategicMerge(patch: any, options: StrategicMergePatchOptions, keys: 'sorted' | 'as-written'): Patch {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
      fail('Patch', 'strategicMerge', 'patch', patch, 'must be an object (a partial Kubernetes object)');
    }
    if (!options.target && (!patch.kind || !patch.metadata?.name)) {
      fail('Patch', 'strategicMerge', 'patch', `${patch.kind ?? '<no kind>'}/${patch.metadata?.name ?? '<no name>'}`,
        'has no target: give options.target, or a kind and metadata.name in the patch');
    }
    // The patch is written into the kustomize tree and the output: no credential in it.
    screenDeep('Patch', 'strategicMerge', 'patch', patch);
    const body = keys === 'sorted' ? sortedKeys(clone(patch)) : clone(patch);
    return new Patch(PatchType.STRATEGIC_MERGE, body, options.target, options.allowNameChange, options.allowKindChange);
  }

  /**
   * A JSON 6902 patch applied to every object `target` selects.
   * @param target the objects to patch (required by kustomize for JSON patches)
   * @param ops operations built with cdk8s `JsonPatch.add/remove/replace/copy/move/test`
   * @throws when `ops` is empty, or when an operation holds what looks like a credential (as `strategicMerge`)
   */
  public static json6902(target: PatchTarget, ...ops: JsonPatch[]): Patch {
    if (ops.length === 0) fail('Patch', 'json6902', 'ops', [], 'must contain at least one operation');
    const body = ops.map(op => op._toJson());
    screenDeep('Patch', 'json6902', 'ops', body);
    return new Patch(PatchType.JSON6902, body, target, false, false);
  }

  /** Strategic merge or JSON 6902. */
  public readonly patchType: PatchType;
  /** The objects this patch selects; undefined for a strategic-merge patch that names its object. */
  public readonly target?: PatchTarget;
  /** kustomize `options.allowNameChange`. */
  public readonly allowNameChange: boolean;
  /** kustomize `options.allowKindChange`. */
  public readonly allowKindChange: boolean;
  private readonly body: any;

  private constructor(patchType: PatchType, body: any, target: PatchTarget | undefined, allowNameChange?: boolean, allowKindChange?: boolean) {
    this.patchType = patchType;
    this.body = body;
    this.target = target ? { ...target } : undefined;
    this.allowNameChange = allowNameChange ?? false;
    this.allowKindChange = allowKindChange ?? false;
  }

  /**
   * The patch as data (a copy), any JSON: the partial object of a strategic
   * merge, or the list of JSON 6902 operations (`{ op, path, value?, from? }`).
   */
  public get content(): any {
    return clone(this.body);
  }

  /** @internal */
  public _spec(): PatchSpec {
    const options = this.allowNameChange || this.allowKindChange
      ? { allowNameChange: this.allowNameChange || undefined, allowKindChange: this.allowKindChange || undefined }
      : undefined;
    return { patch: clone(this.body), target: this.target, options };
  }
}
