/**
 * The value classes of an agent workload on their own: LlmProvider,
 * MemoryProfile / MemoryBackend, ToolSidecar, AgentSource / CodeSource,
 * AgentEnvironment / GlueCode.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import {
  AgentEnvironment, AgentPod, AgentRuntime, AgentSource, AgentSourceType, CodeSource, CodeSourceType, GlueCode,
  LlmProvider, MemoryBackend, MemoryBackendType, MemoryProfile, ToolSidecar,
} from '../../src';
import { container, envOf, errorOf, findObject, tmpDir } from '../support/util';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

/** Synthesizes an AgentPod and returns its manifests. */
function synthPod(props: ConstructorParameters<typeof AgentPod>[2]): any[] {
  const chart = Testing.chart();
  new AgentPod(chart, 'web', props);
  return Testing.synth(chart);
}

const credentials = { secretName: 'llm-credentials' };

// ---------------------------------------------------------------------------
// LlmProvider
// ---------------------------------------------------------------------------

describe('LlmProvider', () => {
  test('anthropic defaults: name, endpoint, key variable and Secret key', () => {
    const p = LlmProvider.anthropic({ credentials });
    expect([p.name, p.providerType, p.endpoint, p.apiKeyEnvVar, p.secretName, p.secretKey, p.model])
      .toEqual(['anthropic', 'anthropic', 'https://api.anthropic.com', 'ANTHROPIC_API_KEY', 'llm-credentials', 'api-key', undefined]);
    expect(p.toSpec()).toEqual({ name: 'anthropic', providerType: 'anthropic', credentialsSecret: 'llm-credentials', config: { endpoint: 'https://api.anthropic.com' } });
  });

  test('openai defaults: name, endpoint, key variable and Secret key', () => {
    const p = LlmProvider.openai({ credentials });
    expect([p.name, p.providerType, p.endpoint, p.apiKeyEnvVar, p.secretKey])
      .toEqual(['openai', 'openai', 'https://api.openai.com/v1', 'OPENAI_API_KEY', 'api-key']);
  });

  test('name, model, endpoint, secretKey and config are kept; config is a copy', () => {
    const config = { temperature: '0.2' };
    const p = LlmProvider.openai({
      name: 'backup-llm',
      model: 'gpt-4o',
      endpoint: 'https://proxy.example.com/v1',
      credentials: { secretName: 'openai-credentials', secretKey: 'OPENAI_KEY' },
      config,
    });
    expect(p.toSpec()).toEqual({
      name: 'backup-llm',
      providerType: 'openai',
      credentialsSecret: 'openai-credentials',
      // the key is not the default 'api-key': the spec names it
      credentialsKeyName: 'OPENAI_KEY',
      config: { temperature: '0.2', endpoint: 'https://proxy.example.com/v1', model: 'gpt-4o' },
    });
    expect(p.secretKey).toEqual('OPENAI_KEY');
    config.temperature = '1';
    p.config.temperature = '9';
    expect(p.config).toEqual({ temperature: '0.2' });
  });

  test('generic needs a type and an endpoint; its key variable derives from the name', () => {
    const p = LlmProvider.generic({ providerType: 'vllm', name: 'local-vllm', endpoint: 'http://vllm.models.svc:8000/v1', credentials });
    expect([p.name, p.providerType, p.endpoint, p.apiKeyEnvVar]).toEqual(['local-vllm', 'vllm', 'http://vllm.models.svc:8000/v1', 'LLM_LOCAL_VLLM_API_KEY']);
    expect(LlmProvider.generic({ providerType: 'ollama', endpoint: 'http://ollama:11434', credentials }).apiKeyEnvVar).toEqual('LLM_OLLAMA_API_KEY');
    expect(LlmProvider.generic({ providerType: 'azure-openai', endpoint: 'https://x.openai.azure.com', apiKeyEnvVar: 'AZURE_OPENAI_API_KEY', credentials }).apiKeyEnvVar)
      .toEqual('AZURE_OPENAI_API_KEY');

    expect(errorOf(() => LlmProvider.generic({ endpoint: 'https://x.example.com', credentials } as any))).toContain('providerType');
    expect(errorOf(() => LlmProvider.generic({ providerType: 'Bad_Type', endpoint: 'https://x.example.com', credentials }))).toContain("providerType 'Bad_Type'");
    expect(errorOf(() => LlmProvider.generic({ providerType: 'vllm', credentials }))).toContain('endpoint');
  });

  test.each(['ftp://api.example.com', 'api.example.com', 'not a url'])('a bad endpoint %j throws with the value', (endpoint) => {
    const message = errorOf(() => LlmProvider.anthropic({ name: 'main-llm', endpoint, credentials }));
    expect(message).toContain("LlmProvider 'main-llm'");
    expect(message).toContain(`endpoint '${endpoint}'`);
  });

  test('bad names, Secret names and Secret keys throw', () => {
    expect(errorOf(() => LlmProvider.openai({ name: 'Main_LLM', credentials }))).toContain("name 'Main_LLM'");
    const badSecret = errorOf(() => LlmProvider.openai({ credentials: { secretName: 'Bad_Secret' } }));
    expect(badSecret).toContain('credentials.secretName is not a valid Secret name');
    expect(badSecret).not.toContain('Bad_Secret'); // never echoed: it may be a pasted key
    expect(errorOf(() => LlmProvider.openai({ credentials: { secretName: 'ok', secretKey: 'a/b' } }))).toContain("credentials.secretKey 'a/b'");
    expect(errorOf(() => LlmProvider.openai({} as any))).toContain('credentials');
    expect(errorOf(() => LlmProvider.openai({ model: ' ', credentials }))).toContain('model');
  });

  test.each(['sk-ant-api03-abcdef', 'sk-proj-abcdef', 'sk_live_abcdef', 'AKIAIOSFODNN7EXAMPLE', 'ghp_abcdef'])(
    'a key pasted as secretName (%s) is refused without being echoed', (key) => {
      const message = errorOf(() => LlmProvider.openai({ credentials: { secretName: key } }));
      expect(message).toContain('looks like an API key');
      expect(message).not.toContain(key);
    });
});

// ---------------------------------------------------------------------------
// MemoryProfile and MemoryBackend
// ---------------------------------------------------------------------------

describe('MemoryProfile', () => {
  test('the named profiles', () => {
    expect([MemoryProfile.SMALL, MemoryProfile.MEDIUM, MemoryProfile.LARGE].map(p => [p.name, p.agent.request, p.agent.limit]))
      .toEqual([['small', '256Mi', '512Mi'], ['medium', '512Mi', '1Gi'], ['large', '1Gi', '2Gi']]);
    for (const p of [MemoryProfile.SMALL, MemoryProfile.MEDIUM, MemoryProfile.LARGE]) {
      expect(p.backend.backendType).toEqual(MemoryBackendType.IN_MEMORY);
    }
  });

  test('fromSize sets the agent request and limit to the size; init and sidecar as small', () => {
    const p = MemoryProfile.fromSize('2Gi');
    expect(p.name).toEqual('size-2gi');
    expect(p.agent).toEqual({ request: '2Gi', limit: '2Gi' });
    expect(p.init).toEqual(MemoryProfile.SMALL.init);
    expect(p.sidecar).toEqual(MemoryProfile.SMALL.sidecar);
    expect(p.backend.backendType).toEqual(MemoryBackendType.IN_MEMORY);
    expect(p.toSpec()).toEqual({ size: '2Gi', backendType: 'inmemory' });

    const withRedis = MemoryProfile.fromSize('1Gi', MemoryBackend.redis({ address: 'redis.agents.svc:6379' }));
    expect(withRedis.toSpec()).toEqual({ size: '1Gi', backendType: 'redis', config: { address: 'redis.agents.svc:6379', database: 0 } });

    expect(errorOf(() => MemoryProfile.fromSize('2Gx'))).toContain("'2Gx'");
    expect(errorOf(() => MemoryProfile.fromSize('1G'))).toContain('whole number of mebibytes');
  });

  test('withBackend returns a new profile with the same sizes and leaves the original alone', () => {
    const redis = MemoryBackend.redis({ address: 'redis:6379' });
    const p = MemoryProfile.MEDIUM.withBackend(redis);
    expect(p).not.toBe(MemoryProfile.MEDIUM);
    expect(p.backend).toBe(redis);
    const medium = MemoryProfile.MEDIUM;
    expect([p.name, p.agent, p.init, p.sidecar]).toEqual([medium.name, medium.agent, medium.init, medium.sidecar]);
    expect(MemoryProfile.MEDIUM.backend.backendType).toEqual(MemoryBackendType.IN_MEMORY);
  });

  test('custom: name defaults to custom, init and sidecar to the small profile', () => {
    const p = MemoryProfile.custom({ agent: { request: '100Mi', limit: '200Mi' } });
    expect(p.name).toEqual('custom');
    expect(p.init).toEqual({ request: '128Mi', limit: '512Mi', cpuRequest: '50m' });
    expect(p.sidecar).toEqual({ request: '64Mi', limit: '128Mi', cpuRequest: '50m' });
  });

  test('the props object is copied: later mutation does not change the profile', () => {
    const agent = { request: '100Mi', limit: '200Mi' };
    const p = MemoryProfile.custom({ agent });
    (agent as any).limit = '1Mi';
    expect(p.agent.limit).toEqual('200Mi');
  });

  test.each([
    [{ request: '1Gi', limit: '2Gx' }, "agent.limit '2Gx'"],
    [{ request: 'big', limit: '2Gi' }, "agent.request 'big'"],
    [{ request: '2Gi', limit: '1Gi' }, "agent.request '2Gi' is larger than the limit '1Gi'"],
    [{ request: '512Mi', limit: '1G' }, "agent.limit '1G'"],
    [{ request: '0Mi', limit: '1Gi' }, "agent.request '0Mi'"],
    [{ request: '500m', limit: '1Gi' }, "agent.request '500m'"],
    [{ request: '128Mi', limit: '1Gi', cpuRequest: '1.5m' }, "agent.cpuRequest '1.5m'"],
    [{ request: '128Mi', limit: '1Gi', cpuRequest: 'lots' }, "agent.cpuRequest 'lots'"],
  ])('custom agent %j throws: %s', (agent, expected) => {
    const message = errorOf(() => MemoryProfile.custom({ name: 'mine', agent }));
    expect(message).toContain("MemoryProfile 'mine'");
    expect(message).toContain(expected);
  });

  test('whole-mebibyte decimals and other units are accepted and rendered in Mi', () => {
    const p = MemoryProfile.custom({ agent: { request: '0.5Gi', limit: '1048576Ki' } });
    const deployment = findObject(synthPod({ source: AgentSource.image('nginx:latest'), memory: p }), 'Deployment', 'web');
    expect(container(deployment, 'agent').resources.requests.memory).toEqual('512Mi');
    expect(container(deployment, 'agent').resources.limits.memory).toEqual('1024Mi');
  });
});

describe('MemoryBackend', () => {
  test('inMemory', () => {
    const b = MemoryBackend.inMemory();
    expect(b.backendType).toEqual(MemoryBackendType.IN_MEMORY);
    expect(b.address).toBeUndefined();
  });

  test('redis keeps address, database and password Secret', () => {
    const b = MemoryBackend.redis({ address: 'redis-master.data.svc.cluster.local:6380', database: 3, passwordSecret: { name: 'redis-auth', key: 'password' } });
    expect([b.backendType, b.address, b.database, b.passwordSecret]).toEqual(['redis', 'redis-master.data.svc.cluster.local:6380', 3, { name: 'redis-auth', key: 'password' }]);
    expect(MemoryBackend.redis({ address: '10.0.0.7:6379' }).database).toEqual(0);
  });

  test.each(['redis', 'redis:', ':6379', 'redis:0', 'redis:65536', 'redis://redis:6379', 'redis:6379; rm -rf /', ''])(
    'redis address %j is refused', (address) => {
      const message = errorOf(() => MemoryBackend.redis({ address }));
      expect(message).toContain('backend.address');
      expect(message).toContain(`'${address}'`);
    });

  test('bad database numbers and password Secrets are refused', () => {
    expect(errorOf(() => MemoryBackend.redis({ address: 'redis:6379', database: 16 }))).toContain("backend.database '16'");
    expect(errorOf(() => MemoryBackend.redis({ address: 'redis:6379', database: 1.5 }))).toContain('backend.database');
    expect(errorOf(() => MemoryBackend.redis({ address: 'redis:6379', passwordSecret: { name: 'Bad_Name', key: 'p' } }))).toContain("backend.passwordSecret.name 'Bad_Name'");
    expect(errorOf(() => MemoryBackend.redis({ address: 'redis:6379', passwordSecret: { name: 'redis-auth', key: '' } }))).toContain('backend.passwordSecret.key');
  });
});

// ---------------------------------------------------------------------------
// ToolSidecar
// ---------------------------------------------------------------------------

describe('ToolSidecar', () => {
  test('defaults: name tool-manager, LiteLLM\'s image and port 4000, IfNotPresent, endpoint on 127.0.0.1, 60 s and 2 retries', () => {
    const s = new ToolSidecar({});
    expect([s.name, s.image, s.port, s.imagePullPolicy, s.endpoint])
      .toEqual(['tool-manager', ToolSidecar.LITELLM_IMAGE, 4000, ImagePullPolicy.IF_NOT_PRESENT, 'http://127.0.0.1:4000']);
    expect([s.requestTimeout.toSeconds(), s.maxRetries]).toEqual([60, 2]);
    expect(s.toSpec()).toEqual({});
  });

  test('getters return copies: mutating what they return does not change the sidecar', () => {
    const s = new ToolSidecar({
      image: 'tm:1',
      required: ['python'],
      optional: ['kubectl'],
      custom: [{ name: 'custom-tool', version: '1.0', source: 'https://example.com/custom-tool', sha256: 'abababababababababababababababababababababababababababababababab' }],
    });
    s.requiredTools.push('evil');
    s.optionalTools.splice(0, 1);
    s.customTools.push({ name: 'x', source: 'https://x.example', sha256: 'abababababababababababababababababababababababababababababababab' });
    (s.customTools[0] as any).source = 'https://evil.example';
    (s.toSpec().required as string[]).push('evil');

    expect(s.requiredTools).toEqual(['python']);
    expect(s.optionalTools).toEqual(['kubectl']);
    expect(s.customTools).toEqual([{ name: 'custom-tool', version: '1.0', source: 'https://example.com/custom-tool', sha256: 'abababababababababababababababababababababababababababababababab' }]);
    expect(s.toSpec()).toEqual({
      required: ['python'],
      optional: ['kubectl'],
      custom: [{ name: 'custom-tool', version: '1.0', source: 'https://example.com/custom-tool', sha256: 'abababababababababababababababababababababababababababababababab' }],
    });
  });

  test('the props arrays and custom tool objects are copied', () => {
    const required = ['python'];
    const tool = { name: 'custom-tool', source: 'https://example.com/custom-tool', sha256: 'abababababababababababababababababababababababababababababababab' };
    const s = new ToolSidecar({ image: 'tm:1', required, custom: [tool] });
    required.push('later');
    (tool as any).source = 'https://evil.example';
    expect(s.requiredTools).toEqual(['python']);
    expect(s.customTools[0].source).toEqual('https://example.com/custom-tool');
  });

  test('add methods append in order', () => {
    const s = new ToolSidecar({ image: 'tm:1' });
    s.addRequiredTool('python');
    s.addRequiredTool('git');
    s.addOptionalTool('kubectl');
    s.addCustomTool({ name: 'search', source: 'https://registry.example.com/search', sha256: 'abababababababababababababababababababababababababababababababab' });
    expect(s.toSpec()).toEqual({ required: ['python', 'git'], optional: ['kubectl'], custom: [{ name: 'search', source: 'https://registry.example.com/search', sha256: 'abababababababababababababababababababababababababababababababab' }] });
  });

  test('bad image, name, port, tool names, sources and versions throw', () => {
    expect(errorOf(() => new ToolSidecar({ image: '' }))).toContain("image ''");
    expect(errorOf(() => new ToolSidecar({ image: 'tm 1' }))).toContain("image 'tm 1'");
    expect(errorOf(() => new ToolSidecar({ image: 'tm:1', name: 'Tool_Manager' }))).toContain("name 'Tool_Manager'");
    for (const port of [0, 65536, 80.5]) {
      expect(errorOf(() => new ToolSidecar({ image: 'tm:1', port }))).toContain(`port '${port}'`);
    }
    expect(errorOf(() => new ToolSidecar({ image: 'tm:1', required: ['Python'] }))).toContain("required tool 'Python'");
    expect(errorOf(() => new ToolSidecar({ image: 'tm:1', optional: ['a b'] }))).toContain("optional tool 'a b'");
    expect(errorOf(() => new ToolSidecar({ image: 'tm:1', custom: [{ name: 't', source: 'file:///etc/passwd', sha256: 'abababababababababababababababababababababababababababababababab' }] }))).toContain("source 'file:///etc/passwd'");
    expect(errorOf(() => new ToolSidecar({ image: 'tm:1', custom: [{ name: 't', source: 'https://x.example', version: '1.0; rm', sha256: 'abababababababababababababababababababababababababababababababab' }] }))).toContain("version '1.0; rm'");
  });
});

// ---------------------------------------------------------------------------
// AgentSource and CodeSource
// ---------------------------------------------------------------------------

describe('AgentSource', () => {
  test('image: defaults and copies of command and args', () => {
    const command = ['python', '-m', 'agent'];
    const s = AgentSource.image('registry.example.com/agent:1.0', { command, args: ['--x'] });
    command.push('--evil');
    expect([s.sourceType, s.containerImage, s.pullPolicy, s.command, s.args]).toEqual([
      AgentSourceType.CONTAINER, 'registry.example.com/agent:1.0', ImagePullPolicy.IF_NOT_PRESENT, ['python', '-m', 'agent'], ['--x'],
    ]);
    expect(AgentSource.image('nginx:latest').command).toBeUndefined();
    expect(AgentSource.image('nginx@sha256:' + 'a'.repeat(64)).containerImage).toContain('@sha256:');
    expect(s.toSpec()).toEqual({
      sourceType: 'container',
      container: { image: 'registry.example.com/agent:1.0', pullPolicy: 'IfNotPresent', command: ['python', '-m', 'agent'], args: ['--x'] },
    });
  });

  test('code: python and nodejs defaults', () => {
    const git = CodeSource.git({ repository: 'https://github.com/example/agent' });
    const py = AgentSource.code({ source: git, runtime: AgentRuntime.PYTHON, version: '3.9' });
    expect([py.sourceType, py.containerImage, py.command, py.runtime, py.runtimeVersion]).toEqual([AgentSourceType.CODE, 'python:3.9-slim', ['python', 'main.py'], 'python', '3.9']);
    const js = AgentSource.code({ source: git, runtime: AgentRuntime.NODEJS, version: '20' });
    expect([js.containerImage, js.command]).toEqual(['node:20-slim', ['node', 'index.js']]);
    const own = AgentSource.code({ source: git, runtime: AgentRuntime.PYTHON, version: '3.12', image: 'registry.example.com/py:3.12', entrypoint: '/app/run.py' });
    expect([own.containerImage, own.command]).toEqual(['registry.example.com/py:3.12', ['python', 'app/run.py']]);
  });

  test.each(['', 'latest', '3.9; rm -rf /', 'v3', '3 .9'])('code version %j is refused', (version) => {
    const message = errorOf(() => AgentSource.code({ source: CodeSource.git({ repository: 'https://github.com/example/agent' }), runtime: AgentRuntime.PYTHON, version }));
    expect(message).toContain('code.version');
    expect(message).toContain(`'${version}'`);
  });

  test.each(['../main.py', 'app/../../main.py', 'main.py; id', 'my agent.py'])('code entrypoint %j is refused', (entrypoint) => {
    const message = errorOf(() => AgentSource.code({
      source: CodeSource.git({ repository: 'https://github.com/example/agent' }), runtime: AgentRuntime.PYTHON, version: '3.9', entrypoint,
    }));
    expect(message).toContain(`'${entrypoint}'`);
  });

  test('an unknown runtime or bad image is refused', () => {
    const source = CodeSource.git({ repository: 'https://github.com/example/agent' });
    expect(errorOf(() => AgentSource.code({ source, runtime: 'ruby' as AgentRuntime, version: '3' }))).toContain("code.runtime 'ruby'");
    expect(errorOf(() => AgentSource.code({ source, runtime: AgentRuntime.PYTHON, version: '3.9', image: 'bad image' }))).toContain("'bad image'");
  });
});

describe('CodeSource', () => {
  test('git keeps repository, ref and path', () => {
    const s = CodeSource.git({ repository: 'ssh://git@github.com/example/agent.git', revision: 'release/v1', path: 'src/agent' });
    expect([s.sourceType, s.repository, s.revision, s.path, s.files]).toEqual([CodeSourceType.GIT, 'ssh://git@github.com/example/agent.git', 'release/v1', '/src/agent', {}]);
    expect(CodeSource.git({ repository: 'git@github.com:example/agent.git' }).path).toEqual('/');
  });

  test.each([
    'https://github.com/example/agent; rm -rf /',
    'ftp://github.com/example/agent',
    'file:///etc/passwd',
    'github.com/example/agent',
    'https://github.com/example/agent && id',
    '',
  ])('git repository %j is refused', (repository) => {
    expect(errorOf(() => CodeSource.git({ repository }))).toContain('code.source.repository');
  });

  test('git path must stay inside the repository', () => {
    expect(errorOf(() => CodeSource.git({ repository: 'https://github.com/example/agent', path: '../etc' }))).toContain("path '../etc'");
    expect(errorOf(() => CodeSource.git({ repository: 'https://github.com/example/agent', path: '/a/../../b' }))).toContain("'/a/../../b'");
  });

  test('local reads every file under the folder, skipping node_modules, .git and __pycache__', () => {
    const dir = tmpDir('local-');
    fs.mkdirSync(path.join(dir, 'lib', 'deep'), { recursive: true });
    for (const skipped of ['node_modules', '.git', '__pycache__']) {
      fs.mkdirSync(path.join(dir, skipped));
      fs.writeFileSync(path.join(dir, skipped, 'x'), 'skip');
    }
    fs.writeFileSync(path.join(dir, 'main.py'), 'main');
    fs.writeFileSync(path.join(dir, 'lib', 'deep', 'mod.py'), 'mod');
    const s = CodeSource.local({ directory: dir });
    expect([s.sourceType, s.path, s.repository]).toEqual([CodeSourceType.LOCAL, '/', undefined]);
    expect(s.files).toEqual({ 'main.py': 'main', 'lib/deep/mod.py': 'mod' });
    s.files['evil.py'] = 'x';
    expect(Object.keys(s.files)).toEqual(['lib/deep/mod.py', 'main.py']);
  });

  test('local refuses a missing, empty or too large folder', () => {
    expect(errorOf(() => CodeSource.local({ directory: '/does/not/exist' }))).toContain("code.source.directory '/does/not/exist' is not a folder");
    const empty = tmpDir('empty-');
    expect(errorOf(() => CodeSource.local({ directory: empty }))).toContain('holds no files');
    const big = tmpDir('big-');
    fs.writeFileSync(path.join(big, 'blob.txt'), 'x'.repeat(901 * 1024));
    expect(errorOf(() => CodeSource.local({ directory: big }))).toContain('CodeSource.git');
  });
});

// ---------------------------------------------------------------------------
// AgentEnvironment and GlueCode
// ---------------------------------------------------------------------------

describe('AgentEnvironment', () => {
  test('variables and secret variables; getters return copies', () => {
    const env = new AgentEnvironment({ variables: { LOG_LEVEL: 'debug' } });
    env.addVariable('MODE', 'batch');
    env.addSecretVariable('API_KEY', { name: 'agent-api', key: 'api-key' });
    env.variables.EVIL = 'x';
    env.secretVariables.EVIL = { name: 'x', key: 'y' };
    expect(env.variables).toEqual({ LOG_LEVEL: 'debug', MODE: 'batch' });
    expect(env.secretVariables).toEqual({ API_KEY: { name: 'agent-api', key: 'api-key' } });
    // Secret variables by reference (Secret name and key), after the plain ones.
    expect(env.toSpec()).toEqual({
      variables: [
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'MODE', value: 'batch' },
        { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'agent-api', key: 'api-key' } } },
      ],
    });
  });

  test('bad variable names and secret references throw', () => {
    expect(errorOf(() => new AgentEnvironment({ variables: { '1BAD': 'x' } }))).toContain("'1BAD'");
    expect(errorOf(() => new AgentEnvironment().addSecretVariable('X', { name: 'Bad_Secret', key: 'k' }))).toContain("secret.name 'Bad_Secret'");
    expect(errorOf(() => new AgentEnvironment().addSecretVariable('X', { name: 'ok', key: '' }))).toContain('secret.key');
  });

  test('sdk is validated and copied', () => {
    const packages = ['requests'];
    const env = new AgentEnvironment({ sdk: { runtime: AgentRuntime.PYTHON, version: '3.9', packages } });
    packages.push('evil');
    expect(env.sdk!.packages).toEqual(['requests']);
    expect(errorOf(() => new AgentEnvironment({ sdk: { runtime: 'ruby' as AgentRuntime, version: '3' } }))).toContain("sdk.runtime 'ruby'");
    expect(errorOf(() => new AgentEnvironment({ sdk: { runtime: AgentRuntime.NODEJS, version: 'lts' } }))).toContain("sdk.version 'lts'");
    for (const ok of ['pandas==2.2.2', 'axios@1.7.2', '@scope/pkg@^1.0.0', 'requests[security]>=2.0,<3', 'numpy~=1.26']) {
      expect(() => new AgentEnvironment({ sdk: { runtime: AgentRuntime.PYTHON, version: '3.9', packages: [ok] } })).not.toThrow();
    }
  });

  test('GlueCode from text and from a file', () => {
    expect(GlueCode.fromInline('glue.py', 'x = 1')).toMatchObject({ fileName: 'glue.py', content: 'x = 1' });
    const dir = tmpDir('glue-');
    fs.writeFileSync(path.join(dir, 'helpers.js'), 'module.exports = 1;');
    expect(GlueCode.fromFile(path.join(dir, 'helpers.js'))).toMatchObject({ fileName: 'helpers.js', content: 'module.exports = 1;' });
    expect(errorOf(() => GlueCode.fromFile(path.join(dir, 'missing.py')))).toContain('is not a readable file');
    expect(errorOf(() => GlueCode.fromFile(dir))).toContain('is not a readable file');
  });

  test('an environment renders into the agent container of a pod', () => {
    const env = new AgentEnvironment({ variables: { LOG_LEVEL: 'debug' } });
    env.addSecretVariable('DB_PASSWORD', { name: 'db', key: 'password' });
    const deployment = findObject(synthPod({ source: AgentSource.image('nginx:latest'), environment: env }), 'Deployment', 'web');
    expect(envOf(container(deployment, 'agent'))).toMatchObject({
      LOG_LEVEL: 'debug',
      DB_PASSWORD: { valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    });
  });
});
