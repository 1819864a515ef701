/**
 * The library as a user gets it: `npm pack` of the compiled library (what
 * `npm publish` uploads), installed with its peer dependencies at the
 * versions this repository pins into a fresh app under os.tmpdir(). Every
 * ```ts block of README.md is a program of that app: compiled with the
 * app's own `tsc`, run with `node`, and its synthesized YAML checked.
 *
 * Needs the jsii build in lib/ (`npx projen build` compiles before it
 * tests) and the npm registry or an npm cache holding the peer dependencies.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  checkCompiledLibrary, compileApp, createConsumerApp, nodeInApp, packLibrary, PackedLibrary, pinnedVersions, REPO_ROOT,
  resolveFromApp, runProgram, runWithTsNode, tmpRoot,
} from './consumer-app';
import { codeBlocks, TypeScriptBlock, typeScriptBlocks } from './readme';
import { applyOrderProblems, container, envOf, findObject, podSpec } from '../support/util';

/** A README program: its block, and its file name in the app (`src/<name>.ts`). */
interface ReadmeProgram extends TypeScriptBlock {
  readonly name: string;
}

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');
const BLOCKS = typeScriptBlocks(README);

/** The packages of the README's `npm install --save-dev ...` line (TypeScript, ts-node, Node types). */
function readmeDevDependencies(): string[] {
  const line = /^npm install --save-dev ([\w@./^~ -]+)$/m.exec(README);
  if (!line) throw new Error('README.md has no `npm install --save-dev ...` line');
  return line[1].trim().split(/\s+/);
}
/** The block under "Usage" is the app's main.ts; the others are named by their place in the README. */
const PROGRAMS: ReadmeProgram[] = BLOCKS.map((block, i) => ({
  ...block,
  name: i === BLOCKS.findIndex(b => b.heading === 'Usage') ? 'main' : `readme-${i + 1}`,
}));

const CREDENTIAL_NAME = /API_?KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/** One entry per tsc diagnostic (tsc indents the continuation lines of a message). */
function diagnosticList(output: string): string[] {
  const list: string[] = [];
  for (const line of output.split('\n').filter(l => l.trim() !== '')) {
    if (/^\s/.test(line) && list.length > 0) list[list.length - 1] += ` ${line.trim()}`;
    else list.push(line);
  }
  return list;
}

/** tsc's diagnostics for one program, with README.md line numbers. */
function diagnosticsOf(program: ReadmeProgram, diagnostics: string[]): string[] {
  const prefix = `src/${program.name}.ts(`;
  return diagnostics.filter(d => d.startsWith(prefix)).map(d => {
    const [, line, column, message] = /^[^(]+\((\d+),(\d+)\):\s*(.*)$/.exec(d) ?? [];
    return `README.md:${program.line + Number(line) - 1}:${column} ${message}`;
  });
}

/** Every object of every YAML file under `dir`, with the file each came from. */
function synthesized(dir: string): any[] {
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' }).filter(f => f.endsWith('.yaml')).sort();
  return files.flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf-8'))
    .map(d => d.toJSON()).filter(o => o).map(o => ({ ...o, file: f })));
}

function images(objects: any[]): string[] {
  return objects.filter(o => o.spec?.template?.spec).flatMap(o => {
    const spec = podSpec(o);
    return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => c.image);
  });
}

/** No Secret is written and no variable named like a credential holds a literal value. */
function expectNoLiteralCredentials(objects: any[]): void {
  expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
  const literal = objects.filter(o => o.spec?.template?.spec).flatMap(o => {
    const spec = podSpec(o);
    return [...(spec.initContainers ?? []), ...spec.containers].flatMap((c: any) => (c.env ?? [])
      .filter((e: any) => CREDENTIAL_NAME.test(e.name) && e.value !== undefined)
      .map((e: any) => `${o.metadata.name}/${c.name}: ${e.name}`));
  });
  expect(literal).toEqual([]);
}

/** `kubectl apply -f` of the files in order creates each Namespace and CRD before the objects that need it. */
function expectApplyOrder(objects: any[]): void {
  expect(applyOrderProblems(objects)).toEqual([]);
}

/** The operator install and the CRD, as every README program renders them. */
function expectOperatorInstall(objects: any[], operatorImage: unknown): void {
  const crd = findObject(objects, 'CustomResourceDefinition', 'agenttypes.agents.example.com');
  expect(crd.spec.names.kind).toBe('AgentType');
  findObject(objects, 'Namespace', 'agents-system'); // throws when it is missing
  const operator = findObject(objects, 'Deployment', 'agent-operator');
  expect(operator.metadata.namespace).toBe('agents-system');
  expect(container(operator, 'manager').image).toEqual(operatorImage);
}

/** What each README program must synthesize, by the heading it is under. */
const CHECKS: Record<string, (cwd: string) => void> = {
  'Quick start': cwd => {
    const objects = synthesized(path.join(cwd, 'dist'));
    expect([...new Set(objects.map(o => o.file))]).toEqual(['agents.k8s.yaml']);
    expectOperatorInstall(objects, 'registry.example.com/agent-operator:1.0.0');
    expect(findObject(objects, 'Namespace', 'agents').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const agent = findObject(objects, 'Deployment', 'hello-agent');
    expect(agent.metadata.namespace).toBe('agents');
    expect(container(agent, 'agent').image).toBe('registry.example.com/hello-agent:1.0.0');
    expect(container(agent, 'agent-init').image).toBe('busybox:1.36');
    expect(objects.filter(o => o.metadata.name.startsWith('hello-agent')).map(o => `${o.kind} ${o.metadata.namespace}`).sort())
      .toEqual(['ConfigMap agents', 'Deployment agents', 'NetworkPolicy agents', 'ServiceAccount agents']);
    expectApplyOrder(objects);
    expectNoLiteralCredentials(objects);
  },
  'Usage': cwd => {
    const objects = synthesized(path.join(cwd, 'dist'));
    // GitOps: the agents as workloads, no operator and no AgentType.
    expect(objects.filter(o => ['AgentType', 'CustomResourceDefinition'].includes(o.kind) || o.metadata.name === 'agent-operator')).toEqual([]);
    expect([...new Set(objects.map(o => o.file))]).toEqual(['0000-platform.k8s.yaml', '0001-agents.k8s.yaml']);
    expectApplyOrder(objects);
    const researcher = findObject(objects, 'Deployment', 'researcher');
    expect(researcher.metadata.namespace).toBe('agents');
    expect(podSpec(researcher).containers.map((c: any) => c.name)).toEqual(['agent', 'tool-manager']);
    expect(podSpec(researcher).initContainers.map((c: any) => c.name)).toEqual(['agent-init']);
    expect(container(researcher, 'agent-init').image).toBe('python:3.12');
    const agentEnv = envOf(container(researcher, 'agent'));
    expect(agentEnv.SEARCH_API_KEY).toEqual({ valueFrom: { secretKeyRef: { name: 'search-api', key: 'token' } } });
    expect(agentEnv.AGENT_LLM_PROVIDERS).toBe('main-llm,backup-llm');
    // The LLM keys are the sidecar's only.
    const sidecarSecrets = Object.values(envOf(container(researcher, 'tool-manager')))
      .map((e: any) => e?.valueFrom?.secretKeyRef?.name).filter(n => n);
    expect(sidecarSecrets).toEqual(expect.arrayContaining(['anthropic', 'openai']));
    expect(Object.values(agentEnv).map((e: any) => e?.valueFrom?.secretKeyRef?.name).filter(n => n)).toEqual(['search-api']);
    expect(container(researcher, 'agent').ports.map((p: any) => p.containerPort)).toEqual([8080, 9464]);
    expect(agentEnv.AGENT_METRICS).toBe('api_latency');
    expectNoLiteralCredentials(objects);
  },
  'More LLM providers, and fallback': cwd => {
    const objects = synthesized(path.join(cwd, 'dist'));
    const planner = findObject(objects, 'Deployment', 'planner');
    const config = parseYaml(findObject(objects, 'ConfigMap', 'planner-tools').data['config.yaml']);
    expect(config.model_list.map((m: any) => [m.model_name, m.litellm_params.model])).toEqual([
      ['main-llm', 'anthropic/claude-sonnet-4-5'],
      ['bedrock', 'bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0'],
      ['local', 'openai/meta-llama/Llama-3.1-8B-Instruct'],
    ]);
    expect(config.router_settings.fallbacks).toEqual([{ 'main-llm': ['bedrock', 'local'] }, { bedrock: ['local'] }]);
    expect(findObject(objects, 'ServiceAccount', 'planner').metadata.annotations['eks.amazonaws.com/role-arn'])
      .toBe('arn:aws:iam::123456789012:role/planner-bedrock');
    expect(envOf(container(planner, 'agent'))).toMatchObject({ LLM_MODEL: 'main-llm', OPENAI_BASE_URL: 'http://127.0.0.1:4000/v1' });
    expectApplyOrder(objects);
    expectNoLiteralCredentials(objects);
  },
  'Two ways to run agents': cwd => {
    const objects = synthesized(path.join(cwd, 'dist'));
    expectOperatorInstall(objects, 'registry.example.com/agent-operator:1.0.0');
    expect(container(findObject(objects, 'Deployment', 'agent-operator'), 'manager').args)
      .toContain('--tool-sidecar-image=registry.example.com/mirror/litellm:v1.108.7');
    const type = findObject(objects, 'AgentType', 'researcher');
    expect(type.spec.monitoring).toEqual({ enabled: true, metrics: ['api_latency'] });
    expect(type.spec.security.networkPolicy.allowedNamespaces).toEqual(['frontend']);
    // The operator renders the workloads: none in the manifests.
    expect(objects.filter(o => o.kind === 'Deployment').map(o => o.metadata.name)).toEqual(['agent-operator']);
    expectApplyOrder(objects);
    expectNoLiteralCredentials(objects);
  },
  'A code agent': cwd => {
    const objects = synthesized(path.join(cwd, 'dist'));
    const agent = findObject(objects, 'Deployment', 'summarizer');
    expect(container(agent, 'agent').image).toBe('python:3.12-slim');
    expect(container(agent, 'agent-init').image).toBe('python:3.12');
    expectApplyOrder(objects);
    expectNoLiteralCredentials(objects);
  },
  'Environments: composing an overlay': cwd => {
    for (const env of ['dev', 'staging', 'prod']) {
      const objects = synthesized(path.join(cwd, 'dist', env));
      expectOperatorInstall(objects, env === 'prod'
        ? expect.stringMatching(/^registry\.example\.com\/agent-operator:1\.0\.0@sha256:[0-9a-f]{64}$/)
        : 'registry.example.com/agent-operator:1.0.0');
      expectApplyOrder(objects);
      expectNoLiteralCredentials(objects);
      expect(fs.existsSync(path.join(cwd, 'dist', 'kustomize', 'overlays', env, 'kustomization.yaml'))).toBe(true);
    }
    const prod = synthesized(path.join(cwd, 'dist', 'prod'));
    expect(images(prod).filter(i => !/@sha256:[0-9a-f]{64}$/.test(i))).toEqual([]);
    const researcher = findObject(prod, 'Deployment', 'researcher');
    expect(researcher.spec.replicas).toBe(4);
    expect(container(researcher, 'agent').image).toMatch(/^registry\.example\.com\/researcher:2\.1\.1@sha256:/);
    expect(podSpec(researcher).priorityClassName).toBe('agents-high');
    // The runtime label lets the python preset reach the image agent.
    expect(container(researcher, 'agent').ports).toContainEqual(expect.objectContaining({ name: 'http', containerPort: 8080 }));
    const dev = findObject(synthesized(path.join(cwd, 'dist', 'dev')), 'Deployment', 'researcher');
    expect(dev.spec.replicas).toBe(1);
    expect(envOf(container(dev, 'agent')).AGENT_LOG_LEVEL).toBe('debug');
    const staging = findObject(synthesized(path.join(cwd, 'dist', 'staging')), 'Deployment', 'researcher');
    expect(envOf(container(staging, 'agent')).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.monitoring:4317');
    expect(findObject(prod, 'AgentType', 'researcher').spec.scaling).toEqual({ minReplicas: 2, maxReplicas: 10 });
  },
  'Tools over MCP': cwd => {
    const objects = synthesized(path.join(cwd, 'dist'));
    const coder = findObject(objects, 'Deployment', 'coder');
    expect(envOf(container(coder, 'agent')).MCP_SERVER_URL).toBe('http://127.0.0.1:4000/mcp');
    const sidecar = envOf(container(coder, 'tool-manager'));
    expect(sidecar.MCP_GITHUB_HEADER_AUTHORIZATION).toEqual({ valueFrom: { secretKeyRef: { name: 'github-mcp', key: 'authorization' } } });
    expect([sidecar.LITELLM_ENABLE_MCP_STDIO, sidecar.LITELLM_MCP_STDIO_EXTRA_COMMANDS]).toEqual(['true', 'uvx']);
    const config = findObject(objects, 'ConfigMap', 'coder-tools').data['config.yaml'];
    expect(config).toContain('os.environ/MCP_GITHUB_HEADER_AUTHORIZATION');
    expect(config).toContain('mcp-server-fetch');
    expectApplyOrder(objects);
    expectNoLiteralCredentials(objects);
  },
  'In a cluster': cwd => {
    const objects = synthesized(path.join(cwd, 'dist'));
    expect([...new Set(objects.map(o => o.file))]).toEqual(['operator.k8s.yaml']);
    expectApplyOrder(objects);
    const manager = container(findObject(objects, 'Deployment', 'agent-operator'), 'manager');
    expect(manager.image).toBe('registry.example.com/agent-operator:1.0.0');
    expect(manager.command).toBeUndefined(); // the image's ENTRYPOINT runs the program, with these args
    expect(manager.args).toEqual([
      '--leader-elect', '--leader-election-id=cdk8s-agents-operator', '--metrics-bind-address=:8080',
      '--health-probe-bind-address=:8081', '--log-level=info',
    ]);
    // The section's table names every flag the program is given.
    const section = README.slice(README.indexOf('## Running the operator'), README.indexOf('### Out of cluster'));
    expect(manager.args.filter((a: string) => !section.includes(`\`${a}`))).toEqual([]);
    expect(envOf(manager).WATCH_NAMESPACE).toBe('agents');
    expect(manager.securityContext).toEqual(expect.objectContaining({ runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true }));
    expect(objects.filter(o => o.kind === 'Role').map(o => `${o.metadata.namespace}/${o.metadata.name}`).sort())
      .toEqual(['agents-system/agent-operator-leader-election', 'agents/agent-operator']);
  },
};

test('README.md has one TypeScript program per section, each checked below', () => {
  expect(PROGRAMS.map(p => p.heading)).toEqual(Object.keys(CHECKS));
});

test('README.md installs every peer dependency and states the ranges package.json declares', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');
  const peers: Record<string, string> = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf-8')).peerDependencies;
  const install = /^npm install cdk8s-agents( [\w@./^~-]+)*$/m.exec(readme)?.[0] ?? '';
  expect(install.split(' ').slice(3).sort()).toEqual(Object.keys(peers).sort());
  for (const [name, range] of Object.entries(peers)) expect(readme).toContain(`\`${name}\` (${range})`);
});

describe('the packed library, installed in a fresh app', () => {
  let root: string;
  let packed: PackedLibrary;
  let app: string;
  let diagnostics: string[];

  beforeAll(() => {
    checkCompiledLibrary();
    root = tmpRoot('cdk8s-agents-consumer-');
    packed = packLibrary(root);
    app = createConsumerApp(root, [
      packed.tarball,
      ...pinnedVersions('cdk8s', 'cdk8s-plus-28', 'constructs'),
      ...readmeDevDependencies(), // typescript, ts-node and @types/node, as the README says
    ]);
    for (const program of PROGRAMS) fs.writeFileSync(path.join(app, 'src', `${program.name}.ts`), program.code);
    diagnostics = diagnosticList(compileApp(app));
  }, 5 * 60_000);

  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the package holds the compiled library and its bundled dependencies, not the sources', () => {
    expect(packed.files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', '.jsii', 'lib/index.js', 'lib/index.d.ts']));
    const bundled: string[] = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf-8')).bundledDependencies;
    expect(packed.files).toEqual(expect.arrayContaining(bundled.map(name => `node_modules/${name}/package.json`)));
    const unpublished = /^(src|test|examples|bench|build|dist|dist-packages|coverage|projenrc|packaging)\//;
    expect(packed.files.filter(f => unpublished.test(f))).toEqual([]);
  });

  test('the app resolves cdk8s-agents and its peer dependencies from its own node_modules', () => {
    for (const name of ['cdk8s-agents', 'cdk8s', 'cdk8s-plus-28', 'constructs']) {
      expect(path.relative(app, resolveFromApp(app, name))).toMatch(new RegExp(`^node_modules/${name}/`));
    }
    expect(resolveFromApp(app, 'cdk8s-agents')).toBe(path.join(app, 'node_modules', 'cdk8s-agents', 'lib', 'index.js'));
  });

  test('node loads cdk8s-agents in the app, with the dependencies it bundles', () => {
    const exported = nodeInApp(app, "console.log(Object.keys(require('cdk8s-agents')).sort().join(' '))").trim().split(' ');
    expect(exported).toEqual(expect.arrayContaining(['AgentOperator', 'AgentPod', 'AgentType', 'AgentTypeCrd', 'Overlay']));
  });

  test('tsc reports nothing outside the README programs', () => {
    const names = PROGRAMS.map(p => `src/${p.name}.ts(`);
    expect(diagnostics.filter(d => !names.some(n => d.startsWith(n)))).toEqual([]);
  });

  test('the Quick start runs with ts-node and the tsconfig.json of the Install section', () => {
    const cwd = path.join(app, 'runs', 'ts-node');
    fs.mkdirSync(cwd, { recursive: true });
    const [tsconfig] = codeBlocks(README, new Set(['json'])).filter(b => b.heading === 'Install');
    expect(tsconfig).toBeDefined();
    fs.writeFileSync(path.join(cwd, 'tsconfig.json'), tsconfig.code);
    fs.writeFileSync(path.join(cwd, 'main.ts'), PROGRAMS.find(p => p.heading === 'Quick start')!.code);
    CHECKS['Quick start'](runWithTsNode(app, cwd));
  }, 120_000);

  describe.each(PROGRAMS)('README program under "$heading" (README.md line $line)', program => {
    test('compiles with the app\'s tsc', () => {
      expect(diagnosticsOf(program, diagnostics)).toEqual([]);
    });

    test('runs with node and synthesizes what the README says', () => {
      const check = CHECKS[program.heading];
      expect(check).toBeDefined();
      check(runProgram(app, program.name));
    }, 60_000);
  });
});
