/**
 * One kustomization of the overlay API: the `Kustomization` base that
 * `Overlay` and `OverlayComponent` share, its props, and `OverlayComponent`
 * (a kustomize Component). It runs the engine's transformations in
 * kustomize's order.
 */
import {
  toGeneratorSpec, checkGeneratorOptions, ConfigMapGeneratorProps, GeneratorBehavior, GeneratorOptions, generatorInOrder,
  generatorOptionsInOrder, SecretGeneratorProps,
} from './generators';
import { GENERATED_FILE } from './overlay-file';
import { Patch } from './patch';
import { inFieldOrder, sortedKeys } from '../core/canonical-json';
import { ImagePolicy, ImageReference } from '../core/image-reference';
import { checkDns1123Label, checkDns1123Subdomain, checkAnnotations, checkImage, checkLabels, checkNonEmpty, fail } from '../core/validation';
import {
  applyAnnotations, applyImages, applyLabels, applyNamePrefixSuffix, applyNamespace, applyPatches, applyReplicas,
  checkGeneratorData, clone, runGenerators, type GeneratorSpec, type KustomizeResource,
} from '../kustomize';

/** One entry of kustomize's `images` field (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/). */
export interface ImageOverride {
  /** The image name to match, without tag or digest, e.g. `registry.example.com/agents/web`. */
  readonly name: string;
  /**
   * Replace the image name (registry and repository), without tag or digest:
   * kustomize appends the matched image's tag or digest (or `newTag`/`digest`)
   * to it, so `r/b@sha256:...` would give `r/b@sha256:...:1` or `...@sha256:...`.
   * @default - keep the name
   */
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

/** The transformations of one kustomization file, shared by `Overlay` and `OverlayComponent`. */
export interface KustomizationProps {
  /** kustomize `namespace`: the namespace of every namespaced object. @default - namespaces unchanged */
  readonly namespaceName?: string;
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
  public readonly namespaceName?: string;
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
    if (props.namespaceName !== undefined) checkDns1123Label(kindName, name, 'namespaceName', props.namespaceName);
    if (props.namePrefix !== undefined && !/^[a-z0-9.-]*$/.test(props.namePrefix)) {
      fail(kindName, name, 'namePrefix', props.namePrefix, 'may only hold lowercase letters, digits, \'-\' and \'.\'');
    }
    if (props.nameSuffix !== undefined && !/^[a-z0-9.-]*$/.test(props.nameSuffix)) {
      fail(kindName, name, 'nameSuffix', props.nameSuffix, 'may only hold lowercase letters, digits, \'-\' and \'.\'');
    }
    this.namespaceName = props.namespaceName;
    this.namePrefix = props.namePrefix;
    this.nameSuffix = props.nameSuffix;
    checkLabels(kindName, name, 'commonLabels', props.commonLabels ?? {});
    // Maps and structs are kept in one order, whatever order the caller's
    // language gives them in (a Java Map.of or a Go map has none; jsii hands
    // Java and Go structs over in their own field order): the kustomize tree
    // and the labels added to objects must not depend on it.
    this._commonLabels = sortedKeys(props.commonLabels ?? {}) as { [key: string]: string };
    checkAnnotations(kindName, name, 'commonAnnotations', props.commonAnnotations ?? {});
    this._commonAnnotations = sortedKeys(props.commonAnnotations ?? {}) as { [key: string]: string };
    if (props.generatorOptions) checkGeneratorOptions(kindName, name, 'generatorOptions', props.generatorOptions);
    this.generatorOptions = props.generatorOptions && generatorOptionsInOrder(props.generatorOptions);
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
    const copy = { ...set, pairs: sortedKeys(set.pairs) as { [key: string]: string } };
    this._labels.push(copy);
    return copy;
  }

  /** Adds a kustomize `images` entry. @throws on an empty name or a malformed tag or digest */
  public addImage(image: ImageOverride): ImageOverride {
    const field = `images['${image.name}']`;
    checkNonEmpty(this.kindName, this.name, 'images[].name', image.name);
    if (image.newName !== undefined) {
      checkImage(image.newName, this.kindName, this.name, `${field}.newName`);
      // kustomize's image updater (api/filters/imagetag/updater.go) writes newName + the tag or digest it keeps or sets,
      // so a tag or digest inside newName gives 'r/b:2:1' or 'r/b@sha256:...@sha256:...' (checked with kubectl v5.5.0).
      const ref = ImageReference.parse(image.newName);
      if (ref.tag !== undefined || ref.digest !== undefined) {
        fail(this.kindName, this.name, `${field}.newName`, image.newName,
          'carries a tag or digest: give the image name only, and the tag in newTag, the digest in digest');
      }
    }
    if (image.newTag !== undefined && !/^[\w][\w.-]{0,127}$/.test(image.newTag)) {
      fail(this.kindName, this.name, `${field}.newTag`, image.newTag, 'is not an image tag (letters, digits, \'_\', \'.\', \'-\', at most 128)');
    }
    if (image.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(image.digest)) {
      fail(this.kindName, this.name, `${field}.digest`, image.digest, 'is not a digest (sha256:<64 hex digits>)');
    }
    if (image.newName === undefined && image.newTag === undefined && image.digest === undefined) {
      fail(this.kindName, this.name, field, image.name, 'changes nothing: give newName, newTag or digest');
    }
    const copy = inFieldOrder(image, ['name', 'newName', 'newTag', 'digest']);
    this._images.push(copy);
    return copy;
  }

  /** Adds a kustomize `replicas` entry. @throws on a count that is not an integer >= 0 */
  public addReplicas(replica: ReplicaOverride): ReplicaOverride {
    checkNonEmpty(this.kindName, this.name, 'replicas[].name', replica.name);
    if (!Number.isInteger(replica.count) || replica.count < 0) {
      fail(this.kindName, this.name, `replicas['${replica.name}'].count`, replica.count, 'must be an integer >= 0');
    }
    const copy = inFieldOrder(replica, ['name', 'count']);
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
    const copy = generatorInOrder(generator);
    this._configMapGenerators.push(copy);
    return copy;
  }

  /**
   * Adds a kustomize `secretGenerator` entry.
   * @throws as `addConfigMapGenerator`, and on a key named like a credential (password, token, api-key, ...)
   */
  public addSecretGenerator(generator: SecretGeneratorProps): SecretGeneratorProps {
    this.checkGenerator('secretGenerator', generator);
    const copy = generatorInOrder(generator);
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
    return withContext(where, () => this.transform(resources, where));
  }

  private transform(resources: KustomizeResource[], where: string): KustomizeResource[] {
    runGenerators(resources, this._generatorSpecs(), this.generatorOptions, where, GENERATED_FILE);
    for (const component of this._components) {
      resources = component._applyTo(resources, `${where} > `);
    }
    resources = applyPatches(resources, this._patches.map(p => p._spec()), where);
    if (this.namespaceName) applyNamespace(resources, this.namespaceName);
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
    if (generator.namespaceName !== undefined) checkDns1123Label(this.kindName, this.name, `${where}.namespaceName`, generator.namespaceName);
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
    if (all.some(g => g.name === generator.name && (g.namespaceName ?? '') === (generator.namespaceName ?? '')
      && (this._configMapGenerators.includes(g) === (field === 'configMapGenerator')))) {
      fail(this.kindName, this.name, `${field}[].name`, generator.name, 'is generated twice in this kustomization');
    }
  }
}

/**
 * Runs `fn`, making every error it throws start with `where` (`Overlay 'prod'`,
 * `Overlay 'prod' > OverlayComponent 'x'`): the engine's transformers name
 * the field and object, the kustomization names itself.
 */
export function withContext<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith(where)) throw e;
    throw new Error(`${where}: ${message}`);
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
