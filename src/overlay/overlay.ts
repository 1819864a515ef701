import * as fs from 'fs';
import * as path from 'path';
import { App, JsonPatch, Names, Yaml } from 'cdk8s';
import { AgentType } from '../install/agent-type';
import { ImagePolicy } from '../core/image-reference';
import {
  addHashSuffixes, applyAnnotations, applyImages, applyLabels, applyNamePrefixSuffix, applyNamespace, applyPatches, applyReplicas,
  checkGeneratorData, describeId, fixNameReferences, idOf, runGenerators, toResources,
  type GeneratorSpec, type KustomizeResource, type PatchSpec, type PatchTarget,
} from '../kustomize';
import { renderKustomizeTree } from './kustomize-tree';
import {
  checkDns1123Label, checkDns1123Subdomain, checkImage, checkLabelKey, checkLabelValue, checkNonEmpty, fail,
} from '../core/validation';

// The patch target is the engine's selector; the public API names it `PatchTarget`.
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
   * @param patch the partial object, e.g. `{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } }`
   * @throws when `patch` is not an object, or has neither `options.target` nor a kind and `metadata.name`
   */
  public static strategicMerge(patch: any, options: StrategicMergePatchOptions = {}): Patch {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
      fail('Patch', 'strategicMerge', 'patch', patch, 'must be an object (a partial Kubernetes object)');
    }
    if (!options.target && (!patch.kind || !patch.metadata?.name)) {
      fail('Patch', 'strategicMerge', 'patch', `${patch.kind ?? '<no kind>'}/${patch.metadata?.name ?? '<no name>'}`,
        'has no target: give options.target, or a kind and metadata.name in the patch');
    }
    return new Patch(PatchType.STRATEGIC_MERGE, clone(patch), options.target, options.allowNameChange, options.allowKindChange);
  }

  /**
   * A JSON 6902 patch applied to every object `target` selects.
   * @param target the objects to patch (required by kustomize for JSON patches)
   * @param ops operations built with cdk8s `JsonPatch.add/remove/replace/copy/move/test`
   * @throws when `ops` is empty
   */
  public static json6902(target: PatchTarget, ...ops: JsonPatch[]): Patch {
    if (ops.length === 0) fail('Patch', 'json6902', 'ops', [], 'must contain at least one operation');
    return new Patch(PatchType.JSON6902, ops.map(op => op._toJson()), target, false, false);
  }

  /** Strategic merge or JSON 6902. */
  public readonly type: PatchType;
  /** The objects this patch selects; undefined for a strategic-merge patch that names its object. */
  public readonly target?: PatchTarget;
  /** kustomize `options.allowNameChange`. */
  public readonly allowNameChange: boolean;
  /** kustomize `options.allowKindChange`. */
  public readonly allowKindChange: boolean;
  private readonly body: any;

  private constructor(type: PatchType, body: any, target: PatchTarget | undefined, allowNameChange?: boolean, allowKindChange?: boolean) {
    this.type = type;
    this.body = body;
    this.target = target ? { ...target } : undefined;
    this.allowNameChange = allowNameChange ?? false;
    this.allowKindChange = allowKindChange ?? false;
  }

  /** The patch as data: the partial object, or the list of JSON 6902 operations (a copy). */
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

/** One entry of kustomize's `images` field (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/). */
export interface ImageOverride {
  /** The image name to match, without tag or digest, e.g. `registry.example.com/agents/web`. */
  readonly name: string;
  /** Replace the image name (registry and repository). @default - keep the name */
  readonly newName?: string;
  /** Replace the tag. @default - keep the tag */
  readonly newTag?: string;
  /** Pin to a digest, `sha256:<64 hex>`; wins over any tag, as in kustomize. @default - no digest */
  readonly digest?: string;
}

/** One entry of kustomize's `replicas` field (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/replicas/). */
export interface ReplicaOverride {
  /** `metadata.name` of the Deployment, StatefulSet, ReplicaSet or ReplicationController. */
  readonly name: string;
  /** `spec.replicas`, an integer >= 0. */
  readonly count: number;
}

/** One entry of kustomize's `labels` field (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/labels/). */
export interface LabelSet {
  /** The labels to add (they overwrite existing values of the same key). */
  readonly pairs: { [key: string]: string };
  /**
   * Also add them to selectors (`spec.selector`, `matchLabels`, ...), as
   * `commonLabels` does. Selectors are immutable on a live Deployment.
   * @default false
   */
  readonly includeSelectors?: boolean;
  /** Also add them to pod templates (`spec.template.metadata.labels`, ...) when selectors are not included. @default false */
  readonly includeTemplates?: boolean;
}

/** `generatorOptions` of kustomize (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/generatoroptions/). */
export interface GeneratorOptions {
  /** Labels on the generated objects. @default - none */
  readonly labels?: { [key: string]: string };
  /** Annotations on the generated objects. @default - none */
  readonly annotations?: { [key: string]: string };
  /** Keep the name without the `-<content hash>` suffix. @default false */
  readonly disableNameSuffixHash?: boolean;
  /** Mark the generated objects `immutable: true`. @default false */
  readonly immutable?: boolean;
}

/** What a generator does when an object of that name already exists (kustomize `behavior`). */
export enum GeneratorBehavior {
  /** Make a new object; an existing one of that name is an error. */
  CREATE = 'create',
  /** Add or overwrite keys of the existing object. */
  MERGE = 'merge',
  /** Replace the data of the existing object. */
  REPLACE = 'replace',
}

/** A kustomize `configMapGenerator` entry (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/configmapgenerator/). */
export interface ConfigMapGeneratorProps {
  /** Name before the hash suffix; an RFC 1123 subdomain. */
  readonly name: string;
  /** `metadata.namespace`. @default - the overlay's namespace, if any */
  readonly namespace?: string;
  /** @default GeneratorBehavior.CREATE */
  readonly behavior?: GeneratorBehavior;
  /** Data entries given as values (kustomize `literals: [key=value]`). @default - none */
  readonly literals?: { [key: string]: string };
  /**
   * Data entries given as file contents, key → content (kustomize
   * `files: [key=path]`; the kustomize tree writes each content to a file).
   * @default - none
   */
  readonly files?: { [key: string]: string };
  /** Options for this generator, merged over the overlay's `generatorOptions`. @default - the overlay's options */
  readonly options?: GeneratorOptions;
}

/**
 * A kustomize `secretGenerator` entry
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/secretgenerator/).
 * This library never writes a credential into a manifest: keys that look like
 * credentials (password, token, api-key, ...) and values shaped like API keys
 * are refused. Keep credentials in Secrets made outside the app and refer to
 * them (`LlmProvider` credentials, `AgentEnvironment.addSecretVariable`).
 */
export interface SecretGeneratorProps extends ConfigMapGeneratorProps {
  /** Secret `type`. @default 'Opaque' */
  readonly type?: string;
}

/** The transformations of one kustomization file, shared by `Overlay` and `OverlayComponent`. */
export interface KustomizationProps {
  /** kustomize `namespace`: the namespace of every namespaced object. @default - namespaces unchanged */
  readonly namespace?: string;
  /** kustomize `namePrefix`. @default - no prefix */
  readonly namePrefix?: string;
  /** kustomize `nameSuffix`. @default - no suffix */
  readonly nameSuffix?: string;
  /** kustomize `commonLabels`: labels on every object and in every selector and pod template. @default - none */
  readonly commonLabels?: { [key: string]: string };
  /** kustomize `labels`: label sets with or without selectors. @default - none */
  readonly labels?: LabelSet[];
  /** kustomize `commonAnnotations`: annotations on every object and pod template. @default - none */
  readonly commonAnnotations?: { [key: string]: string };
  /** kustomize `images`. @default - images unchanged */
  readonly images?: ImageOverride[];
  /** kustomize `replicas`. @default - replica counts unchanged */
  readonly replicas?: ReplicaOverride[];
  /** kustomize `patches`, applied in order. @default - none */
  readonly patches?: Patch[];
  /** kustomize `configMapGenerator`. @default - none */
  readonly configMapGenerator?: ConfigMapGeneratorProps[];
  /** kustomize `secretGenerator`. @default - none */
  readonly secretGenerator?: SecretGeneratorProps[];
  /** kustomize `generatorOptions` for this file's generators. @default - none */
  readonly generatorOptions?: GeneratorOptions;
  /** kustomize `components`, applied in order before this file's own transformations. @default - none */
  readonly components?: OverlayComponent[];
  /**
   * Not a kustomize field: rules every image of the overlay's output must
   * meet (e.g. `new ImagePolicy({ requireDigest: true })`), checked after
   * `images` has run, so pins given there count. A component's policy
   * applies to the overlay that uses it. Only this library checks it: the
   * kustomize tree does not carry it.
   * @default - no policy
   */
  readonly imagePolicy?: ImagePolicy;
}

/**
 * One kustomization: the kustomize transformations an `Overlay` or an
 * `OverlayComponent` applies, named as kustomize names them
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/).
 *
 * Order, as in kustomize 5: generators, then components, then `patches`,
 * `namespace`, `namePrefix`/`nameSuffix`, `labels` and `commonLabels`,
 * `commonAnnotations`, `replicas`, `images`.
 */
export abstract class Kustomization {
  /** The name: the folder of the overlay (environment) or component. */
  public readonly name: string;
  /** kustomize `namespace`. */
  public readonly namespace?: string;
  /** kustomize `namePrefix`. */
  public readonly namePrefix?: string;
  /** kustomize `nameSuffix`. */
  public readonly nameSuffix?: string;
  /** kustomize `generatorOptions`. */
  public readonly generatorOptions?: GeneratorOptions;
  /** The image policy of this kustomization (not a kustomize field). */
  public readonly imagePolicy?: ImagePolicy;
  /** `Overlay` or `OverlayComponent`, for messages. */
  protected readonly kindName: string;
  private readonly _commonLabels: { [key: string]: string };
  private readonly _labels: LabelSet[] = [];
  private readonly _commonAnnotations: { [key: string]: string };
  private readonly _images: ImageOverride[] = [];
  private readonly _replicas: ReplicaOverride[] = [];
  private readonly _patches: Patch[] = [];
  private readonly _configMapGenerators: ConfigMapGeneratorProps[] = [];
  private readonly _secretGenerators: SecretGeneratorProps[] = [];
  private readonly _components: OverlayComponent[] = [];

  protected constructor(kindName: string, name: string, props: KustomizationProps) {
    this.kindName = kindName;
    checkDns1123Label(kindName, name, 'name', name);
    this.name = name;
    if (props.namespace !== undefined) checkDns1123Label(kindName, name, 'namespace', props.namespace);
    if (props.namePrefix !== undefined && !/^[a-z0-9.-]*$/.test(props.namePrefix)) {
      fail(kindName, name, 'namePrefix', props.namePrefix, 'may only hold lowercase letters, digits, \'-\' and \'.\'');
    }
    if (props.nameSuffix !== undefined && !/^[a-z0-9.-]*$/.test(props.nameSuffix)) {
      fail(kindName, name, 'nameSuffix', props.nameSuffix, 'may only hold lowercase letters, digits, \'-\' and \'.\'');
    }
    this.namespace = props.namespace;
    this.namePrefix = props.namePrefix;
    this.nameSuffix = props.nameSuffix;
    checkLabels(kindName, name, 'commonLabels', props.commonLabels ?? {});
    this._commonLabels = { ...(props.commonLabels ?? {}) };
    checkAnnotations(kindName, name, 'commonAnnotations', props.commonAnnotations ?? {});
    this._commonAnnotations = { ...(props.commonAnnotations ?? {}) };
    if (props.generatorOptions) checkGeneratorOptions(kindName, name, 'generatorOptions', props.generatorOptions);
    this.generatorOptions = props.generatorOptions;
    this.imagePolicy = props.imagePolicy;
    for (const set of props.labels ?? []) this.addLabels(set);
    for (const image of props.images ?? []) this.addImage(image);
    for (const replica of props.replicas ?? []) this.addReplicas(replica);
    for (const patch of props.patches ?? []) this.addPatch(patch);
    for (const gen of props.configMapGenerator ?? []) this.addConfigMapGenerator(gen);
    for (const gen of props.secretGenerator ?? []) this.addSecretGenerator(gen);
    for (const component of props.components ?? []) this.addComponent(component);
  }

  /** kustomize `commonLabels` (a copy). */
  public get commonLabels(): { [key: string]: string } {
    return { ...this._commonLabels };
  }
  /** kustomize `labels` (a copy). */
  public get labels(): LabelSet[] {
    return this._labels.map(l => ({ ...l, pairs: { ...l.pairs } }));
  }
  /** kustomize `commonAnnotations` (a copy). */
  public get commonAnnotations(): { [key: string]: string } {
    return { ...this._commonAnnotations };
  }
  /** kustomize `images` (a copy). */
  public get images(): ImageOverride[] {
    return this._images.map(i => ({ ...i }));
  }
  /** kustomize `replicas` (a copy). */
  public get replicas(): ReplicaOverride[] {
    return this._replicas.map(r => ({ ...r }));
  }
  /** kustomize `patches`, in order (a copy of the list). */
  public get patches(): Patch[] {
    return [...this._patches];
  }
  /** kustomize `configMapGenerator` (a copy). */
  public get configMapGenerators(): ConfigMapGeneratorProps[] {
    return this._configMapGenerators.map(g => clone(g));
  }
  /** kustomize `secretGenerator` (a copy). */
  public get secretGenerators(): SecretGeneratorProps[] {
    return this._secretGenerators.map(g => clone(g));
  }
  /** kustomize `components`, in order (a copy of the list). */
  public get components(): OverlayComponent[] {
    return [...this._components];
  }

  /** Adds a kustomize `labels` entry. @throws on an invalid label key or value */
  public addLabels(set: LabelSet): LabelSet {
    checkLabels(this.kindName, this.name, 'labels[].pairs', set.pairs);
    const copy = { ...set, pairs: { ...set.pairs } };
    this._labels.push(copy);
    return copy;
  }

  /** Adds a kustomize `images` entry. @throws on an empty name or a malformed tag or digest */
  public addImage(image: ImageOverride): ImageOverride {
    const field = `images['${image.name}']`;
    checkNonEmpty(this.kindName, this.name, 'images[].name', image.name);
    if (image.newName !== undefined) checkImage(image.newName, this.kindName, this.name, `${field}.newName`);
    if (image.newTag !== undefined && !/^[\w][\w.-]{0,127}$/.test(image.newTag)) {
      fail(this.kindName, this.name, `${field}.newTag`, image.newTag, 'is not an image tag (letters, digits, \'_\', \'.\', \'-\', at most 128)');
    }
    if (image.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(image.digest)) {
      fail(this.kindName, this.name, `${field}.digest`, image.digest, 'is not a digest (sha256:<64 hex digits>)');
    }
    if (image.newName === undefined && image.newTag === undefined && image.digest === undefined) {
      fail(this.kindName, this.name, field, image.name, 'changes nothing: give newName, newTag or digest');
    }
    const copy = { ...image };
    this._images.push(copy);
    return copy;
  }

  /** Adds a kustomize `replicas` entry. @throws on a count that is not an integer >= 0 */
  public addReplicas(replica: ReplicaOverride): ReplicaOverride {
    checkNonEmpty(this.kindName, this.name, 'replicas[].name', replica.name);
    if (!Number.isInteger(replica.count) || replica.count < 0) {
      fail(this.kindName, this.name, `replicas['${replica.name}'].count`, replica.count, 'must be an integer >= 0');
    }
    const copy = { ...replica };
    this._replicas.push(copy);
    return copy;
  }

  /** Adds a kustomize `patches` entry (applied after the ones before it). */
  public addPatch(patch: Patch): Patch {
    this._patches.push(patch);
    return patch;
  }

  /**
   * Adds a kustomize `configMapGenerator` entry.
   * @throws on an invalid name or option, an invalid or repeated key, a key YAML would read as a
   *   number, boolean, null or date, and a value shaped like an API key
   */
  public addConfigMapGenerator(generator: ConfigMapGeneratorProps): ConfigMapGeneratorProps {
    this.checkGenerator('configMapGenerator', generator);
    const copy = clone(generator);
    this._configMapGenerators.push(copy);
    return copy;
  }

  /**
   * Adds a kustomize `secretGenerator` entry.
   * @throws as `addConfigMapGenerator`, and on a key named like a credential (password, token, api-key, ...)
   */
  public addSecretGenerator(generator: SecretGeneratorProps): SecretGeneratorProps {
    this.checkGenerator('secretGenerator', generator);
    const copy = clone(generator);
    this._secretGenerators.push(copy);
    return copy;
  }

  /** Adds a component, applied after the ones before it. @throws when it is already added */
  public addComponent(component: OverlayComponent): OverlayComponent {
    if (component === (this as unknown)) fail(this.kindName, this.name, 'components', component.name, 'cannot include itself');
    if (this._components.includes(component)) {
      fail(this.kindName, this.name, 'components', component.name, 'is already added');
    }
    this._components.push(component);
    return component;
  }

  /**
   * Applies this kustomization to `resources` the way kustomize's
   * `accumulateTarget` does (generators, components, transformers). Hash
   * suffixes and name references are fixed by the `Overlay` at the end.
   * @internal
   */
  public _applyTo(resources: KustomizeResource[], trail: string): KustomizeResource[] {
    const where = `${trail}${this.kindName} '${this.name}'`;
    runGenerators(resources, this._generatorSpecs(), this.generatorOptions, where, GENERATED_FILE);
    for (const component of this._components) {
      resources = component._applyTo(resources, `${where} > `);
    }
    resources = applyPatches(resources, this._patches.map(p => p._spec()), where);
    if (this.namespace) applyNamespace(resources, this.namespace);
    if (this.namePrefix || this.nameSuffix) applyNamePrefixSuffix(resources, this.namePrefix ?? '', this.nameSuffix ?? '');
    for (const set of this._labels) {
      applyLabels(resources, set.pairs, { includeSelectors: set.includeSelectors ?? false, includeTemplates: set.includeTemplates ?? false });
    }
    if (Object.keys(this._commonLabels).length > 0) {
      applyLabels(resources, this._commonLabels, { includeSelectors: true, includeTemplates: true });
    }
    if (Object.keys(this._commonAnnotations).length > 0) applyAnnotations(resources, this._commonAnnotations);
    if (this._replicas.length > 0) applyReplicas(resources, this._replicas, where);
    if (this._images.length > 0) applyImages(resources, this._images);
    return resources;
  }

  /** The image policies of this kustomization and of its components, recursively. @internal */
  public _imagePolicies(): ImagePolicy[] {
    return [...(this.imagePolicy ? [this.imagePolicy] : []), ...this._components.flatMap(c => c._imagePolicies())];
  }

  /** The generators as the internal generator specs. @internal */
  public _generatorSpecs(): GeneratorSpec[] {
    return [
      ...this._configMapGenerators.map(g => toGeneratorSpec('ConfigMap', g)),
      ...this._secretGenerators.map(g => toGeneratorSpec('Secret', g)),
    ];
  }

  private checkGenerator(field: string, generator: ConfigMapGeneratorProps): void {
    checkDns1123Subdomain(this.kindName, this.name, `${field}[].name`, generator.name);
    const where = `${field}['${generator.name}']`;
    if (generator.namespace !== undefined) checkDns1123Label(this.kindName, this.name, `${where}.namespace`, generator.namespace);
    const keys = [...Object.keys(generator.literals ?? {}), ...Object.keys(generator.files ?? {})];
    const behavior = generator.behavior ?? GeneratorBehavior.CREATE;
    if (keys.length === 0 && behavior !== GeneratorBehavior.REPLACE) {
      fail(this.kindName, this.name, where, generator.name, 'has no data: give literals or files');
    }
    // Keys and credential checks are the generator's own, run now so bad input fails at once.
    checkGeneratorData(toGeneratorSpec(field === 'secretGenerator' ? 'Secret' : 'ConfigMap', generator),
      `${this.kindName} '${this.name}': ${field} '${generator.name}'`);
    if (generator.options) checkGeneratorOptions(this.kindName, this.name, `${where}.options`, generator.options);
    const all = [...this._configMapGenerators, ...this._secretGenerators];
    if (all.some(g => g.name === generator.name && (g.namespace ?? '') === (generator.namespace ?? '')
      && (this._configMapGenerators.includes(g) === (field === 'configMapGenerator')))) {
      fail(this.kindName, this.name, `${field}[].name`, generator.name, 'is generated twice in this kustomization');
    }
  }
}

/** Props of an `OverlayComponent`. */
export interface OverlayComponentProps extends KustomizationProps {
  /** The component's name: its folder under `components/` in the kustomize tree. An RFC 1123 label. */
  readonly name: string;
}

/**
 * A reusable set of transformations: a kustomize Component
 * (`kind: Component`, https://kubectl.docs.kubernetes.io/guides/config_management/components/).
 * Overlays list components; each is applied in order to everything the
 * overlay has gathered so far. The presets (`EnvironmentPreset`,
 * `AgentTypePreset`, `FeaturePreset`) are components.
 */
export class OverlayComponent extends Kustomization {
  public constructor(props: OverlayComponentProps) {
    super('OverlayComponent', props.name, props);
  }
}

/** Props of an `Overlay`. */
export interface OverlayProps extends KustomizationProps {
  /** The environment name (`dev`, `staging`, `prod`, ...): the output folder. An RFC 1123 label. */
  readonly name: string;
}

/** Where `Overlay.synth` writes. */
export interface OverlaySynthOptions {
  /**
   * Root folder: each overlay writes `<outdir>/<overlay name>/` with one
   * `.k8s.yaml` file per chart of the app (plus `generated.k8s.yaml` for
   * generator output).
   * @default - the app's `outdir` (`dist`, or `$CDK8S_OUTDIR` under `cdk8s synth`)
   */
  readonly outdir?: string;
  /**
   * Also write a kustomize tree here: `base/` (the app's manifests and a
   * kustomization.yaml), `components/<name>/` and `overlays/<env>/`, so that
   * `kubectl kustomize <dir>/overlays/<env>` gives the same objects as
   * `<outdir>/<env>/`.
   * @default - no kustomize tree
   */
  readonly kustomizeOutdir?: string;
}

/** One output file of an overlay. */
export interface OverlayFile {
  /** File name, e.g. `0001-agents.k8s.yaml`. */
  readonly fileName: string;
  /** The objects in it, in order. */
  readonly objects: any[];
}

/**
 * An environment overlay: kustomize's overlay kustomization
 * (`resources: [../../base]` plus transformations and components), applied to
 * the manifests a cdk8s app synthesizes, with kustomize's semantics
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/).
 *
 * @example
 * const prod = new Overlay({
 *   name: 'prod',
 *   components: [EnvironmentPreset.prod(), AgentTypePreset.pythonWebService(), FeaturePreset.memoryLarge()],
 *   images: [{ name: 'registry.example.com/agents/web', newTag: '1.4.2' }],
 * });
 * Overlay.synth(app, [dev, staging, prod], { kustomizeOutdir: 'dist/kustomize' });
 */
export class Overlay extends Kustomization {
  /**
   * Writes every overlay of one app: `<outdir>/<overlay>/` for each, and the
   * kustomize tree when `kustomizeOutdir` is set. Everything is computed and
   * checked before the first file is written, so a failing overlay writes
   * nothing. Previous `.k8s.yaml` files in the overlay folders, and the
   * previous `base/`, `components/` and `overlays/` of the tree, are removed.
   *
   * @throws when the app fails validation, overlays share a name, a
   *   transformation fails (e.g. a patch names no object), or an output object
   *   is invalid (a bad name, an AgentType that breaks the CRD schema)
   */
  public static synth(app: App, overlays: Overlay[], options: OverlaySynthOptions = {}): void {
    const names = new Set<string>();
    for (const overlay of overlays) {
      if (names.has(overlay.name)) fail('Overlay', overlay.name, 'name', overlay.name, 'is used by two overlays of the same synth');
      names.add(overlay.name);
    }
    const base = Overlay.baseFiles(app);
    const outdir = options.outdir ?? app.outdir;
    const outputs = overlays.map(overlay => ({ overlay, files: overlay.applyToFiles(base) }));
    const tree = options.kustomizeOutdir !== undefined ? renderKustomizeTree(base, overlays) : undefined;

    for (const { overlay, files } of outputs) {
      const dir = path.join(outdir, overlay.name);
      removeFiles(dir, f => f.endsWith('.k8s.yaml'));
      fs.mkdirSync(dir, { recursive: true });
      for (const file of files) Yaml.save(path.join(dir, file.fileName), file.objects);
    }
    if (tree && options.kustomizeOutdir !== undefined) {
      for (const sub of ['base', 'components', 'overlays']) fs.rmSync(path.join(options.kustomizeOutdir, sub), { recursive: true, force: true });
      for (const [rel, content] of Object.entries(tree)) {
        const file = path.join(options.kustomizeOutdir, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
      }
    }
  }

  /**
   * The app's manifests, one file per chart as `cdk8s synth` names them
   * (`0000-<chart>.k8s.yaml`, in dependency order), after the app's validations.
   * @throws when a construct's validation fails
   */
  public static baseFiles(app: App): OverlayFile[] {
    // synthYaml runs the app's validations and resolves chart dependencies,
    // exactly as app.synth() does; the charts are then read one by one.
    app.synthYaml();
    return app.charts.map((chart, i) => ({
      fileName: `${String(i).padStart(4, '0')}-${Names.toDnsLabel(chart)}.k8s.yaml`,
      objects: chart.toJson(),
    }));
  }

  public constructor(props: OverlayProps) {
    super('Overlay', props.name, props);
  }

  /**
   * Applies this overlay to manifests (plain objects, e.g. `Testing.synth(chart)`)
   * and returns the result; the input is not changed.
   * @throws when a transformation fails or an output object is invalid
   */
  public apply(manifests: any[]): any[] {
    return this.applyToFiles([{ fileName: 'manifests.k8s.yaml', objects: manifests }]).flatMap(f => f.objects);
  }

  /**
   * Applies this overlay to files of manifests (see `Overlay.baseFiles`) and
   * returns the files of the result; generator output goes to `generated.k8s.yaml`.
   * @throws when a transformation fails or an output object is invalid
   */
  public applyToFiles(files: OverlayFile[]): OverlayFile[] {
    let resources = files.flatMap(f => toResources(f.objects, f.fileName));
    resources = this._applyTo(resources, '');
    addHashSuffixes(resources);
    fixNameReferences(resources);
    this.checkOutput(resources);
    const order = [...files.map(f => f.fileName), GENERATED_FILE];
    return order
      .map(fileName => ({ fileName, objects: resources.filter(r => (r.file ?? GENERATED_FILE) === fileName).map(r => r.object) }))
      .filter(f => f.objects.length > 0 || files.some(input => input.fileName === f.fileName));
  }

  /** What the API server would refuse, checked here since no cluster is at hand; and the image policies. */
  private checkOutput(resources: KustomizeResource[]): void {
    const images = ImagePolicy.imagesOf(resources.map(r => r.object));
    const problems = this._imagePolicies().flatMap(policy => policy.violations(images));
    if (problems.length > 0) {
      throw new Error(`Overlay '${this.name}': images break the image policy:\n  ${[...new Set(problems)].join('\n  ')}`);
    }
    // An HPA-managed workload must not have replicas: the two would fight.
    for (const hpa of resources.filter(r => r.object.kind === 'HorizontalPodAutoscaler')) {
      const ref = hpa.object.spec?.scaleTargetRef ?? {};
      const namespace = hpa.object.metadata?.namespace ?? '';
      const target = resources.find(r => r.object.kind === ref.kind && r.object.metadata?.name === ref.name
        && (r.object.metadata?.namespace ?? '') === namespace);
      if (target && target.object.spec?.replicas !== undefined) {
        fail('Overlay', this.name, `${ref.kind} '${ref.name}' spec.replicas`, target.object.spec.replicas,
          `is set, but HorizontalPodAutoscaler '${hpa.object.metadata?.name}' manages its replicas: remove the replicas entry or patch`);
      }
    }
    const seen = new Set<string>();
    for (const res of resources) {
      const id = idOf(res.object);
      const key = `${id.group}/${id.kind}/${id.namespace}/${id.name}`;
      if (seen.has(key)) fail('Overlay', this.name, 'output', describeId(id), 'appears twice after the overlay');
      seen.add(key);
      if (id.name.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(id.name)) {
        fail('Overlay', this.name, `${id.kind} metadata.name`, id.name, 'is not a valid RFC 1123 subdomain after the overlay');
      }
      if (DNS_LABEL_KINDS.has(id.kind) && id.name.length > 63) {
        fail('Overlay', this.name, `${id.kind} metadata.name`, id.name, 'is longer than 63 characters after the overlay');
      }
      if (res.object.apiVersion?.startsWith('agents.') && id.kind === 'AgentType') {
        const errors = AgentType.validateManifest(res.object);
        if (errors.length > 0) fail('Overlay', this.name, `AgentType '${id.name}'`, errors.join('; '), 'breaks the AgentType schema after the overlay');
      }
    }
  }
}

/** The file generator output goes to. */
const GENERATED_FILE = 'generated.k8s.yaml';

/** Kinds whose names must be RFC 1123 labels (at most 63 characters). */
const DNS_LABEL_KINDS = new Set(['Namespace', 'Service']);


function toGeneratorSpec(kind: 'ConfigMap' | 'Secret', g: SecretGeneratorProps): GeneratorSpec {
  return {
    kind,
    name: g.name,
    namespace: g.namespace,
    behavior: g.behavior,
    literals: g.literals,
    files: g.files,
    type: kind === 'Secret' ? g.type : undefined,
    options: g.options,
  };
}

function checkLabels(kind: string, name: string, field: string, labels: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(labels)) {
    checkLabelKey(kind, name, `${field} key`, key);
    checkLabelValue(kind, name, `${field}['${key}']`, value);
  }
}

function checkAnnotations(kind: string, name: string, field: string, annotations: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(annotations)) {
    checkLabelKey(kind, name, `${field} key`, key);
    if (typeof value !== 'string') fail(kind, name, `${field}['${key}']`, value, 'must be a string');
  }
}

function checkGeneratorOptions(kind: string, name: string, field: string, options: GeneratorOptions): void {
  checkLabels(kind, name, `${field}.labels`, options.labels ?? {});
  checkAnnotations(kind, name, `${field}.annotations`, options.annotations ?? {});
}

function removeFiles(dir: string, match: (file: string) => boolean): void {
  if (!fs.existsSync(dir)) return;
  for (const file of fs.readdirSync(dir)) {
    if (match(file)) fs.rmSync(path.join(dir, file), { force: true });
  }
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
