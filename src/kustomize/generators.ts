/**
 * kustomize's ConfigMap and Secret generators and the content-hash name
 * suffix (internal).
 *
 * Behaviour follows kustomize v5.5.0 (the one in kubectl 1.32) and was checked
 * against `kubectl kustomize` (see test/kustomize/generators.test.ts). Sources:
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/configmapgenerator/
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/secretgenerator/
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/generatoroptions/
 * - sigs.k8s.io/kustomize/api/internal/generators/{configmap,secret,utils}.go
 * - sigs.k8s.io/kustomize/api/kv/kv.go (literal sources)
 * - sigs.k8s.io/kustomize/api/types/generatoroptions.go (MergeGlobalOptionsIntoLocal)
 * - sigs.k8s.io/kustomize/api/resmap/reswrangler.go (appendReplaceOrMerge)
 * - sigs.k8s.io/kustomize/api/hasher/hasher.go
 */
import { createHash } from 'crypto';
import { KustomizeResource, describeId, idOf, renameResource } from './resource';
import { isCredentialName, isNamedLiteral, quotable, safeText, secretProblem, textSecretProblem } from '../core/credential-screen';

/** A data key as messages show it: quotes escaped, `<redacted: ...>` when it looks like a credential. */
const shownKey = (key: string): string => quotable(safeText(key));

/** kustomize `generatorOptions` (kustomization level) or an entry's `options`. */
export interface GeneratorOptionsSpec {
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly disableNameSuffixHash?: boolean;
  readonly immutable?: boolean;
}

/** One configMapGenerator/secretGenerator entry. `files` maps the data key to the file content (the tree writer will write the file). */
export interface GeneratorSpec {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: string;
  readonly namespace?: string;
  readonly behavior?: 'create' | 'merge' | 'replace';
  /**
   * Data key → value, taken verbatim. (kustomize strips one pair of
   * surrounding quotes from a `key=value` literal; the kustomize tree writer
   * therefore writes quoted or multi-line values as file sources.)
   */
  readonly literals?: Record<string, string>;
  readonly files?: Record<string, string>;
  /** Secret only; kustomize's default is `Opaque`. */
  readonly type?: string;
  /**
   * Secret only: the user's explicit consent that the values are written in
   * plain text (base64 is an encoding, not encryption) into the manifests.
   * Without it a Secret generator with data is refused.
   */
  readonly plainTextValuesInManifest?: boolean;
  readonly options?: GeneratorOptionsSpec;
}

/** k8s `IsConfigMapKey`: what kustomize's validator accepts as a ConfigMap/Secret key. */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Runs generators like kustomize, in order, each against the objects so far:
 *
 * - `create` (the default) adds a new object, an error if an object of that
 *   kind, name and namespace (current or any previous id; `''` ≡ `default`)
 *   exists;
 * - `merge` and `replace` change the one existing object of that id, an error
 *   if there is none: the result is the newly generated object with the old
 *   object's name, namespace, previous ids and output file, labels and
 *   annotations merged (old first, the generator's win), and for `merge` the
 *   old `data`/`binaryData` merged under the new keys. Everything else of the
 *   old object is dropped, as kustomize does: a Secret's `type` becomes the
 *   generator's (`Opaque` unless given), `stringData` and `immutable` go away.
 *   The hash suffix survives only if both the old object and the generator
 *   want it (a plain base ConfigMap stays unhashed).
 *
 * `globalOptions` is the kustomization-level `generatorOptions`, merged into
 * each entry's `options` like kustomize's `MergeGlobalOptionsIntoLocal`: the
 * entry's labels/annotations win, a global `true` for
 * `disableNameSuffixHash`/`immutable` cannot be turned off by an entry. New
 * objects get `needsHashSuffix` unless disabled. `file` is the output file the
 * new objects are put in. Errors start with `where`.
 *
 * Secret guard: credentials are never generated. A Secret entry with data is
 * refused unless `plainTextValuesInManifest` is set (the values would be
 * written, base64-encoded, into the manifests); even then a key that looks
 * like a credential (password, token, api key, private key, ...) is refused,
 * and so is such a key with a literal value in a ConfigMap.
 * A value that looks like a credential (`secretProblem`; for file sources
 * `textSecretProblem`, which also finds `API_KEY="..."` lines) is refused in
 * Secrets and ConfigMaps alike. Messages name `where`, the generator and the
 * key, never the value. Credentials stay references to existing Secrets
 * (created out of band, e.g. by an external secret operator) through
 * `secretKeyRef` / `secretRef`.
 *
 * Not supported: `envs` (env files) and non-UTF-8 file content (kustomize
 * puts it in a ConfigMap's `binaryData`); file contents are text here.
 */
export function runGenerators(
  resources: KustomizeResource[],
  generators: GeneratorSpec[],
  globalOptions: GeneratorOptionsSpec | undefined,
  where: string,
  file?: string,
): void {
  for (const generator of generators) {
    const label = `${where}: ${generator.kind === 'Secret' ? 'secretGenerator' : 'configMapGenerator'} '${generator.name ?? ''}'`;
    if (generator.kind !== 'ConfigMap' && generator.kind !== 'Secret') {
      throw new Error(`${label}: kind '${String(generator.kind)}' is not ConfigMap or Secret`);
    }
    if (typeof generator.name !== 'string' || generator.name === '') {
      throw new Error(`${label}: a generator must have a name`);
    }
    const behavior = generator.behavior ?? 'create';
    if (!['create', 'merge', 'replace'].includes(behavior)) {
      throw new Error(`${label}: behavior '${behavior}' is not one of create, merge, replace`);
    }
    if (generator.kind === 'ConfigMap' && generator.type !== undefined) {
      throw new Error(`${label}: 'type' is only for Secrets`);
    }
    const data = collectData(generator, label);
    guardSecrets(generator, data, label);
    const options = mergeGlobalOptionsIntoLocal(generator.options, globalOptions);
    const object = makeObject(generator, data, options);
    const wantsHash = !options.disableNameSuffixHash;

    const matches = resources.filter(r => matchesGenerator(r, generator));
    if (behavior === 'create') {
      if (matches.length > 0) {
        throw new Error(`${label}: ${describeId(idOf(matches[0].object))} already exists; use behavior merge or replace`);
      }
      const res: KustomizeResource = { object, previousIds: [], file };
      if (wantsHash) res.needsHashSuffix = true;
      resources.push(res);
      continue;
    }
    if (matches.length === 0) {
      throw new Error(`${label}: there is no ${generator.kind} '${generator.namespace ? generator.namespace + '/' : ''}${generator.name}' to ${behavior}`);
    }
    if (matches.length > 1) {
      throw new Error(`${label}: several objects could accept the ${behavior}: ${matches.map(m => describeId(idOf(m.object))).join(', ')}`);
    }
    const old = matches[0];
    old.object = mergeInto(old.object, object, behavior === 'merge');
    if (old.needsHashSuffix && wantsHash) old.needsHashSuffix = true;
    else delete old.needsHashSuffix;
  }
}

/**
 * The checks a generator's data gets, without running it: valid and unique
 * keys that YAML reads back as strings, and no credential (a credential-like
 * key in a Secret, or a credential-shaped value anywhere). `Overlay` calls it
 * when a generator is added, so bad input fails at once; `runGenerators`
 * relies on the same checks. Errors start with `label`.
 */
export function checkGeneratorData(generator: GeneratorSpec, label: string): void {
  guardSecrets(generator, collectData(generator, label), label);
}

/** Literal and file sources, in kustomize's order (literals, then files), keys validated. */
function collectData(generator: GeneratorSpec, label: string): Map<string, string> {
  const data = new Map<string, string>();
  const add = (key: string, value: string) => {
    if (key.length > 253 || !CONFIG_MAP_KEY.test(key) || key === '.' || key === '..' || key.startsWith('..')) {
      throw new Error(`${label}: key '${shownKey(key)}' is not a valid ConfigMap/Secret key (letters, digits, '-', '_' and '.')`);
    }
    if (yamlReadsAsNonString(key)) {
      throw new Error(`${label}: key '${shownKey(key)}' would be read by YAML as a number, boolean, null or date, `
        + 'which kustomize cannot output (kubectl kustomize fails with "json: unsupported type"); choose another key');
    }
    if (data.has(key)) throw new Error(`${label}: the key '${shownKey(key)}' is repeated`);
    data.set(key, value);
  };
  for (const [key, value] of Object.entries(generator.literals ?? {})) add(key, String(value));
  for (const [key, value] of Object.entries(generator.files ?? {})) add(key, String(value));
  return data;
}

/**
 * True when go-yaml v3 resolves the plain scalar as something else than a
 * string (its resolve.go: null/bool/.inf/.nan words, base-0 integers with `_`
 * ignored, YAML-style floats, `YYYY-M-D` dates). kustomize writes generated
 * keys as plain scalars, so such a key (`1`, `true`, `1.5`, `0x1f`, `08`,
 * `2024-01-01`) comes back as a non-string map key and the build fails;
 * checked with kubectl. `yes`, `on`, `y` stay strings in YAML 1.2.
 */
function yamlReadsAsNonString(key: string): boolean {
  const words = ['~', 'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
    '.inf', '.Inf', '.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN'];
  if (key === '' || words.includes(key)) return true;
  if (key.startsWith('.')) return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(key);
  if (!/^[-0-9]/.test(key)) return false;
  const date = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(key);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()) return true;
  }
  const plain = key.replace(/_/g, '');
  if (/^-?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.test(plain)) return true;
  return /^-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain);
}

function guardSecrets(generator: GeneratorSpec, data: Map<string, string>, label: string): void {
  const fileKeys = new Set(Object.keys(generator.files ?? {}));
  for (const [key, value] of data) {
    // A Secret never gets a credential-named key; a ConfigMap not with a literal value either.
    if (generator.kind === 'Secret' ? isCredentialName(key) : isNamedLiteral(key, value)) {
      throw new Error(`${label}: key '${shownKey(key)}' looks like a credential; credentials are never put in a manifest: `
        + 'create the Secret out of band and refer to it (secretKeyRef/secretRef) instead of generating it');
    }
    if (fileKeys.has(key) ? textSecretProblem(value, key) : secretProblem(value)) {
      throw new Error(`${label}: the value of key '${shownKey(key)}' looks like a credential (not shown); credentials are never put in a manifest: `
        + 'create the Secret out of band and refer to it (secretKeyRef/secretRef) instead');
    }
  }
  if (generator.kind === 'Secret' && data.size > 0 && generator.plainTextValuesInManifest !== true) {
    throw new Error(`${label}: would write the values of ${[...data.keys()].map(k => `'${shownKey(k)}'`).join(', ')} in plain text (base64, not encrypted) `
      + 'into the manifests; create the Secret out of band and refer to it (secretKeyRef/secretRef), '
      + 'or set plainTextValuesInManifest: true for values that are not credentials');
  }
}

interface MergedOptions {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  disableNameSuffixHash: boolean;
  immutable: boolean;
}

/** types.MergeGlobalOptionsIntoLocal: local keys win; a global `true` wins over a local `false`. */
function mergeGlobalOptionsIntoLocal(local: GeneratorOptionsSpec | undefined, global: GeneratorOptionsSpec | undefined): MergedOptions {
  return {
    labels: { ...(global?.labels ?? {}), ...(local?.labels ?? {}) },
    annotations: { ...(global?.annotations ?? {}), ...(local?.annotations ?? {}) },
    disableNameSuffixHash: !!(local?.disableNameSuffixHash || global?.disableNameSuffixHash),
    immutable: !!(local?.immutable || global?.immutable),
  };
}

/**
 * generators.MakeConfigMap / MakeSecret. A ConfigMap has `data` only when it
 * has keys; a Secret always has `data` (`{}` when empty) and `type`. Secret
 * values are base64 with kustomize's line breaks (see `encodeBase64`).
 */
function makeObject(generator: GeneratorSpec, data: Map<string, string>, options: MergedOptions): any {
  const metadata: any = { name: generator.name };
  if (generator.namespace) metadata.namespace = generator.namespace;
  if (Object.keys(options.labels).length > 0) metadata.labels = { ...options.labels };
  if (Object.keys(options.annotations).length > 0) metadata.annotations = { ...options.annotations };
  const object: any = { apiVersion: 'v1', kind: generator.kind, metadata };
  if (generator.kind === 'Secret') {
    object.type = generator.type || 'Opaque';
    object.data = {};
    for (const [key, value] of data) object.data[key] = encodeBase64(value);
  } else if (data.size > 0) {
    object.data = {};
    for (const [key, value] of data) object.data[key] = value;
  }
  if (options.immutable) object.immutable = true;
  return object;
}

/**
 * generators.encodeBase64: standard base64, and when the encoding is 70
 * characters or longer it is cut in lines of 70, each followed by `\n` (so
 * the value ends with a newline). The hash is computed on that text.
 */
function encodeBase64(value: string): string {
  const encoded = Buffer.from(value, 'utf-8').toString('base64');
  const lineLength = 70;
  if (encoded.length < lineLength) return encoded;
  let out = '';
  for (let i = 0; i < encoded.length; i += lineLength) out += encoded.slice(i, i + lineLength) + '\n';
  return out;
}

/** Same gvk (v1 ConfigMap/Secret), name and namespace as the generator, on the current or any previous id. */
function matchesGenerator(res: KustomizeResource, generator: GeneratorSpec): boolean {
  const ns = (value: string) => value === '' ? 'default' : value;
  const ids = [idOf(res.object), ...res.previousIds];
  return ids.some(id => id.group === '' && id.version === 'v1' && id.kind === generator.kind
    && id.name === generator.name && ns(id.namespace) === ns(generator.namespace ?? ''));
}

/** Resource.CopyMergeMetaDataFieldsFrom (+ MergeDataMapFrom/MergeBinaryDataMapFrom for merge). */
function mergeInto(old: any, generated: any, mergeData: boolean): any {
  const result = generated;
  const labels = { ...(old.metadata?.labels ?? {}), ...(generated.metadata.labels ?? {}) };
  const annotations = { ...(old.metadata?.annotations ?? {}), ...(generated.metadata.annotations ?? {}) };
  result.metadata = { ...result.metadata, name: old.metadata?.name };
  delete result.metadata.namespace;
  if (old.metadata?.namespace) result.metadata.namespace = old.metadata.namespace;
  setMap(result.metadata, 'labels', labels);
  setMap(result.metadata, 'annotations', annotations);
  if (mergeData) {
    setMap(result, 'data', { ...(old.data ?? {}), ...(generated.data ?? {}) });
    setMap(result, 'binaryData', { ...(old.binaryData ?? {}), ...(generated.binaryData ?? {}) });
  }
  return result;
}

/** Sets a map field, or removes it when empty (kyaml's SetMapField/SetLabels behaviour). */
function setMap(holder: any, key: string, value: Record<string, string>): void {
  if (Object.keys(value).length > 0) holder[key] = value;
  else delete holder[key];
}

/**
 * kustomize's hasher (api/hasher/hasher.go): the 10-character content hash of
 * a ConfigMap or Secret, byte-identical to kustomize. The hashed text is Go's
 * `json.Marshal` of `{kind, name, data[, binaryData]}` (ConfigMap) or
 * `{kind, name, type, data[, stringData]}` (Secret): keys sorted, `<`, `>`,
 * `&`, U+2028 and U+2029 escaped as `\u00xx`, a missing `data`/`type` as `""`.
 * Surprise, checked against kubectl: the `name` is always `""` because
 * kustomize looks the name up with `yaml.Lookup("metadata/name")`, which does
 * not split the path; the hash depends on the content only, never on the name
 * or prefix. Then sha256, hex, first 10 characters with 0→g, 1→h, 3→k, a→m,
 * e→t (kubectl's hash.encode).
 */
export function kustomizeHash(object: any): string {
  const value = (key: string) => object?.[key] === undefined || object?.[key] === null ? '' : object[key];
  const isMap = (v: any) => v !== null && typeof v === 'object' && !Array.isArray(v);
  let encoded: any;
  if (object?.kind === 'ConfigMap') {
    encoded = { kind: 'ConfigMap', name: '', data: value('data') };
    if (isMap(object.binaryData)) encoded.binaryData = object.binaryData;
  } else if (object?.kind === 'Secret') {
    encoded = { kind: 'Secret', type: value('type'), name: '', data: value('data') };
    if (isMap(object.stringData)) encoded.stringData = object.stringData;
  } else {
    throw new Error(`kustomizeHash: only ConfigMaps and Secrets are hashed, not ${describeId(idOf(object ?? {}))}`);
  }
  const hex = createHash('sha256').update(goJsonMarshal(encoded), 'utf8').digest('hex');
  const map: Record<string, string> = { 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' };
  return hex.slice(0, 10).replace(/[013ae]/g, c => map[c]);
}

/**
 * Go's encoding/json Marshal of plain JSON data: map keys sorted by their
 * UTF-8 bytes, HTML-safe escaping of `<`, `>`, `&` and U+2028/U+2029. Written
 * out by hand because a JS object enumerates integer-like keys ("1", "10")
 * first whatever their order.
 */
function goJsonMarshal(value: any): string {
  const encode = (v: any): string => {
    if (Array.isArray(v)) return '[' + v.map(encode).join(',') + ']';
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      return '{' + keys.map(k => JSON.stringify(k) + ':' + encode(v[k])).join(',') + '}';
    }
    return JSON.stringify(v);
  };
  return encode(value).replace(/[<>&\u2028\u2029]/g, c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Appends `-<hash>` to the name of every resource with `needsHashSuffix`
 * (recording history), as kustomize's HashTransformer does after all
 * transformers and before fixing references. The hash is of the content at
 * that point (see `kustomizeHash`). The flag is cleared, so the suffix is
 * added once.
 */
export function addHashSuffixes(resources: KustomizeResource[]): void {
  for (const res of resources) {
    if (!res.needsHashSuffix) continue;
    renameResource(res, { name: `${idOf(res.object).name}-${kustomizeHash(res.object)}` });
    delete res.needsHashSuffix;
  }
}
