/**
 * Overlays that `kubectl kustomize` once built differently from the library:
 * each writes the kustomize tree with `Overlay.synth`, builds it
 * with kubectl (kustomize v5.5.0) where installed, and compares with the
 * overlay's own output; the expected values are asserted either way.
 */
import { JsonPatch } from 'cdk8s';
import { Overlay, OverlayComponent, Patch } from '../../src';
import { webDeployment } from '../support/fixtures';
import { expectTreeMatchesOverlays } from '../support/kustomize';
import { errorOf, findObject } from '../support/util';

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
const web = () => webDeployment({ containers: [{ name: 'web', image: 'nginx:1.27' }] });
const store = () => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'store' },
  spec: {
    serviceName: 'store',
    selector: { matchLabels: { app: 'store' } },
    template: { metadata: { labels: { app: 'store' } }, spec: { containers: [{ name: 'db', image: 'redis:7' }] } },
  },
});

describe('JSON 6902 patches and metadata.annotations', () => {
  test('add and copy to /metadata/annotations/<key> create the map, as kustomize does', () => {
    const overlay = new Overlay({
      name: 'a',
      patches: [
        Patch.json6902({ kind: 'ConfigMap', name: 'one' }, JsonPatch.add('/metadata/annotations/owner', 'team-a')),
        Patch.json6902({ kind: 'ConfigMap', name: 'two' }, JsonPatch.copy('/data/k', '/metadata/annotations/copied')),
        Patch.json6902({ kind: 'ConfigMap', name: 'three' }, JsonPatch.add('/data/z', '1')),
      ],
    });
    const out = expectTreeMatchesOverlays([configMap('one'), configMap('two'), configMap('three')], [overlay]).a;
    expect(findObject(out, 'ConfigMap', 'one').metadata.annotations).toEqual({ owner: 'team-a' });
    expect(findObject(out, 'ConfigMap', 'two').metadata.annotations).toEqual({ copied: 'v' });
    expect(findObject(out, 'ConfigMap', 'three').metadata).toEqual({ name: 'three' });
  });

  test('deeper missing parents fail in both (labels have no such map), and reading the whole map is refused', () => {
    const labels = new Overlay({ name: 'l', patches: [Patch.json6902({ kind: 'ConfigMap' }, JsonPatch.add('/metadata/labels/x', '1'))] });
    expect(errorOf(() => labels.apply([configMap('one')]))).toContain("'/metadata/labels/x' does not exist (no 'metadata/labels')");
    const deep = new Overlay({ name: 'd', patches: [Patch.json6902({ kind: 'ConfigMap' }, JsonPatch.add('/metadata/annotations/x/y', '1'))] });
    expect(errorOf(() => deep.apply([configMap('one')]))).toContain("'/metadata/annotations/x/y' does not exist");
    const whole = new Overlay({ name: 'w', patches: [Patch.json6902({ kind: 'ConfigMap' }, JsonPatch.copy('/metadata/annotations', '/data/all'))] });
    expect(errorOf(() => whole.apply([configMap('one')])))
      .toContain("Overlay 'w': patches[0] (target kind=ConfigMap) on ConfigMap 'one': operation 0 (copy /data/all): from '/metadata/annotations' is not supported");
  });
});

describe('strategic-merge patches with empty maps', () => {
  test('an empty annotations map is never written; with a target, empty labels are not either', () => {
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: {}, labels: {} },
      spec: { template: { metadata: { annotations: {} }, spec: { nodeSelector: {} } } },
    };
    const named = new Overlay({ name: 'named', patches: [Patch.strategicMerge(body)] });
    const targeted = new Overlay({ name: 'targeted', patches: [Patch.strategicMerge(body, { target: { kind: 'Deployment' } })] });
    const out = expectTreeMatchesOverlays([web()], [named, targeted]);
    const namedWeb = findObject(out.named, 'Deployment', 'web');
    expect(namedWeb.metadata).toEqual({ name: 'web', labels: {} });
    expect(namedWeb.spec.template.metadata.annotations).toEqual({});
    expect(namedWeb.spec.template.spec.nodeSelector).toEqual({});
    expect(findObject(out.targeted, 'Deployment', 'web').metadata).toEqual({ name: 'web' });
  });
});

describe('label values kustomize shares between places', () => {
  test('a patch of a label a component set with includeTemplates changes the template label too', () => {
    const component = new OverlayComponent({ name: 'tiered', labels: [{ pairs: { tier: 'a' }, includeTemplates: true }] });
    const overlay = new Overlay({
      name: 'c',
      components: [component],
      patches: [Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { tier: 'b' } } })],
    });
    const deployment = findObject(expectTreeMatchesOverlays([web()], [overlay]).c, 'Deployment', 'web');
    expect(deployment.metadata.labels.tier).toBe('b');
    expect(deployment.spec.template.metadata.labels.tier).toBe('b');
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'web' });
  });

  test('a patch of the template label, then overlay labels, change every place of a commonLabels value', () => {
    const overlay = new Overlay({
      name: 'c',
      components: [new OverlayComponent({ name: 'common', commonLabels: { tier: 'a' } })],
      patches: [Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { labels: { tier: 'c' } } } } })],
      labels: [{ pairs: { tier: 'd' } }],
    });
    const deployment = findObject(expectTreeMatchesOverlays([web()], [overlay]).c, 'Deployment', 'web');
    expect(deployment.metadata.labels.tier).toBe('d');
    expect(deployment.spec.selector.matchLabels.tier).toBe('d');
    expect(deployment.spec.template.metadata.labels.tier).toBe('d');
  });
});

describe('strategic-merge patches with a target: labels as kustomize copies them', () => {
  const setTeam = Patch.strategicMerge({ apiVersion: 'v1', kind: 'Any', metadata: { name: 'any', labels: { team: 'a' } } }, { target: { name: '.*' } });

  test('a component label set by a targeted patch stays; a targeted `labels: null` is refused (kustomize ignores it)', () => {
    const drop = Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x', labels: null } }, { target: { kind: '.*Set' } });
    const overlay = new Overlay({
      name: 'f',
      components: [new OverlayComponent({ name: 'team', patches: [setTeam] })],
      patches: [drop],
      labels: [{ pairs: { env: 'prod' } }],
    });
    expect(errorOf(() => overlay.apply([web(), store()])))
      .toContain("Overlay 'f': patches[0] (target kind=.*Set): metadata.labels null is not supported in a patch with a target");
    const kept = new Overlay({ name: 'f', components: [new OverlayComponent({ name: 'team', patches: [setTeam] })], labels: [{ pairs: { env: 'prod' } }] });
    const out = expectTreeMatchesOverlays([web(), store()], [kept]).f;
    expect(findObject(out, 'StatefulSet', 'store').metadata.labels).toEqual({ team: 'a', env: 'prod' });
  });

  test('numbers become strings; a null label value is refused (kustomize writes "null")', () => {
    const numbers = new Overlay({
      name: 'n',
      patches: [Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', labels: { rank: 1 }, annotations: { on: true } } }, { target: { kind: 'Deployment' } })],
    });
    const deployment = findObject(expectTreeMatchesOverlays([web()], [numbers]).n, 'Deployment', 'web');
    expect(deployment.metadata.labels).toEqual({ rank: '1' });
    expect(deployment.metadata.annotations).toEqual({ on: 'true' });
    const nulls = new Overlay({
      name: 'z',
      patches: [Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', labels: { app: null } } }, { target: { kind: 'Deployment' } })],
    });
    expect(errorOf(() => nulls.apply([web()]))).toContain("metadata.labels['app'] is null, which is not supported in a patch with a target");
  });
});

describe('the kustomize tree', () => {
  test('a component that changes nothing is written as a valid no-op component', () => {
    const overlay = new Overlay({ name: 'd', components: [new OverlayComponent({ name: 'nothing', commonAnnotations: {} })] });
    const out = expectTreeMatchesOverlays([configMap('one')], [overlay]).d;
    expect(out).toEqual([configMap('one')]);
  });

  test('generators of one name in two namespaces keep their own files', () => {
    const overlay = new Overlay({
      name: 'e',
      configMapGenerator: [
        { name: 'settings', namespaceName: 'team-a', files: { 'app.conf': 'owner = a\n' } },
        { name: 'settings', namespaceName: 'team-b', files: { 'app.conf': 'owner = b\n' } },
        { name: 'settings', files: { 'app.conf': 'owner = none\n' } },
      ],
    });
    const out = expectTreeMatchesOverlays([configMap('one')], [overlay]).e;
    const settings = (ns: string | undefined) => out.find(o => o.metadata.name.startsWith('settings-') && o.metadata.namespace === ns);
    expect(settings('team-a').data).toEqual({ 'app.conf': 'owner = a\n' });
    expect(settings('team-b').data).toEqual({ 'app.conf': 'owner = b\n' });
    expect(settings(undefined).data).toEqual({ 'app.conf': 'owner = none\n' });
  });
});

describe('images', () => {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;

  test.each([
    [{ name: 'r/a', newName: `r/b@${digest('a')}`, digest: digest('b') }, `r/b@${digest('a')}`],
    [{ name: 'r/a', newName: `r/b@${digest('a')}` }, `r/b@${digest('a')}`],
    [{ name: 'r/a', newName: 'r/b:2', newTag: '3' }, 'r/b:2'],
  ])('a newName with a tag or digest is refused (kustomize appends another one): %j', (image, newName) => {
    expect(errorOf(() => new Overlay({ name: 'img', images: [image] })))
      .toContain(`Overlay 'img': images['r/a'].newName '${newName}' carries a tag or digest: give the image name only`);
  });

  test('newName with a registry port, newTag and digest builds as with kubectl', () => {
    const overlay = new Overlay({ name: 'img', images: [{ name: 'nginx', newName: 'mirror.internal:8443/web', newTag: '2', digest: digest('c') }] });
    const out = expectTreeMatchesOverlays([web()], [overlay]).img;
    expect(findObject(out, 'Deployment', 'web').spec.template.spec.containers[0].image).toBe(`mirror.internal:8443/web:2@${digest('c')}`);
  });
});

describe('errors name the overlay, and the component they come from', () => {
  const deployment = (name: string, namespace?: string) => ({ ...web(), metadata: { name, ...(namespace ? { namespace } : {}) } });

  test('a JSON patch of a component that gives two Deployments one name', () => {
    const rename = Patch.json6902({ kind: 'Deployment', name: 'b' }, JsonPatch.replace('/metadata/name', 'a'));
    const overlay = new Overlay({ name: 'prod', components: [new OverlayComponent({ name: 'renames', patches: [rename] })] });
    expect(errorOf(() => overlay.apply([deployment('a'), deployment('b')])))
      .toBe("Overlay 'prod' > OverlayComponent 'renames': patches[0] (target kind=Deployment, name=b) gives two objects the same id Deployment.apps 'a'");
  });

  test('a namespace that gives two Deployments one id', () => {
    const overlay = new Overlay({ name: 'prod', components: [new OverlayComponent({ name: 'ns', namespaceName: 'shared' })] });
    expect(errorOf(() => overlay.apply([deployment('a', 'one'), deployment('a', 'two')])))
      .toMatch(/^Overlay 'prod' > OverlayComponent 'ns': namespace 'shared': the namespace transformation produces an ID conflict/);
  });
});

describe('PodDisruptionBudgets follow the replicas an overlay sets', () => {
  const budget = (name: string, matchLabels: Record<string, string>) => ({
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { maxUnavailable: 1, selector: { matchLabels } },
  });
  const api = { ...web(), metadata: { name: 'api', labels: { tier: 'api' } }, spec: { ...web().spec, selector: { matchLabels: { app: 'api' } }, template: { ...web().spec.template, metadata: { labels: { app: 'api' } } } } };

  test('a workload raised to 2 or more replicas gets one, through prefix, namespace and commonLabels, as kubectl builds the tree', () => {
    const overlay = new Overlay({
      name: 'prod',
      namespaceName: 'apps',
      namePrefix: 'prod-',
      commonLabels: { team: 'a' },
      replicas: [{ name: 'web', count: 3 }, { name: 'api', count: 2 }, { name: 'store', count: 2 }],
    });
    const single = new Overlay({ name: 'dev', replicas: [{ name: 'web', count: 1 }] });
    const out = expectTreeMatchesOverlays([web(), api, store(), budget('store-budget', { app: 'store' })], [overlay, single]);
    const budgets = out.prod.filter(o => o.kind === 'PodDisruptionBudget');
    expect(budgets.map(b => b.metadata.name).sort()).toEqual(['prod-api', 'prod-store-budget', 'prod-web']);
    expect(findObject(out.prod, 'PodDisruptionBudget', 'prod-web')).toEqual({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'prod-web', namespace: 'apps', labels: { team: 'a' } },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web', team: 'a' } } },
    });
    expect(findObject(out.prod, 'PodDisruptionBudget', 'prod-api').metadata.labels).toEqual({ tier: 'api', team: 'a' });
    expect(out.dev.filter(o => o.kind === 'PodDisruptionBudget').map(b => b.metadata.name)).toEqual(['store-budget']);
  });

  test('a patch of every object named web that a budget could not take: no budget needed, no error, as kubectl builds the tree', () => {
    // The candidate budget 'web' fails this patch (no containers); the workload stays at 1 replica, so kubectl never sees a budget.
    const overlay = new Overlay({
      name: 'dev',
      patches: [Patch.json6902({ name: 'web' }, JsonPatch.replace('/spec/template/spec/containers/0/image', 'nginx:1.28'))],
    });
    const out = expectTreeMatchesOverlays([web()], [overlay]).dev;
    expect(findObject(out, 'Deployment', 'web').spec.template.spec.containers[0].image).toBe('nginx:1.28');
    expect(out.filter(o => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('a workload a patch deletes gets no budget, whatever its replicas', () => {
    const scaled = { ...web(), spec: { ...web().spec, replicas: 3 } };
    const overlay = new Overlay({
      name: 'dev',
      patches: [Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, $patch: 'delete' })],
    });
    const out = expectTreeMatchesOverlays([scaled, configMap('one')], [overlay]).dev;
    expect(out.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/one']);
  });
});
