import * as path from 'path';
import { cdk8s, javascript, JsonFile, TaskStepOptions } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// Versions are pinned exactly as dev dependencies (what we build and test
// against) and published as caret peer dependencies (what users may bring).
const CDK8S_VERSION = '2.70.106';
const CONSTRUCTS_VERSION = '10.8.1';
const CDK8S_PLUS_VERSION = '2.5.6';
const KUBERNETES_MODELS_VERSION = '4.5.1';
/** Where `npx projen synth` compiles the examples, and the benchmarks theirs (gitignored, never published). */
const EXAMPLES_BUILD_DIR = 'build';

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
  // package.json `engines.node`: the Node.js the library and the operator
  // program are tested on; the operator image (Dockerfile) uses its major.
  minNodeVersion: '20.0.0',

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
    // Bundles the examples for the main command (synth) without type-checking.
    'esbuild@^0.28.2',
    // Property-based tests: generated props and overlays (test/property/).
    'fast-check@^4.11.0',
    // The operator image's Dockerfile, parsed and linted by its test
    // (test/operator/dockerfile.test.ts): no Docker engine needed.
    'dockerfile-ast@^0.7.1',
    'dockerfile-utils@^0.16.3',
    // The real MCP tool servers the gateway tests call (test/gateway/).
    '@modelcontextprotocol/sdk@^1.32.2',
  ],
  // Validation of AgentType resources at synth time against the CRD schema:
  // ajv for the JSON Schema, @bufbuild/cel for its x-kubernetes-validations
  // rules (with @bufbuild/protobuf, its peer dependency, bundled beside it so
  // the published package loads). ipaddr.js for the CIDR ranges of network
  // policies. @kubernetes/client-node for the operator program (1.x: 2.x
  // needs Node 22), prom-client for its Prometheus /metrics.
  bundledDeps: ['ajv@^8.17.1', '@bufbuild/cel@^0.6.1', '@bufbuild/protobuf@^2.6.2', 'ipaddr.js@^2.2.0', '@kubernetes/client-node@^1.4.0', 'prom-client@^15.1.3'],

  // `dist/` holds the synthesized Kubernetes manifests of the examples; npm and
  // jsii packages go to `dist-packages/` so the two never mix.
  artifactsDirectory: 'dist-packages',

  jestOptions: {
    // `--ci`: a snapshot that differs fails the run instead of being rewritten.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The integration tests need a control plane: `test:integration` runs
      // them; the language apps need the packages: `test:languages`.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/', '<rootDir>/test/polyglot/'],
    },
  },
  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts', '../bench/**/*.ts'],
  },
  // The bindings for the other jsii languages, named as cdk8s-plus names its
  // own (distribution `cdk8s-plus-28`, module `cdk8s_plus_28`; Maven
  // `org.cdk8s`; Go `github.com/cdk8s-team/cdk8s-plus-go`). `npx projen
  // package` builds all four into dist-packages/ (docs/packages.md).
  publishToPypi: { distName: 'cdk8s-agents', module: 'cdk8s_agents' },
  // The project's domain, cdk8s-agents.dev, reversed: a Java package name
  // cannot hold a hyphen, so the group and the package drop it.
  publishToMaven: { mavenGroupId: 'dev.cdk8sagents', mavenArtifactId: 'cdk8s-agents', javaPackage: 'dev.cdk8sagents' },
  publishToGo: { moduleName: 'github.com/cdk8s-agents/cdk8s-agents-go', packageName: 'cdk8sagents' },
  github: false,
  release: false,
  gitignore: ['/dist/', '/dist-packages/', '/bench/results/', `/${EXAMPLES_BUILD_DIR}/`],
});

// The examples' and the benchmark's own projects, so eslint's type-aware
// rules find their files (the project service reads the nearest tsconfig.json).
for (const dir of ['examples', 'bench']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    compilerOptions: { rootDir: '..', noEmit: true },
    include: ['**/*.ts', '../src/**/*.ts'],
  });
}
// No function in the library longer than about a screen (blank lines and
// comments not counted): constructors store and check, helpers build.
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
});
project.eslint?.addLintPattern('examples');
project.eslint?.addLintPattern('bench');

// Every public member has one name in every jsii language: jsii's reserved-word
// warnings (a `namespace` in C#, a `type` in Go, an `except` in Python, ...)
// are not silenced, as projen's JsiiProject does by default, so a new one
// shows on every compile.
project.compileTask.reset('jsii');
project.watchTask.reset('jsii -w');

// jsii writes lib/ over what is there: a file whose source was moved or
// deleted would stay and be published (and `require('./overlay')` would load a
// stale lib/overlay.js before lib/overlay/index.js). Start from an empty lib/.
project.preCompileTask.exec('rm -rf lib');

// Type-check the tests, the examples and the bench before jest runs: ts-jest
// only transpiles (isolatedModules), so a type error in a test would pass.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

// The main job: synthesize the example app into `dist/` (one folder per
// environment and the kustomize tree). esbuild bundles examples/main.ts and
// the sources it imports into one JavaScript file in a few tens of
// milliseconds (no type-checking: the test command type-checks), and node
// runs it. examples/app.ts reads its glue code from beside itself, so the
// glue folder goes beside the bundle too.
project.addTask('synth', {
  description: 'Synthesize the examples app into dist/ (bundled by esbuild into build/, run with node)',
  // projen's default PATH for tasks is evaluated by `npx -c` (half a second
  // on each run); the project's bin folder in front of PATH is all this task
  // needs, and the shell's echo gives it without starting another node.
  env: { PATH: '$(echo "$(pwd)/node_modules/.bin:$PATH")' },
  steps: [
    {
      exec: `esbuild examples/main.ts --bundle --platform=node --target=node20 --packages=external --log-level=warning --outfile=${EXAMPLES_BUILD_DIR}/examples/main.js`,
    },
    { exec: `cp -R examples/glue ${EXAMPLES_BUILD_DIR}/examples/` },
    { exec: `node ${EXAMPLES_BUILD_DIR}/examples/main.js` },
  ],
});

/**
 * A jest config of its own for tests that start real programs (a control
 * plane, LiteLLM's proxy, the language toolchains): ts-jest with
 * test/tsconfig.json, test files one after the other, a JUnit report.
 * `options` go between the transform and the worker count.
 */
function serialJestConfig(dir: string, testTimeout: number, junitName: string, options: Record<string, unknown> = {}): void {
  new JsonFile(project, `${dir}/jest.config.json`, {
    obj: {
      rootDir: path.relative(dir, '.'),
      testMatch: [`<rootDir>/${dir}/**/*.test.ts`],
      transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
      ...options,
      maxWorkers: 1,
      testTimeout,
      reporters: ['default', ['jest-junit', { outputDirectory: 'test-reports', outputName: junitName }]],
    },
  });
}

// The integration tests run against a real control plane (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler, kwok) built from
// the Go module proxy by test/control-plane/build.sh into a cache outside the
// repository, and started on 127.0.0.1 by the tests' global setup. Part of the
// test command; without Go they are skipped outside CI and fail with CI=true.
const controlPlaneEnv = { TS_NODE_PROJECT: 'test/tsconfig.json', TS_NODE_TRANSPILE_ONLY: 'true' };
const controlPlaneCli = 'node -r ts-node/register test/control-plane/cli.ts';
// One plane, shared: the test files run one after the other. The gateway
// tests need no control plane: `test:gateway` runs them.
serialJestConfig('test/integration', 180_000, 'integration-junit.xml', {
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/gateway/'],
  globalSetup: '<rootDir>/test/integration/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
});
const integrationTask = project.addTask('test:integration', {
  description: 'Integration tests against a local control plane built from source (skipped without Go unless CI=true)',
  exec: `${controlPlaneCli} test --ci`,
  receiveArgs: true,
  env: controlPlaneEnv,
});
project.testTask.spawn(integrationTask);

// The gateway tests run LiteLLM's real proxy (the release
// src/agent/gateway-version.ts names) on 127.0.0.1 against stub LLM providers
// and real MCP servers. test/gateway/build-venv.sh installs it once from PyPI
// into a cache outside the repository (needs python3 3.11 with venv); the
// global setup runs it. No control plane: a jest config of their own.
// One proxy at a time on 2 cores: each takes ~20 s of CPU to start.
serialJestConfig('test/integration/gateway', 120_000, 'gateway-junit.xml', {
  globalSetup: '<rootDir>/test/integration/gateway/global-setup.ts',
});
const gatewayTask = project.addTask('test:gateway', {
  description: 'Gateway tests: LiteLLM\'s proxy on 127.0.0.1 with stub providers and MCP servers (installs it into the cache on the first run: ~2 min)',
  exec: 'jest --ci -c test/integration/gateway/jest.config.json',
  receiveArgs: true,
});
project.testTask.spawn(gatewayTask);
// The example app of each language (examples/languages/) against the
// packages just built: each must write what the TypeScript app writes, byte
// for byte (test/polyglot/apps.test.ts). Run by `package`, once the packages are built.
// One language at a time on 2 cores; a cold Maven or Go run downloads its dependencies.
serialJestConfig('test/polyglot', 900_000, 'languages-junit.xml');
const languagesTask = project.addTask('test:languages', {
  description: 'The Python, Java and Go example apps against dist-packages/ write the TypeScript app\'s files byte for byte (needs `npx projen package`)',
  exec: 'jest --ci -c test/polyglot/jest.config.json',
  receiveArgs: true,
});
project.addTask('control-plane:build', {
  description: 'Build kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd and kwok into the cache (a no-op when cached)',
  exec: `${controlPlaneCli} build`,
  env: controlPlaneEnv,
});
project.addTask('control-plane:up', {
  description: 'Start a local control plane on 127.0.0.1 in the background; prints `export KUBECONFIG=<path>` last',
  exec: `${controlPlaneCli} up`,
  env: controlPlaneEnv,
});
project.addTask('control-plane:down', {
  description: 'Stop the local control plane and remove its data',
  exec: `${controlPlaneCli} down`,
  env: controlPlaneEnv,
});

// The operator program (src/operator/main.ts): `npx cdk8s-agents-operator`.
project.addBins({ 'cdk8s-agents-operator': 'lib/operator/main.js' });

// Benchmarks: numbers, not tests. `bench` runs both; each can run alone.
const benchEnv = { TS_NODE_PROJECT: 'test/tsconfig.json', TS_NODE_TRANSPILE_ONLY: 'true' };
// The synthesis and overlay benchmarks run the library as an app runs the
// package, as compiled JavaScript (bundled by esbuild into build/bench/, as
// `synth` does with the examples): ts-node and the TypeScript compiler would
// add about 120 MiB to the peak RSS measured and slow module loading.
const compiledBench = (name: string, nodeFlags: string[] = []) => ({
  env: { PATH: '$(echo "$(pwd)/node_modules/.bin:$PATH")' },
  steps: [
    { exec: `esbuild bench/${name}.bench.ts --bundle --platform=node --target=node20 --packages=external --log-level=warning --outfile=${EXAMPLES_BUILD_DIR}/bench/${name}.bench.js` },
    { exec: ['node', ...nodeFlags, `${EXAMPLES_BUILD_DIR}/bench/${name}.bench.js`].join(' ') },
  ],
});
project.addTask('bench:synth', {
  description: 'app.synth() speed and memory, and the ratio to the same objects as raw ApiObjects',
  ...compiledBench('synth', ['--expose-gc']),
});
project.addTask('bench:overlay', {
  description: 'Overlay.synth of dev, staging and prod for 100, 1000 and 5000 agents (time, and peak RSS with the default heap and with --max-old-space-size=1536)',
  ...compiledBench('overlay'),
});
project.addTask('bench:operator', {
  description: 'The operator on a real control plane: BENCH_AGENT_TYPES (1000) AgentTypes created at once; time until all Running, API requests per AgentType (audit log), peak RSS, writes of a resync with nothing changed (needs Go; not part of `bench`)',
  exec: 'node -r ts-node/register bench/operator.bench.ts',
  env: benchEnv,
});
project.addTask('bench:property', {
  description: 'The property tests of test/property/ with more cases and a fresh seed (PROPERTY_RUNS, PROPERTY_SEED, PROPERTY_FAMILIES, PROPERTY_SURVEY=1)',
  exec: 'node -r ts-node/register bench/property.ts',
  env: benchEnv,
});
project.addTask('bench', {
  description: 'Synthesis and overlay speed and memory benchmarks (numbers, not a test)',
  steps: [{ spawn: 'bench:synth' }, { spawn: 'bench:overlay' }],
});

// Packages: `npx projen package` builds the npm package and the Python, Java
// and Go bindings into dist-packages/<lang>/ (docs/design.md, "Packages").
// projen runs only package:js on CI (its GitHub workflow would package each
// language in a job of its own); here CI builds all four like a developer.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package-all')!);
/** projen's package:<lang> task, its steps replaced by `steps`. */
function customisePackageTask(lang: string, steps: Array<TaskStepOptions & { exec: string }>): void {
  const task = project.tasks.tryFind(`package:${lang}`)!;
  task.reset();
  // pacmak copies into its output folder: what an earlier build left goes first.
  task.exec(`rm -rf ${project.artifactsDirectory}/${lang}`);
  for (const { exec, ...options } of steps) task.exec(exec, options);
}
// A wheel and an sdist; pacmak makes a venv and pip-installs its build tools.
customisePackageTask('python', [
  { exec: 'packaging/require-toolchain.sh python' },
  { exec: 'jsii-pacmak -v --target python' },
]);
// Maven Central lacks the cdk8s and cdk8s-plus-28 versions we build against,
// so jsii-bindings.sh builds them once into a cache: a Maven local repository
// that our build resolves from (and does not install our own jar into).
customisePackageTask('java', [
  { exec: 'packaging/jsii-bindings.sh java', outputEnv: 'JSII_BINDINGS' },
  {
    exec: 'jsii-pacmak -v --target java --maven-local-repository $JSII_BINDINGS/repository',
    env: { MAVEN_OPTS: '-Dmaven.install.skip=true' },
  },
]);
// The Go module proxy lacks cdk8s-core-go: jsii-bindings.sh builds the Go
// modules of cdk8s and cdk8s-plus-28 once into a cache. Linked beside our
// module for the build, pacmak finds them as modules built in the same run
// and `replace`s them in the go.mod it builds with; then the links go.
const goOut = `${project.artifactsDirectory}/go`;
customisePackageTask('go', [
  { exec: 'packaging/jsii-bindings.sh go', outputEnv: 'JSII_BINDINGS' },
  { exec: `mkdir -p ${goOut}` },
  { exec: `ln -s $JSII_BINDINGS/go/cdk8s $JSII_BINDINGS/go/cdk8splus28 ${goOut}/` },
  { exec: 'jsii-pacmak -v --target go', env: { GOTOOLCHAIN: 'local' } },
  { exec: `rm ${goOut}/cdk8s ${goOut}/cdk8splus28` },
]);
project.addPackageIgnore('/packaging/');
// The build cache protocol of the packaging, control-plane and gateway scripts.
project.addPackageIgnore('/scripts/');

// npm 11 lists the dependencies whose install scripts the project has not
// reviewed (npm 12 will skip them). Reviewed: esbuild's postinstall checks
// and links its platform binary (bench and synth bundle with it);
// @parcel/watcher's install script builds its native module only when no
// prebuilt binary fits (jest's watch mode). Both run as they always have.
project.package.addField('allowScripts', { 'esbuild': true, '@parcel/watcher': true });

project.addPackageIgnore('/examples/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/dist/');
// The operator image's build files are no part of the npm package.
project.addPackageIgnore('/Dockerfile');
project.addPackageIgnore('/.dockerignore');
// Nor are CI, the cdk8s CLI's config for the examples, and the design notes.
project.addPackageIgnore('/.ci/');
project.addPackageIgnore('/cdk8s.yaml');
project.addPackageIgnore('/docs/');
project.addPackageIgnore(`/${EXAMPLES_BUILD_DIR}/`);
// jsii-pacmak appends its outdir to .npmignore unless it is listed already.
project.addPackageIgnore('dist-packages');

// The packages are proven where they are built: `package` (the last step of
// `build`) ends with the language apps on them. (projen locks `build`.)
project.packageTask.spawn(languagesTask);

project.synth();
