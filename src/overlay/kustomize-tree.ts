/**
 * Writes overlays as a kustomize tree (internal): `base/` with the app's
 * manifests, `components/<name>/` (kind Component) and `overlays/<env>/`,
 * so `kubectl kustomize overlays/<env>` builds the same objects as the
 * overlay does in-process. Field names are kustomize's
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/).
 */
import { Yaml } from 'cdk8s';
import type { ConfigMapGeneratorProps, Kustomization, Overlay, OverlayComponent, OverlayFile, SecretGeneratorProps } from './overlay';
import { fail } from '../core/validation';

const KUSTOMIZATION_API = 'kustomize.config.k8s.io/v1beta1';
const COMPONENT_API = 'kustomize.config.k8s.io/v1alpha1';

/** Relative path → file content of the whole tree. */
export function renderKustomizeTree(base: OverlayFile[], overlays: Overlay[]): Record<string, string> {
  const files: Record<string, string> = {};
  files['base/kustomization.yaml'] = Yaml.stringify({
    apiVersion: KUSTOMIZATION_API,
    kind: 'Kustomization',
    resources: base.map(f => f.fileName),
  });
  for (const file of base) files[`base/${file.fileName}`] = Yaml.stringify(...file.objects);

  // Components are shared between overlays: one folder per name, and a name
  // must always mean the same content.
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

  for (const overlay of overlays) {
    Object.assign(files, renderLayer(overlay, `overlays/${overlay.name}`, 'Kustomization', ['../../base'],
      overlay.components.map(c => `../../components/${c.name}`)));
  }
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
  if (layer.namespace) k.namespace = layer.namespace;
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
  const patches = layer.patches;
  if (patches.length > 0) {
    k.patches = patches.map((patch, i) => {
      const content = patch.content;
      const target = patch.target;
      const subject = target
        ? target.name ?? [target.kind, target.labelSelector].filter(Boolean).join('-')
        : content?.metadata?.name;
      const file = `patches/${String(i + 1).padStart(2, '0')}-${slug(String(subject ?? ''))}.yaml`;
      files[`${dir}/${file}`] = Array.isArray(content) ? Yaml.stringify(content) : Yaml.stringify(content);
      const entry: Record<string, any> = { path: file };
      if (patch.target) entry.target = patch.target;
      if (patch.allowNameChange || patch.allowKindChange) {
        entry.options = {
          ...(patch.allowNameChange ? { allowNameChange: true } : {}),
          ...(patch.allowKindChange ? { allowKindChange: true } : {}),
        };
      }
      return entry;
    });
  }
  const generator = (g: ConfigMapGeneratorProps | SecretGeneratorProps, folder: string, type?: string) => {
    const entry: Record<string, any> = { name: g.name };
    if (g.namespace) entry.namespace = g.namespace;
    if (g.behavior) entry.behavior = g.behavior;
    if (type) entry.type = type;
    const literals: string[] = [];
    const fileSources: string[] = [];
    // kustomize strips quotes around literal values and literals cannot span
    // lines: such values go through files, which kustomize reads verbatim.
    const asFile = (key: string, content: string) => {
      const rel = `${folder}-${g.name}/${key}`;
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
  };
  const configMaps = layer.configMapGenerators;
  if (configMaps.length > 0) k.configMapGenerator = configMaps.map(g => generator(g, 'configmap'));
  const secrets = layer.secretGenerators;
  if (secrets.length > 0) k.secretGenerator = secrets.map(g => generator(g, 'secret', g.type));
  if (layer.generatorOptions) k.generatorOptions = layer.generatorOptions;
  files[`${dir}/kustomization.yaml`] = Yaml.stringify(k);
  return files;
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'patch';
}
