import { cdk8s, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// Versions are pinned exactly as dev dependencies (what we build and test
// against) and published as caret peer dependencies (what users may bring).
const CDK8S_VERSION = '2.70.106';
const CONSTRUCTS_VERSION = '10.8.1';
const CDK8S_PLUS_VERSION = '2.5.6';
const KUBERNETES_MODELS_VERSION = '4.5.1';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-agents',
  packageName: 'cdk8s-agents',
  description:
    'cdk8s constructs to run AI agents on Kubernetes: AgentType CRD, operator install, agent pods with init container, tool sidecar, memory profiles and LLM providers.',
  license: 'Apache-2.0',
  author: 'cdk8s-agents maintainers',
  authorAddress: 'maintainers@cdk8s-agents.dev',
  repositoryUrl: 'https://github.com/cdk8s-agents/cdk8s-agents.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',
  keywords: ['cdk8s', 'kubernetes', 'ai-agents', 'llm', 'crd', 'operator', 'constructs'],

  cdk8sVersion: CDK8S_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  peerDeps: [`cdk8s-plus-28@^${CDK8S_PLUS_VERSION}`],
  devDeps: [
    `cdk8s-plus-28@${CDK8S_PLUS_VERSION}`,
    `kubernetes-models@${KUBERNETES_MODELS_VERSION}`,
    // ServiceMonitor (monitoring.coreos.com/v1) models; 4.4.4 shares kubernetes-models 4.5.1's base 5 / validate 4.
    '@kubernetes-models/prometheus-operator@4.4.4',
    'yaml@^2.6.0',
    '@types/node@^20',
    'ajv-formats@^3.0.1',
  ],
  // Validation of AgentType resources at synth time against the CRD schema:
  // ajv for the JSON Schema, @bufbuild/cel for its x-kubernetes-validations
  // rules (with @bufbuild/protobuf, its peer dependency, bundled beside it so
  // the published package loads). ipaddr.js for the CIDR ranges of network
  // policies.
  bundledDeps: ['ajv@^8.17.1', '@bufbuild/cel@^0.6.1', '@bufbuild/protobuf@^2.6.2', 'ipaddr.js@^2.2.0'],

  // `dist/` holds the synthesized Kubernetes manifests of the examples; npm and
  // jsii packages go to `dist-packages/` so the two never mix.
  artifactsDirectory: 'dist-packages',

  jestOptions: {
    // `--ci`: a snapshot that differs fails the run instead of being rewritten.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  },
  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts', '../bench/**/*.ts'],
  },
  github: false,
  release: false,
  gitignore: ['/dist/', '/dist-packages/', '/bench/results/'],
});

// The main job: synthesize the example app into `dist/` (one YAML file per chart).
project.addTask('synth', {
  description: 'Synthesize the examples app into dist/',
  exec: 'ts-node --project test/tsconfig.json examples/main.ts',
});

project.addTask('bench', {
  description: 'Synthesis speed and memory benchmark (numbers, not a test)',
  exec: 'node --expose-gc -r ts-node/register bench/synth.bench.ts',
  env: { TS_NODE_PROJECT: 'test/tsconfig.json' },
});

project.addPackageIgnore('/examples/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/dist/');
// jsii-pacmak appends its outdir to .npmignore unless it is listed already.
project.addPackageIgnore('dist-packages');

project.synth();
