/**
 * Inputs the property tests (test/property/) generated and that got through
 * before: each case here failed before its fix, and must now give a clean
 * error (construct, field, no secret repeated) or a valid manifest.
 */
import { App, Chart, Testing } from 'cdk8s';
import {
  AgentEnvironment, AgentOperator, AgentPod, AgentSource, AgentType, AgentTypeCrd, LlmProvider, MemoryProfile, Overlay, RedisMemory,
} from '../../src';
import { secretProblem } from '../../src/core/credential-screen';
import { manifestProblems } from '../../src/core/manifest-check';
import { fail } from '../../src/core/validation';
import { errorOf } from '../support/util';

const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const OPENAI_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';

function chart(): Chart {
  return new Chart(new App(), 'test', { namespace: 'agents' });
}

describe('error messages keep their shape whatever the value holds', () => {
  test('quotes, backslashes and newlines in a value or a path are escaped', () => {
    const message = errorOf(() => fail('LlmProvider', "it's", 'name', 'a\'b\nc\\d', 'is not a valid RFC 1123 label'));
    expect(message).toBe("LlmProvider 'it\\'s': name 'a\\'b\\nc\\\\d' is not a valid RFC 1123 label");
    expect(message).not.toContain('\n');
  });

  test('a redacted URL in a path reads as one quoted value', () => {
    const message = errorOf(() => new Overlay({ name: 'https://host.example.com/v1?access_token=abcdef0123456789' }));
    expect(message).toMatch(/^Overlay '<redacted: a credential in the URL query parameter access_token>': name '[^']*' is not/);
    expect(message).not.toContain('abcdef0123456789');
  });

  test('a generator key holding a token is not repeated', () => {
    const key = 'https://user:hf_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345@api.example.com/v1';
    const message = errorOf(() => new Overlay({ name: 'dev', configMapGenerator: [{ name: 'flags', literals: { [key]: 'x' } }] }));
    expect(message).toContain("configMapGenerator 'flags'");
    expect(message).not.toContain('hf_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345');
  });

  test('an AgentType image holding a key is refused without repeating it', () => {
    const message = errorOf(() => new AgentType(chart(), 'type', {
      metadata: { name: 'typed' },
      spec: { agent: { image: 'python:3.12', sourceType: 'container', container: { image: `registry.example.com/${AWS_KEY}:1` } } },
    }));
    expect(message).toContain("AgentType 'test/type': spec.agent.container.image");
    expect(message).not.toContain(AWS_KEY);
  });
});

describe('Secret references hold names, never credentials', () => {
  test.each([
    ['RedisMemory passwordSecret.key', () => new RedisMemory(chart(), 'redis', { passwordSecret: { name: 'redis', key: OPENAI_KEY } }),
      "RedisMemory 'test/redis': passwordSecret.key holds what looks like a credential"],
    ['LlmProvider credentials.secretKey', () => LlmProvider.openai({ name: 'llm', credentials: { secretName: 'openai', secretKey: OPENAI_KEY } }),
      "LlmProvider 'llm': credentials.secretKey holds what looks like a credential"],
    ['AgentEnvironment secret.key', () => new AgentEnvironment().addSecretVariable('SEARCH_KEY', { name: 'search', key: OPENAI_KEY }),
      "AgentEnvironment 'SEARCH_KEY': secret.key holds what looks like a credential"],
  ])('%s', (_what, build, expected) => {
    const message = errorOf(build);
    expect(message).toContain(expected);
    expect(message).not.toContain(OPENAI_KEY);
  });
});

test('a secretGenerator opted in to plain-text values gives a Secret the final check accepts; a key-shaped value stays refused', () => {
  const overlay = new Overlay({ name: 'dev', secretGenerator: [{ name: 'db', literals: { username: 'agent' }, plainTextValuesInManifest: true }] });
  const [secret] = overlay.apply([]);
  expect(secret).toMatchObject({ kind: 'Secret', data: { username: Buffer.from('agent').toString('base64') } });
  expect(manifestProblems([secret])).toEqual([]);
  expect(errorOf(() => new Overlay({ name: 'dev', secretGenerator: [{ name: 'db', literals: { username: OPENAI_KEY }, plainTextValuesInManifest: true }] })))
    .not.toContain(OPENAI_KEY);
});

describe('label values and names are screened', () => {
  test('an AgentPod version that is an AWS key id is refused (it would be a label of every object)', () => {
    const message = errorOf(() => new AgentPod(chart(), 'web', { source: AgentSource.image('registry.example.com/agents/web:1.0'), version: AWS_KEY }));
    expect(message).toContain("AgentPod 'test/web': version holds what looks like a credential");
    expect(message).not.toContain(AWS_KEY);
  });

  test('a name that is also a key shape is refused wherever a name is checked (RedisMemory storageClassName)', () => {
    const message = errorOf(() => new RedisMemory(chart(), 'redis', { passwordSecret: { name: 'redis', key: 'p' }, storageClassName: 'sk-a5a' }));
    expect(message).toBe("RedisMemory 'test/redis': storageClassName holds what looks like a credential (an OpenAI key): "
      + 'a literal credential would land in the manifest; keep it in a Secret created out of band and reference it (secretKeyRef)');
  });

  test('a MemoryProfile name must be a label value without a credential', () => {
    const agent = { request: '512Mi', limit: '1Gi' };
    expect(errorOf(() => MemoryProfile.custom({ name: 'https://user:pw12345678@github.com/v1', agent })))
      .toMatch(/^MemoryProfile '<redacted: a password in the user-info of a URL>': name '<redacted/);
    expect(errorOf(() => MemoryProfile.custom({ name: 'Has Space', agent }))).toContain("MemoryProfile 'Has Space': name 'Has Space' is not a valid label value");
    expect(MemoryProfile.custom({ name: 'big-1.5', agent }).name).toBe('big-1.5');
  });

  test('AgentType metadata labels and annotations follow the API server rules', () => {
    const spec = { agent: { image: 'python:3.12', type: 'container' } };
    expect(errorOf(() => new AgentType(chart(), 'a', { metadata: { name: 'a', labels: { 'a/b/c': 'x' } }, spec })))
      .toContain("AgentType 'test/a': metadata.labels key 'a/b/c' is not a valid label key");
    expect(errorOf(() => new AgentType(chart(), 'b', { metadata: { name: 'b', labels: { team: '憐🟃' } }, spec })))
      .toContain("AgentType 'test/b': metadata.labels['team'] '憐🟃' is not a valid label value");
    expect(errorOf(() => new AgentType(chart(), 'c', { metadata: { name: 'c', annotations: { note: OPENAI_KEY } }, spec })))
      .toContain("AgentType 'test/c': metadata.annotations['note'] holds what looks like a credential");
  });

  test('the OpenAI key shape does not take generated names for keys', () => {
    expect(secretProblem('sk-statefulset-c80ff19b')).toBeUndefined();
    expect(secretProblem('sk-learn')).toBeUndefined();
    expect(secretProblem(`sk-or-v1-${'0a'.repeat(32)}`)).toBe('an OpenAI key');
    expect(secretProblem('sk-live-0123456789abcdef')).toBe('an OpenAI key');
    expect(secretProblem('sk-abc123')).toBe('an OpenAI key');
  });
});

describe('counts are int32 and objects are unique', () => {
  test('replica counts above 2147483647 are refused', () => {
    expect(errorOf(() => new AgentPod(chart(), 'web', {
      source: AgentSource.image('registry.example.com/agents/web:1.0'), scaling: { minReplicas: 1, maxReplicas: 2 ** 31 },
    }))).toContain("AgentPod 'test/web': scaling.maxReplicas '2147483648' is not an integer from 1 to 2147483647");
    expect(errorOf(() => new AgentOperator(chart(), 'op', { image: 'registry.example.com/op:1.0', replicas: 2 ** 31 })))
      .toContain("AgentOperator 'test/op': replicas '2147483648' is not an integer from 1 to 2147483647");
  });

  test('the final check refuses a replica count that is not an int32 and two objects of one id', () => {
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'agents' }, spec: { replicas: 'x' } };
    expect(manifestProblems([d])).toEqual(["Deployment 'agents/web': spec.replicas 'x' is not an integer from 0 to 2147483647"]);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'agents' } };
    expect(manifestProblems([cm, { ...cm }])).toEqual([
      "ConfigMap 'agents/c': metadata.name 'c' is the name of another ConfigMap of the output (same API group and namespace): applied, one would replace the other",
    ]);
    expect(manifestProblems([cm, { ...cm, metadata: { name: 'c', namespace: 'other' } }])).toEqual([]);
  });

  test('an operator installing its own AgentType CRD beside another of the same group fails at synth, naming both', () => {
    const c = chart();
    new AgentTypeCrd(c, 'crd');
    new AgentOperator(c, 'op', { image: 'registry.example.com/op:1.0' });
    expect(errorOf(() => Testing.synth(c))).toContain(
      "AgentTypeCrd 'test/op/AgentTypeCrd': group 'agents.example.com' is installed by AgentTypeCrd 'test/crd' too");
    const ok = chart();
    const crd = new AgentTypeCrd(ok, 'crd');
    new AgentOperator(ok, 'op', { image: 'registry.example.com/op:1.0', crd });
    expect(Testing.synth(ok).filter(o => o.kind === 'CustomResourceDefinition')).toHaveLength(1);
  });
});
