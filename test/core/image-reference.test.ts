/**
 * Image references (grammar of https://github.com/distribution/reference) and
 * the image policy that can require digest-pinned images.
 */
import { ImagePolicy, ImageReference } from '../../src/core/image-reference';
import { errorOf } from '../support/util';

const SHA256 = 'sha256:' + 'a'.repeat(64);
const SHA512 = 'sha512:' + 'b'.repeat(128);

describe('ImageReference.parse', () => {
  test.each([
    // input, registry, effectiveRegistry, repository, tag, digest
    ['nginx', undefined, 'docker.io', 'nginx', undefined, undefined],
    ['nginx:1.27', undefined, 'docker.io', 'nginx', '1.27', undefined],
    ['library/nginx', undefined, 'docker.io', 'library/nginx', undefined, undefined],
    [`registry.example.com:5000/a/b:1.0@${SHA256}`, 'registry.example.com:5000', 'registry.example.com:5000', 'a/b', '1.0', SHA256],
    ['localhost/x', 'localhost', 'localhost', 'x', undefined, undefined],
    ['localhost:5000/tools/init:1', 'localhost:5000', 'localhost:5000', 'tools/init', '1', undefined],
    [`nginx@${SHA256}`, undefined, 'docker.io', 'nginx', undefined, SHA256],
    [`ghcr.io/org/agent@${SHA512}`, 'ghcr.io', 'ghcr.io', 'org/agent', undefined, SHA512],
    ['[::1]:5000/app:v2', '[::1]:5000', '[::1]:5000', 'app', 'v2', undefined],
    ['my-org/my__app.x--y:Tag_1.0-rc', undefined, 'docker.io', 'my-org/my__app.x--y', 'Tag_1.0-rc', undefined],
  ])('%s', (input, registry, effectiveRegistry, repository, tag, digest) => {
    const ref = ImageReference.parse(input);
    expect(ref.registry).toBe(registry);
    expect(ref.effectiveRegistry).toBe(effectiveRegistry);
    expect(ref.repository).toBe(repository);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
    expect(ref.isPinned).toBe(digest !== undefined);
    expect(ref.toString()).toBe(input);
  });

  test('name is [registry/]repository', () => {
    expect(ImageReference.parse(`registry.example.com:5000/a/b:1.0@${SHA256}`).name).toBe('registry.example.com:5000/a/b');
    expect(ImageReference.parse('nginx:1.27').name).toBe('nginx');
  });

  test('a first component without "." or ":" is a path, not a registry', () => {
    const ref = ImageReference.parse('team/agent:1');
    expect(ref.registry).toBeUndefined();
    expect(ref.repository).toBe('team/agent');
  });

  test('a port without a path is read as a tag, as docker does', () => {
    const ref = ImageReference.parse('registry:5000');
    expect([ref.repository, ref.tag]).toEqual(['registry', '5000']);
  });
});

describe('ImageReference.parse rejects', () => {
  test.each([
    ['', 'ImageReference \'\': is empty (give a reference such as \'registry.example.com/agent:1.0\')'],
    ['nginx :1', 'ImageReference \'nginx :1\': contains whitespace'],
    ['Nginx:1.27', 'ImageReference \'Nginx:1.27\': repository \'Nginx\' must be lowercase'],
    ['registry.example.com/Team/app', 'ImageReference \'registry.example.com/Team/app\': repository \'Team/app\' must be lowercase'],
    ['nginx:-bad', 'ImageReference \'nginx:-bad\': tag \'-bad\' is not valid (letters, digits, \'_\', \'.\' and \'-\', not starting with \'.\' or \'-\')'],
    [`nginx:${'t'.repeat(129)}`, `ImageReference 'nginx:${'t'.repeat(129)}': tag '${'t'.repeat(129)}' is longer than 128 characters`],
    ['nginx:', 'ImageReference \'nginx:\': has an empty tag after \':\''],
    ['nginx@sha256:abc', 'ImageReference \'nginx@sha256:abc\': digest \'sha256:abc\' has 3 hex characters; sha256 needs 64'],
    [`nginx@sha512:${'a'.repeat(64)}`, `ImageReference 'nginx@sha512:${'a'.repeat(64)}': digest 'sha512:${'a'.repeat(64)}' has 64 hex characters; sha512 needs 128`],
    [`nginx@md5:${'a'.repeat(32)}`, `ImageReference 'nginx@md5:${'a'.repeat(32)}': digest algorithm 'md5' is not supported (sha256, sha384 or sha512)`],
    [`nginx@sha256:${'A'.repeat(64)}`, `ImageReference 'nginx@sha256:${'A'.repeat(64)}': digest 'sha256:${'A'.repeat(64)}' is not lowercase hexadecimal after 'sha256:'`],
    ['nginx@latest', 'ImageReference \'nginx@latest\': digest \'latest\' is not <algorithm>:<hex> (e.g. sha256:<64 hex characters>)'],
    ['a..b/c', 'ImageReference \'a..b/c\': registry \'a..b\' is not a valid host[:port] (DNS name, IPv4 or [IPv6] address, optional numeric port)'],
    ['team/-agent', 'ImageReference \'team/-agent\': path component \'-agent\' is not valid (lowercase letters and digits, separated by \'.\', \'_\', \'__\' or \'-\', not at the start or end)'],
    ['team//agent', 'ImageReference \'team//agent\': repository \'team//agent\' has an empty path component'],
    ['registry.example.com/', 'ImageReference \'registry.example.com/\': has no repository name'],
    ['a'.repeat(64), `ImageReference '${'a'.repeat(64)}': is a 64-character hexadecimal image ID, not a repository name`],
  ])('%s', (input, message) => {
    expect(errorOf(() => ImageReference.parse(input))).toBe(message);
  });

  test('problemOf gives the reason without the prefix, or undefined', () => {
    expect(ImageReference.problemOf('Nginx')).toBe('repository \'Nginx\' must be lowercase');
    expect(ImageReference.problemOf('nginx:1.27')).toBeUndefined();
  });
});

describe('ImagePolicy', () => {
  const uses = [
    { where: 'AgentPod \'agents/web\'', field: 'container \'agent\'', image: 'nginx:1.27' },
    { where: 'AgentPod \'agents/web\'', field: 'container \'tool-manager\'', image: `ghcr.io/org/tools@${SHA256}` },
    { where: 'AgentPod \'agents/api\'', field: 'initContainer \'prepare\'', image: 'busybox' },
  ];

  test('requireDigest lists every unpinned image in one error', () => {
    const policy = new ImagePolicy({ requireDigest: true });
    expect(policy.requireDigest).toBe(true);
    expect(errorOf(() => policy.check(uses))).toBe([
      'AgentPod \'agents/web\': container \'agent\' image \'nginx:1.27\' is not pinned to a digest (add @sha256:...)',
      'AgentPod \'agents/api\': initContainer \'prepare\' image \'busybox\' is not pinned to a digest (add @sha256:...)',
    ].join('\n'));
  });

  test('pinned images pass', () => {
    const policy = new ImagePolicy({ requireDigest: true });
    const pinned = [{ where: 'AgentPod \'agents/web\'', field: 'container \'agent\'', image: `nginx:1.27@${SHA256}` }];
    expect(policy.violations(pinned)).toEqual([]);
    expect(() => policy.check(pinned)).not.toThrow();
  });

  test('by default tags are allowed, but every image must be a valid reference', () => {
    const policy = new ImagePolicy();
    expect(policy.requireDigest).toBe(false);
    expect(policy.violations(uses)).toEqual([]);
    expect(policy.violations([{ where: 'AgentPod \'agents/web\'', field: 'container \'agent\'', image: 'Nginx:1.27' }])).toEqual([
      'AgentPod \'agents/web\': container \'agent\' image \'Nginx:1.27\' is not a valid image reference: repository \'Nginx\' must be lowercase',
    ]);
  });

  test('imagesOf collects containers and init containers of every pod-bearing kind', () => {
    const template = (image: string) => ({ spec: { initContainers: [{ name: 'init', image: `${image}-init` }], containers: [{ name: 'main', image }] } });
    const manifests = [
      { kind: 'Deployment', metadata: { name: 'web', namespace: 'agents' }, spec: { template: template('d') } },
      { kind: 'StatefulSet', metadata: { name: 'db' }, spec: { template: template('s') } },
      { kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { template: template('ds') } },
      { kind: 'Job', metadata: { name: 'j' }, spec: { template: template('j') } },
      { kind: 'CronJob', metadata: { name: 'cj' }, spec: { jobTemplate: { spec: { template: template('cj') } } } },
      { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: 'p' }] } },
      { kind: 'ConfigMap', metadata: { name: 'cm' }, data: { containers: 'x' } },
    ];
    expect(ImagePolicy.imagesOf(manifests)).toEqual([
      { where: 'Deployment \'agents/web\'', field: 'initContainer \'init\'', image: 'd-init' },
      { where: 'Deployment \'agents/web\'', field: 'container \'main\'', image: 'd' },
      { where: 'StatefulSet \'db\'', field: 'initContainer \'init\'', image: 's-init' },
      { where: 'StatefulSet \'db\'', field: 'container \'main\'', image: 's' },
      { where: 'DaemonSet \'ds\'', field: 'initContainer \'init\'', image: 'ds-init' },
      { where: 'DaemonSet \'ds\'', field: 'container \'main\'', image: 'ds' },
      { where: 'Job \'j\'', field: 'initContainer \'init\'', image: 'j-init' },
      { where: 'Job \'j\'', field: 'container \'main\'', image: 'j' },
      { where: 'CronJob \'cj\'', field: 'initContainer \'init\'', image: 'cj-init' },
      { where: 'CronJob \'cj\'', field: 'container \'main\'', image: 'cj' },
      { where: 'Pod \'p\'', field: 'container \'main\'', image: 'p' },
    ]);
  });

  test('imagesOf + requireDigest over a chart-like manifest list', () => {
    const manifests = [{
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'agents' },
      spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.27' }, { name: 'sidecar', image: `busybox@${SHA256}` }] } } },
    }];
    expect(new ImagePolicy({ requireDigest: true }).violations(ImagePolicy.imagesOf(manifests))).toEqual([
      'Deployment \'agents/web\': container \'agent\' image \'nginx:1.27\' is not pinned to a digest (add @sha256:...)',
    ]);
  });
});
