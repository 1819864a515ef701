import * as fs from 'fs';
import { join, relative, resolve, sep } from 'path';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import { screenArgs, screenFile, screenText } from '../core/credential-screen';
import { checkImage, checkNonEmpty, checkPullPolicy, fail } from '../core/validation';
import type { AgentCodeSourceSpec, AgentCodeSpec, AgentContainerSpec, AgentSpec } from '../install/agent-type';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const KIND = 'AgentSource';
/** The field of a git revision in messages: the option, and the AgentType field it is written to. */
const REVISION_FIELD = 'revision (code.source.ref)';

/** Language runtime of a code agent or of its SDK (AgentType `code.runtime`, `sdk.runtime`). */
export enum AgentRuntime {
  /** CPython; packages installed with pip. */
  PYTHON = 'python',
  /** Node.js; packages installed with npm. */
  NODEJS = 'nodejs',
}

/** How a code agent's source reaches the pod (`code.source.type`). */
export enum CodeSourceType {
  /** `git clone` by the init container. */
  GIT = 'git',
  /** Files of the cdk8s app's machine, packed into a ConfigMap at synth. */
  LOCAL = 'local',
}

/** Options of {@link CodeSource.git}. */
export interface GitSourceOptions {
  /** Repository URL (`https://...`, `ssh://...` or `git@host:org/repo.git`). */
  readonly repository: string;
  /**
   * Branch or tag to clone (`git clone --branch`); AgentType
   * `spec.agent.code.source.ref`.
   * @default - the repository's default branch
   */
  readonly revision?: string;
  /**
   * Folder inside the repository that holds the agent, used as working directory.
   * @default '/'
   */
  readonly path?: string;
}

/** Options of {@link CodeSource.local}. */
export interface LocalSourceOptions {
  /**
   * A folder on the machine running `cdk8s synth`. Its files are packed into a
   * ConfigMap (at most 900 KiB in all, the ConfigMap limit being 1 MiB) and
   * copied to the shared volume by the init container.
   */
  readonly directory: string;
}

/** Maximum bytes of a local source packed into a ConfigMap. */
const LOCAL_SOURCE_MAX_BYTES = 900 * 1024;

/** Where a code agent's source comes from. */
export class CodeSource {
  /**
   * Clone a git repository in the init container.
   * @throws if the repository is not a git URL, if the revision is not a
   * branch or tag name, or if the repository, revision or path looks like it
   * holds a credential (a password or token in the URL's
   * user-info, a key query parameter, a key shape): give clone credentials
   * through a Secret, never in the URL
   */
  public static git(options: GitSourceOptions): CodeSource {
    const repository = checkNonEmpty(KIND, 'git', 'code.source.repository', options.repository);
    // A token in the URL would land in the init script and the AgentType: clone credentials belong in a Secret.
    screenText(KIND, 'git', 'code.source.repository', repository);
    screenText(KIND, 'git', REVISION_FIELD, options.revision);
    screenText(KIND, 'git', 'code.source.path', options.path);
    if (!/^(https?:\/\/|ssh:\/\/|git@)[^\s'"`$;|&]+$/.test(repository)) {
      fail(KIND, 'git', 'code.source.repository', repository, 'is not a git URL (https://, ssh:// or git@host:path, without spaces or shell characters)');
    }
    if (options.revision !== undefined && !/^[A-Za-z0-9._\/-]+$/.test(options.revision)) {
      fail(KIND, 'git', REVISION_FIELD, options.revision, 'is not a branch or tag name');
    }
    return new CodeSource(CodeSourceType.GIT, checkRelativePath(options.path ?? '/'), repository, options.revision, {});
  }

  /**
   * Pack a local folder into the pod.
   * @throws if the folder does not exist, is empty, or holds more than 900 KiB;
   * or if a file holds what looks like a credential (a key shape, a credential
   * URL, or a literal under a credential-named key such as `API_KEY="..."`):
   * the message names the file and line, never the content
   */
  public static local(options: LocalSourceOptions): CodeSource {
    const dir = resolve(options.directory);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      fail(KIND, 'local', 'code.source.directory', options.directory, 'is not a folder');
    }
    const files: { [relativePath: string]: string } = {};
    let total = 0;
    const walk = (d: string) => {
      for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = join(d, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules' && entry.name !== '.git' && entry.name !== '__pycache__') walk(full);
        } else if (entry.isFile()) {
          const bytes = fs.readFileSync(full);
          let content: string;
          try {
            content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
          } catch {
            fail(KIND, 'local', 'code.source.directory', full, 'is not a UTF-8 text file; a ConfigMap-packed source carries text only (use CodeSource.git() for binary files)');
          }
          total += bytes.length;
          const name = relative(dir, full).split(sep).join('/');
          // Every file lands in a ConfigMap: one holding a credential is refused, naming the file, never the content.
          screenFile(KIND, 'local', 'code.source.directory', name, content);
          files[name] = content;
        }
      }
    };
    walk(dir);
    if (Object.keys(files).length === 0) {
      fail(KIND, 'local', 'code.source.directory', options.directory, 'holds no files');
    }
    if (total > LOCAL_SOURCE_MAX_BYTES) {
      fail(KIND, 'local', 'code.source.directory', options.directory, `holds ${total} bytes, more than the ${LOCAL_SOURCE_MAX_BYTES} a ConfigMap can carry; use CodeSource.git()`);
    }
    return new CodeSource(CodeSourceType.LOCAL, '/', undefined, undefined, files);
  }

  private constructor(
    /** git or local (AgentType `code.source.type`). */
    public readonly sourceType: CodeSourceType,
    /** Folder inside the source used as working directory (always starts with '/'). */
    public readonly path: string,
    /** Repository URL, for git. */
    public readonly repository: string | undefined,
    /** Branch or tag, for git (AgentType `code.source.ref`). */
    public readonly revision: string | undefined,
    private readonly _files: { [relativePath: string]: string },
  ) {}

  /** Files of a local source, keyed by path relative to the folder (a copy; empty for git). */
  public get files(): { [relativePath: string]: string } {
    return { ...this._files };
  }
}

/** Options of {@link AgentSource.image}. */
export interface ImageSourceOptions {
  /**
   * `imagePullPolicy` of the agent container (`container.pullPolicy`).
   * @default ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly pullPolicy?: ImagePullPolicy;

  /**
   * The agent's command. When given, the agent starts through the wrapper
   * entrypoint on the shared volume (`/bin/sh /shared/bin/agent-entrypoint.sh
   * <command...>`), which puts the SDK packages and glue code on
   * `PYTHONPATH`/`NODE_PATH`. The image must then have `/bin/sh`.
   * @default - the image's own entrypoint runs unwrapped; the environment
   * variables and the shared volume are still there
   */
  readonly command?: string[];

  /**
   * Arguments of the command (`args`).
   * @default - none
   */
  readonly args?: string[];
}

/** Options of {@link AgentSource.code}. */
export interface CodeSourceOptions {
  /** Where the source comes from. */
  readonly source: CodeSource;
  /** Language runtime. */
  readonly runtime: AgentRuntime;
  /**
   * Runtime version, used for the official images `python:<version>-slim` /
   * `node:<version>-slim` (e.g. `3.12`, `20`).
   */
  readonly version: string;
  /**
   * File started by the runtime, relative to the source path.
   * @default 'main.py' for python, 'index.js' for nodejs
   */
  readonly entrypoint?: string;
  /**
   * Image of the agent container.
   * @default - `python:<version>-slim` or `node:<version>-slim`
   */
  readonly image?: string;
}

/** Kind of agent (`agent.type`). */
export enum AgentSourceType {
  /** A ready-made image (`container`). */
  CONTAINER = 'container',
  /** Source code run by a runtime image (`code`). */
  CODE = 'code',
}

/**
 * What the agent container runs: an image, or code on a runtime
 * (`agent.type: container | code`).
 */
export class AgentSource {
  /**
   * A ready-made agent image (`agent.type: container`).
   * @throws if the image is not an image reference, if `pullPolicy` is not
   * `Always`, `IfNotPresent` or `Never`, or if an element of `command` or
   * `args` looks like a credential (a key shape, `--token=<literal>`, or
   * `--password <literal>`)
   */
  public static image(image: string, options: ImageSourceOptions = {}): AgentSource {
    checkImage(image);
    const pullPolicy = checkPullPolicy(KIND, image, 'pullPolicy', options.pullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT);
    screenArgs(KIND, 'image', 'command', options.command);
    screenArgs(KIND, 'image', 'args', options.args);
    return new AgentSource(AgentSourceType.CONTAINER, image, pullPolicy,
      options.command ? [...options.command] : undefined, options.args ? [...options.args] : undefined);
  }

  /**
   * Source code run on a runtime image (`agent.type: code`).
   * @throws if the version or entrypoint is invalid
   */
  public static code(options: CodeSourceOptions): AgentSource {
    if (!/^[0-9][0-9A-Za-z.-]*$/.test(options.version ?? '')) {
      fail(KIND, 'code', 'code.version', options.version ?? '', 'is not a runtime version (e.g. \'3.12\' or \'20\')');
    }
    const python = options.runtime === AgentRuntime.PYTHON;
    if (!python && options.runtime !== AgentRuntime.NODEJS) {
      fail(KIND, 'code', 'code.runtime', options.runtime, 'is not one of python, nodejs');
    }
    const entrypoint = checkRelativePath(options.entrypoint ?? (python ? 'main.py' : 'index.js')).replace(/^\//, '');
    const image = options.image ?? (python ? `python:${options.version}-slim` : `node:${options.version}-slim`);
    checkImage(image);
    return new AgentSource(AgentSourceType.CODE, image, ImagePullPolicy.IF_NOT_PRESENT,
      [python ? 'python' : 'node', entrypoint], undefined, options.source, options.runtime, options.version,
      options.entrypoint === undefined ? undefined : entrypoint, options.image);
  }

  /**
   * The source an AgentType `spec.agent` describes: the inverse of
   * {@link AgentSource.toSpec}. `code` (`type: code`) gives
   * {@link AgentSource.code} from a git source (`code.source`, `runtime`,
   * `version`, `entrypoint`, `image`); otherwise the image of
   * `container.image`, or of the shorthand `image`, gives
   * {@link AgentSource.image} with `container.pullPolicy`, `command` and `args`.
   * `name` and `environment` are not read here (see `AgentPod.fromAgentTypeSpec`).
   * @throws `AgentSource 'spec.agent': <field> '<value>' <problem>` if the spec sets both code
   * and an image or neither, if `image` and `container.image` differ, if
   * `container.securityContext` is set (give it as the AgentPod's
   * `securityContext`), if the code source is `local` (its files live on the
   * synth machine only) or not `git`, and whatever `AgentSource.image()`,
   * `AgentSource.code()` and `CodeSource.git()` refuse
   */
  public static fromSpec(agent: AgentSpec): AgentSource {
    const where = 'spec.agent';
    if (agent === null || typeof agent !== 'object') fail(KIND, where, 'agent', agent ?? '', 'is required: an object with image, container or code');
    const container = agent.container ?? {};
    if (agent.image !== undefined && container.image !== undefined && agent.image !== container.image) {
      fail(KIND, where, 'image', agent.image, `differs from container.image '${container.image}'; give one of them`);
    }
    if (container.securityContext !== undefined && Object.keys(container.securityContext).length > 0) {
      fail(KIND, where, 'container.securityContext', JSON.stringify(container.securityContext),
        'is not mapped onto an AgentPod: give the container securityContext as the AgentPod\'s securityContext option');
    }
    const image = container.image ?? agent.image;
    if (agent.code !== undefined) {
      if (agent.sourceType === AgentSourceType.CONTAINER || agent.container !== undefined || agent.image !== undefined) {
        const [field, value] = image !== undefined ? ['image', image] : agent.container !== undefined ? ['container', agent.container] : ['type', agent.sourceType];
        fail(KIND, where, field, value, 'is set together with code: an agent runs an image or code, not both');
      }
      return AgentSource.fromCodeSpec(agent.code);
    }
    if (image === undefined) {
      fail(KIND, where, 'type', agent.sourceType ?? '', 'needs something to run: set image, container.image or code');
    }
    if (agent.sourceType === AgentSourceType.CODE) fail(KIND, where, 'type', agent.sourceType, 'needs code');
    const pullPolicy = container.pullPolicy as ImagePullPolicy | undefined;
    return AgentSource.image(image, { pullPolicy, command: container.command, args: container.args });
  }

  /** `spec.agent.code`: a git source run on a runtime. */
  private static fromCodeSpec(code: NonNullable<AgentSpec['code']>): AgentSource {
    const where = 'spec.agent';
    const source = code.source;
    if (!source) fail(KIND, where, 'code.source', '', 'is required: give { type: git, repository }');
    if (source.sourceType === CodeSourceType.LOCAL) {
      fail(KIND, where, 'code.source.type', source.sourceType, 'cannot be built from a spec: a local source is a folder of the machine running cdk8s synth; use a git source');
    }
    if (source.sourceType !== undefined && source.sourceType !== CodeSourceType.GIT) fail(KIND, where, 'code.source.type', source.sourceType, 'is not one of git, local');
    return AgentSource.code({
      source: CodeSource.git({ repository: source.repository ?? '', revision: source.revision, path: source.path }),
      runtime: code.runtime as AgentRuntime,
      version: code.version ?? '',
      entrypoint: code.entrypoint,
      image: code.image,
    });
  }

  private constructor(
    /** container or code (AgentType `agent.type`). */
    public readonly sourceType: AgentSourceType,
    /** Image of the agent container. */
    public readonly containerImage: string,
    /** Pull policy of the agent container. */
    public readonly pullPolicy: ImagePullPolicy,
    /** Command run through the wrapper entrypoint, if known. */
    public readonly command?: string[],
    /** Arguments of the command. */
    public readonly args?: string[],
    /** Code source, for code agents. */
    public readonly codeSource?: CodeSource,
    /** Runtime, for code agents. */
    public readonly runtime?: AgentRuntime,
    /** Runtime version, for code agents. */
    public readonly runtimeVersion?: string,
    /** Entrypoint file given by the user, for code agents. */
    private readonly customEntrypoint?: string,
    /** Image given by the user, for code agents. */
    private readonly customImage?: string,
  ) {}

  /**
   * The AgentType `spec.agent` fields of this source (`sourceType`, the CRD's
   * `type`; `container` or `code`); {@link AgentSource.fromSpec} is the
   * inverse. A local source keeps only its type and path: its files are not
   * in the spec.
   */
  public toSpec(): AgentSpec {
    if (this.sourceType === AgentSourceType.CONTAINER) {
      const container: Mutable<AgentContainerSpec> = { image: this.containerImage, pullPolicy: this.pullPolicy };
      if (this.command) container.command = [...this.command];
      if (this.args) container.args = [...this.args];
      return { sourceType: AgentSourceType.CONTAINER, container };
    }
    const src = this.codeSource!;
    const source: Mutable<AgentCodeSourceSpec> = { sourceType: src.sourceType, path: src.path };
    if (src.repository) source.repository = src.repository;
    if (src.revision) source.revision = src.revision;
    const code: Mutable<AgentCodeSpec> = { source, runtime: this.runtime, version: this.runtimeVersion };
    if (this.customEntrypoint) code.entrypoint = this.customEntrypoint;
    if (this.customImage) code.image = this.customImage;
    return { sourceType: AgentSourceType.CODE, code };
  }
}

function checkRelativePath(p: string): string {
  if (!/^\/?[A-Za-z0-9._\/-]*$/.test(p) || p.split('/').includes('..')) {
    fail(KIND, 'code', 'path', p, 'is not a plain path inside the source (letters, digits, \'.\', \'_\', \'-\', \'/\', no \'..\')');
  }
  return p.startsWith('/') ? p : `/${p}`;
}
