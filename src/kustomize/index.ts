/**
 * The kustomize engine (internal): kustomize's transformations and generators
 * on plain manifests, giving what `kustomize build` (kustomize v5.5.0, as in
 * kubectl 1.32) gives. This is its one entry point: the overlay API
 * (src/overlay/) imports the engine from here only, and the engine never
 * imports the overlay API.
 *
 * Order of the transformations is the caller's (kustomize's `accumulateTarget`
 * order): generators, components, `patches`, `namespace`, `namePrefix` /
 * `nameSuffix`, `labels` then `commonLabels`, `commonAnnotations`,
 * `replicas`, `images`; hash suffixes and name references last, once.
 */
export { addHashSuffixes, checkGeneratorData, type GeneratorOptionsSpec, type GeneratorSpec, runGenerators } from './generators';
export { applyImages, type ImageSpec } from './images';
export { clone } from './json-value';
export { dropEmptyAnnotations } from './json6902';
export { applyAnnotations, applyLabels, type LabelOptionsSpec } from './labels';
export { fixNameReferences } from './name-references';
export { applyNamePrefixSuffix, applyNamespace } from './names';
export { applyPatches, type PatchSpec } from './patches';
export { applyReplicas, type ReplicaSpec } from './replicas';
export { describeId, idOf, type KustomizeResource, ownResources, toResources } from './resource';
export { kustomizeTarget, type PatchTarget } from './target';
