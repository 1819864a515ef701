/**
 * Every string the library writes stays a string for kubectl and kustomize.
 *
 * cdk8s's `Yaml.stringify` (YAML 1.1) writes `0o17`, `0O17`, `0X1F`, `-0o17`
 * and `1e1_0` plain; kubectl (sigs.k8s.io/yaml, go-yaml v2: Go's
 * `strconv.ParseInt(s, 0, 64)` after dropping '_') and kustomize (kyaml,
 * go-yaml v3) read them as numbers. The strings below were checked against
 * sigs.k8s.io/yaml v1.4.0 `YAMLToJSON` and `kubectl kustomize` (v5.5.0).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, Yaml } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { AgentPod, AgentSource, Overlay } from '../../src';
import { cdk8sWritesAmbiguous, readsAsNonString, stringifyYaml } from '../../src/core/yaml';
import { kustomizeBuild } from '../support/kustomize';
import { errorOf, tmpDir } from '../support/util';

/** Plain strings kubectl and kustomize read as numbers although cdk8s's YAML 1.1 writer leaves them plain. */
const CDK8S_PLAIN_NUMBERS = ['0o17', '0O17', '0X1F', '-0o17', '0o777', '1e1_0'];
/** Strings cdk8s already quotes (YAML 1.1 booleans, nulls, numbers). */
const CDK8S_QUOTED = ['true', 'yes', 'on', 'Off', 'y', 'N', 'null', '~', '1e3', '0x1f', '1_000', '.inf', '-.inf', '.NaN',
  '0b101', '017', '09', '1:20', '1.5', '+1', '-1', '.5', '1_', '0x_1f', '2001-12-14', ''];
/** Strings every reader keeps as strings. */
const STRINGS = ['web', '256Mi', '250m', 'v1.0', '_1', '1e', 'inf', 'nan', 'Infinity', '0o', '0x', '0b2', '1__0e', 'IfNotPresent', 'a:b', '-'];

describe('readsAsNonString', () => {
  test.each([...CDK8S_PLAIN_NUMBERS, ...CDK8S_QUOTED])('%p is read as something else than a string', value => {
    expect(readsAsNonString(value)).toBe(true);
  });
  test.each(STRINGS)('%p is a string for every reader', value => {
    expect(readsAsNonString(value)).toBe(false);
  });
  test('cdk8sWritesAmbiguous: exactly the strings cdk8s writes plain although they read as numbers', () => {
    expect(CDK8S_PLAIN_NUMBERS.filter(cdk8sWritesAmbiguous)).toEqual(CDK8S_PLAIN_NUMBERS);
    expect([...CDK8S_QUOTED, ...STRINGS].filter(cdk8sWritesAmbiguous)).toEqual([]);
  });
});

/** A ConfigMap whose keys and values are every test string, plus a nested list. */
function configMap(values: string[]): any {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'values', annotations: Object.fromEntries(values.map((v, i) => [`example.com/a${i}`, v])) },
    data: Object.fromEntries(values.map(v => [`k-${v}`, v])),
    list: values,
  };
}

describe('stringifyYaml', () => {
  const all = [...CDK8S_PLAIN_NUMBERS, ...CDK8S_QUOTED, ...STRINGS];

  test('is cdk8s\'s Yaml.stringify byte for byte when no string is ambiguous', () => {
    const docs = [configMap(STRINGS), { a: [1, true, null, { b: 'c' }], multi: 'line 1\nline 2\n' }];
    expect(stringifyYaml(...docs)).toBe(Yaml.stringify(...docs));
  });

  test('quotes the strings cdk8s leaves plain, as keys and as values', () => {
    const text = stringifyYaml({ '0o17': '0X1F', 'list': ['-0o17', '1e1_0'] });
    expect(text).toBe('"0o17": "0X1F"\nlist:\n  - "-0o17"\n  - "1e1_0"\n');
    // cdk8s's own writer leaves them plain: what kubectl would read as numbers.
    expect(Yaml.stringify({ '0o17': '0X1F' })).toBe('0o17: 0X1F\n');
  });

  test('YAML 1.1 and 1.2 readers read every string back', () => {
    const object = configMap(all);
    const text = stringifyYaml(object);
    const expected = JSON.parse(JSON.stringify(object));
    expect(parse(text, { version: '1.1' })).toEqual(expected);
    expect(parse(text, { version: '1.2' })).toEqual(expected);
  });

  test('a text holding the placeholder itself is written as it is', () => {
    const object = { cdkeightsagentsquoted0z: 'cdkeightsagentsquoted1z', v: '0o17' };
    expect(parse(stringifyYaml(object))).toEqual(object);
  });

  test('kubectl kustomize reads every string back as a string (where kubectl is installed)', () => {
    const dir = tmpDir('yaml-strings-');
    fs.writeFileSync(path.join(dir, 'res.yaml'), stringifyYaml(configMap(all)));
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), stringifyYaml({ resources: ['res.yaml'] }));
    const built = kustomizeBuild(dir);
    if (built) {
      expect(built[0].data).toEqual(configMap(all).data);
      expect(built[0].metadata.annotations).toEqual(configMap(all).metadata.annotations);
    }
  });
});

describe('app.synth() files are cdk8s\'s: names it would write as numbers are refused', () => {
  test.each([
    [{ agentName: '0o17' }, "agentName '0o17'"],
    [{ namespaceName: '0o777' }, "namespaceName '0o777'"],
    [{ labels: { team: '0X1F' } }, "labels['team'] '0X1F'"],
    [{ version: '1e1_0' }, "version '1e1_0'"],
  ])('AgentPod %j', (props, field) => {
    expect(errorOf(() => new AgentPod(Testing.chart(), 'web', { source: AgentSource.image('agent:1'), ...props })))
      .toContain(`AgentPod 'test/web': ${field} is written unquoted by cdk8s (YAML 1.1) and kubectl (sigs.k8s.io/yaml) would read it as a number`);
  });
});

describe('Overlay.synth writes every string quoted where a reader would take it for a number', () => {
  function build(): App {
    const app = Testing.app();
    const chart = new Chart(app, 'values');
    new ApiObject(chart, 'cm', configMap(CDK8S_PLAIN_NUMBERS));
    return app;
  }

  test('overlay files and the kustomize tree keep the strings', () => {
    const out = tmpDir('overlay-strings-');
    const tree = path.join(out, 'kustomize');
    const overlay = new Overlay({ name: 'dev', commonAnnotations: { 'example.com/mode': '0o17' } });
    Overlay.synth(build(), [overlay], { outdir: out, kustomizeOutdir: tree });
    const expected = configMap(CDK8S_PLAIN_NUMBERS);

    const written = parseAllDocuments(fs.readFileSync(path.join(out, 'dev', '0000-values.k8s.yaml'), 'utf-8'))[0].toJSON();
    expect(written.data).toEqual(expected.data);
    expect(written.metadata.annotations['example.com/mode']).toBe('0o17');
    const base = fs.readFileSync(path.join(tree, 'base', '0000-values.k8s.yaml'), 'utf-8');
    expect(base).toContain('k-0o17: "0o17"');
    expect(fs.readFileSync(path.join(tree, 'overlays', 'dev', 'kustomization.yaml'), 'utf-8')).toContain('example.com/mode: "0o17"');

    const built = kustomizeBuild(tree, 'overlays/dev');
    if (built) {
      expect(built[0].data).toEqual(expected.data);
      expect(built[0].metadata.annotations['example.com/mode']).toBe('0o17');
    }
  });
});
