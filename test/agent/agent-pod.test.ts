import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { parse as parseYaml } from 'yaml';
import {
  AgentEnvironment, AgentPod, AgentPodProps, AgentRuntime, AgentSource, AgentType, AgentTypeCrd, CodeSource,
  GlueCode, LlmProvider, MemoryBackend, MemoryProfile, ToolSidecar,
} from '../../src';
import { LITELLM_IMAGE, LITELLM_VERSION } from '../../src/agent/gateway-version';
import { agentTypeSpecToJson } from '../../src/install/agent-type-json';
import { container, envOf, errorOf, findObject, podSpec, tmpDir } from '../support/util';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

const TOOL_IMAGE = 'registry.example.com/agents/tool-manager:0.1.0';

/** Synthesizes one AgentPod in a fresh test chart (construct path `test/<id>`). */
function synthPod(props: AgentPodProps, id = 'web'): { pod: AgentPod; manifests: any[] } {
  const chart = Testing.chart();
  const pod = new AgentPod(chart, id, props);
  return { pod, manifests: Testing.synth(chart) };
}

function containerNames(deployment: any): string[] {
  return (podSpec(deployment).containers ?? []).map((c: any) => c.name);
}

function initContainerNames(deployment: any): string[] {
  return (podSpec(deployment).initContainers ?? []).map((c: any) => c.name);
}

/** Names of the env variables of a container, in order. */
function envNames(c: any): string[] {
  return (c.env ?? []).map((e: any) => e.name);
}

/** The volume a container mounts at `mountPath`. */
function volumeAt(deployment: any, c: any, mountPath: string): { mount: any; volume: any } {
  const mount = (c.volumeMounts ?? []).find((m: any) => m.mountPath === mountPath);
  if (!mount) throw new Error(`container ${c.name} mounts nothing at ${mountPath}`);
  const volume = (podSpec(deployment).volumes ?? []).find((v: any) => v.name === mount.name);
  if (!volume) throw new Error(`volume ${mount.name} is not declared`);
  return { mount, volume };
}

function initScript(manifests: any[], name = 'web'): string {
  return findObject(manifests, 'ConfigMap', `${name}-init`).data['prepare-shared-volume.sh'];
}

function checksum(deployment: any): string {
  return deployment.spec.template.metadata.annotations['agents.cdk8s.io/config-checksum'];
}

const basicImage = () => AgentSource.image('nginx:latest');
const anthropic = (name = 'main-llm') => LlmProvider.anthropic({
  name, model: 'claude-3', credentials: { secretName: 'anthropic-credentials' },
});
const openai = (name = 'backup-llm') => LlmProvider.openai({ name, model: 'gpt-4o', credentials: { secretName: 'openai-credentials' } });

const RECOMMENDED_KEYS = [
  'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component',
  'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by',
];

// ---------------------------------------------------------------------------
// Step 1: basic agent infrastructure
// ---------------------------------------------------------------------------

describe('basic agent', () => {
  test('an image becomes a Deployment with the agent container and the recommended labels', () => {
    const { manifests } = synthPod({ source: basicImage(), agentName: 'web-agent' });
    const deployment = findObject(manifests, 'Deployment', 'web-agent');

    const labels = deployment.spec.template.metadata.labels;
    expect(labels).toMatchObject({
      'app.kubernetes.io/name': 'web-agent',
      'app.kubernetes.io/instance': 'web-agent',
      'app.kubernetes.io/component': 'agent',
      'app.kubernetes.io/part-of': 'cdk8s-agents',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });

    // What the API server checks: the selector selects the pods of the template.
    const matchLabels = deployment.spec.selector.matchLabels;
    expect(Object.keys(matchLabels).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(matchLabels)) {
      expect(labels[key]).toEqual(value);
    }
    expect(deployment.spec.selector.matchExpressions ?? []).toEqual([]);

    expect(containerNames(deployment)).toEqual(['agent']);
    const agent = container(deployment, 'agent');
    expect(agent.image).toEqual('nginx:latest');
    expect(agent.imagePullPolicy).toEqual('IfNotPresent');
    expect(deployment.spec.replicas).toEqual(1);
  });

  test('every object of the agent carries its labels, so a label-selected delete removes all of it', () => {
    const chart = Testing.chart();
    new AgentPod(chart, 'one', { source: basicImage(), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }) });
    new AgentPod(chart, 'two', { source: basicImage() });
    const manifests = Testing.synth(chart);

    const ofOne = manifests.filter(m => m.metadata.labels?.['app.kubernetes.io/instance'] === 'one');
    const ofTwo = manifests.filter(m => m.metadata.labels?.['app.kubernetes.io/instance'] === 'two');
    expect(ofOne.map(m => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      ['ConfigMap/one-init', 'ConfigMap/one-tools', 'Deployment/one', 'NetworkPolicy/one', 'ServiceAccount/one']);
    expect(ofTwo.map(m => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      ['ConfigMap/two-init', 'Deployment/two', 'NetworkPolicy/two', 'ServiceAccount/two']);
    expect(ofOne.length + ofTwo.length).toEqual(manifests.length);
    for (const m of manifests) {
      for (const key of RECOMMENDED_KEYS) expect(m.metadata.labels).toHaveProperty([key]);
    }
  });

  test('agentName defaults to the construct id; namespace, replicas, version and extra labels are applied', () => {
    const { manifests } = synthPod({
      source: basicImage(), namespaceName: 'agents', replicas: 3, version: '1.2.0', labels: { team: 'ml' },
    }, 'basic-agent');
    const deployment = findObject(manifests, 'Deployment', 'basic-agent');
    expect(deployment.spec.replicas).toEqual(3);
    expect(deployment.spec.template.metadata.labels).toMatchObject({ 'team': 'ml', 'app.kubernetes.io/version': '1.2.0' });
    for (const m of manifests) {
      expect(m.metadata.namespace).toEqual('agents');
      expect(m.metadata.labels).toMatchObject({ 'team': 'ml', 'app.kubernetes.io/name': 'basic-agent' });
    }
  });

  test('a missing source throws with the construct path and the field, and renders nothing', () => {
    const chart = Testing.chart();
    const message = errorOf(() => new AgentPod(chart, 'web', {} as AgentPodProps));
    expect(message).toContain("AgentPod 'test/web'");
    expect(message).toContain('source');
    expect(message).toContain('AgentSource.image');
    expect(Testing.synth(chart)).toEqual([]);
  });

  test.each([
    ['agentName', { agentName: 'Web_Agent' }, 'Web_Agent'],
    ['agentName', { agentName: 'a'.repeat(64) }, 'a'.repeat(64)],
    ['namespaceName', { namespaceName: 'Bad_Namespace' }, 'Bad_Namespace'],
    ['replicas', { replicas: -1 }, '-1'],
    ['replicas', { replicas: 1.5 }, '1.5'],
    ['runAsUser', { runAsUser: 0 }, '0'],
    ['initImage', { initImage: 'busy box' }, 'busy box'],
  ])('bad %s throws with path, field and value (%j)', (field, extra, shown) => {
    const message = errorOf(() => synthPod({ source: basicImage(), ...extra } as AgentPodProps));
    expect(message).toContain("AgentPod 'test/web'");
    expect(message).toContain(field);
    expect(message).toContain(`'${shown}'`);
  });

  test('a bad image throws at AgentSource.image with the value', () => {
    expect(errorOf(() => AgentSource.image('nginx latest'))).toContain("'nginx latest'");
    expect(errorOf(() => AgentSource.image(''))).toContain('required');
  });
});

// ---------------------------------------------------------------------------
// Step 2: user container, init container and environment injection
// ---------------------------------------------------------------------------

describe('shared volume and init container', () => {
  const withSidecar = () => synthPod({
    source: AgentSource.image('custom-agent:latest', { command: ['python', '-m', 'agent'] }),
    toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }),
  });

  test('agent-shared is an emptyDir mounted at /shared in the agent, init and sidecar containers', () => {
    const { manifests } = withSidecar();
    const deployment = findObject(manifests, 'Deployment', 'web');
    const shared = podSpec(deployment).volumes.filter((v: any) => v.name === 'agent-shared');
    expect(shared).toEqual([{ name: 'agent-shared', emptyDir: {} }]);
    for (const name of ['agent', 'agent-init', 'tool-manager']) {
      const { mount, volume } = volumeAt(deployment, container(deployment, name), '/shared');
      expect(volume.name).toEqual('agent-shared');
      expect(mount.readOnly).toBeFalsy();
      expect(mount.subPath).toBeUndefined();
    }
  });

  test('agent-init is an init container (runs to completion before the agent) and runs the script of the <name>-init ConfigMap', () => {
    const { manifests } = withSidecar();
    const deployment = findObject(manifests, 'Deployment', 'web');
    expect(initContainerNames(deployment)).toEqual(['agent-init']);
    expect(containerNames(deployment)).not.toContain('agent-init');

    const init = container(deployment, 'agent-init');
    expect(init.command).toEqual(['/bin/sh', '/opt/agent-init/prepare-shared-volume.sh']);
    const { mount, volume } = volumeAt(deployment, init, '/opt/agent-init');
    expect(mount.readOnly).toBe(true);
    expect(volume.configMap.name).toEqual('web-init');
    const configMap = findObject(manifests, 'ConfigMap', 'web-init');
    // the file the command runs is a key of the mounted ConfigMap
    expect(configMap.data[path.posix.basename(init.command[1])]).toMatch(/^#!\/bin\/sh\n/);
    expect(configMap.data['agent-entrypoint.sh']).toMatch(/^#!\/bin\/sh\n/);
    expect(envOf(init).AGENT_SHARED_DIR).toEqual('/shared');
  });

  test('environment variables land in the agent container only, secret ones as secretKeyRef', () => {
    const environment = new AgentEnvironment({ variables: { LOG_LEVEL: 'debug', MODE: 'batch' } });
    environment.addSecretVariable('API_KEY', { name: 'container-agent-api', key: 'api-key' });
    const { manifests } = synthPod({
      source: basicImage(), environment, toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }),
    });
    const deployment = findObject(manifests, 'Deployment', 'web');
    const agentEnv = envOf(container(deployment, 'agent'));
    expect(agentEnv).toMatchObject({
      AGENT_NAME: 'web',
      AGENT_SHARED_DIR: '/shared',
      LOG_LEVEL: 'debug',
      MODE: 'batch',
      API_KEY: { valueFrom: { secretKeyRef: { name: 'container-agent-api', key: 'api-key' } } },
    });
    for (const other of ['tool-manager', 'agent-init']) {
      const env = envOf(container(deployment, other));
      for (const name of ['LOG_LEVEL', 'MODE', 'API_KEY']) expect(env).not.toHaveProperty([name]);
    }
  });

  test('a literal credential is refused and the message does not repeat the value', () => {
    const message = errorOf(() => new AgentEnvironment({ variables: { API_KEY: 'sk-123' } }));
    expect(message).toContain('API_KEY');
    expect(message).toContain('addSecretVariable');
    expect(message).not.toContain('sk-123');
    for (const name of ['GITHUB_TOKEN', 'DB_PASSWORD', 'client_secret', 'MY-API-KEY']) {
      expect(() => new AgentEnvironment({ variables: { [name]: 'x' } })).toThrow(/looks like a credential/);
    }
  });

  test('python SDK packages are installed by pip into $SHARED/sdk/python with a python:<version> init image', () => {
    const { manifests } = synthPod({
      source: basicImage(),
      environment: new AgentEnvironment({ sdk: { runtime: AgentRuntime.PYTHON, version: '3.9', packages: ['requests', 'pandas'] } }),
    });
    const script = initScript(manifests);
    expect(script).toContain('python -m pip install');
    expect(script).toContain('--target "$SHARED/sdk/python" \'requests\' \'pandas\'');
    expect(script).not.toContain('npm install');
    expect(container(findObject(manifests, 'Deployment', 'web'), 'agent-init').image).toEqual('python:3.9');
  });

  test('nodejs SDK packages are installed by npm into $SHARED/sdk/node with a node:<version> init image', () => {
    const { manifests } = synthPod({
      source: basicImage(),
      environment: new AgentEnvironment({ sdk: { runtime: AgentRuntime.NODEJS, version: '20', packages: ['axios@1.7.2'] } }),
    });
    const script = initScript(manifests);
    expect(script).toContain('npm install');
    expect(script).toContain('--prefix "$SHARED/sdk/node" \'axios@1.7.2\'');
    expect(script).not.toContain('pip install');
    expect(container(findObject(manifests, 'Deployment', 'web'), 'agent-init').image).toEqual('node:20');
  });

  test('busybox:1.36 is the init image when nothing needs a runtime; initImage overrides it', () => {
    const plain = synthPod({ source: basicImage(), environment: new AgentEnvironment({ sdk: { runtime: AgentRuntime.PYTHON, version: '3.9' } }) });
    expect(container(findObject(plain.manifests, 'Deployment', 'web'), 'agent-init').image).toEqual('busybox:1.36');
    expect(initScript(plain.manifests)).not.toContain('pip');

    const custom = synthPod({ source: basicImage(), initImage: 'registry.example.com/init:2' });
    expect(container(findObject(custom.manifests, 'Deployment', 'web'), 'agent-init').image).toEqual('registry.example.com/init:2');
  });

  test('glue code is carried by the init ConfigMap, copied to $SHARED/glue/<file>, and named in AGENT_GLUE_CODE', () => {
    const content = 'def helper():\n    return "glue"\n';
    const { manifests } = synthPod({
      source: basicImage(), environment: new AgentEnvironment({ glueCode: GlueCode.fromInline('gluecode.py', content) }),
    });
    const data = findObject(manifests, 'ConfigMap', 'web-init').data;
    const keys = Object.keys(data).filter(k => data[k] === content);
    expect(keys).toHaveLength(1);
    expect(initScript(manifests)).toContain(`cp "$INIT/${keys[0]}" "$SHARED/glue/gluecode.py"`);
    const agent = container(findObject(manifests, 'Deployment', 'web'), 'agent');
    expect(envOf(agent).AGENT_GLUE_CODE).toEqual('/shared/glue/gluecode.py');
  });

  test('glue code from a file keeps the file name and content', () => {
    const dir = tmpDir('glue-');
    fs.writeFileSync(path.join(dir, 'helpers.py'), 'X = 1\n');
    const { manifests } = synthPod({ source: basicImage(), environment: new AgentEnvironment({ glueCode: GlueCode.fromFile(path.join(dir, 'helpers.py')) }) });
    expect(Object.values(findObject(manifests, 'ConfigMap', 'web-init').data)).toContain('X = 1\n');
    expect(initScript(manifests)).toContain('"$SHARED/glue/helpers.py"');
  });

  test('without glue code there is no AGENT_GLUE_CODE and no glue copy', () => {
    const { manifests } = synthPod({ source: basicImage() });
    expect(envOf(container(findObject(manifests, 'Deployment', 'web'), 'agent'))).not.toHaveProperty(['AGENT_GLUE_CODE']);
    expect(initScript(manifests)).not.toMatch(/"\$SHARED\/glue\/[^"]+"/);
    expect(Object.keys(findObject(manifests, 'ConfigMap', 'web-init').data).sort()).toEqual(['agent-entrypoint.sh', 'prepare-shared-volume.sh']);
  });

  test('with a command the agent starts through the wrapper; without one the image entrypoint is kept', () => {
    const wrapped = synthPod({
      source: AgentSource.image('custom-agent:latest', { command: ['python', '-m', 'agent'], args: ['--verbose'], pullPolicy: ImagePullPolicy.ALWAYS }),
    });
    const agent = container(findObject(wrapped.manifests, 'Deployment', 'web'), 'agent');
    expect(agent.command).toEqual(['/bin/sh', '/shared/bin/agent-entrypoint.sh', 'python', '-m', 'agent']);
    expect(agent.args).toEqual(['--verbose']);
    expect(agent.imagePullPolicy).toEqual('Always');
    // the wrapper the command names is the one the init script installs
    expect(initScript(wrapped.manifests)).toContain('cp "$INIT/agent-entrypoint.sh" "$SHARED/bin/agent-entrypoint.sh"');

    const unwrapped = synthPod({ source: basicImage() });
    const plain = container(findObject(unwrapped.manifests, 'Deployment', 'web'), 'agent');
    expect(plain).not.toHaveProperty('command');
    expect(plain).not.toHaveProperty('args');
  });

  test('a git code agent runs `python main.py` through the wrapper on python:<version>-slim, in the source path', () => {
    const { manifests } = synthPod({
      source: AgentSource.code({
        source: CodeSource.git({ repository: 'https://github.com/example/agent', path: '/src' }),
        runtime: AgentRuntime.PYTHON,
        version: '3.9',
      }),
    }, 'code-agent');
    const deployment = findObject(manifests, 'Deployment', 'code-agent');
    const agent = container(deployment, 'agent');
    expect(agent.image).toEqual('python:3.9-slim');
    expect(agent.workingDir).toEqual('/shared/src/src');
    expect(agent.command).toEqual(['/bin/sh', '/shared/bin/agent-entrypoint.sh', 'python', 'main.py']);
    // the full image carries git
    expect(container(deployment, 'agent-init').image).toEqual('python:3.9');

    const script = initScript(manifests, 'code-agent');
    expect(script).toContain('git clone --depth 1 -- \'https://github.com/example/agent\' "$SHARED/src"');
    expect(script).not.toContain('--branch');
  });

  test('a git ref becomes --branch; a nodejs agent runs `node index.js` in the source root', () => {
    const { manifests } = synthPod({
      source: AgentSource.code({
        source: CodeSource.git({ repository: 'git@github.com:example/agent.git', revision: 'release/v1.2' }),
        runtime: AgentRuntime.NODEJS,
        version: '20',
      }),
    });
    const deployment = findObject(manifests, 'Deployment', 'web');
    const agent = container(deployment, 'agent');
    expect(agent.image).toEqual('node:20-slim');
    expect(agent.workingDir).toEqual('/shared/src');
    expect(agent.command).toEqual(['/bin/sh', '/shared/bin/agent-entrypoint.sh', 'node', 'index.js']);
    expect(container(deployment, 'agent-init').image).toEqual('node:20');
    expect(initScript(manifests)).toContain('git clone --depth 1 --branch \'release/v1.2\' -- \'git@github.com:example/agent.git\' "$SHARED/src"');
  });

  test('a local source is packed into the <name>-source ConfigMap, mounted at /opt/agent-source in the init container only', () => {
    const dir = tmpDir('local-agent-');
    fs.mkdirSync(path.join(dir, 'pkg', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'main.py'), 'print("main")\n');
    fs.writeFileSync(path.join(dir, 'pkg', 'util.py'), 'def util():\n    pass\n');
    fs.writeFileSync(path.join(dir, 'pkg', 'sub', 'data.txt'), 'nested data\n');
    fs.mkdirSync(path.join(dir, 'node_modules', 'junk'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'junk', 'index.js'), 'SKIPPED');

    const { manifests } = synthPod({
      source: AgentSource.code({ source: CodeSource.local({ directory: dir }), runtime: AgentRuntime.PYTHON, version: '3.12' }),
    });
    const source = findObject(manifests, 'ConfigMap', 'web-source');
    expect(Object.values(source.data).sort()).toEqual(['def util():\n    pass\n', 'nested data\n', 'print("main")\n']);

    const deployment = findObject(manifests, 'Deployment', 'web');
    const { mount, volume } = volumeAt(deployment, container(deployment, 'agent-init'), '/opt/agent-source');
    expect(mount.readOnly).toBe(true);
    expect(volume.configMap.name).toEqual('web-source');
    // every key of the ConfigMap is projected, under its own name
    expect(volume.configMap.items.map((i: any) => i.key).sort()).toEqual(Object.keys(source.data).sort());
    expect(() => volumeAt(deployment, container(deployment, 'agent'), '/opt/agent-source')).toThrow(/mounts nothing/);

    const script = initScript(manifests);
    expect(script).toContain('mkdir -p "$SHARED/src/"\'pkg/sub\'');
    for (const file of ['main.py', 'pkg/util.py', 'pkg/sub/data.txt']) {
      const line = script.split('\n').find(l => l.endsWith(`"$SHARED/src/"'${file}'`));
      expect(line).toBeDefined();
      // the file copied there is the ConfigMap key holding that file's content
      const key = /"\$SOURCE\/([^"]+)"/.exec(line!)![1];
      expect(source.data[key]).toEqual(fs.readFileSync(path.join(dir, ...file.split('/')), 'utf-8'));
    }
    expect(script).not.toContain('node_modules');
    expect(script).not.toContain('git clone');
    // nothing needs a runtime in the init container: copying files is enough
    expect(container(deployment, 'agent-init').image).toEqual('busybox:1.36');
  });
});

// ---------------------------------------------------------------------------
// Step 3: tool management via sidecar
// ---------------------------------------------------------------------------

describe('tool sidecar', () => {
  const tooled = (port?: number) => synthPod({
    source: AgentSource.image('base-agent:latest', { command: ['/usr/local/bin/agent'] }),
    toolSidecar: new ToolSidecar({
      image: TOOL_IMAGE,
      port,
      required: ['python', 'git'],
      optional: ['kubectl'],
      custom: [{ name: 'custom-tool', version: '1.0', source: 'https://example.com/tools/custom-tool', sha256: 'abababababababababababababababababababababababababababababababab' }],
    }),
  }, 'tooled-agent');

  test('the sidecar runs the LLM gateway on 127.0.0.1 beside the agent, which knows its endpoint; no port is exposed', () => {
    const { manifests } = tooled();
    const deployment = findObject(manifests, 'Deployment', 'tooled-agent');
    expect(containerNames(deployment)).toEqual(['agent', 'tool-manager']);
    const sidecar = container(deployment, 'tool-manager');
    expect(sidecar.image).toEqual(TOOL_IMAGE);
    // Listening on the loopback address, the gateway has no containerPort: nothing outside the pod reaches it.
    expect(sidecar.ports).toBeUndefined();
    expect(sidecar.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(sidecar.command[2]).toMatch(/exec litellm --config \/etc\/tool-manager\/config\.yaml --host 127\.0\.0\.1 --port 4000 /);
    expect(envOf(container(deployment, 'agent')).TOOL_MANAGER_ENDPOINT).toEqual('http://127.0.0.1:4000');
  });

  test('a custom port moves both the gateway and the endpoint', () => {
    const { manifests } = tooled(9100);
    const deployment = findObject(manifests, 'Deployment', 'tooled-agent');
    expect(container(deployment, 'tool-manager').command[2]).toContain('--host 127.0.0.1 --port 9100 ');
    expect(envOf(container(deployment, 'agent')).TOOL_MANAGER_ENDPOINT).toEqual('http://127.0.0.1:9100');
  });

  test('a missing required or custom tool is logged at start and keeps the sidecar not ready', () => {
    const sidecar = container(findObject(tooled().manifests, 'Deployment', 'tooled-agent'), 'tool-manager');
    expect(sidecar.command[2]).toContain('for t in \'python\' \'git\' \'custom-tool\'; do command -v "$t" >/dev/null 2>&1 || echo "tool-manager: required tool \'$t\' is not on PATH" >&2; done; ');
    const readiness = sidecar.readinessProbe.exec.command;
    expect(readiness[2]).toContain('for t in \'python\' \'git\' \'custom-tool\'; do command -v "$t" >/dev/null 2>&1 || { echo "required tool \'$t\' is not on PATH"; exit 1; }; done; ');
    expect(readiness[2]).toMatch(/python3 -c .*http:\/\/127\.0\.0\.1:4000\/health\/readiness/);
    expect(sidecar.livenessProbe.exec.command[2]).toMatch(/http:\/\/127\.0\.0\.1:4000\/health\/liveliness/);
  });

  test('the sidecar defaults to LiteLLM\'s pinned image', () => {
    const { manifests } = synthPod({ source: basicImage(), toolSidecar: new ToolSidecar({}) });
    expect(container(findObject(manifests, 'Deployment', 'web'), 'tool-manager').image).toEqual(LITELLM_IMAGE);
    expect(LITELLM_IMAGE).toEqual(`ghcr.io/berriai/litellm:v${LITELLM_VERSION}`);
    expect([ToolSidecar.LITELLM_IMAGE, ToolSidecar.LITELLM_VERSION]).toEqual([LITELLM_IMAGE, LITELLM_VERSION]);
  });

  test('tools are declared in tools.json of the <name>-tools ConfigMap, mounted where the sidecar reads it', () => {
    const { manifests } = tooled();
    const configMap = findObject(manifests, 'ConfigMap', 'tooled-agent-tools');
    expect(JSON.parse(configMap.data['tools.json'])).toEqual({
      required: ['python', 'git'],
      optional: ['kubectl'],
      custom: [{ name: 'custom-tool', version: '1.0', source: 'https://example.com/tools/custom-tool', sha256: 'abababababababababababababababababababababababababababababababab' }],
    });
    const deployment = findObject(manifests, 'Deployment', 'tooled-agent');
    const sidecar = container(deployment, 'tool-manager');
    const configPath = envOf(sidecar).TOOL_MANAGER_CONFIG;
    const { mount, volume } = volumeAt(deployment, sidecar, path.posix.dirname(configPath));
    expect(mount.readOnly).toBe(true);
    expect(volume.configMap.name).toEqual('tooled-agent-tools');
    expect(configMap.data).toHaveProperty([path.posix.basename(configPath)]);
  });

  test('without a sidecar there is no tool-manager, no endpoint and no tools ConfigMap', () => {
    const { manifests } = synthPod({ source: basicImage() });
    const deployment = findObject(manifests, 'Deployment', 'web');
    expect(containerNames(deployment)).toEqual(['agent']);
    expect(envOf(container(deployment, 'agent'))).not.toHaveProperty(['TOOL_MANAGER_ENDPOINT']);
    expect(manifests.filter(m => m.metadata.name === 'web-tools')).toEqual([]);
  });

  test('a tool declared twice, or a custom tool with a bad source, throws', () => {
    expect(errorOf(() => new ToolSidecar({ image: TOOL_IMAGE, required: ['git'], optional: ['git'] })))
      .toMatch(/optional tool 'git' is declared twice/);
    expect(errorOf(() => new ToolSidecar({ image: TOOL_IMAGE, required: ['git'], custom: [{ name: 'git', source: 'https://x.example/git', sha256: 'abababababababababababababababababababababababababababababababab' }] })))
      .toMatch(/'git' is declared twice/);
    expect(errorOf(() => new ToolSidecar({ image: TOOL_IMAGE, custom: [{ name: 'tool', source: 'ftp://example.com/tool', sha256: 'abababababababababababababababababababababababababababababababab' }] })))
      .toMatch(/custom tool 'tool' source 'ftp:\/\/example.com\/tool'/);
    expect(errorOf(() => new ToolSidecar({ image: TOOL_IMAGE, custom: [{ name: 'tool', source: 'not a url', sha256: 'abababababababababababababababababababababababababababababababab' }] })))
      .toContain("'not a url'");
    const sidecar = new ToolSidecar({ image: TOOL_IMAGE, required: ['python'] });
    expect(() => sidecar.addOptionalTool('python')).toThrow(/declared twice/);
  });

  test('a sidecar named like a container of the pod throws', () => {
    const message = errorOf(() => synthPod({ source: basicImage(), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE, name: 'agent-init' }) }));
    expect(message).toContain("AgentPod 'test/web'");
    expect(message).toContain("toolSidecar.name 'agent-init'");
  });
});

// ---------------------------------------------------------------------------
// Step 4: LLM providers
// ---------------------------------------------------------------------------

describe('LLM providers', () => {
  const withProviders = (providers: LlmProvider[]) => synthPod({
    source: AgentSource.image('advanced-agent:latest', { command: ['/usr/local/bin/agent'] }),
    toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }),
    llmProviders: providers,
  }, 'full-agent');

  test('API keys are secretKeyRef env vars of the sidecar only; the agent gets the proxy and the provider order', () => {
    const { manifests } = withProviders([anthropic(), openai()]);
    const deployment = findObject(manifests, 'Deployment', 'full-agent');
    const sidecarEnv = envOf(container(deployment, 'tool-manager'));
    expect(sidecarEnv.ANTHROPIC_API_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'anthropic-credentials', key: 'api-key' } } });
    expect(sidecarEnv.OPENAI_API_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'openai-credentials', key: 'api-key' } } });

    for (const name of ['agent', 'agent-init']) {
      const c = container(deployment, name);
      expect(envNames(c).filter(n => /API_KEY/.test(n))).toEqual([]);
      expect((c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef?.name?.endsWith('-credentials'))).toEqual([]);
    }
    const agentEnv = envOf(container(deployment, 'agent'));
    expect(agentEnv.LLM_PROXY_ENDPOINT).toEqual('http://127.0.0.1:4000');
    expect(agentEnv.OPENAI_BASE_URL).toEqual('http://127.0.0.1:4000/v1');
    expect(agentEnv.ANTHROPIC_BASE_URL).toEqual('http://127.0.0.1:4000');
    expect(agentEnv.LLM_MODEL).toEqual('main-llm');
    expect(agentEnv.AGENT_LLM_PROVIDERS).toEqual('main-llm,backup-llm');
  });

  test('the gateway\'s config.yaml, mounted where the sidecar reads it, keeps the order and names key variables, not keys', () => {
    const { manifests } = withProviders([openai('first'), anthropic('second')]);
    const data = findObject(manifests, 'ConfigMap', 'full-agent-tools').data;
    const config = parseYaml(data['config.yaml']);
    expect(config.model_list.map((m: any) => [m.model_name, m.litellm_params.model, m.litellm_params.api_key])).toEqual([
      ['first', 'openai/gpt-4o', 'os.environ/OPENAI_API_KEY'],
      ['second', 'anthropic/claude-3', 'os.environ/ANTHROPIC_API_KEY'],
    ]);
    expect(config.router_settings.fallbacks).toEqual([{ first: ['second'] }]);
    expect(parseYaml(data['gateway-settings.yaml'])).toEqual({ litellm_settings: { num_retries: 2, request_timeout: 60, drop_params: true, use_chat_completions_url_for_anthropic_messages: true } });
    const deployment = findObject(manifests, 'Deployment', 'full-agent');
    expect(envOf(container(deployment, 'agent')).AGENT_LLM_PROVIDERS).toEqual('first,second');
    expect(envOf(container(deployment, 'agent')).LLM_MODEL).toEqual('first');
    const sidecar = container(deployment, 'tool-manager');
    const { mount, volume } = volumeAt(deployment, sidecar, '/etc/tool-manager');
    expect(mount.readOnly).toBe(true);
    expect(volume.configMap.name).toEqual('full-agent-tools');
  });

  test('the sidecar\'s timeout and retries go to the gateway settings', () => {
    const { manifests } = synthPod({
      source: basicImage(),
      toolSidecar: new ToolSidecar({ requestTimeout: Duration.minutes(2), maxRetries: 0 }),
      llmProviders: [anthropic()],
    });
    const data = findObject(manifests, 'ConfigMap', 'web-tools').data;
    expect(parseYaml(data['gateway-settings.yaml']).litellm_settings).toMatchObject({ request_timeout: 120, num_retries: 0 });
    expect(errorOf(() => new ToolSidecar({ requestTimeout: Duration.millis(1500) }))).toContain("ToolSidecar 'tool-manager': requestTimeout '1.5s' must be whole seconds from 1 to 3600");
    expect(errorOf(() => new ToolSidecar({ maxRetries: -1 }))).toContain("ToolSidecar 'tool-manager': maxRetries '-1' must be an integer from 0 to 10");
  });

  test('Bedrock on IRSA: the role annotates the ServiceAccount, the EKS webhook skips the agent and init containers, no key variable', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/bedrock-caller';
    const bedrock = LlmProvider.bedrock({ name: 'bedrock', region: 'eu-west-3', model: 'mistral.mistral-large-2402-v1:0', roleArn });
    const { manifests } = withProviders([bedrock]);
    expect(findObject(manifests, 'ServiceAccount', 'full-agent').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': roleArn });
    const deployment = findObject(manifests, 'Deployment', 'full-agent');
    expect(deployment.spec.template.metadata.annotations['eks.amazonaws.com/skip-containers']).toBe('agent,agent-init');
    expect(envNames(container(deployment, 'tool-manager')).filter(n => n.startsWith('AWS_'))).toEqual([]);
    // Without a role (EKS Pod Identity) nothing is annotated.
    const podIdentity = withProviders([LlmProvider.bedrock({ name: 'bedrock', region: 'eu-west-3', model: 'amazon.nova-pro-v1:0' })]).manifests;
    expect(findObject(podIdentity, 'ServiceAccount', 'full-agent').metadata.annotations).toBeUndefined();
    expect(findObject(podIdentity, 'Deployment', 'full-agent').spec.template.metadata.annotations).not.toHaveProperty(['eks.amazonaws.com/skip-containers']);
  });

  test('a provider without a model is refused when it is added: the gateway needs the model it calls', () => {
    const noModel = LlmProvider.openai({ name: 'nomodel', credentials: { secretName: 'openai' } });
    expect(errorOf(() => withProviders([anthropic(), noModel]))).toContain("AgentPod 'test/full-agent': llmProviders 'nomodel' has no model");
  });

  test('without providers the agent has no LLM variables and the gateway has no model', () => {
    const { manifests } = withProviders([]);
    const agentEnv = envOf(container(findObject(manifests, 'Deployment', 'full-agent'), 'agent'));
    for (const name of ['LLM_PROXY_ENDPOINT', 'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL', 'LLM_MODEL', 'AGENT_LLM_PROVIDERS']) {
      expect(agentEnv).not.toHaveProperty([name]);
    }
    expect(parseYaml(findObject(manifests, 'ConfigMap', 'full-agent-tools').data['config.yaml'])).toEqual({
      include: ['gateway-settings.yaml'], model_list: [], general_settings: { dangerously_permit_weak_or_unset_master_key: true },
    });
  });

  test('providers without a sidecar throw: credentials never go to the agent container', () => {
    const message = errorOf(() => synthPod({ source: basicImage(), llmProviders: [anthropic()] }));
    expect(message).toContain("AgentPod 'test/web'");
    expect(message).toContain("llmProviders 'main-llm'");
    expect(message).toContain('toolSidecar');
  });

  test('duplicate provider names throw', () => {
    const message = errorOf(() => withProviders([anthropic('main-llm'), openai('main-llm')]));
    expect(message).toContain("llmProviders 'main-llm' is declared twice");
  });

  test('a secretName that looks like an API key throws without echoing it', () => {
    const message = errorOf(() => LlmProvider.anthropic({ credentials: { secretName: 'sk-ant-abc' } }));
    expect(message).toContain('looks like an API key');
    expect(message).not.toContain('sk-ant-abc');
  });

  test('addLlmProvider after construction appends in order to env, ConfigMap and spec', () => {
    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'full-agent', {
      source: basicImage(), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }), llmProviders: [anthropic()],
    });
    pod.addLlmProvider(openai());
    expect(pod.llmProviders.map(p => p.name)).toEqual(['main-llm', 'backup-llm']);
    const manifests = Testing.synth(chart);
    const deployment = findObject(manifests, 'Deployment', 'full-agent');
    expect(envOf(container(deployment, 'agent')).AGENT_LLM_PROVIDERS).toEqual('main-llm,backup-llm');
    expect(envNames(container(deployment, 'tool-manager')).filter(n => n.endsWith('_API_KEY'))).toEqual(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
    const config = parseYaml(findObject(manifests, 'ConfigMap', 'full-agent-tools').data['config.yaml']);
    expect(config.model_list.map((m: any) => m.model_name)).toEqual(['main-llm', 'backup-llm']);
    expect(pod.toAgentTypeSpec().llm!.providers!.map((p: any) => p.name)).toEqual(['main-llm', 'backup-llm']);
  });

  test('a provider added between two synths reaches the gateway config.yaml and the config checksum of the next synth', () => {
    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'web', { source: basicImage(), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }), llmProviders: [anthropic()] });
    const render = () => {
      const manifests = Testing.synth(chart);
      const config = parseYaml(findObject(manifests, 'ConfigMap', 'web-tools').data['config.yaml']);
      return { models: config.model_list.map((m: any) => m.model_name), checksum: checksum(findObject(manifests, 'Deployment', 'web')) };
    };
    const first = render();
    expect(render()).toEqual(first);
    pod.addLlmProvider(openai());
    const second = render();
    expect(first.models).toEqual(['main-llm']);
    expect(second.models).toEqual(['main-llm', 'backup-llm']);
    expect(second.checksum).not.toEqual(first.checksum);
  });

  test('addLlmProvider returns the provider; the one NetworkPolicy object renders the providers of each synth, no child is removed', () => {
    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'web', { source: basicImage(), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }), llmProviders: [anthropic()] });
    const policy = pod.networkPolicy;
    const children = () => pod.node.children.map(c => c.node.id);
    const before = children();
    const selfHosted = LlmProvider.generic({ name: 'vllm', providerType: 'vllm', model: 'llama', endpoint: 'http://10.1.2.3:8000/v1', credentials: { secretName: 'vllm' } });
    expect(pod.addLlmProvider(selfHosted)).toBe(selfHosted);
    const egress = () => findObject(Testing.synth(chart), 'NetworkPolicy', 'web').spec.egress;
    const toVllm = { ports: [{ port: 8000, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.1.2.3/32' } }] };
    const toOther = { ports: [{ port: 8001, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.1.2.4/32' } }] };
    expect(egress()).toContainEqual(toVllm);
    expect(egress()).not.toContainEqual(toOther);
    // After a synth too: the next synth renders the provider added in between.
    pod.addLlmProvider(LlmProvider.generic({ name: 'other', providerType: 'vllm', model: 'llama', endpoint: 'http://10.1.2.4:8001/v1', credentials: { secretName: 'other' } }));
    expect(egress()).toEqual(expect.arrayContaining([toVllm, toOther]));
    expect(pod.networkPolicy).toBe(policy);
    expect(children().slice(0, before.length)).toEqual(before);
    expect(chart.node.findAll().filter(c => c instanceof ApiObject && c.kind === 'NetworkPolicy')).toEqual([policy]);
  });

  test('without a NetworkPolicy there is none, and providers are still added', () => {
    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'web', { source: basicImage(), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }), networkPolicy: { enabled: false } });
    pod.addLlmProvider(anthropic());
    const objects = Testing.synth(chart);
    expect(pod.networkPolicy).toBeUndefined();
    expect(objects.filter(o => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(envOf(container(findObject(objects, 'Deployment', 'web'), 'agent')).AGENT_LLM_PROVIDERS).toBe('main-llm');
  });

  test('a provider with a forbidden endpoint is refused when it is added, and nothing of it is recorded', () => {
    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'web', { source: basicImage(), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }) });
    const children = pod.node.children.length;
    const metadata = LlmProvider.generic({ name: 'metadata', providerType: 'vllm', model: 'llama', endpoint: 'http://169.254.169.254/v1', credentials: { secretName: 'vllm' } });
    expect(errorOf(() => pod.addLlmProvider(metadata)))
      .toContain("AgentPod 'test/web': llmProviders['metadata'].endpoint '169.254.169.254' is a cloud metadata address");
    expect(pod.llmProviders).toEqual([]);
    expect(pod.node.children).toHaveLength(children);
    const deployment = findObject(Testing.synth(chart), 'Deployment', 'web');
    expect(envNames(container(deployment, 'tool-manager')).filter(n => n.endsWith('_API_KEY'))).toEqual([]);
  });

  test('bad network policy options fail at construction, before anything is in the tree', () => {
    const chart = Testing.chart();
    expect(errorOf(() => new AgentPod(chart, 'web', { source: basicImage(), networkPolicy: { allowIngressFrom: [{ cidr: '10.0.0.1/8' }] } })))
      .toContain("AgentPod 'test/web': networkPolicy.allowIngressFrom[0].cidr '10.0.0.1/8'");
    expect(chart.node.tryFindChild('web')?.node.children ?? []).toHaveLength(0);
  });

  test('llmProviders returns a copy', () => {
    const pod = new AgentPod(Testing.chart(), 'p', { source: basicImage(), toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }), llmProviders: [anthropic()] });
    pod.llmProviders.push(openai());
    expect(pod.llmProviders).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------
// Step 4: memory
// ---------------------------------------------------------------------------

describe('memory profiles', () => {
  function resourcesOf(profile: MemoryProfile): Record<string, any> {
    const { manifests } = synthPod({ source: basicImage(), memory: profile, toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }) });
    const deployment = findObject(manifests, 'Deployment', 'web');
    return {
      annotation: deployment.spec.template.metadata.annotations['agents.cdk8s.io/memory-profile'],
      agent: container(deployment, 'agent').resources,
      init: container(deployment, 'agent-init').resources,
      sidecar: container(deployment, 'tool-manager').resources,
    };
  }
  const res = (request: string, limit: string, cpu: string) => ({ requests: { memory: request, cpu }, limits: { memory: limit } });

  test.each([
    ['small', MemoryProfile.SMALL, res('256Mi', '512Mi', '100m'), res('128Mi', '512Mi', '50m'), res('64Mi', '128Mi', '50m')],
    ['medium', MemoryProfile.MEDIUM, res('512Mi', '1024Mi', '250m'), res('128Mi', '512Mi', '50m'), res('128Mi', '256Mi', '100m')],
    ['large', MemoryProfile.LARGE, res('1024Mi', '2048Mi', '500m'), res('256Mi', '1024Mi', '100m'), res('256Mi', '512Mi', '200m')],
  ])('%s lands on the agent, init and sidecar containers', (name, profile, agent, init, sidecar) => {
    expect(resourcesOf(profile)).toEqual({ annotation: name, agent, init, sidecar });
  });

  test('the default is small', () => {
    const { manifests } = synthPod({ source: basicImage() });
    const deployment = findObject(manifests, 'Deployment', 'web');
    expect(deployment.spec.template.metadata.annotations['agents.cdk8s.io/memory-profile']).toEqual('small');
    expect(container(deployment, 'agent').resources).toEqual(res('256Mi', '512Mi', '100m'));
  });

  test('custom requests and limits land on every container, with no CPU limit', () => {
    const profile = MemoryProfile.custom({
      name: 'tuned',
      agent: { request: '300Mi', limit: '1.5Gi', cpuRequest: '0.5' },
      init: { request: '100Mi', limit: '200Mi' },
      sidecar: { request: '32Mi', limit: '64Mi', cpuRequest: '20m' },
    });
    const r = resourcesOf(profile);
    expect(r.annotation).toEqual('tuned');
    expect(r.agent).toEqual({ requests: { memory: '300Mi', cpu: '0.5' }, limits: { memory: '1536Mi' } });
    expect(r.init).toEqual({ requests: { memory: '100Mi' }, limits: { memory: '200Mi' } });
    expect(r.sidecar).toEqual(res('32Mi', '64Mi', '20m'));
  });

  test('a bad quantity throws naming the field and the value', () => {
    const message = errorOf(() => MemoryProfile.custom({ agent: { request: '1Gi', limit: '2Gx' } }));
    expect(message).toContain('agent.limit');
    expect(message).toContain("'2Gx'");
    expect(message).toContain('not a Kubernetes quantity');
    expect(errorOf(() => MemoryProfile.custom({ agent: { request: '1Gi', limit: '2Gi' }, sidecar: { request: 'lots', limit: '1Gi' } })))
      .toContain("sidecar.request 'lots'");
  });

  test('a request above its limit throws', () => {
    const message = errorOf(() => MemoryProfile.custom({ agent: { request: '2Gi', limit: '1Gi' } }));
    expect(message).toContain("agent.request '2Gi' is larger than the limit '1Gi'");
    expect(() => MemoryProfile.custom({ agent: { request: '1Gi', limit: '1024Mi' } })).not.toThrow();
  });

  test('a decimal quantity that is not whole mebibytes throws', () => {
    const message = errorOf(() => MemoryProfile.custom({ agent: { request: '512Mi', limit: '1G' } }));
    expect(message).toContain("agent.limit '1G'");
    expect(message).toContain('whole number of mebibytes');
  });

  test('the redis backend gives the agent its address, database and password as secretKeyRef', () => {
    const memory = MemoryProfile.MEDIUM.withBackend(MemoryBackend.redis({
      address: 'redis.agents.svc:6379', database: 2, passwordSecret: { name: 'redis-auth', key: 'password' },
    }));
    const { manifests } = synthPod({ source: basicImage(), memory, toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }) });
    const deployment = findObject(manifests, 'Deployment', 'web');
    expect(envOf(container(deployment, 'agent'))).toMatchObject({
      AGENT_MEMORY_BACKEND: 'redis',
      AGENT_MEMORY_REDIS_ADDRESS: 'redis.agents.svc:6379',
      AGENT_MEMORY_REDIS_DB: '2',
      AGENT_MEMORY_REDIS_PASSWORD: { valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
    });
    expect(envNames(container(deployment, 'tool-manager')).filter(n => n.startsWith('AGENT_MEMORY'))).toEqual([]);
  });

  test('the in-memory backend is the default and has no redis variables', () => {
    const { manifests } = synthPod({ source: basicImage() });
    const env = envOf(container(findObject(manifests, 'Deployment', 'web'), 'agent'));
    expect(env.AGENT_MEMORY_BACKEND).toEqual('inmemory');
    expect(Object.keys(env).filter(n => n.startsWith('AGENT_MEMORY_REDIS'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Pod security
// ---------------------------------------------------------------------------

describe('pod security', () => {
  test('every container is restricted and writes only to /tmp and the shared volume', () => {
    const { manifests } = synthPod({
      source: AgentSource.code({ source: CodeSource.git({ repository: 'https://github.com/example/agent' }), runtime: AgentRuntime.PYTHON, version: '3.12' }),
      toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }),
    });
    const deployment = findObject(manifests, 'Deployment', 'web');
    const spec = podSpec(deployment);
    const all = [...spec.containers, ...spec.initContainers];
    expect(all.map((c: any) => c.name).sort()).toEqual(['agent', 'agent-init', 'tool-manager']);
    for (const c of all) {
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
        readOnlyRootFilesystem: true,
      });
      expect(c.securityContext.runAsUser).toBeGreaterThan(0);
      expect(c.securityContext.capabilities.add).toBeUndefined();
      const { mount, volume } = volumeAt(deployment, c, '/tmp');
      expect(mount.readOnly).toBeFalsy();
      expect(volume.emptyDir).toBeDefined();
    }
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    expect(spec.hostNetwork).toBeFalsy();
  });

  test('runAsUser sets the user of the pod and of every container', () => {
    const { manifests } = synthPod({ source: basicImage(), runAsUser: 4242 });
    const deployment = findObject(manifests, 'Deployment', 'web');
    expect(podSpec(deployment).securityContext).toMatchObject({ runAsUser: 4242, runAsGroup: 4242, fsGroup: 4242 });
    for (const name of ['agent', 'agent-init']) {
      expect(container(deployment, name).securityContext).toMatchObject({ runAsUser: 4242, runAsGroup: 4242 });
    }
  });

  test('the ServiceAccount does not mount an API token, and the pod uses it', () => {
    const { manifests } = synthPod({ source: basicImage() });
    const sa = findObject(manifests, 'ServiceAccount', 'web');
    expect(sa.automountServiceAccountToken).toBe(false);
    const spec = podSpec(findObject(manifests, 'Deployment', 'web'));
    expect(spec.serviceAccountName).toEqual('web');
    expect(spec.automountServiceAccountToken).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Config checksum
// ---------------------------------------------------------------------------

describe('config checksum', () => {
  const podWith = (glue: string, providers: LlmProvider[] = []) => synthPod({
    source: basicImage(),
    environment: new AgentEnvironment({ glueCode: GlueCode.fromInline('glue.py', glue) }),
    toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }),
    llmProviders: providers,
  });
  const checksumOf = (glue: string, providers: LlmProvider[] = []) =>
    checksum(findObject(podWith(glue, providers).manifests, 'Deployment', 'web'));

  test('is a sha256 and is stable for the same configuration', () => {
    expect(checksumOf('A = 1\n')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumOf('A = 1\n')).toEqual(checksumOf('A = 1\n'));
    expect(checksumOf('A = 1\n', [anthropic()])).toEqual(checksumOf('A = 1\n', [anthropic()]));
  });

  test('changes when the glue code changes', () => {
    expect(checksumOf('A = 1\n')).not.toEqual(checksumOf('A = 2\n'));
  });

  test('changes when a provider is added, including after construction', () => {
    const without = checksumOf('A = 1\n');
    const withOne = checksumOf('A = 1\n', [anthropic()]);
    expect(withOne).not.toEqual(without);

    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'web', {
      source: basicImage(),
      environment: new AgentEnvironment({ glueCode: GlueCode.fromInline('glue.py', 'A = 1\n') }),
      toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }),
    });
    pod.addLlmProvider(anthropic());
    expect(checksum(findObject(Testing.synth(chart), 'Deployment', 'web'))).toEqual(withOne);
  });
});

// ---------------------------------------------------------------------------
// toAgentTypeSpec
// ---------------------------------------------------------------------------

describe('toAgentTypeSpec', () => {
  test('returns the spec with tools, memory and providers in order, Secrets by reference only', () => {
    const environment = new AgentEnvironment({
      variables: { LOG_LEVEL: 'debug' },
      sdk: { runtime: AgentRuntime.PYTHON, version: '3.9', packages: ['requests', 'pandas'] },
    });
    environment.addSecretVariable('API_KEY', { name: 'container-agent-api', key: 'api-key' });
    const chart = Testing.chart();
    const pod = new AgentPod(chart, 'full-agent', {
      source: AgentSource.image('advanced-agent:latest', { command: ['/usr/local/bin/agent'] }),
      environment,
      toolSidecar: new ToolSidecar({ image: TOOL_IMAGE, required: ['python', 'git'], optional: ['kubectl'] }),
      memory: MemoryProfile.fromSize('1Gi', MemoryBackend.redis({ address: 'redis.agents.svc:6379', passwordSecret: { name: 'redis-auth', key: 'password' } })),
      llmProviders: [anthropic(), openai()],
    });
    const spec = pod.toAgentTypeSpec();
    expect(spec.agent).toMatchObject({
      name: 'agent',
      sourceType: 'container',
      container: { image: 'advanced-agent:latest', pullPolicy: 'IfNotPresent', command: ['/usr/local/bin/agent'] },
      environment: {
        variables: [
          { name: 'LOG_LEVEL', value: 'debug' },
          { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'container-agent-api', key: 'api-key' } } },
        ],
        sdk: { runtime: 'python', version: '3.9', packages: ['requests', 'pandas'] },
      },
    });
    expect(spec.tools).toEqual({ required: ['python', 'git'], optional: ['kubectl'] });
    expect(spec.memory).toEqual({
      size: '1Gi', backendType: 'redis', config: { address: 'redis.agents.svc:6379', database: 0, passwordSecret: { name: 'redis-auth', key: 'password' } },
    });
    expect(spec.llm!.providers!.map((p: any) => [p.name, p.providerType, p.credentialsSecret])).toEqual([
      ['main-llm', 'anthropic', 'anthropic-credentials'],
      ['backup-llm', 'openai', 'openai-credentials'],
    ]);
    const text = JSON.stringify(spec);
    // Secrets appear as references only: each secretKeyRef holds exactly a name and a key.
    expect(text.match(/secretKeyRef/g)).toHaveLength(1);
    expect(text).not.toMatch(/"value":"(?!debug)/);

    // the spec is a valid AgentType for the CRD of this library
    const crd = new AgentTypeCrd(chart, 'crd');
    new AgentType(chart, 'type', { crd, metadata: { name: 'full-agent' }, spec });
    const agentType = Testing.synth(chart).find(m => m.kind === 'AgentType');
    // rendered under the CRD's field names: the struct properties named otherwise are mapped, nothing else changes
    expect(agentType.spec).toEqual(agentTypeSpecToJson(JSON.parse(text), 'test'));
    expect([agentType.spec.agent.type, agentType.spec.memory.type, agentType.spec.llm.providers.map((p: any) => p.type)])
      .toEqual(['container', 'redis', ['anthropic', 'openai']]);
    expect(JSON.stringify(agentType.spec)).not.toMatch(/sourceType|backendType|providerType/);
  });

  test('a code agent is described as code with its source', () => {
    const pod = new AgentPod(Testing.chart(), 'code-agent', {
      source: AgentSource.code({ source: CodeSource.git({ repository: 'https://github.com/example/agent', path: '/src' }), runtime: AgentRuntime.PYTHON, version: '3.9' }),
    });
    const spec = pod.toAgentTypeSpec();
    expect(spec.agent).toEqual({
      name: 'agent',
      sourceType: 'code',
      code: { source: { sourceType: 'git', path: '/src', repository: 'https://github.com/example/agent' }, runtime: 'python', version: '3.9' },
    });
    expect(spec).not.toHaveProperty('tools');
    expect(spec).not.toHaveProperty('llm');
    expect(spec.memory).toEqual({ profile: 'small', size: '512Mi', backendType: 'inmemory' });
  });
});

// ---------------------------------------------------------------------------
// Invalid configuration writes nothing
// ---------------------------------------------------------------------------

describe('invalid configuration writes nothing', () => {
  function buildAndSynth(outdir: string, props: AgentPodProps): void {
    const app = new App({ outdir });
    const chart = new Chart(app, 'agents');
    new AgentPod(chart, 'web', props);
    app.synth();
  }

  test('a valid app writes its manifests (so the empty check below can fail)', () => {
    const outdir = tmpDir('agents-out-');
    buildAndSynth(outdir, { source: basicImage() });
    const files = fs.readdirSync(outdir);
    expect(files.length).toBeGreaterThan(0);
    expect(files.map(f => fs.readFileSync(path.join(outdir, f), 'utf-8')).join('\n')).toContain('kind: Deployment');
  });

  test.each([
    ['missing source', {} as AgentPodProps],
    ['bad agentName', { source: AgentSource.image('nginx:latest'), agentName: 'Web_Agent' }],
    ['providers without a sidecar', { source: AgentSource.image('nginx:latest'), llmProviders: [LlmProvider.openai({ credentials: { secretName: 'openai' } })] }],
  ])('%s: construction throws before synth and the outdir stays empty', (_name, props) => {
    const outdir = tmpDir('agents-out-');
    expect(() => buildAndSynth(outdir, props)).toThrow(/AgentPod 'agents\/web'/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Snapshot of a full agent pod
// ---------------------------------------------------------------------------

describe('full agent pod', () => {
  test('sidecar, environment, SDK, glue code, two providers and redis', () => {
    const environment = new AgentEnvironment({
      variables: { LOG_LEVEL: 'info' },
      sdk: { runtime: AgentRuntime.PYTHON, version: '3.12', packages: ['requests', 'pandas==2.2.2'] },
      glueCode: GlueCode.fromInline('gluecode.py', 'def glue():\n    return 42\n'),
    });
    environment.addSecretVariable('SEARCH_API_KEY', { name: 'search-credentials', key: 'token' });
    const { manifests } = synthPod({
      source: AgentSource.image('registry.example.com/agents/full-agent:1.0', { command: ['python', '-m', 'agent'] }),
      namespaceName: 'agents',
      environment,
      toolSidecar: new ToolSidecar({
        image: TOOL_IMAGE,
        required: ['python'],
        optional: ['kubectl'],
        custom: [{ name: 'search', version: '2.1', source: 'https://registry.example.com/tools/search', sha256: 'abababababababababababababababababababababababababababababababab' }],
      }),
      memory: MemoryProfile.LARGE.withBackend(MemoryBackend.redis({
        address: 'redis.agents.svc:6379', passwordSecret: { name: 'redis-auth', key: 'password' },
      })),
      llmProviders: [anthropic(), openai()],
    }, 'full-agent');

    expect(manifests.map(m => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ConfigMap/full-agent-init', 'ConfigMap/full-agent-tools', 'Deployment/full-agent', 'NetworkPolicy/full-agent', 'ServiceAccount/full-agent',
    ]);
    const deployment = findObject(manifests, 'Deployment', 'full-agent');
    const agentEnv = envOf(container(deployment, 'agent'));
    expect(agentEnv).toMatchObject({
      LOG_LEVEL: 'info',
      SEARCH_API_KEY: { valueFrom: { secretKeyRef: { name: 'search-credentials', key: 'token' } } },
      AGENT_GLUE_CODE: '/shared/glue/gluecode.py',
      AGENT_MEMORY_BACKEND: 'redis',
      TOOL_MANAGER_ENDPOINT: 'http://127.0.0.1:4000',
      AGENT_LLM_PROVIDERS: 'main-llm,backup-llm',
    });
    expect(Object.keys(envOf(container(deployment, 'tool-manager'))).filter(n => n.endsWith('_API_KEY'))).toEqual(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);
    expect(container(deployment, 'agent-init').image).toEqual('python:3.12');
    expect(initScript(manifests, 'full-agent')).toContain('--target "$SHARED/sdk/python" \'requests\' \'pandas==2.2.2\'');
    expect(container(deployment, 'agent').resources.limits.memory).toEqual('2048Mi');
    // no literal secret anywhere in the output
    expect(JSON.stringify(manifests)).not.toMatch(/sk-|"password":|"value":"token"/);

    expect(manifests).toMatchSnapshot();
  });
});

describe('review fixes: nothing the library relies on can be broken silently', () => {
  test('labels may not override the selector labels (the API server would reject the Deployment)', () => {
    const msg = errorOf(() => synthPod({ source: basicImage(), labels: { 'app.kubernetes.io/name': 'other' } }));
    expect(msg).toContain("AgentPod 'test/web': labels['app.kubernetes.io/name'] 'other' would break the Deployment selector");
    const { manifests } = synthPod({ source: basicImage(), labels: { team: 'search' } });
    const d = findObject(manifests, 'Deployment', 'web');
    expect(d.spec.template.metadata.labels.team).toBe('search');
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) expect(d.spec.template.metadata.labels[k]).toBe(v);
  });

  test('reserved variable names (AGENT_*, TOOL_MANAGER_*, LLM_*) and duplicates are refused', () => {
    expect(errorOf(() => new AgentEnvironment({ variables: { AGENT_SHARED_DIR: '/elsewhere' } }))).toContain("variable 'AGENT_SHARED_DIR' is reserved");
    expect(errorOf(() => new AgentEnvironment().addSecretVariable('TOOL_MANAGER_ENDPOINT', { name: 's', key: 'k' }))).toContain('is reserved');
    expect(errorOf(() => new AgentEnvironment({ variables: { LLM_PROXY_ENDPOINT: 'x' } }))).toContain('is reserved');
    const env = new AgentEnvironment({ variables: { MODE: 'a' } });
    expect(errorOf(() => env.addSecretVariable('MODE', { name: 's', key: 'k' }))).toContain("variable 'MODE' is declared twice");
  });

  test('a value that looks like an API key is refused whatever the name, and not echoed', () => {
    for (const key of ['sk-proj-abc123', 'sk-ant-api03-xyz', 'AKIAIOSFODNN7EXAMPLE', 'ghp_abcdef', 'AIzaSyA-example']) {
      const msg = errorOf(() => new AgentEnvironment({ variables: { OPENAI_AUTH: key } }));
      expect(msg).toContain("the value of 'OPENAI_AUTH' looks like an API key");
      expect(msg).not.toContain(key);
    }
    const pasted = errorOf(() => LlmProvider.openai({ credentials: { secretName: 'AIzaSyA-pasted-key' } }));
    expect(pasted).toContain('looks like an API key');
    expect(pasted).not.toContain('AIzaSyA-pasted-key');
  });

  test('generic providers: apiKeyEnvVar is checked and may not take a sidecar variable', () => {
    const generic = (apiKeyEnvVar: string) => LlmProvider.generic({
      providerType: 'vllm', endpoint: 'http://vllm.models.svc:8000/v1', credentials: { secretName: 'vllm' }, apiKeyEnvVar,
    });
    expect(errorOf(() => generic('bad name!'))).toContain("apiKeyEnvVar 'bad name!' is not a valid environment variable name");
    expect(errorOf(() => generic('TOOL_MANAGER_PORT'))).toContain("apiKeyEnvVar 'TOOL_MANAGER_PORT' is reserved");
    expect(errorOf(() => generic('LLM_PROVIDERS_CONFIG'))).toContain('is reserved');
    expect(generic('VLLM_TOKEN').apiKeyEnvVar).toBe('VLLM_TOKEN');
    expect(generic('LLM_VLLM_API_KEY').apiKeyEnvVar).toBe('LLM_VLLM_API_KEY');
  });

  test('environment and sidecar cannot change after an AgentPod rendered them', () => {
    const env = new AgentEnvironment({ variables: { MODE: 'a' } });
    const sidecar = new ToolSidecar({ image: TOOL_IMAGE, required: ['python'] });
    synthPod({ source: basicImage(), environment: env, toolSidecar: sidecar });
    expect(errorOf(() => env.addVariable('LATE', 'x'))).toContain("variable 'LATE' cannot be added: this environment is already rendered by AgentPod 'test/web'");
    expect(errorOf(() => sidecar.addRequiredTool('late-tool'))).toContain("required tool 'late-tool' cannot be added: this sidecar is already rendered by AgentPod 'test/web'");
    // Before rendering, mutators work and the result reaches both the workload and the spec.
    const early = new ToolSidecar({ image: TOOL_IMAGE });
    early.addRequiredTool('git');
    const { pod, manifests } = synthPod({ source: basicImage(), toolSidecar: early });
    expect(JSON.parse(findObject(manifests, 'ConfigMap', 'web-tools').data['tools.json']).required).toEqual(['git']);
    expect(pod.toAgentTypeSpec().tools).toEqual({ required: ['git'] });
  });

  test('a code runtime and an SDK runtime that differ need an explicit initImage', () => {
    const source = AgentSource.code({ source: CodeSource.git({ repository: 'https://github.com/example/agent' }), runtime: AgentRuntime.NODEJS, version: '20' });
    const environment = () => new AgentEnvironment({ sdk: { runtime: AgentRuntime.PYTHON, version: '3.12', packages: ['httpx'] } });
    expect(errorOf(() => synthPod({ source, environment: environment() })))
      .toContain("AgentPod 'test/web': environment.sdk.runtime 'python' differs from the code runtime 'nodejs'; give initImage with both");
    const { manifests } = synthPod({ source, environment: environment(), initImage: 'registry.example.com/init-node-python:1' });
    expect(podSpec(findObject(manifests, 'Deployment', 'web')).initContainers[0].image).toBe('registry.example.com/init-node-python:1');
  });

  test('code source details survive into the AgentType spec (ref, entrypoint, image)', () => {
    const source = AgentSource.code({
      source: CodeSource.git({ repository: 'https://github.com/example/agent', revision: 'v1.2.0', path: '/agent' }),
      runtime: AgentRuntime.PYTHON,
      version: '3.12',
      entrypoint: 'run.py',
      image: 'registry.example.com/py:3.12',
    });
    const { pod } = synthPod({ source });
    expect(pod.toAgentTypeSpec().agent.code).toEqual({
      source: { sourceType: 'git', repository: 'https://github.com/example/agent', revision: 'v1.2.0', path: '/agent' },
      runtime: 'python',
      version: '3.12',
      entrypoint: 'run.py',
      image: 'registry.example.com/py:3.12',
    });
  });

  test('a local source with a binary file is refused', () => {
    const dir = tmpDir('agent-bin-');
    fs.writeFileSync(path.join(dir, 'main.py'), 'print(1)\n');
    fs.writeFileSync(path.join(dir, 'model.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    expect(errorOf(() => CodeSource.local({ directory: dir }))).toContain('is not a UTF-8 text file');
  });

  test('a provider error leaves no half-built agent in the tree', () => {
    const chart = Testing.chart();
    expect(() => new AgentPod(chart, 'web', { source: basicImage(), llmProviders: [anthropic()] })).toThrow(/needs a toolSidecar/);
    const web = chart.node.tryFindChild('web');
    expect(web?.node.children ?? []).toHaveLength(0);
    expect(Testing.synth(chart)).toEqual([]);
  });
});

describe('labels the overlay presets select on', () => {
  test('code agents carry their runtime, agents with a sidecar carry its container name, on every object', () => {
    const { manifests } = synthPod({
      source: AgentSource.code({ source: CodeSource.git({ repository: 'https://github.com/example/a' }), runtime: AgentRuntime.NODEJS, version: '20' }),
      toolSidecar: new ToolSidecar({ image: TOOL_IMAGE, name: 'tools', required: ['git'] }),
    });
    for (const m of manifests) {
      expect(m.metadata.labels[AgentPod.RUNTIME_LABEL]).toBe('nodejs');
      expect(m.metadata.labels[AgentPod.TOOL_SIDECAR_LABEL]).toBe('tools');
    }
    const deployment = findObject(manifests, 'Deployment', 'web');
    expect(deployment.spec.template.metadata.labels[AgentPod.RUNTIME_LABEL]).toBe('nodejs');
    // Not part of the selector: adding a sidecar later must not need a new Deployment.
    expect(Object.keys(deployment.spec.selector.matchLabels)).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
  });

  test('an image agent without a sidecar has neither label', () => {
    const { manifests } = synthPod({ source: basicImage() });
    for (const m of manifests) {
      expect(m.metadata.labels[AgentPod.RUNTIME_LABEL]).toBeUndefined();
      expect(m.metadata.labels[AgentPod.TOOL_SIDECAR_LABEL]).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------
// No secret leaves synth. Each refusal fails at construction (nothing
// written) and the message never repeats the secret.
// ---------------------------------------------------------------------------

describe('no secret leaves synth', () => {
  const GITHUB = 'ghp_0123456789abcdefABCDEF0123456789abcd';
  const OPENAI = 'sk-proj-AbCdEf0123456789_xyzQRSTuvw';
  const credentials = { secretName: 'openai-credentials' };

  test('a token in a git repository URL is refused, not put in the init script and the AgentType', () => {
    for (const repository of [
      `https://x-access-token:${GITHUB}@github.com/org/agent`,
      'https://oauth2:hunter2hunter2@gitlab.example.com/org/agent.git',
      `https://${GITHUB}@github.com/org/agent`,
      'https://github.com/org/agent?access_token=hunter2hunter2',
    ]) {
      const message = errorOf(() => CodeSource.git({ repository }));
      expect(message).toMatch(/^AgentSource 'git': code\.source\.repository holds what looks like a credential/);
      expect(message).not.toContain(GITHUB);
      expect(message).not.toContain('hunter2');
    }
    expect(errorOf(() => CodeSource.git({ repository: 'https://github.com/org/agent', revision: GITHUB }))).toContain('revision (code.source.ref) holds what looks like a credential');
    // Ordinary URLs still pass.
    expect(CodeSource.git({ repository: 'ssh://git@github.com/org/agent.git' }).repository).toBe('ssh://git@github.com/org/agent.git');
  });

  test('LlmProvider config, model and endpoint never carry a key', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => LlmProvider.openai({ credentials, config: { api_key: OPENAI } }), "LlmProvider 'openai': config.api_key holds what looks like a credential (an OpenAI key)"],
      [() => LlmProvider.openai({ credentials, config: { api_key: 'plain-literal-value' } }), "LlmProvider 'openai': config.api_key is named like a credential and holds a literal value"],
      [() => LlmProvider.openai({ credentials, config: { headers: `Authorization: Bearer ${OPENAI}` } }), "LlmProvider 'openai': config.headers holds what looks like a credential"],
      [() => LlmProvider.openai({ credentials, model: OPENAI }), "LlmProvider 'openai': model holds what looks like a credential (an OpenAI key)"],
      [() => LlmProvider.openai({ credentials, endpoint: `https://u:${OPENAI}@host.example.com/v1` }), "LlmProvider 'openai': endpoint holds what looks like a credential"],
      [() => LlmProvider.openai({ credentials, endpoint: 'https://host.example.com/v1?api_key=abc123' }), "LlmProvider 'openai': endpoint holds what looks like a credential (a credential in the URL query parameter api_key)"],
      [() => LlmProvider.generic({ providerType: 'vllm', name: 'sk-0123456789abcdefghij', endpoint: 'http://vllm:8000', credentials }), "LlmProvider '<redacted: an OpenAI key>'"],
    ];
    for (const [make, expected] of cases) {
      const message = errorOf(make);
      expect(message).toContain(expected);
      expect(message).not.toContain(OPENAI);
      expect(message).not.toContain('plain-literal-value');
      expect(message).not.toContain('abc123');
      expect(message).not.toContain('sk-0123456789abcdefghij');
    }
    // Ordinary settings pass and reach the tools ConfigMap.
    const ok = LlmProvider.openai({ credentials, model: 'gpt-4o', config: { max_tokens: '1024', temperature: '0.2' } });
    expect(ok.toSpec().config).toEqual({ max_tokens: '1024', temperature: '0.2', endpoint: 'https://api.openai.com/v1', model: 'gpt-4o' });
  });

  test('otlpEndpoint with a key and image args with a token are refused', () => {
    const withKey = errorOf(() => synthPod({ source: basicImage(), monitoring: { otlpEndpoint: 'https://otlp.example.com:4318?api_key=abc123' } }));
    expect(withKey).toContain("AgentPod 'test/web': monitoring.otlpEndpoint holds what looks like a credential (a credential in the URL query parameter api_key)");
    expect(withKey).not.toContain('abc123');
    const glpat = 'glpat-AbCdEf0123456789xyzQ';
    for (const options of [{ args: [glpat] }, { args: [`--token=${glpat}`] }, { command: ['agent', '--password', 'hunter2hunter2'] }]) {
      const message = errorOf(() => AgentSource.image('agent:1.0', options));
      expect(message).toMatch(/^AgentSource 'image': (args|command)\[\d\] holds what looks like a credential/);
      expect(message).not.toContain(glpat);
      expect(message).not.toContain('hunter2');
    }
    expect(AgentSource.image('agent:1.0', { command: ['agent', '--max-tokens', '100'], args: ['--token-file', '/run/secrets/token'] }).args)
      .toEqual(['--token-file', '/run/secrets/token']);
  });

  test('a local source file holding a credential is refused, naming the file and never the content', () => {
    const dir = tmpDir('local-secret-');
    fs.writeFileSync(path.join(dir, 'main.py'), 'import os\napi_key = os.environ["OPENAI_API_KEY"]\n');
    fs.writeFileSync(path.join(dir, '.env'), `MODEL=gpt-4o\nAPI_KEY="${OPENAI}"\n`);
    const message = errorOf(() => CodeSource.local({ directory: dir }));
    expect(message).toContain("AgentSource 'local': code.source.directory file '.env' holds what looks like a credential (an OpenAI key)");
    expect(message).not.toContain(OPENAI);
    fs.writeFileSync(path.join(dir, '.env'), 'MODEL=gpt-4o\nAPI_KEY=hunter2hunter2\n');
    const byName = errorOf(() => CodeSource.local({ directory: dir }));
    expect(byName).toContain("file '.env' holds what looks like a credential (a literal value for 'API_KEY', named like a credential on line 2)");
    expect(byName).not.toContain('hunter2');
    fs.writeFileSync(path.join(dir, '.env'), 'MODEL=gpt-4o\n');
    expect(Object.keys(CodeSource.local({ directory: dir }).files).sort()).toEqual(['.env', 'main.py']);
  });

  test('AgentPod labels and the Secret names of env vars are screened', () => {
    const labels = errorOf(() => synthPod({ source: basicImage(), labels: { team: 'AKIAIOSFODNN7EXAMPLE' } }));
    expect(labels).toContain("AgentPod 'test/web': labels['team'] holds what looks like a credential (an AWS access key id)");
    expect(labels).not.toContain('AKIAIOSFODNN7EXAMPLE');
    const env = new AgentEnvironment();
    expect(errorOf(() => env.addSecretVariable('DB_PASSWORD', { name: 'sk-0123456789abcdefghij', key: 'password' }))).not.toContain('sk-0123456789abcdefghij');
  });

  test('other free text that reaches manifests: SDK packages, glue code, custom tool sources', () => {
    const pkg = `git+https://x:${GITHUB}@github.com/org/sdk.git`;
    const packages = errorOf(() => new AgentEnvironment({ sdk: { runtime: AgentRuntime.PYTHON, version: '3.12', packages: [pkg] } }));
    expect(packages).toContain("AgentEnvironment 'sdk': sdk.packages holds what looks like a credential (a GitHub token)");
    expect(packages).not.toContain(GITHUB);
    const glue = errorOf(() => GlueCode.fromInline('glue.py', `TOKEN = "${GITHUB}"\n`));
    expect(glue).toContain("AgentEnvironment 'glueCode': glueCode file 'glue.py' holds what looks like a credential (a GitHub token)");
    expect(glue).not.toContain(GITHUB);
    const dir = tmpDir('glue-secret-');
    fs.writeFileSync(path.join(dir, 'glue.js'), 'const apiKey = "hunter2hunter2";\n');
    expect(errorOf(() => GlueCode.fromFile(path.join(dir, 'glue.js')))).not.toContain('hunter2');
    expect(() => GlueCode.fromFile(path.join(dir, 'glue.js'))).toThrow(/named like a credential on line 1/);
    const sidecar = new ToolSidecar({ image: TOOL_IMAGE });
    const tool = errorOf(() => sidecar.addCustomTool({ name: 'scraper', source: `https://tools.example.com/scraper.tgz?token=${GITHUB}`, sha256: 'abababababababababababababababababababababababababababababababab' }));
    expect(tool).toContain("ToolSidecar 'tool-manager': custom tool source holds what looks like a credential");
    expect(tool).not.toContain(GITHUB);
    expect(sidecar.customTools).toEqual([]);
  });

  test('an agent name that looks like a key is refused and never repeated', () => {
    for (const agentName of ['sk-0123456789abcdefghij', 'AKIAIOSFODNN7EXAMPLE', 'ghp_0123456789abcdef']) {
      const message = errorOf(() => synthPod({ source: basicImage(), agentName }));
      expect(message).toContain('agentName');
      expect(message).toMatch(/'<redacted: an? [A-Za-z ]+>'|agentName holds what looks like a credential/);
      expect(message).not.toContain(agentName);
    }
  });
});
