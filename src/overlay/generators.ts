/**
 * The generator entries of a kustomization as the overlay API takes them
 * (kustomize `configMapGenerator`, `secretGenerator`, `generatorOptions`),
 * and their translation to the engine's generator specs.
 */
import { inFieldOrder, sortedKeys } from '../core/canonical-json';
import { checkAnnotations, checkLabels } from '../core/validation';
import { clone, type GeneratorSpec } from '../kustomize';

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
  /** `metadata.namespace` (kustomize generator field `namespace`). @default - the overlay's namespace, if any */
  readonly namespaceName?: string;
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
 * A generated Secret's values are written into the manifests (base64 is an
 * encoding, not encryption), so this library refuses any value unless
 * `plainTextValuesInManifest` is `true`; even then keys that look like
 * credentials (password, token, api-key, ...) and values shaped like keys are
 * refused. Keep credentials in Secrets made outside the app and refer to them
 * (`LlmProvider` credentials, `AgentEnvironment.addSecretVariable`).
 */
export interface SecretGeneratorProps extends ConfigMapGeneratorProps {
  /** Secret `type` (kustomize generator field `type`), e.g. `kubernetes.io/tls`. @default 'Opaque' */
  readonly secretType?: string;
  /**
   * Consent to write the `literals` and `files` values in plain text
   * (base64-encoded `data`) into the synthesized manifests and the kustomize
   * tree. Only for values that are not credentials (a user name, a flag, a
   * public certificate). Not a kustomize field: it is not written to
   * `kustomization.yaml`.
   * @default false - a secretGenerator entry with values throws
   */
  readonly plainTextValuesInManifest?: boolean;
}

/** The engine's spec of a generator entry. */
export function toGeneratorSpec(kind: 'ConfigMap' | 'Secret', g: SecretGeneratorProps): GeneratorSpec {
  return {
    kind,
    name: g.name,
    namespace: g.namespaceName,
    behavior: g.behavior,
    literals: g.literals,
    files: g.files,
    type: kind === 'Secret' ? g.secretType : undefined,
    plainTextValuesInManifest: kind === 'Secret' ? g.plainTextValuesInManifest : undefined,
    options: g.options,
  };
}

/**
 * A copy of `options` in one order, whatever order the caller's language
 * gives its fields and maps: kustomize's field order, label and annotation
 * keys sorted. What kustomization.yaml and the generated objects get.
 */
export function generatorOptionsInOrder(options: GeneratorOptions): GeneratorOptions {
  return inFieldOrder({
    ...options,
    ...(options.labels ? { labels: sortedKeys(options.labels) as { [key: string]: string } } : {}),
    ...(options.annotations ? { annotations: sortedKeys(options.annotations) as { [key: string]: string } } : {}),
  }, ['labels', 'annotations', 'disableNameSuffixHash', 'immutable']);
}

/**
 * A copy of a generator entry with its `literals` and `files` keys sorted and
 * its options in order (see {@link generatorOptionsInOrder}): the entries of
 * kustomization.yaml then do not depend on the caller's language.
 */
export function generatorInOrder<T extends ConfigMapGeneratorProps>(generator: T): T {
  const copy = clone(generator);
  return {
    ...copy,
    ...(copy.literals ? { literals: sortedKeys(copy.literals) as { [key: string]: string } } : {}),
    ...(copy.files ? { files: sortedKeys(copy.files) as { [key: string]: string } } : {}),
    ...(copy.options ? { options: generatorOptionsInOrder(copy.options) } : {}),
  };
}

/** Checks the labels and annotations of generator options. @throws naming the kustomization and the field */
export function checkGeneratorOptions(kind: string, name: string, field: string, options: GeneratorOptions): void {
  checkLabels(kind, name, `${field}.labels`, options.labels ?? {});
  checkAnnotations(kind, name, `${field}.annotations`, options.annotations ?? {});
}
