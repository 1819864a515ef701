/**
 * kustomize's configMapGenerator / secretGenerator / generatorOptions and the
 * content-hash name suffix, checked against the expectation written literally
 * in each test (hash values taken from `kubectl kustomize` v5.5.0) and, where
 * kubectl is installed, against `kubectl kustomize` on the same case.
 */
import { stringify } from 'yaml';
import {
  GeneratorOptionsSpec, GeneratorSpec, addHashSuffixes, kustomizeHash, runGenerators,
} from '../../src/kustomize/generators';
import { fixNameReferences } from '../../src/kustomize/name-references';
import { applyNamePrefixSuffix, applyNamespace } from '../../src/kustomize/names';
import { KustomizeResource, toResources } from '../../src/kustomize/resource';
import { webDeployment } from '../support/fixtures';
import { byId, hasKubectl, kustomizeBuild, writeTree, yamlDocs } from '../support/kustomize';
import { errorOf, findObject } from '../support/util';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

interface Case {
  readonly objects?: any[];
  readonly generators: GeneratorSpec[];
  readonly generatorOptions?: GeneratorOptionsSpec;
  readonly namespace?: string;
  readonly namePrefix?: string;
  readonly nameSuffix?: string;
}

const WHERE = 'Overlay \'prod\'';

/** kustomize's order: generators, namespace, prefix/suffix, hash suffixes, then references. */
function runAll(c: Case): { out: any[]; resources: KustomizeResource[] } {
  const resources = toResources(c.objects ?? [], 'base.yaml');
  runGenerators(resources, c.generators, c.generatorOptions, WHERE, 'generated.yaml');
  if (c.namespace) applyNamespace(resources, c.namespace);
  applyNamePrefixSuffix(resources, c.namePrefix ?? '', c.nameSuffix ?? '');
  addHashSuffixes(resources);
  fixNameReferences(resources);
  return { out: resources.map(r => r.object), resources };
}

function run(c: Case): any[] {
  return runAll(c).out;
}

/** The same case as a kustomization directory; generator files under `files/<i>/<key>`. */
function tree(c: Case): string {
  const files: Record<string, string> = {};
  const kustomization: any = {};
  if (c.objects?.length) {
    kustomization.resources = ['res.yaml'];
    files['res.yaml'] = yamlDocs(c.objects);
  }
  if (c.namespace) kustomization.namespace = c.namespace;
  if (c.namePrefix) kustomization.namePrefix = c.namePrefix;
  if (c.nameSuffix) kustomization.nameSuffix = c.nameSuffix;
  if (c.generatorOptions) kustomization.generatorOptions = c.generatorOptions;
  c.generators.forEach((g, i) => {
    const entry: any = { name: g.name };
    if (g.namespace) entry.namespace = g.namespace;
    if (g.behavior) entry.behavior = g.behavior;
    if (g.type) entry.type = g.type;
    // As the kustomize tree writer does: quoted or multi-line values go
    // through files, which kustomize reads verbatim.
    const viaFile = (v: string) => /^["']/.test(v) || /[\n\r]/.test(v);
    const literals = Object.entries(g.literals ?? {}).filter(([, v]) => !viaFile(v));
    if (literals.length > 0) entry.literals = literals.map(([k, v]) => `${k}=${v}`);
    const fileSources = { ...Object.fromEntries(Object.entries(g.literals ?? {}).filter(([, v]) => viaFile(v))), ...(g.files ?? {}) };
    if (Object.keys(fileSources).length > 0) {
      entry.files = Object.entries(fileSources).map(([k, content]) => {
        files[`files/${i}/${k}`] = content;
        return `${k}=files/${i}/${k}`;
      });
    }
    if (g.options) entry.options = g.options;
    const list = g.kind === 'Secret' ? 'secretGenerator' : 'configMapGenerator';
    (kustomization[list] = kustomization[list] ?? []).push(entry);
  });
  files['kustomization.yaml'] = stringify(kustomization);
  return writeTree(files);
}

function expectSameAsKubectl(c: Case, ours: any[]): void {
  const built = kustomizeBuild(tree(c));
  if (built) expect(byId(ours)).toEqual(byId(built));
}

function expectKubectlError(c: Case, pattern: RegExp): void {
  if (hasKubectl()) expect(() => kustomizeBuild(tree(c))).toThrow(pattern);
}

function baseConfigMap(name: string, extra: any = {}): any {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(extra.metadata ?? {}) }, data: { a: '1', b: '2' }, ...extra.body };
}

function podUsing(configMapName: string, secretName: string): any {
  return webDeployment({
    containers: [{
      name: 'app',
      image: 'app:1',
      envFrom: [{ configMapRef: { name: configMapName } }],
      env: [{ name: 'USER', valueFrom: { secretKeyRef: { name: secretName, key: 'user' } } }],
    }],
    volumes: [
      { name: 'cfg', configMap: { name: configMapName } },
      { name: 'proj', projected: { sources: [{ secret: { name: secretName } }] } },
    ],
  });
}

// ---------------------------------------------------------------------------
// hash
// ---------------------------------------------------------------------------

describe('kustomizeHash', () => {
  const long = 'a'.repeat(164);
  const html = { x: '<a href="y">&amp;</a>', u: 'é ü 日本' };
  const htmlFile = 'line1\nline2 <b> & "q"\n';

  test('is byte-identical to kustomize (values read from kubectl kustomize v5.5.0)', () => {
    expect(kustomizeHash({ kind: 'ConfigMap', metadata: { name: 'gen' }, data: { a: 'b' } })).toBe('4h2mbtbbt6');
    // Surprise: kustomize hashes an empty name (yaml.Lookup("metadata/name") finds nothing): the name does not count.
    expect(kustomizeHash({ kind: 'ConfigMap', metadata: { name: 'p-gen' }, data: { a: 'b' } })).toBe('4h2mbtbbt6');
    expect(kustomizeHash({ kind: 'ConfigMap', metadata: { name: 'empty' } })).toBe('6ct58987ht');
    expect(kustomizeHash({ kind: 'ConfigMap', metadata: { name: 'html' }, data: { ...html, 'f.txt': htmlFile, 'renamed': htmlFile } })).toBe('bk6b26mkf6');
    expect(kustomizeHash({ kind: 'Secret', metadata: { name: 's1' }, type: 'Opaque', data: { user: 'YWRtaW4=' } })).toBe('hmbb7mfmdf');
    expect(kustomizeHash({ kind: 'Secret', metadata: { name: 'emptys' }, type: 'Opaque', data: {} })).toBe('46f8b28mk5');
    expect(kustomizeHash({ kind: 'Secret', metadata: { name: 'typed' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'YWJj' } })).toBe('77f7h4t786');
    // Labels, annotations and other fields do not count.
    expect(kustomizeHash({ kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' } }, data: { a: 'b' }, immutable: true })).toBe('4h2mbtbbt6');
    expect(() => kustomizeHash({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } })).toThrow(/only ConfigMaps and Secrets/);
  });

  test('generated names carry the same hashes as kubectl, for text, HTML characters, U+2028 and long Secrets', () => {
    const c: Case = {
      generators: [
        { kind: 'ConfigMap', name: 'gen', literals: { a: 'b' } },
        { kind: 'ConfigMap', name: 'empty' },
        { kind: 'ConfigMap', name: 'html', literals: html, files: { 'f.txt': htmlFile, 'renamed': htmlFile } },
        { kind: 'ConfigMap', name: 'separators', files: { 'b': 'x\u2028y\u2029z', 'a.1': 'one' } },
        { kind: 'Secret', name: 's1', plainTextValuesInManifest: true, literals: { user: 'admin' } },
        { kind: 'Secret', name: 'emptys' },
        { kind: 'Secret', name: 'typed', plainTextValuesInManifest: true, type: 'kubernetes.io/tls', literals: { 'tls.crt': 'abc' } },
        { kind: 'Secret', name: 'long', plainTextValuesInManifest: true, literals: { long } },
      ],
    };
    const out = run(c);
    expect(out.map(o => o.metadata.name)).toEqual([
      'gen-4h2mbtbbt6', 'empty-6ct58987ht', 'html-bk6b26mkf6', 'separators-cf86ccm5mk',
      's1-hmbb7mfmdf', 'emptys-46f8b28mk5', 'typed-77f7h4t786', 'long-99hct6gkh2',
    ]);
    // kustomize wraps base64 at 70 characters, each line ending with \n; the hash is of that text.
    expect(findObject(out, 'Secret', 'long-99hct6gkh2').data.long).toBe(
      'YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW\n'
      + 'FhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\n'
      + 'YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW\n'
      + 'FhYWFhYWE=\n');
    const built = kustomizeBuild(tree(c));
    if (built) {
      // Surprise: kustomize's YAML emitter treats U+2028/U+2029 as line breaks and
      // indents after them, so the printed value reads back with extra spaces; the
      // hash (of the in-memory value) is what matters, the name carries it.
      const separators = (objects: any[]) => objects.filter(o => o.metadata.name.startsWith('separators-'));
      expect(separators(built).map(o => o.metadata.name)).toEqual(['separators-cf86ccm5mk']);
      expect(separators(built)[0].data.b).toMatch(/^x\u2028 +y\u2029 +z$/);
      const others = (objects: any[]) => byId(objects.filter(o => !o.metadata.name.startsWith('separators-')));
      expect(others(out)).toEqual(others(built));
    }
  });
});

// ---------------------------------------------------------------------------
// generators
// ---------------------------------------------------------------------------

describe('runGenerators', () => {
  test('a generated ConfigMap gets the hash after the prefix, and references follow it', () => {
    const c: Case = {
      objects: [podUsing('gen', 'creds')],
      generators: [
        { kind: 'ConfigMap', name: 'gen', literals: { a: 'b' } },
        { kind: 'Secret', name: 'creds', plainTextValuesInManifest: true, literals: { user: 'admin' } },
      ],
      namePrefix: 'p-',
    };
    const { out, resources } = runAll(c);
    expect(findObject(out, 'ConfigMap', 'p-gen-4h2mbtbbt6')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p-gen-4h2mbtbbt6' }, data: { a: 'b' } });
    expect(findObject(out, 'Secret', 'p-creds-hmbb7mfmdf')).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'p-creds-hmbb7mfmdf' }, type: 'Opaque', data: { user: 'YWRtaW4=' } });
    const pod = findObject(out, 'Deployment', 'p-web').spec.template.spec;
    expect(pod.containers[0].envFrom).toEqual([{ configMapRef: { name: 'p-gen-4h2mbtbbt6' } }]);
    expect(pod.containers[0].env[0].valueFrom.secretKeyRef).toEqual({ name: 'p-creds-hmbb7mfmdf', key: 'user' });
    expect(pod.volumes).toEqual([
      { name: 'cfg', configMap: { name: 'p-gen-4h2mbtbbt6' } },
      { name: 'proj', projected: { sources: [{ secret: { name: 'p-creds-hmbb7mfmdf' } }] } },
    ]);
    // History: generator name, prefixed name; new objects go to the generator's file.
    expect(resources[1].previousIds.map(id => id.name)).toEqual(['gen', 'p-gen']);
    expect(resources[1].file).toBe('generated.yaml');
    expect(resources[1].needsHashSuffix).toBeUndefined();
    expectSameAsKubectl(c, out);
  });

  test('namespace, generator namespace and hash: the Deployment in the namespace finds the hashed name', () => {
    const c: Case = {
      objects: [podUsing('settings', 'creds')],
      generators: [
        { kind: 'ConfigMap', name: 'settings', namespace: 'ignored', literals: { level: 'debug' } },
        { kind: 'Secret', name: 'creds', plainTextValuesInManifest: true, files: { user: 'svc-reader\n' } },
      ],
      namespace: 'prod',
      nameSuffix: '-v1',
    };
    const out = run(c);
    expect(out.map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Deployment/prod/web-v1', 'ConfigMap/prod/settings-v1-ck5fk26hc4', 'Secret/prod/creds-v1-6gk8cbt5bg',
    ]);
    expect(findObject(out, 'Secret', 'creds-v1-6gk8cbt5bg').data).toEqual({ user: 'c3ZjLXJlYWRlcgo=' });
    expect(findObject(out, 'Deployment', 'web-v1').spec.template.spec.volumes[0].configMap.name).toBe('settings-v1-ck5fk26hc4');
    expectSameAsKubectl(c, out);
  });

  test('Secrets: base64 data, Opaque by default, the given type otherwise, `data: {}` when empty', () => {
    const c: Case = {
      generators: [
        { kind: 'Secret', name: 'plain', plainTextValuesInManifest: true, literals: { user: 'admin', flag: 'on' }, options: { disableNameSuffixHash: true } },
        { kind: 'Secret', name: 'tls', plainTextValuesInManifest: true, type: 'kubernetes.io/tls', files: { 'tls.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }, options: { disableNameSuffixHash: true } },
        { kind: 'Secret', name: 'empty', options: { disableNameSuffixHash: true, immutable: true } },
      ],
    };
    const out = run(c);
    expect(out).toEqual([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain' }, type: 'Opaque', data: { user: 'YWRtaW4=', flag: 'b24=' } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'tls' },
        type: 'kubernetes.io/tls',
        // 72 characters of base64: kustomize cuts the line at 70.
        data: { 'tls.crt': 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVE\nUtLS0tLQo=\n' },
      },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty' }, type: 'Opaque', data: {}, immutable: true },
    ]);
    expectSameAsKubectl(c, out);
  });

  test('generatorOptions at both levels: entry labels win, a global true cannot be turned off', () => {
    const c: Case = {
      generatorOptions: { labels: { team: 'agents', tier: 'global' }, annotations: { owner: 'platform' }, disableNameSuffixHash: true },
      generators: [
        { kind: 'ConfigMap', name: 'a', literals: { k: 'v' }, options: { labels: { tier: 'local' }, annotations: { note: 'x' }, disableNameSuffixHash: false, immutable: true } },
        { kind: 'ConfigMap', name: 'b', literals: { k: 'v' } },
      ],
    };
    const out = run(c);
    expect(out).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a', labels: { team: 'agents', tier: 'local' }, annotations: { owner: 'platform', note: 'x' } },
        data: { k: 'v' },
        immutable: true,
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', labels: { team: 'agents', tier: 'global' }, annotations: { owner: 'platform' } }, data: { k: 'v' } },
    ]);
    expectSameAsKubectl(c, out);
  });

  test('merge into a base ConfigMap: data and metadata merged, generator keys win, no hash added', () => {
    const c: Case = {
      objects: [baseConfigMap('settings', { metadata: { labels: { keep: 'yes', over: 'base' }, annotations: { note: 'base' } } })],
      generatorOptions: { labels: { g: 'global' } },
      generators: [{ kind: 'ConfigMap', name: 'settings', behavior: 'merge', literals: { b: '20', c: '30' }, options: { labels: { over: 'overlay' } } }],
      namePrefix: 'p-',
    };
    const { out, resources } = runAll(c);
    expect(out).toEqual([{
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'p-settings', labels: { keep: 'yes', over: 'overlay', g: 'global' }, annotations: { note: 'base' } },
      data: { a: '1', b: '20', c: '30' },
    }]);
    expect(resources[0].file).toBe('base.yaml');
    expectSameAsKubectl(c, out);
  });

  test('replace a base ConfigMap of a namespace: new data, merged labels, old fields such as immutable dropped', () => {
    const c: Case = {
      objects: [baseConfigMap('settings', { metadata: { namespace: 'tools', labels: { keep: 'yes' } }, body: { immutable: false } })],
      generators: [{ kind: 'ConfigMap', name: 'settings', namespace: 'tools', behavior: 'replace', literals: { fresh: 'x' } }],
    };
    const out = run(c);
    expect(out).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'tools', labels: { keep: 'yes' } }, data: { fresh: 'x' } }]);
    expectSameAsKubectl(c, out);
  });

  test('create then merge/replace in one list: the hash stays only when both want it, immutable comes from the last entry', () => {
    const c: Case = {
      generators: [
        { kind: 'ConfigMap', name: 'x1', literals: { a: '1' } },
        { kind: 'ConfigMap', name: 'x1', behavior: 'merge', literals: { b: '1' }, options: { disableNameSuffixHash: true } },
        { kind: 'ConfigMap', name: 'x2', literals: { a: '1' }, options: { disableNameSuffixHash: true, immutable: true, labels: { l1: 'a' } } },
        { kind: 'ConfigMap', name: 'x2', behavior: 'merge', literals: { b: '1' }, options: { labels: { l2: 'b' } } },
        { kind: 'ConfigMap', name: 'x3', literals: { a: '1' } },
        { kind: 'ConfigMap', name: 'x3', behavior: 'merge', literals: { b: '1' } },
        { kind: 'ConfigMap', name: 'x4', literals: { a: '1' }, options: { immutable: true } },
        { kind: 'ConfigMap', name: 'x4', behavior: 'replace', literals: { b: '1' } },
      ],
    };
    const out = run(c);
    expect(out).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x1' }, data: { a: '1', b: '1' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x2', labels: { l1: 'a', l2: 'b' } }, data: { a: '1', b: '1' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x3-8gchk5bfmb' }, data: { a: '1', b: '1' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x4-k2572242mg' }, data: { b: '1' } },
    ]);
    expectSameAsKubectl(c, out);
  });

  test('merge into a base Secret: data merged, but type and stringData are the generator\'s (kustomize drops them)', () => {
    const c: Case = {
      objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'login' }, type: 'kubernetes.io/basic-auth', stringData: { extra: 'x' }, data: { username: 'YQ==' } }],
      generators: [{ kind: 'Secret', name: 'login', plainTextValuesInManifest: true, behavior: 'merge', literals: { flag: 'on' } }],
    };
    const out = run(c);
    expect(out).toEqual([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'login' }, type: 'Opaque', data: { username: 'YQ==', flag: 'b24=' } }]);
    expectSameAsKubectl(c, out);
  });

  test('matching ignores the difference between no namespace and `default`, and finds renamed objects by a previous name', () => {
    const c: Case = {
      objects: [baseConfigMap('defns', { metadata: { namespace: 'default' } }), baseConfigMap('plain')],
      generators: [
        { kind: 'ConfigMap', name: 'defns', behavior: 'merge', literals: { c: '3' } },
        { kind: 'ConfigMap', name: 'plain', namespace: 'default', behavior: 'merge', literals: { c: '3' } },
      ],
    };
    const out = run(c);
    expect(out).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'defns', namespace: 'default' }, data: { a: '1', b: '2', c: '3' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' }, data: { a: '1', b: '2', c: '3' } },
    ]);
    expectSameAsKubectl(c, out);

    // An object renamed earlier (e.g. by a previous overlay step) is found by its old name.
    const resources = toResources([baseConfigMap('old')]);
    resources[0].previousIds.push({ group: '', version: 'v1', kind: 'ConfigMap', name: 'settings', namespace: '' });
    resources[0].object.metadata.name = 'p-settings';
    runGenerators(resources, [{ kind: 'ConfigMap', name: 'settings', behavior: 'merge', literals: { c: '3' } }], undefined, WHERE);
    expect(resources[0].object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p-settings' }, data: { a: '1', b: '2', c: '3' } });
  });

  test('keys YAML would read as numbers, booleans, null or dates are refused: kustomize cannot output them', () => {
    for (const key of ['1', '10', '1.5', 'true', 'False', 'null', '0x1f', '0o17', '08', '1_000', '1e3', '.5', '-1', '2024-01-01']) {
      expect(errorOf(() => run({ generators: [{ kind: 'ConfigMap', name: 'keys', literals: { [key]: 'v' } }] })))
        .toBe(`Overlay 'prod': configMapGenerator 'keys': key '${key}' would be read by YAML as a number, boolean, null or date, `
          + 'which kustomize cannot output (kubectl kustomize fails with "json: unsupported type"); choose another key');
    }
    expectKubectlError({ generators: [{ kind: 'ConfigMap', name: 'keys', literals: { 1: 'one' } }] }, /unsupported type/);
    expectKubectlError({ generators: [{ kind: 'Secret', name: 'keys', plainTextValuesInManifest: true, literals: { true: 'yes' } }] }, /unsupported type/);
    // These stay strings (YAML 1.2 has no yes/on/y booleans; not a number; not a valid date).
    const c: Case = { generators: [{ kind: 'ConfigMap', name: 'keys', literals: { 'yes': 'a', 'on': 'b', 'y': 'c', '1a': 'd', '_1': 'e', '0x': 'f', '1e': 'g', '2024-13-01': 'h' } }] };
    const out = run(c);
    expect(Object.keys(out[0].data)).toEqual(['yes', 'on', 'y', '1a', '_1', '0x', '1e', '2024-13-01']);
    expectSameAsKubectl(c, out);
  });

  test('a literal keeps its quotes (typed values are verbatim; the tree passes them as files)', () => {
    const c: Case = { generators: [{ kind: 'ConfigMap', name: 'q', literals: { a: '"quoted"', b: '\'single\'', c: '"half', d: 'x=y' } }] };
    const out = run(c);
    expect(out[0].data).toEqual({ a: '"quoted"', b: '\'single\'', c: '"half', d: 'x=y' });
    expectSameAsKubectl(c, out);
  });

  test('errors: create over an existing object, merge/replace without one, bad or repeated keys, type on a ConfigMap', () => {
    const existing: Case = { objects: [baseConfigMap('settings')], generators: [{ kind: 'ConfigMap', name: 'settings', literals: { a: '1' } }] };
    expect(errorOf(() => run(existing))).toBe('Overlay \'prod\': configMapGenerator \'settings\': ConfigMap \'settings\' already exists; use behavior merge or replace');
    expectKubectlError(existing, /behavior must be merge or replace/);

    const missing: Case = { objects: [baseConfigMap('other')], generators: [{ kind: 'ConfigMap', name: 'settings', behavior: 'merge', literals: { a: '1' } }] };
    expect(errorOf(() => run(missing))).toBe('Overlay \'prod\': configMapGenerator \'settings\': there is no ConfigMap \'settings\' to merge');
    expectKubectlError(missing, /does not exist; cannot merge or replace/);

    const otherNamespace: Case = { objects: [baseConfigMap('settings', { metadata: { namespace: 'tools' } })], generators: [{ kind: 'Secret', name: 'settings', plainTextValuesInManifest: true, behavior: 'replace', literals: { a: '1' } }] };
    expect(errorOf(() => run(otherNamespace))).toBe('Overlay \'prod\': secretGenerator \'settings\': there is no Secret \'settings\' to replace');

    expect(errorOf(() => run({ generators: [{ kind: 'ConfigMap', name: 'x', literals: { 'bad key': 'v' } }] })))
      .toBe('Overlay \'prod\': configMapGenerator \'x\': key \'bad key\' is not a valid ConfigMap/Secret key (letters, digits, \'-\', \'_\' and \'.\')');
    const repeated: Case = { generators: [{ kind: 'ConfigMap', name: 'x', literals: { k: 'v' }, files: { k: 'w' } }] };
    expect(errorOf(() => run(repeated))).toBe('Overlay \'prod\': configMapGenerator \'x\': the key \'k\' is repeated');
    expectKubectlError(repeated, /illegally repeats the key/);
    expect(errorOf(() => run({ generators: [{ kind: 'ConfigMap', name: 'x', type: 'Opaque' }] }))).toBe('Overlay \'prod\': configMapGenerator \'x\': \'type\' is only for Secrets');
    expect(errorOf(() => run({ generators: [{ kind: 'ConfigMap', name: '' }] }))).toBe('Overlay \'prod\': configMapGenerator \'\': a generator must have a name');
  });

  test('secret guard: a Secret generator with values needs plainTextValuesInManifest; key-shaped values stay refused with it', () => {
    // Without the opt-in any value is refused, even one that looks harmless: it would be written, base64-encoded, into the manifest.
    const refused = errorOf(() => run({ generators: [{ kind: 'Secret', name: 'db', literals: { admin: 'changeme' } }] }));
    expect(refused).toBe('Overlay \'prod\': secretGenerator \'db\': would write the values of \'admin\' in plain text (base64, not encrypted) into the manifests; '
      + 'create the Secret out of band and refer to it (secretKeyRef/secretRef), or set plainTextValuesInManifest: true for values that are not credentials');
    expect(refused).not.toContain('changeme');
    expect(errorOf(() => run({ generators: [{ kind: 'Secret', name: 'db', files: { 'ca.crt': 'x' } }] }))).toContain('plainTextValuesInManifest');
    // A ConfigMap never takes a literal under a credential name either.
    const configMap = errorOf(() => run({ generators: [{ kind: 'ConfigMap', name: 'cfg', literals: { OPENAI_API_KEY: 'hunter2hunter2' } }] }));
    expect(configMap).toContain('configMapGenerator \'cfg\': key \'OPENAI_API_KEY\' looks like a credential');
    expect(configMap).not.toContain('hunter2');
    expect(() => run({ generators: [{ kind: 'ConfigMap', name: 'cfg', literals: { MAX_TOKENS: '100', API_KEY: '' } }] })).not.toThrow();
    // An empty Secret writes no value and needs no opt-in; ConfigMaps never do.
    expect(() => run({ generators: [{ kind: 'Secret', name: 'empty' }, { kind: 'ConfigMap', name: 'cfg', literals: { admin: 'changeme' } }] })).not.toThrow();
    // With the opt-in, a key-shaped value and a credential-named key are still refused, and a file holding an assignment too.
    const optIn = { kind: 'Secret' as const, name: 'db', plainTextValuesInManifest: true };
    const shaped = errorOf(() => run({ generators: [{ ...optIn, literals: { admin: 'Bearer sk-proj-AbCdEf0123456789' } }] }));
    expect(shaped).toContain('the value of key \'admin\' looks like a credential (not shown)');
    expect(shaped).not.toContain('sk-proj');
    expect(errorOf(() => run({ generators: [{ ...optIn, literals: { password: 'changeme' } }] }))).toContain('key \'password\' looks like a credential');
    expect(errorOf(() => run({ generators: [{ ...optIn, files: { 'app.env': 'MODEL=x\nAPI_KEY=hunter2hunter2\n' } }] })))
      .toContain('the value of key \'app.env\' looks like a credential (not shown)');
    expect(run({ generators: [{ ...optIn, literals: { admin: 'changeme' }, options: { disableNameSuffixHash: true } }] }))
      .toEqual([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque', data: { admin: 'Y2hhbmdlbWU=' } }]);
  });

  test('secret guard: credential keys and credential-looking values are refused without echoing the value', () => {
    const value = 'sk-live-0123456789abcdef';
    const byKey = errorOf(() => run({ generators: [{ kind: 'Secret', name: 'llm', plainTextValuesInManifest: true, literals: { OPENAI_API_KEY: 'hunter2-not-shown' } }] }));
    expect(byKey).toBe('Overlay \'prod\': secretGenerator \'llm\': key \'OPENAI_API_KEY\' looks like a credential; credentials are never put in a manifest: '
      + 'create the Secret out of band and refer to it (secretKeyRef/secretRef) instead of generating it');
    expect(byKey).not.toContain('hunter2');
    for (const key of ['password', 'db-passwd', 'client_secret', 'token', 'api-key', 'credentials.json', 'ssh-privatekey', 'private_key']) {
      expect(errorOf(() => run({ generators: [{ kind: 'Secret', name: 's', plainTextValuesInManifest: true, files: { [key]: 'x' } }] }))).toContain(`key '${key}' looks like a credential`);
    }
    const byValue = errorOf(() => run({ generators: [{ kind: 'Secret', name: 'llm', plainTextValuesInManifest: true, literals: { provider: value } }] }));
    expect(byValue).toBe('Overlay \'prod\': secretGenerator \'llm\': the value of key \'provider\' looks like a credential (not shown); credentials are never put in a manifest: '
      + 'create the Secret out of band and refer to it (secretKeyRef/secretRef) instead');
    expect(byValue).not.toContain(value);
    // A key pasted into a ConfigMap is refused too; merge entries are checked like creates.
    expect(errorOf(() => run({ generators: [{ kind: 'ConfigMap', name: 'cfg', literals: { model: 'ghp_abcdef0123456789' } }] }))).toContain('the value of key \'model\' looks like a credential');
    expect(errorOf(() => run({
      objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque' }],
      generators: [{ kind: 'Secret', name: 'db', plainTextValuesInManifest: true, behavior: 'merge', literals: { password: 'x' } }],
    }))).toContain('key \'password\' looks like a credential');
    // Non-sensitive Secret data is fine.
    expect(run({ generators: [{ kind: 'Secret', name: 'db', plainTextValuesInManifest: true, literals: { 'username': 'agent', 'tls-enabled': 'true' }, options: { disableNameSuffixHash: true } }] }))
      .toEqual([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque', data: { 'username': 'YWdlbnQ=', 'tls-enabled': 'dHJ1ZQ==' } }]);
  });
});

// ---------------------------------------------------------------------------
// addHashSuffixes
// ---------------------------------------------------------------------------

describe('addHashSuffixes', () => {
  test('hashes the content at that point, records the rename, and only once', () => {
    const resources = toResources([baseConfigMap('plain')]);
    runGenerators(resources, [{ kind: 'ConfigMap', name: 'gen', literals: { a: 'b' } }], undefined, WHERE, 'gen.yaml');
    expect(resources[1].needsHashSuffix).toBe(true);
    expect(resources[1].file).toBe('gen.yaml');
    resources[1].object.metadata.labels = { changed: 'labels do not count' };
    addHashSuffixes(resources);
    addHashSuffixes(resources);
    expect(resources.map(r => r.object.metadata.name)).toEqual(['plain', 'gen-4h2mbtbbt6']);
    expect(resources[1].previousIds).toEqual([{ group: '', version: 'v1', kind: 'ConfigMap', name: 'gen', namespace: '' }]);
    expect(resources[0].previousIds).toEqual([]);
  });
});
