/**
 * kustomize's ImageTagTransformer (`images:`), internal.
 *
 * https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/
 *
 * Sources: sigs.k8s.io/kustomize/api/internal/builtins/ImageTagTransformer.go,
 * api/filters/imagetag (legacy.go, imagetag.go, updater.go), api/image/image.go,
 * api/konfig/builtinpluginconsts/images.go. Checked against `kubectl kustomize`
 * (kustomize v5.5.0).
 */
import { applyFieldSpec, FieldSpec } from './field-spec';
import { describeId, idOf, KustomizeResource } from './resource';

/** One `images:` entry. */
export interface ImageSpec {
  /** The image name to match, without tag or digest (kustomize uses it as a regular expression, see `applyImages`). */
  readonly name: string;
  /** Replaces the name (registry and repository); the tag/digest are kept unless also given. */
  readonly newName?: string;
  /** Replaces the tag and drops any digest. */
  readonly newTag?: string;
  /** Replaces the digest (`sha256:...`) and drops any tag, unless `newTag` is given too (then both). */
  readonly digest?: string;
}

/**
 * builtinpluginconsts `imagesFieldSpecs` of kustomize v5.5.0. They are
 * `create: true`, but the image filter gives no creation kind, so nothing is
 * created. (Later kustomize versions add `spec/volumes[]/image/reference`;
 * v5.5.0 does not touch image volumes — verified.)
 */
const IMAGE_FIELD_SPECS: readonly FieldSpec[] = [
  { path: 'spec/containers[]/image', create: true },
  { path: 'spec/initContainers[]/image', create: true },
  { path: 'spec/template/spec/containers[]/image', create: true },
  { path: 'spec/template/spec/initContainers[]/image', create: true },
];

/**
 * Splits an image reference into name, tag and digest like kustomize's
 * `image.Split`: `[[host[:port]/]component/]component[:tag][@digest]`. A `:`
 * before the first `/` is a registry port, not a tag.
 */
export function parseImageReference(image: string): { name: string; tag?: string; digest?: string } {
  let slash = image.indexOf('/');
  let search = image;
  if (slash > 0) search = image.slice(slash);
  else slash = 0;
  let at = search.indexOf('@');
  let colon = search.indexOf(':');
  const result = (name: string, tag: string, digest: string) => ({
    name,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  });
  if (colon < 0 && at < 0) return result(image, '', '');
  if (at >= 0 && (at < colon || colon < 0)) {
    at += slash;
    return result(image.slice(0, at), '', image.slice(at + 1));
  }
  if (at >= 0 && colon >= 0) {
    at += slash;
    colon += slash;
    return result(image.slice(0, colon), image.slice(colon + 1, at), image.slice(at + 1));
  }
  colon += slash;
  return result(image.slice(0, colon), image.slice(colon + 1), '');
}

/**
 * kustomize's `image.IsImageMatched`: `^<name>(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`.
 * The name is NOT escaped: its `.` matches any character (so `registry.example.com/web`
 * also rewrites `registryXexample.com/web`), exactly as kustomize does.
 */
function imageMatcher(spec: ImageSpec): RegExp {
  try {
    return new RegExp('^' + spec.name + '(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$');
  } catch {
    // kustomize ignores the compile error and then crashes (nil pointer) on the first image.
    throw new Error(`images['${spec.name}']: name '${spec.name}' is not a valid regular expression `
      + '(kustomize uses the name as a regular expression and crashes on this one)');
  }
}

/** `imageTagUpdater.SetImageValue`: the new value of `image`, or undefined when it does not match. */
function updatedImage(value: string, spec: ImageSpec, matcher: RegExp): string | undefined {
  if (!matcher.test(value)) return undefined;
  const parts = parseImageReference(value);
  let name = parts.name;
  let tag = parts.tag ?? '';
  let digest = parts.digest ?? '';
  if (spec.newName) name = spec.newName;
  // "overriding tag or digest will replace both original tag and digest values"
  if (spec.newTag && spec.digest) {
    tag = spec.newTag;
    digest = spec.digest;
  } else if (spec.newTag) {
    tag = spec.newTag;
    digest = '';
  } else if (spec.digest) {
    tag = '';
    digest = spec.digest;
  }
  return name + (tag ? ':' + tag : '') + (digest ? '@' + digest : '');
}

/** Sets `holder[key]` (a container's `image`) when it matches; non-scalar images are an error as in kustomize. */
function updateImageField(holder: any, key: string | number, spec: ImageSpec, matcher: RegExp, object: any): void {
  const current = holder[key];
  if (current === undefined) return;
  if (typeof current === 'object' && current !== null) {
    throw new Error(`${describeId(idOf(object))}: wrong node kind: expected a scalar image, found ${JSON.stringify(current)}`);
  }
  // A YAML null is the scalar "null" to kustomize (so `name: "null"` rewrites it).
  const next = updatedImage(current === null ? 'null' : String(current), spec, matcher);
  if (next !== undefined) holder[key] = next;
}

/**
 * imagetag `LegacyFilter`: every list under a field named `containers` or
 * `initContainers`, at any depth of any kind except CustomResourceDefinition,
 * has the `image` of each element updated. Elements must be maps (`null` is
 * skipped).
 */
function legacyWalk(node: any, spec: ImageSpec, matcher: RegExp, object: any): void {
  if (Array.isArray(node)) {
    for (const item of node) legacyWalk(item, spec, matcher, object);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    legacyWalk(value, spec, matcher, object);
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const item of value) {
        if (item === null || item === undefined) continue;
        if (typeof item !== 'object' || Array.isArray(item)) {
          throw new Error(`${describeId(idOf(object))}: wrong node kind: expected a map in '${key}', found ${JSON.stringify(item)}`);
        }
        updateImageField(item, 'image', spec, matcher, object);
      }
    }
  }
}

/**
 * kustomize ImageTagTransformer
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/).
 * Entries apply one after the other (a later entry sees the earlier rewrites).
 * For each entry, in every object except CustomResourceDefinitions:
 * 1. the image of every element of any `containers`/`initContainers` list, at
 *    any depth (Pods, workloads, CronJob job templates, custom resources alike);
 * 2. the images field specs (`spec[/template/spec]/{containers,initContainers}[]/image`),
 *    which additionally reach a `containers` written as a single map.
 * An image matches when it is `<name>[:tag][@sha256:digest]`; the other
 * strings naming images (e.g. a custom resource's `spec.image`) are left alone.
 */
export function applyImages(resources: KustomizeResource[], images: ImageSpec[]): void {
  for (const spec of images) {
    const matcher = imageMatcher(spec);
    for (const res of resources) {
      const object = res.object;
      if (object?.kind === 'CustomResourceDefinition') continue;
      try {
        legacyWalk(object, spec, matcher, object);
        for (const fs of IMAGE_FIELD_SPECS) {
          applyFieldSpec(object, fs, false, (holder, key) => updateImageField(holder, key, spec, matcher, object));
        }
      } catch (e) {
        throw new Error(`images['${spec.name}']: ${(e as Error).message}`);
      }
    }
  }
}
