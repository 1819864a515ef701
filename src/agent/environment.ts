import * as fs from 'fs';
import * as path from 'path';
import { AgentRuntime } from './source';
import { isCredentialName, safeText, screenFile, screenText, secretProblem } from '../core/credential-screen';
import { checkSecretKeyReference, SecretKeyReference } from '../core/secret-key-reference';
import { RESERVED_ENV_PREFIX, checkEnvVarName, fail } from '../core/validation';
import type { AgentEnvironmentSpec, EnvironmentVariableSpec } from '../install/agent-type';

const KIND = 'AgentEnvironment';

/**
 * Folder of the shared volume the glue code is placed in (`environment.glueCode.source`
 * is `<folder><fileName>`): `glue/` of the shared volume (`shared-volume.ts`,
 * which imports this module, so the path is written out here).
 */
const GLUE_FOLDER = '/shared/glue/';

/** SDK packages installed on the shared volume by the init container (`environment.sdk`). */
export interface SdkOptions {
  /** python (pip) or nodejs (npm). */
  readonly runtime: AgentRuntime;
  /**
   * Runtime version of the init image that installs the packages (`python:<version>`,
   * `node:<version>`); should match the agent's runtime.
   */
  readonly version: string;
  /**
   * Package specifiers as pip or npm take them (`requests`, `pandas==2.2.2`, `axios@1.7.2`).
   * @default - none
   */
  readonly packages?: string[];
}

/** Props of {@link AgentEnvironment}. */
export interface AgentEnvironmentProps {
  /**
   * Plain environment variables of the agent container (AgentType
   * `environment.variables`). Refused: a name that looks like a credential
   * (`*API_KEY*`, `*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*CREDENTIAL*`), a value
   * that looks like an API key (`sk-...`, `AKIA...`, `ghp_...`, ...), and the
   * reserved prefixes `AGENT_`, `TOOL_MANAGER_`, `LLM_`.
   * @default - none
   */
  readonly variables?: { [name: string]: string };

  /**
   * SDK packages to install on the shared volume.
   * @default - none
   */
  readonly sdk?: SdkOptions;

  /**
   * Glue code copied to `/shared/glue/` and put on `PYTHONPATH` / `NODE_PATH`
   * (`environment.glueCode`).
   * @default - none
   */
  readonly glueCode?: GlueCode;
}

/**
 * Glue code that the init container places on the shared volume, next to the
 * agent (`environment.glueCode.source`).
 */
export class GlueCode {
  /**
   * Glue code given as text.
   * @param fileName file name on the shared volume, e.g. `gluecode.py`
   * @param content the file's content
   * @throws if the file name is not plain, or the content holds what looks
   * like a credential (it is written into the init ConfigMap)
   */
  public static fromInline(fileName: string, content: string): GlueCode {
    screenFile(KIND, 'glueCode', 'glueCode', fileName, content);
    return new GlueCode(checkFileName(fileName), content);
  }

  /**
   * Glue code read from a file of the machine running `cdk8s synth`.
   * @throws if the file cannot be read, or holds what looks like a credential
   */
  public static fromFile(filePath: string): GlueCode {
    if (!fs.existsSync(filePath) || !fs.statSync(filePath).isFile()) {
      fail(KIND, 'glueCode', 'glueCode.file', filePath, 'is not a readable file');
    }
    const content = fs.readFileSync(filePath, 'utf-8');
    screenFile(KIND, 'glueCode', 'glueCode', path.basename(filePath), content);
    return new GlueCode(checkFileName(path.basename(filePath)), content);
  }

  private constructor(
    /** File name on the shared volume (under `/shared/glue/`). */
    public readonly fileName: string,
    /** The file's content. */
    public readonly content: string,
  ) {}
}

/**
 * What the init container prepares for the agent: environment variables,
 * SDK packages and glue code.
 */
export class AgentEnvironment {
  /**
   * The environment an AgentType `spec.agent.environment` describes: the
   * inverse of {@link AgentEnvironment.toSpec}. `variables[]` with a `value`
   * become plain variables (a missing value is `''`), those with
   * `valueFrom.secretKeyRef` secret variables; `sdk` is kept as given
   * (`packages` default none); `glueCode` needs `source` =
   * `/shared/glue/<fileName>` and the file's `content`.
   * @throws `AgentEnvironment '<where>': <field> '<value>' <problem>` if a
   * variable has both `value` and `valueFrom` or a `valueFrom` without
   * `secretKeyRef`, if `glueCode` lacks its content or its source is not
   * under `/shared/glue/`, and whatever `addVariable`, `addSecretVariable`,
   * the constructor and `GlueCode.fromInline` refuse (values that look like
   * credentials are never repeated)
   */
  public static fromSpec(spec: AgentEnvironmentSpec): AgentEnvironment {
    const where = 'spec.agent.environment';
    const glue = spec.glueCode;
    let glueCode: GlueCode | undefined;
    if (glue !== undefined) {
      const source = glue.source ?? '';
      if (!source.startsWith(GLUE_FOLDER)) {
        fail(KIND, where, 'glueCode.source', source, `is not a file of ${GLUE_FOLDER} (where the init container places glue code)`);
      }
      if (glue.content === undefined) {
        fail(KIND, where, 'glueCode.content', '', 'is required: the glue code cannot be fetched from its source, give it as content');
      }
      glueCode = GlueCode.fromInline(source.slice(GLUE_FOLDER.length), glue.content);
    }
    const sdk = spec.sdk && { runtime: spec.sdk.runtime as AgentRuntime, version: spec.sdk.version ?? '', packages: spec.sdk.packages };
    const environment = new AgentEnvironment({ sdk, glueCode });
    for (const variable of spec.variables ?? []) {
      const name = variable?.name;
      if (variable?.valueFrom === undefined) {
        environment.addVariable(name, variable?.value ?? '');
        continue;
      }
      if (variable.value !== undefined) {
        fail(KIND, where, `variables['${safeText(String(name))}'].value`, '<not shown>', 'is set together with valueFrom: give one of them');
      }
      const ref = variable.valueFrom.secretKeyRef;
      if (!ref) fail(KIND, where, `variables['${safeText(String(name))}'].valueFrom`, '', 'needs secretKeyRef: { name, key } of a Secret');
      environment.addSecretVariable(name, { name: ref.name, key: ref.key });
    }
    return environment;
  }

  private readonly _variables: { [name: string]: string } = {};
  private readonly _secretVariables: { [name: string]: SecretKeyReference } = {};
  private _usedBy?: string;
  /** SDK packages installed on the shared volume, if any. */
  public readonly sdk?: SdkOptions;
  /** Glue code placed on the shared volume, if any. */
  public readonly glueCode?: GlueCode;

  /** @throws if a variable name is invalid or looks like a credential, or a package specifier is unsafe */
  public constructor(props: AgentEnvironmentProps = {}) {
    for (const [name, value] of Object.entries(props.variables ?? {})) {
      this.addVariable(name, value);
    }
    if (props.sdk) {
      if (props.sdk.runtime !== AgentRuntime.PYTHON && props.sdk.runtime !== AgentRuntime.NODEJS) {
        fail(KIND, 'sdk', 'sdk.runtime', props.sdk.runtime, 'is not one of python, nodejs');
      }
      if (!/^[0-9][0-9A-Za-z.-]*$/.test(props.sdk.version ?? '')) {
        fail(KIND, 'sdk', 'sdk.version', props.sdk.version ?? '', 'is not a runtime version (e.g. \'3.12\' or \'20\')');
      }
      (props.sdk.packages ?? []).forEach((pkg, i, all) => {
        // `git+https://user:token@host/...` would put the token in the init script.
        screenText(KIND, 'sdk', 'sdk.packages', pkg);
        // The AgentType's sdk.packages is a set (x-kubernetes-list-type: set): a repeat would make toAgentTypeSpec() invalid.
        if (all.indexOf(pkg) < i) fail(KIND, 'sdk', 'sdk.packages', pkg, 'is declared twice');
        // pip and npm specifiers; no whitespace or shell metacharacters.
        if (!/^[A-Za-z0-9@][A-Za-z0-9@\/._\-\[\]=<>~!,^+:]*$/.test(pkg)) {
          fail(KIND, 'sdk', 'sdk.packages', pkg, 'is not a package specifier (e.g. \'requests\', \'pandas==2.2.2\', \'axios@1.7.2\')');
        }
      });
      this.sdk = { ...props.sdk, packages: [...(props.sdk.packages ?? [])] };
    }
    this.glueCode = props.glueCode;
  }

  /**
   * Adds a plain environment variable to the agent container.
   * @throws if the name is invalid, reserved, declared twice or looks like a
   * credential, if the value looks like an API key, or if an AgentPod already rendered this environment
   */
  public addVariable(name: string, value: string): void {
    this.checkNewVariable(name);
    const shownName = safeText(name);
    const problem = secretProblem(String(value));
    if (problem) {
      throw new Error(`${KIND} 'variables': the value of '${shownName}' looks like an API key (${problem}); a literal value would land in the manifest. Use addSecretVariable('${shownName}', { name: <secret>, key: <key> })`);
    }
    if (isCredentialName(name)) {
      // The value is not repeated in the message: it may be a real credential.
      throw new Error(`${KIND} 'variables': variable '${shownName}' looks like a credential; a literal value would land in the manifest. Use addSecretVariable('${shownName}', { name: <secret>, key: <key> })`);
    }
    this._variables[name] = String(value);
  }

  /**
   * Adds an environment variable whose value comes from a Secret
   * (`valueFrom.secretKeyRef`); the value never appears in the manifest.
   */
  public addSecretVariable(variableName: string, secret: SecretKeyReference): void {
    this.checkNewVariable(variableName);
    this._secretVariables[variableName] = checkSecretKeyReference(KIND, variableName, 'secret', secret);
  }

  private checkNewVariable(name: string): void {
    if (this._usedBy) {
      fail(KIND, 'variables', 'variable', name, `cannot be added: this environment is already rendered by ${this._usedBy}; add variables before creating the AgentPod`);
    }
    checkEnvVarName(KIND, 'variables', 'variables', name);
    const reserved = reservedProblem(name);
    if (reserved) fail(KIND, 'variables', 'variable', name, reserved);
    if (name in this._variables || name in this._secretVariables) fail(KIND, 'variables', 'variable', name, 'is declared twice');
  }

  /** Plain variables (a copy). */
  public get variables(): { [name: string]: string } {
    return { ...this._variables };
  }

  /** Variables read from Secrets (a copy). */
  public get secretVariables(): { [name: string]: SecretKeyReference } {
    return { ...this._secretVariables };
  }

  /**
   * Marks this environment as rendered by an AgentPod: later `addVariable` /
   * `addSecretVariable` calls throw instead of being silently left out.
   * @internal
   */
  public _markUsedBy(owner: string): void {
    this._usedBy = owner;
  }

  /**
   * The AgentType `spec.agent.environment` object: plain variables as
   * `{ name, value }`, then secret variables as `{ name, valueFrom: {
   * secretKeyRef: { name, key } } }` (the Secret's name and key, never a
   * value), the SDK, and the glue code with its `source` and `content`.
   * {@link AgentEnvironment.fromSpec} is the inverse.
   */
  public toSpec(): AgentEnvironmentSpec {
    const spec: { -readonly [K in keyof AgentEnvironmentSpec]: AgentEnvironmentSpec[K] } = {};
    const variables: EnvironmentVariableSpec[] = Object.entries(this._variables).map(([name, value]) => ({ name, value }));
    for (const [name, ref] of Object.entries(this._secretVariables)) {
      variables.push({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
    }
    if (variables.length > 0) spec.variables = variables;
    if (this.sdk) spec.sdk = { runtime: this.sdk.runtime, version: this.sdk.version, packages: [...(this.sdk.packages ?? [])] };
    if (this.glueCode) spec.glueCode = { source: `${GLUE_FOLDER}${this.glueCode.fileName}`, content: this.glueCode.content };
    return spec;
  }
}

function reservedProblem(name: string): string | undefined {
  return RESERVED_ENV_PREFIX.test(name) ? 'is reserved: cdk8s-agents sets the AGENT_*, TOOL_MANAGER_* and LLM_* variables itself' : undefined;
}

function checkFileName(fileName: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(fileName)) {
    fail(KIND, 'glueCode', 'glueCode.fileName', fileName, 'is not a plain file name (letters, digits, \'.\', \'_\', \'-\')');
  }
  return fileName;
}
