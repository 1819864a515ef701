/**
 * Runs the init script and the wrapper entrypoint that an AgentPod renders,
 * for real, with /bin/sh. The scripts are taken out of the synthesized
 * `<name>-init` ConfigMap (what the cluster would mount), and `git`, `python`
 * and `npm` are stubs that record their arguments and create what they would.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import {
  AgentEnvironment, AgentPodProps, AgentPod, AgentRuntime, AgentSource, CodeSource, GlueCode, ToolSidecar,
} from '../../src';
import { freePort } from '../gateway/litellm-process';
import { container, envOf, errorOf, findObject, tmpDir } from '../support/util';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

function synth(props: AgentPodProps, id = 'web'): any[] {
  const chart = Testing.chart();
  new AgentPod(chart, id, props);
  return Testing.synth(chart);
}

/** Writes every key of a ConfigMap as a file of `dir`, like a configMap volume would. */
function mountConfigMap(configMap: any, dir: string, mode = 0o444): void {
  for (const [key, value] of Object.entries(configMap.data ?? {})) {
    fs.writeFileSync(path.join(dir, key), value as string, { mode });
  }
}

/** Executable stubs of git, python and npm that log their arguments to `<bin>/calls.log`. */
function fakeBin(): { bin: string; log: string } {
  const bin = tmpDir('fake-bin-');
  const log = path.join(bin, 'calls.log');
  const stub = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
  // git clone ... <target>: the target is the last argument
  stub('git', [
    'for a in "$@"; do target="$a"; done',
    'mkdir -p "$target"',
    'echo cloned > "$target/CLONED"',
  ].join('\n'));
  // python -m pip install ... --target DIR pkg...: creates DIR/<pkg>/__init__.py
  stub('python', [
    'if [ -n "${STUB_FAIL:-}" ]; then echo "pip failed" >&2; exit 3; fi',
    'target=""; pkgs=""; next=""',
    'for a in "$@"; do',
    '  if [ "$next" = target ]; then target="$a"; next=""; continue; fi',
    '  case "$a" in --target) next=target ;; -*|install|pip) ;; *) pkgs="$pkgs $a" ;; esac',
    'done',
    'for p in $pkgs; do mkdir -p "$target/$p"; echo "NAME = \'$p\'" > "$target/$p/__init__.py"; done',
  ].join('\n'));
  // npm install ... --prefix DIR pkg...: creates DIR/node_modules/<pkg>/index.js
  stub('npm', [
    'prefix=""; pkgs=""; next=""',
    'for a in "$@"; do',
    '  if [ "$next" = prefix ]; then prefix="$a"; next=""; continue; fi',
    '  case "$a" in --prefix) next=prefix ;; -*|install) ;; *) pkgs="$pkgs ${a%@*}" ;; esac',
    'done',
    'for p in $pkgs; do mkdir -p "$prefix/node_modules/$p"; echo "module.exports = \'$p\';" > "$prefix/node_modules/$p/index.js"; done',
  ].join('\n'));
  return { bin, log };
}

interface InitRun {
  result: SpawnSyncReturns<string>;
  shared: string;
  /** Working directory of the script. */
  cwd: string;
  calls: string[];
  manifests: any[];
  run: (env?: Record<string, string>) => SpawnSyncReturns<string>;
}

/**
 * Synthesizes the pod, mounts its ConfigMaps into temp dirs and runs the init
 * script the init container's command names.
 */
function runInit(props: AgentPodProps, extraEnv: Record<string, string> = {}): InitRun {
  const manifests = synth(props);
  const deployment = findObject(manifests, 'Deployment', 'web');
  const init = container(deployment, 'agent-init');
  expect(init.command[0]).toEqual('/bin/sh');

  const initDir = tmpDir('agent-init-');
  mountConfigMap(findObject(manifests, 'ConfigMap', 'web-init'), initDir, 0o555);
  const sourceDir = tmpDir('agent-source-');
  const source = manifests.find(m => m.kind === 'ConfigMap' && m.metadata.name === 'web-source');
  if (source) mountConfigMap(source, sourceDir);

  const shared = tmpDir('agent-shared-');
  const { bin, log } = fakeBin();
  const script = path.join(initDir, path.posix.basename(init.command[1]));
  const cwd = tmpDir('agent-cwd-');
  const run = (env: Record<string, string> = {}) => spawnSync('/bin/sh', [script], {
    encoding: 'utf-8',
    cwd,
    env: {
      AGENT_SHARED_DIR: shared,
      AGENT_INIT_DIR: initDir,
      AGENT_SOURCE_DIR: sourceDir,
      PATH: `${bin}:/usr/bin:/bin`,
      ...extraEnv,
      ...env,
    },
  });
  const result = run();
  return {
    result,
    shared,
    cwd,
    manifests,
    run,
    get calls() {
      return fs.existsSync(log) ? fs.readFileSync(log, 'utf-8').trim().split('\n') : [];
    },
  };
}

/** Runs the installed wrapper with a command, as the agent container does. */
function runWrapper(shared: string, command: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync('/bin/sh', [path.join(shared, 'bin', 'agent-entrypoint.sh'), ...command], {
    encoding: 'utf-8',
    env: { AGENT_SHARED_DIR: shared, PATH: '/usr/bin:/bin', ...env },
  });
}

function expectSuccess(result: SpawnSyncReturns<string>): void {
  if (result.status !== 0) {
    throw new Error(`exit ${result.status}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

const read = (file: string) => fs.readFileSync(file, 'utf-8');

// ---------------------------------------------------------------------------
// the init script
// ---------------------------------------------------------------------------

describe('init script', () => {
  const glue = 'def glue():\n    return "glued"\n';
  const pythonAgent = (): AgentPodProps => ({
    source: AgentSource.image('custom-agent:latest', { command: ['python', '-m', 'agent'] }),
    environment: new AgentEnvironment({
      sdk: { runtime: AgentRuntime.PYTHON, version: '3.9', packages: ['requests', 'pandas'] },
      glueCode: GlueCode.fromInline('gluecode.py', glue),
    }),
  });

  test('fills the shared volume: wrapper, SDK packages, glue code, then etc/ready', () => {
    const { result, shared, calls } = runInit(pythonAgent());
    expectSuccess(result);
    expect(result.stdout).toContain(`shared volume ready at ${shared}`);

    const wrapper = path.join(shared, 'bin', 'agent-entrypoint.sh');
    expect(fs.existsSync(wrapper)).toBe(true);
    expect(() => fs.accessSync(wrapper, fs.constants.X_OK)).not.toThrow();

    expect(read(path.join(shared, 'glue', 'gluecode.py'))).toEqual(glue);

    const pip = calls.filter(c => c.startsWith('python '));
    expect(pip).toHaveLength(1);
    expect(pip[0]).toMatch(/^python -m pip install .*--target \S+ requests pandas$/);
    expect(pip[0]).toContain(`--target ${shared}/sdk/python `);
    expect(fs.existsSync(path.join(shared, 'sdk', 'python', 'requests', '__init__.py'))).toBe(true);
    expect(fs.existsSync(path.join(shared, 'sdk', 'python', 'pandas', '__init__.py'))).toBe(true);
    expect(calls.filter(c => c.startsWith('git ') || c.startsWith('npm '))).toEqual([]);

    expect(read(path.join(shared, 'etc', 'ready'))).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\n$/);
  });

  test('installs nodejs SDK packages with npm --prefix $SHARED/sdk/node', () => {
    const { result, shared, calls } = runInit({
      source: AgentSource.image('custom-agent:latest', { command: ['node', 'agent.js'] }),
      environment: new AgentEnvironment({ sdk: { runtime: AgentRuntime.NODEJS, version: '20', packages: ['axios@1.7.2', 'lodash'] } }),
    });
    expectSuccess(result);
    const npm = calls.filter(c => c.startsWith('npm '));
    expect(npm).toHaveLength(1);
    expect(npm[0]).toMatch(/^npm install .*--prefix \S+ axios@1\.7\.2 lodash$/);
    expect(npm[0]).toContain(`--prefix ${shared}/sdk/node `);
    expect(fs.existsSync(path.join(shared, 'sdk', 'node', 'node_modules', 'axios', 'index.js'))).toBe(true);
    expect(calls.filter(c => c.startsWith('python '))).toEqual([]);
  });

  test('a failed SDK install fails the init container and leaves the volume not ready', () => {
    const { result, shared } = runInit(pythonAgent(), { STUB_FAIL: '1' });
    expect(result.status).not.toEqual(0);
    expect(result.stderr).toContain('pip failed');
    expect(fs.existsSync(path.join(shared, 'etc', 'ready'))).toBe(false);
    // and the wrapper then refuses to start the agent
    const wrapped = runWrapper(shared, ['sh', '-c', 'echo started']);
    expect(wrapped.status).not.toEqual(0);
    expect(wrapped.stdout).not.toContain('started');
  });

  test('clones a git source into $SHARED/src with the ref, once', () => {
    const init = runInit({
      source: AgentSource.code({
        source: CodeSource.git({ repository: 'https://github.com/example/agent', revision: 'v1.2', path: '/src' }),
        runtime: AgentRuntime.PYTHON,
        version: '3.9',
      }),
    });
    expectSuccess(init.result);
    const git = init.calls.filter(c => c.startsWith('git '));
    expect(git).toEqual([`git clone --depth 1 --branch v1.2 -- https://github.com/example/agent ${init.shared}/src`]);
    expect(read(path.join(init.shared, 'src', 'CLONED'))).toEqual('cloned\n');

    // an init container restart keeps the clone (the emptyDir survives it)
    expectSuccess(init.run());
    expect(init.calls.filter(c => c.startsWith('git '))).toHaveLength(1);
    expect(fs.existsSync(path.join(init.shared, 'etc', 'ready'))).toBe(true);
  });

  test('copies a local source with its nested folders into $SHARED/src', () => {
    const dir = tmpDir('local-agent-');
    fs.mkdirSync(path.join(dir, 'agent', 'tools', 'deep'), { recursive: true });
    const files: Record<string, string> = {
      'main.py': 'from agent.tools import run\nrun()\n',
      'agent/__init__.py': '',
      'agent/tools/__init__.py': 'def run():\n    print("run")\n',
      'agent/tools/deep/config.yaml': 'key: value\n',
      "it's here.txt": 'quoted name\n',
      '$(touch PWNED).txt': 'not a command\n',
    };
    for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, ...file.split('/')), content);

    const { result, shared, cwd, calls } = runInit({
      source: AgentSource.code({ source: CodeSource.local({ directory: dir }), runtime: AgentRuntime.PYTHON, version: '3.12' }),
    });
    expectSuccess(result);
    for (const [file, content] of Object.entries(files)) {
      expect(read(path.join(shared, 'src', ...file.split('/')))).toEqual(content);
    }
    // file names are data, never shell code
    expect(fs.readdirSync(cwd)).toEqual([]);
    expect(fs.existsSync(path.join(shared, 'src', 'PWNED'))).toBe(false);
    expect(calls).toEqual([]);
  });

  test('the agent\'s working directory is where the source lands', () => {
    const dir = tmpDir('local-agent-');
    fs.writeFileSync(path.join(dir, 'main.py'), 'print(1)\n');
    const { result, shared, manifests } = runInit({
      source: AgentSource.code({ source: CodeSource.local({ directory: dir }), runtime: AgentRuntime.PYTHON, version: '3.12' }),
    });
    expectSuccess(result);
    const agent = container(findObject(manifests, 'Deployment', 'web'), 'agent');
    const relative = path.posix.relative(envOf(agent).AGENT_SHARED_DIR, agent.workingDir);
    const entrypoint = agent.command[agent.command.length - 1];
    expect(fs.existsSync(path.join(shared, relative, entrypoint))).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// the wrapper entrypoint
// ---------------------------------------------------------------------------

describe('custom tools: downloaded by the init container, checked against their sha256', () => {
  // A file server of its own process on 127.0.0.1 (the init script runs synchronously, so not in this one).
  let server: ChildProcess;
  let url: string;
  const files = tmpDir('agent-tools-');
  const tool = '#!/bin/sh\necho hello from the custom tool\n';
  fs.writeFileSync(path.join(files, 'hello'), tool);
  const sha256 = createHash('sha256').update(tool).digest('hex');

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', files], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${url}/hello`).then(r => r.ok, () => false)) return;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error('the file server did not start in 10 s');
  }, 20_000);
  afterAll(() => server?.kill());

  const withTool = (digest: string): AgentPodProps => ({
    source: AgentSource.image('custom-agent:latest'),
    networkPolicy: { enabled: false }, // the file server is on loopback, which an egress rule may not name
    toolSidecar: new ToolSidecar({ custom: [{ name: 'hello', source: `${url}/hello`, sha256: digest }] }),
  });

  test('a download with the expected digest is installed as tools/bin/<name>, executable, before etc/ready', () => {
    const { result, shared } = runInit(withTool(sha256));
    expectSuccess(result);
    const installed = path.join(shared, 'tools', 'bin', 'hello');
    expect(spawnSync(installed, [], { encoding: 'utf-8' }).stdout).toBe('hello from the custom tool\n');
    expect(fs.existsSync(path.join(shared, 'etc', 'ready'))).toBe(true);
  });

  test('a download whose digest differs is refused: the script fails naming the tool and both digests, and installs nothing', () => {
    const expected = 'ab'.repeat(32);
    const { result, shared } = runInit(withTool(expected));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`agent-init: custom tool 'hello' from ${url}/hello: sha256 ${sha256} is not the expected ${expected}; refused`);
    expect(fs.readdirSync(path.join(shared, 'tools', 'bin'))).toEqual([]);
    expect(fs.readdirSync(path.join(shared, 'tools')).filter(f => f.startsWith('.download'))).toEqual([]);
    expect(fs.existsSync(path.join(shared, 'etc', 'ready'))).toBe(false);
  });
});

describe('wrapper entrypoint', () => {
  const prepared = () => runInit({
    source: AgentSource.image('custom-agent:latest', { command: ['python', '-m', 'agent'] }),
    environment: new AgentEnvironment({
      sdk: { runtime: AgentRuntime.NODEJS, version: '20', packages: ['axios@1.7.2'] },
      glueCode: GlueCode.fromInline('glue.js', 'module.exports = "glue";\n'),
    }),
  });

  test('puts the SDK and glue code first on PYTHONPATH and NODE_PATH, keeping what was there', () => {
    const { result, shared } = prepared();
    expectSuccess(result);
    const py = runWrapper(shared, ['sh', '-c', 'echo "$PYTHONPATH"']);
    expectSuccess(py);
    expect(py.stdout.trim().startsWith(`${shared}/sdk/python:${shared}/glue`)).toBe(true);
    expect(py.stdout.trim()).toEqual(`${shared}/sdk/python:${shared}/glue`);

    const kept = runWrapper(shared, ['sh', '-c', 'echo "$PYTHONPATH"'], { PYTHONPATH: '/opt/lib' });
    expect(kept.stdout.trim()).toEqual(`${shared}/sdk/python:${shared}/glue:/opt/lib`);

    const node = runWrapper(shared, ['sh', '-c', 'echo "$NODE_PATH"']);
    expect(node.stdout.trim()).toEqual(`${shared}/sdk/node/node_modules:${shared}/glue`);
  });

  test('an agent started through it can load the installed packages and the glue code', () => {
    const { result, shared } = prepared();
    expectSuccess(result);
    const node = runWrapper(shared, [process.execPath, '-e', 'console.log(require("axios"), require("glue.js"))']);
    expectSuccess(node);
    expect(node.stdout.trim()).toEqual('axios glue');
  });

  test('execs the command with its arguments and exit code', () => {
    const { result, shared } = prepared();
    expectSuccess(result);
    const args = runWrapper(shared, ['sh', '-c', 'printf "%s|" "$@"', 'agent', 'one two', "it's"]);
    expect(args.stdout).toEqual("one two|it's|");
    expect(runWrapper(shared, ['sh', '-c', 'exit 7']).status).toEqual(7);
  });

  test('exits non-zero with a clear message when etc/ready is missing', () => {
    const { result, shared } = prepared();
    expectSuccess(result);
    expectSuccess(runWrapper(shared, ['true']));

    fs.rmSync(path.join(shared, 'etc', 'ready'));
    const refused = runWrapper(shared, ['sh', '-c', 'echo started']);
    expect(refused.status).not.toEqual(0);
    expect(refused.stdout).not.toContain('started');
    expect(refused.stderr).toContain(`${shared} was not prepared by the init container`);
  });
});

// ---------------------------------------------------------------------------
// shell injection is refused at construction
// ---------------------------------------------------------------------------

describe('shell injection', () => {
  test.each([
    'requests; rm -rf /',
    "requests'",
    'requests$(id)',
    'requests`id`',
    'requests && curl evil',
    'requests|sh',
    'requests pandas',
    '-e git+https://evil',
  ])('the package specifier %j is refused', (pkg) => {
    const message = errorOf(() => new AgentEnvironment({ sdk: { runtime: AgentRuntime.PYTHON, version: '3.9', packages: ['requests', pkg] } }));
    expect(message).toContain('sdk.packages');
    expect(message).toContain(pkg);
  });

  test.each([
    'https://github.com/example/agent; rm -rf /',
    "https://github.com/example/agent'",
    'https://github.com/$(id)/agent',
  ])('the repository %j is refused', (repository) => {
    expect(errorOf(() => CodeSource.git({ repository }))).toContain('code.source.repository');
  });

  test.each(['main; rm -rf /', "main'", '$(id)', '--upload-pack=evil'])('the git ref %j is refused', (ref) => {
    expect(errorOf(() => CodeSource.git({ repository: 'https://github.com/example/agent', revision: ref }))).toContain('revision (code.source.ref)');
  });

  test('glue code file names are plain names', () => {
    for (const name of ['../evil.py', 'a;b.py', "a'b.py", 'dir/file.py']) {
      expect(() => GlueCode.fromInline(name, 'x')).toThrow(/glueCode.fileName/);
    }
  });
});
