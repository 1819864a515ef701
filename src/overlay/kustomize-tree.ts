/**
 * Writes overlays as a kustomize tree (internal): `base/` with the app's
 * manifests, `components/<name>/` (kind Component) and `overlays/<env>/`,
 * so `kubectl kustomize overlays/<env>` builds the same objects as the
 * overlay does in-process. Field names are kustomize's
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/).
 */
import type { ConfigMapGeneratorProps, SecretGeneratorProps } from './generators';
import type { Kustomization, OverlayComponent } from './kustomization';
import type { OverlayFile } from './overlay-file';
import type { Patch } from './patch';
import type { FileSink } from './staged-files';
import { fail } from '../core/validation';
import { stringifyYaml } from '../core/yaml';
import { kustomizeTarget } from '../kustomize';

const KUSTOMIZATION_API = 'kustomize.config.k8s.io/v1beta1';
const COMPONENT_API = 'kustomize.config.k8s.io/v1alpha1';
/** File of an overlay's own resources (the PodDisruptionBudgets it adds, see disruption-budgets.ts). */
const EXTRA_RESOURCES = 'disruption-budgets.yaml';

/**
 * Writes the tree for `overlays` (each an overlay of `base/`, which
 * `writeKustomizeBase` writes) to `out`, paths relative to the tree's root.
 * `extraResources` are objects an overlay
 * adds to the base (by overlay name), written to its folder and listed in its
 * `resources`. The components and overlays are rendered
 * (and checked) before the first file is written.
 */
export function writeKustomizeTree(overlays: Kustomization[], out: FileSink, extraResources: Map<string, any[]> = new Map()): void {
  const files = renderComponents(overlays);
  for (const overlay of overlays) {
    const extra = extraResources.get(overlay.name) ?? [];
    Object.assign(files, renderLayer(overlay, `overlays/${overlay.name}`, 'Kustomization',
      ['../../base', ...(extra.length > 0 ? [EXTRA_RESOURCES] : [])], overlay.components.map(c => `../../components/${c.name}`)));
  }
  for (const overlay of overlays) {
    const extra = extraResources.get(overlay.name) ?? [];
    if (extra.length > 0) out.writeYaml(`overlays/${overlay.name}/${EXTRA_RESOURCES}`, extra);
  }
  for (const [rel, content] of Object.entries(files)) out.writeText(rel, content);
}

/**
 * `components/<name>/` of every component the overlays use, directly or
 * through other components. Components are shared between overlays: one
 * folder per name, and a name must always mean the same content.
 */
function renderComponents(overlays: Kustomization[]): Record<string, string> {
  const files: Record<string, string> = {};
  const components = new Map<string, { component: OverlayComponent; files: Record<string, string> }>();
  const visit = (component: OverlayComponent, usedBy: string) => {
    const rendered = renderLayer(component, `components/${component.name}`, 'Component', [], component.components.map(c => `../${c.name}`));
    const known = components.get(component.name);
    if (known) {
      if (known.component !== component && JSON.stringify(known.files) !== JSON.stringify(rendered)) {
        fail('OverlayComponent', component.name, 'name', component.name,
          `is used by ${usedBy} for a component that differs from another component of the same name; give one of them another name`);
      }
      return;
    }
    components.set(component.name, { component, files: rendered });
    component.components.forEach(c => visit(c, `OverlayComponent '${component.name}'`));
  };
  for (const overlay of overlays) overlay.components.forEach(c => visit(c, `Overlay '${overlay.name}'`));
  for (const { files: rendered } of components.values()) Object.assign(files, rendered);
  return files;
}

/** The kustomization.yaml of one overlay or component, plus its patch and generator files. */
function renderLayer(
  layer: Kustomization, dir: string, kind: 'Kustomization' | 'Component', resources: string[], components: string[],
): Record<string, string> {
  const files: Record<string, string> = {};
  const k: Record<string, any> = {
    apiVersion: kind === 'Component' ? COMPONENT_API : KUSTOMIZATION_API,
    kind,
  };
  if (resources.length > 0) k.resources = resources;
  if (components.length > 0) k.components = components;
  if (layer.namespaceName) k.namespace = layer.namespaceName;
  if (layer.namePrefix) k.namePrefix = layer.namePrefix;
  if (layer.nameSuffix) k.nameSuffix = layer.nameSuffix;
  if (Object.keys(layer.commonLabels).length > 0) k.commonLabels = layer.commonLabels;
  if (layer.labels.length > 0) {
    k.labels = layer.labels.map(l => ({
      pairs: l.pairs,
      ...(l.includeSelectors ? { includeSelectors: true } : {}),
      ...(l.includeTemplates ? { includeTemplates: true } : {}),
    }));
  }
  if (Object.keys(layer.commonAnnotations).length > 0) k.commonAnnotations = layer.commonAnnotations;
  if (layer.images.length > 0) k.images = layer.images;
  if (layer.replicas.length > 0) k.replicas = layer.replicas;
  if (layer.patches.length > 0) k.patches = renderPatches(layer.patches, dir, files);
  const configMaps = layer.configMapGenerators;
  if (configMaps.length > 0) k.configMapGenerator = configMaps.map(g => renderGenerator(g, dir, 'configmap', files));
  const secrets = layer.secretGenerators;
  if (secrets.length > 0) k.secretGenerator = secrets.map(g => renderGenerator(g, dir, 'secret', files, g.secretType));
  if (layer.generatorOptions) k.generatorOptions = layer.generatorOptions;
  // kustomize refuses a kustomization.yaml with nothing but apiVersion and kind
  // ("kustomization.yaml is empty", from its kustomization loader), while a
  // component that changes nothing is a no-op in `apply()`: an empty
  // `components` list keeps it a valid no-op (checked with kubectl kustomize v5.5.0).
  if (Object.keys(k).length === 2) k.components = [];
  files[`${dir}/kustomization.yaml`] = stringifyYaml(k);
  return files;
}

/** The `patches` entries of a layer; each patch goes to `<dir>/patches/NN-<subject>.yaml`, added to `files`. */
function renderPatches(patches: Patch[], dir: string, files: Record<string, string>): Array<Record<string, any>> {
  return patches.map((patch, i) => {
    const content = patch.content;
    const target = patch.target;
    const subject = target
      ? target.name ?? [target.kind, target.labelSelector].filter(Boolean).join('-')
      : content?.metadata?.name;
    const file = `patches/${String(i + 1).padStart(2, '0')}-${slug(String(subject ?? ''))}.yaml`;
    files[`${dir}/${file}`] = stringifyYaml(content);
    const entry: Record<string, any> = { path: file };
    if (patch.target) entry.target = kustomizeTarget(patch.target);
    if (patch.allowNameChange || patch.allowKindChange) {
      entry.options = {
        ...(patch.allowNameChange ? { allowNameChange: true } : {}),
        ...(patch.allowKindChange ? { allowKindChange: true } : {}),
      };
    }
    return entry;
  });
}

/**
 * One `configMapGenerator`/`secretGenerator` entry; file sources go to
 * `<dir>/<folder>-<name>/<key>` (`<folder>-<name>_<namespace>/<key>` for a
 * generator with a namespace), added to `files`.
 */
function renderGenerator(g: ConfigMapGeneratorProps | SecretGeneratorProps, dir: string, folder: string,
  files: Record<string, string>, type?: string): Record<string, any> {
  const entry: Record<string, any> = { name: g.name };
  if (g.namespaceName) entry.namespace = g.namespaceName;
  if (g.behavior) entry.behavior = g.behavior;
  if (type) entry.type = type;
  const literals: string[] = [];
  const fileSources: string[] = [];
  // kustomize strips quotes around literal values and literals cannot span
  // lines: such values go through files, which kustomize reads verbatim.
  // One folder per generator: generators of one name in two namespaces get
  // `<folder>-<name>_<namespace>` ('_' is in neither a name nor a namespace).
  const generatorDir = `${folder}-${g.name}${g.namespaceName ? `_${g.namespaceName}` : ''}`;
  const asFile = (key: string, content: string) => {
    const rel = `${generatorDir}/${key}`;
    files[`${dir}/${rel}`] = content;
    fileSources.push(`${key}=${rel}`);
  };
  for (const [key, value] of Object.entries(g.literals ?? {})) {
    if (/[\n\r]/.test(value) || /^["']/.test(value)) asFile(key, value);
    else literals.push(`${key}=${value}`);
  }
  for (const [key, content] of Object.entries(g.files ?? {})) asFile(key, content);
  if (literals.length > 0) entry.literals = literals;
  if (fileSources.length > 0) entry.files = fileSources;
  if (g.options) entry.options = g.options;
  return entry;
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'patch';
}

/** The tree's `base/`: the app's manifests, one file per chart, and their kustomization.yaml. */
export function writeKustomizeBase(base: OverlayFile[], out: FileSink): void {
  out.writeText('base/kustomization.yaml', stringifyYaml({
    apiVersion: KUSTOMIZATION_API,
    kind: 'Kustomization',
    resources: base.map(f => f.fileName),
  }));
  for (const file of base) out.writeYaml(`base/${file.fileName}`, file.objects);
}
