/**
 * The operator image's Dockerfile, checked without a Docker engine. It is
 * parsed with dockerfile-ast and linted with dockerfile-utils (the parser and
 * linter of VS Code's Docker language server), then held against what it must
 * agree with: the package's `bin` entry and the files `npm pack` publishes,
 * package.json `engines`, the securityContext and args `AgentOperator`
 * renders, and the operator program's sources (it must write no file, since
 * it runs with a read-only root filesystem).
 *
 * The `npm pack` check needs the jsii build in lib/ (`npx projen compile`;
 * `npx projen build` compiles before it tests).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { DockerfileParser, From, Instruction, JSONInstruction, ModifiableInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import * as ts from 'typescript';
import { AgentOperator } from '../../src';
import { checkCompiledLibrary, REPO_ROOT } from '../package/consumer-app';
import { container, findObject, podSpec } from '../support/util';

const DOCKERFILE_TEXT = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf-8');
const DOCKERFILE = DockerfileParser.parse(DOCKERFILE_TEXT);
const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf-8'));
const BIN_NAME = 'cdk8s-agents-operator';
/** Where the distroless Node.js images keep node (their own ENTRYPOINT). */
const DISTROLESS_NODE = '/nodejs/bin/node';
/** Where the install stage puts the package and its dependencies. */
const APP_DIR = '/app';

/** One build stage: its FROM and the instructions after it, up to the next FROM. */
interface Stage {
  readonly from: From;
  readonly name: string | null;
  readonly instructions: Instruction[];
}

function stagesOf(): Stage[] {
  const stages: { from: From; name: string | null; instructions: Instruction[] }[] = [];
  for (const instruction of DOCKERFILE.getInstructions()) {
    if (instruction instanceof From) stages.push({ from: instruction, name: instruction.getBuildStage(), instructions: [] });
    else if (stages.length > 0) stages[stages.length - 1].instructions.push(instruction);
  }
  return stages;
}

const STAGES = stagesOf();
const FINAL = STAGES[STAGES.length - 1];

/** The instructions of `stage` with `keyword` (upper case). */
function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter(i => i.getKeyword() === keyword);
}

/** An instruction's arguments as written (quotes and all), one string per argument. */
function argumentsOf(instruction: Instruction): string[] {
  return instruction.getArguments().map(a => a.getValue());
}

/** The value of an instruction's `--name=value` flag, if it has one. */
function flagOf(instruction: Instruction, name: string): string | undefined {
  if (!(instruction instanceof ModifiableInstruction)) return undefined;
  return instruction.getFlags().find(f => f.getName() === name)?.getValue() ?? undefined;
}

/** The Node.js major a base image runs: `node:<major>-...` or `gcr.io/distroless/nodejs<major>-...`. */
function nodeMajorOf(from: From): number {
  const name = from.getImageName() ?? '';
  const tag = from.getImageTag() ?? '';
  const major = name === 'node' ? /^(\d+)\b/.exec(tag)?.[1] : /^distroless\/nodejs(\d+)-/.exec(name)?.[1];
  if (!major) throw new Error(`FROM ${from.getImage()}: no Node.js major in the image name or tag`);
  return Number(major);
}

/** The lowest Node.js major a semver range like `>= 20.0.0`, `^20`, `20.x` or `>=20.9 <23` allows. */
function minimumMajor(range: string, what: string): number {
  const major = /^\s*(?:>=|\^|~)?\s*v?(\d+)(?:[.\s]|$)/.exec(range)?.[1];
  if (!major) throw new Error(`${what} '${range}': no lowest major version in it`);
  return Number(major);
}

/** The Deployment `AgentOperator` renders with its defaults. */
function operatorDeployment(): any {
  const chart = Testing.chart();
  new AgentOperator(chart, 'Operator', { image: 'registry.example.com/agent-operator:1.0.0' });
  return findObject(Testing.synth(chart), 'Deployment', 'agent-operator');
}

test('the Dockerfile parses with no problem dockerfile-utils reports', () => {
  const problems = validate(DOCKERFILE_TEXT).map(d => `Dockerfile:${d.range.start.line + 1}: ${d.message}`);
  expect(problems).toEqual([]);
  expect(STAGES.length).toBeGreaterThan(0);
});

describe('stages', () => {
  test('it is multi-stage, every stage before the last is named and used, and COPY --from names an earlier stage', () => {
    expect(STAGES.length).toBeGreaterThanOrEqual(2);
    const names = STAGES.map(s => s.name);
    const copiedFrom = new Set<string>();
    const notEarlier = STAGES.flatMap((stage, index) => instructionsOf(stage, 'COPY').flatMap(copy => {
      const from = flagOf(copy, 'from');
      if (from === undefined) return [];
      copiedFrom.add(from);
      return names.slice(0, index).includes(from) ? [] : [copy.getTextContent()];
    }));
    expect(notEarlier).toEqual([]);
    const builders = STAGES.slice(0, -1).map(s => s.name);
    expect(builders.every(n => n !== null)).toBe(true);
    // A stage nothing copies from would be built for nothing (or is a mistake).
    expect(builders.filter(n => !copiedFrom.has(n!))).toEqual([]);
  });

  test('the builder stages use node:<major>-bookworm-slim pinned by tag and digest', () => {
    for (const stage of STAGES.slice(0, -1)) {
      expect({ image: stage.from.getImage(), name: stage.from.getImageName(), registry: stage.from.getRegistry() })
        .toEqual({ image: stage.from.getImage(), name: 'node', registry: null });
      expect(stage.from.getImageTag()).toMatch(/^\d+-bookworm-slim$/);
      expect(stage.from.getImageDigest()).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  test('the build stage compiles and packs the package; the install stage installs that tarball without devDependencies', () => {
    const runs = (stage: Stage) => instructionsOf(stage, 'RUN').map(r => argumentsOf(r).join(' '));
    const build = runs(STAGES[0]).join('\n');
    expect(build).toMatch(/\bnpm ci\b/);
    expect(build).toMatch(/\bnpx projen compile\b/);
    expect(build).toMatch(/\bnpm pack\b/);
    const install = runs(STAGES[STAGES.length - 2]).filter(r => /\bnpm install\b/.test(r));
    expect(install).toHaveLength(1);
    expect(install[0]).toMatch(/ --omit=dev( |$)/);
    expect(install[0]).toMatch(/\.tgz( |$)/);
    expect(instructionsOf(STAGES[STAGES.length - 2], 'WORKDIR').map(argumentsOf)).toEqual([[APP_DIR]]);
  });

  test('the final stage is distroless Node.js as nonroot, copies the installed app and runs nothing (it has no shell)', () => {
    const from = FINAL.from;
    expect(from.getRegistry()).toBe('gcr.io');
    expect(from.getImageName()).toMatch(/^distroless\/nodejs\d+-debian\d+$/);
    expect(from.getImageTag()).toBe('nonroot');
    expect(FINAL.instructions.map(i => i.getKeyword()).filter(k => ['RUN', 'ADD', 'SHELL', 'HEALTHCHECK'].includes(k))).toEqual([]);
    const copies = instructionsOf(FINAL, 'COPY').map(c => ({ from: flagOf(c, 'from'), args: argumentsOf(c) }));
    expect(copies).toEqual([{ from: STAGES[STAGES.length - 2].name, args: [`${APP_DIR}/node_modules`, `${APP_DIR}/node_modules`] }]);
  });
});

test('.dockerignore keeps everything out of the build context but an allow-list, without node_modules or build output', () => {
  // `COPY . .` comes after `npm ci`: a node_modules or lib/ from the context would replace what the image built.
  const patterns = fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf-8').split('\n')
    .map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'));
  expect(patterns[0]).toBe('*');
  const reincluded = patterns.filter(p => p.startsWith('!')).map(p => p.slice(1).replace(/^\/+|\/+$/g, ''));
  const built = /^(node_modules|lib|dist|dist-packages|build|coverage|test|\.git|\.jsii|tsconfig\.tsbuildinfo)(\/|$)/;
  expect(reincluded.filter(p => built.test(p) || p.includes('*'))).toEqual([]);
  expect(reincluded).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
});

describe('Node.js version', () => {
  test('every stage runs the Node.js major package.json engines names, the one @types/node types', () => {
    const engines = PACKAGE.engines?.node;
    if (typeof engines !== 'string') {
      throw new Error('package.json has no engines.node: set minNodeVersion in .projenrc.ts (the image\'s Node.js major must follow it)');
    }
    const major = minimumMajor(engines, 'package.json engines.node');
    expect(minimumMajor(PACKAGE.devDependencies['@types/node'], 'devDependencies @types/node')).toBe(major);
    expect(STAGES.map(s => `${s.from.getImage()}: ${nodeMajorOf(s.from)}`))
      .toEqual(STAGES.map(s => `${s.from.getImage()}: ${major}`));
  });
});

describe('what runs', () => {
  test('ENTRYPOINT runs the package\'s bin entry, as installed in the app, with distroless\'s node, in exec form', () => {
    const entrypoints = instructionsOf(FINAL, 'ENTRYPOINT') as JSONInstruction[];
    expect(entrypoints).toHaveLength(1);
    const argv = entrypoints[0].getJSONStrings().map(s => s.getJSONValue());
    expect(argv.length).toBeGreaterThan(0); // shell form would need /bin/sh, which distroless has not
    const bin = path.posix.normalize(PACKAGE.bin[BIN_NAME]);
    expect(argv).toEqual([DISTROLESS_NODE, `${APP_DIR}/node_modules/${PACKAGE.name}/${bin}`]);
    // The Deployment's args follow the ENTRYPOINT: no CMD to be replaced, no command to replace it.
    expect(instructionsOf(FINAL, 'CMD')).toEqual([]);
    expect(container(operatorDeployment(), 'manager').command).toBeUndefined();
  });

  test('the file ENTRYPOINT runs is in the package npm publishes, and the Dockerfile is not', () => {
    checkCompiledLibrary();
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: REPO_ROOT, encoding: 'utf-8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const files: string[] = JSON.parse(out.slice(out.indexOf('[')))[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain(path.posix.normalize(PACKAGE.bin[BIN_NAME]));
    expect(files.filter(f => f === 'Dockerfile' || f === '.dockerignore')).toEqual([]);
  }, 90_000);

  test('the image user is numeric and the one AgentOperator runs the container as, non-root, read-only root filesystem', () => {
    const users = instructionsOf(FINAL, 'USER').map(argumentsOf);
    expect(users).toHaveLength(1);
    // Numeric: the kubelet can check runAsNonRoot against a UID, not a name.
    const [, uid, gid] = /^(\d+):(\d+)$/.exec(users[0].join(' ')) ?? [];
    expect({ uid, gid }).toEqual({ uid: expect.stringMatching(/^\d+$/), gid: expect.stringMatching(/^\d+$/) });
    expect(Number(uid)).not.toBe(0);

    const deployment = operatorDeployment();
    const pod = podSpec(deployment).securityContext ?? {};
    const manager = container(deployment, 'manager').securityContext ?? {};
    const effective = (field: string) => manager[field] ?? pod[field];
    expect({
      runAsUser: effective('runAsUser'),
      runAsGroup: effective('runAsGroup'),
      runAsNonRoot: effective('runAsNonRoot'),
      readOnlyRootFilesystem: manager.readOnlyRootFilesystem,
    }).toEqual({ runAsUser: Number(uid), runAsGroup: Number(gid), runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  test('EXPOSE lists the ports AgentOperator\'s container declares', () => {
    const exposed = instructionsOf(FINAL, 'EXPOSE').flatMap(argumentsOf).map(p => Number(p.replace(/\/tcp$/, ''))).sort();
    const declared = container(operatorDeployment(), 'manager').ports.map((p: any) => p.containerPort).sort();
    expect(exposed).toEqual(declared);
  });
});

describe('the operator program writes no file (it runs with a read-only root filesystem)', () => {
  /** Functions of node's fs (callback, sync and promise forms) that write to the filesystem. */
  const FS_WRITES = new Set([
    'writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'rename', 'rm', 'rmdir', 'unlink', 'copyFile', 'cp',
    'symlink', 'link', 'truncate', 'chmod', 'chown', 'utimes', 'createWriteStream',
  ].flatMap(n => [n, `${n}Sync`]));
  const SRC = path.join(REPO_ROOT, 'src');
  const MAIN = path.join(SRC, 'operator', 'main.ts');

  /** The src/ files `entry` imports, directly or not (their own code only; packages are not followed). */
  function importClosure(entry: string): string[] {
    const seen = new Set<string>();
    const queue = [entry];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const { fileName } of ts.preProcessFile(fs.readFileSync(file, 'utf-8'), true, true).importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const base = path.resolve(path.dirname(file), fileName);
        const target = [`${base}.ts`, path.join(base, 'index.ts')].find(f => fs.existsSync(f));
        if (!target) throw new Error(`${path.relative(REPO_ROOT, file)}: cannot resolve '${fileName}'`);
        queue.push(target);
      }
    }
    return [...seen].sort();
  }

  /** Each call in `file` of a function named like an fs write, or of a `.synth()` method (cdk8s `App.synth()` writes its outdir), as `path:line: code`. */
  function writeCalls(file: string): string[] {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf-8'), ts.ScriptTarget.Latest, true);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
        const name = method ?? (ts.isIdentifier(callee) ? callee.text : undefined);
        if ((name && FS_WRITES.has(name)) || method === 'synth') {
          const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          found.push(`${path.relative(REPO_ROOT, file)}:${line}: ${node.getText().split('\n')[0]}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  }

  test('the program\'s modules are found: main.ts and the operator layer it runs', () => {
    const closure = importClosure(MAIN).map(f => path.relative(SRC, f));
    expect(closure).toEqual(expect.arrayContaining(['operator/main.ts', 'operator/controller.ts', 'operator/kube-api.ts', 'operator/desired-state.ts']));
  });

  test('no module it imports calls a filesystem write or App.synth()', () => {
    expect(importClosure(MAIN).flatMap(writeCalls)).toEqual([]);
  });

  test('the check sees a write where there is one', () => {
    // src/overlay/staged-files.ts writes the kustomize tree: the same check must report it.
    expect(writeCalls(path.join(SRC, 'overlay', 'staged-files.ts')).length).toBeGreaterThan(0);
  });
});
