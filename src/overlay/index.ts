/**
 * The public overlay API: `Overlay`, `OverlayComponent`, `Patch`, their props,
 * and the presets. Built on the kustomize engine (src/kustomize/), which it
 * imports through that engine's own index only.
 */
export { GeneratorBehavior, type ConfigMapGeneratorProps, type GeneratorOptions, type SecretGeneratorProps } from './generators';
export {
  Kustomization, OverlayComponent, type ImageOverride, type KustomizationProps, type LabelSet, type OverlayComponentProps,
  type ReplicaOverride,
} from './kustomization';
export { Overlay, type OverlayProps, type OverlaySynthOptions } from './overlay';
export type { OverlayFile } from './overlay-file';
export { Patch, PatchType, type PatchTarget, type StrategicMergePatchOptions } from './patch';
export * from './presets';
