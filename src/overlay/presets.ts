/**
 * Ready-made overlays as
 * `OverlayComponent`s: environments (dev, staging, prod), agent types
 * (python data-science / web-service / batch-processor, nodejs api-server /
 * worker, custom templates) and feature sets (memory, tools, APIs).
 *
 * Each preset is a kustomize Component made of patches on the agent
 * Deployments that `AgentPod` renders. They select agents by label:
 * `app.kubernetes.io/component=agent` for every agent,
 * `agents.cdk8s.io/runtime=<python|nodejs>` for agent types, and
 * `agents.cdk8s.io/tool-sidecar=<container>` for presets that change the tool
 * sidecar, so a patch never adds a container to a pod that lacks it; replica
 * patches skip `agents.cdk8s.io/autoscaled` agents, whose HPA owns the count.
 * Components apply in the order an overlay lists them; a later one wins
 * where two set the same field.
 */
import { OverlayComponent } from './kustomization';
import { Patch } from './patch';
import { AgentPod } from '../agent/agent-pod';
import { ContainerMemory } from '../agent/container-memory';
import { TOOLS_CONFIG_SUFFIX } from '../agent/gateway-sidecar';
import { GATEWAY_SETTINGS_KEY, LlmGatewaySettings, liteLlmSettings } from '../agent/llm-gateway';
import { MemoryProfile } from '../agent/memory-profile';
import { AgentRuntime } from '../agent/source';
import { screenMap, screenText } from '../core/credential-screen';
import { ImagePolicy } from '../core/image-reference';
import {
  AUTOSCALED_LABEL, ENVIRONMENT_LABEL, LLM_GATEWAY_SETTINGS_ANNOTATION, MEMORY_PROFILE_ANNOTATION, RUNTIME_LABEL, TOOL_SIDECAR_LABEL,
} from '../core/labels';
import { checkQuantity, checkRequestWithinLimit } from '../core/quantity';
import { checkDns1123Label, checkEnvVarName, checkPort, checkReplicaCount, fail } from '../core/validation';
import { stringifyYaml } from '../core/yaml';
import type { PatchTarget } from '../kustomize';

/** The label every agent object carries (`AgentPod`). */
const AGENT_SELECTOR = 'app.kubernetes.io/component=agent';
/** Agents whose replica count is theirs to set: not those a HorizontalPodAutoscaler manages. */
const FIXED_REPLICAS_SELECTOR = `${AGENT_SELECTOR},!${AUTOSCALED_LABEL}`;
/** Label key of the environment presets. */
/** Default name of the `ToolSidecar` container. */
const DEFAULT_SIDECAR = 'tool-manager';

/** Options shared by the presets. */
export interface PresetOptions {
  /**
   * Narrows the agents the preset changes. Merged over the preset's own
   * target (kind `Deployment` and its label selector); a `labelSelector`
   * given here is added to the preset's (both must hold).
   * @default - every agent the preset is meant for (see the preset)
   */
  readonly target?: PatchTarget;
  /**
   * Component name (its folder in the kustomize tree). Give another name when
   * one app composes the same preset twice with different options.
   * @default - the preset's name, e.g. `environment-prod`, `memory-large`
   */
  readonly name?: string;
  /**
   * Container name of the tool sidecar, for presets that change it.
   * @default 'tool-manager' (the `ToolSidecar` default)
   */
  readonly sidecarName?: string;
}

/** Options of `EnvironmentPreset.staging`. */
export interface StagingPresetOptions extends PresetOptions {
  /**
   * OTLP endpoint the agents send traces and metrics to
   * (`OTEL_EXPORTER_OTLP_ENDPOINT`), e.g. `http://otel-collector.monitoring:4317`.
   * @default - not set: the SDK's own default applies
   */
  readonly otlpEndpoint?: string;
  /**
   * Test data files (file name → content), generated as the ConfigMap
   * `agent-test-data` (with kustomize's hash suffix) in `testDataNamespace`
   * and mounted read-only at `/var/run/agent/test-data` in every agent.
   * @default - no test data
   */
  readonly testData?: { [fileName: string]: string };
  /**
   * Namespace of the test-data ConfigMap: the agents' namespace.
   * @default - required when `testData` is given
   */
  readonly testDataNamespace?: string;
}

/** Options of `EnvironmentPreset.prod`. */
export interface ProdPresetOptions extends PresetOptions {
  /** Replicas of every agent without autoscaling, and of the operator (leader election keeps one active). @default 2 */
  readonly replicas?: number;
  /**
   * Require every image of the overlay's output to be pinned to a digest
   * (an `ImagePolicy` checked by `Overlay`; pin with the overlay's `images`).
   * @default true
   */
  readonly requireImageDigests?: boolean;
}

/**
 * Environment overlays: `dev` (small resources, debug tools,
 * local storage), `staging` (monitoring, test data) and `prod` (high
 * availability, security, monitoring). Every object gets the label
 * `agents.cdk8s.io/environment=<env>` (kustomize `labels`, not in selectors,
 * so environments can be changed in place).
 */
export class EnvironmentPreset {
  /**
   * `dev`: one replica per agent (agents with autoscaling keep their
   * HorizontalPodAutoscaler) with the `small` memory profile, debug
   * logging (`AGENT_LOG_LEVEL=debug`, `AGENT_DEBUG=true`), memory kept in the
   * pod (`AGENT_MEMORY_BACKEND=inmemory`, no Redis needed), and the tool
   * sidecar's debug tools (`TOOL_MANAGER_DEBUG_TOOLS=enabled`,
   * `TOOL_MANAGER_LOG_LEVEL=debug`).
   */
  public static dev(options: PresetOptions = {}): OverlayComponent {
    const sidecar = sidecarName(options);
    const small = MemoryProfile.SMALL;
    return new OverlayComponent({
      name: componentName(options, 'environment-dev'),
      labels: [{ pairs: { [ENVIRONMENT_LABEL]: 'dev' }, includeTemplates: true }],
      patches: [
        agentPatch(options, FIXED_REPLICAS_SELECTOR, { replicas: 1 }),
        agentPatch(options, AGENT_SELECTOR, {
          podAnnotations: { [MEMORY_PROFILE_ANNOTATION]: small.name },
          containers: [{
            name: AgentPod.AGENT_CONTAINER_NAME,
            env: envList({ AGENT_LOG_LEVEL: 'debug', AGENT_DEBUG: 'true', AGENT_MEMORY_BACKEND: 'inmemory' }),
            resources: resources(small.agent),
          }],
          initContainers: [{ name: AgentPod.INIT_CONTAINER_NAME, resources: resources(small.init) }],
        }),
        agentPatch(options, sidecarSelector(sidecar), {
          containers: [{
            name: sidecar,
            env: envList({ TOOL_MANAGER_DEBUG_TOOLS: 'enabled', TOOL_MANAGER_LOG_LEVEL: 'debug' }),
            resources: resources(small.sidecar),
          }],
        }),
      ],
    });
  }

  /**
   * `staging`: monitoring through OpenTelemetry (`OTEL_SERVICE_NAME` from the
   * pod's `app.kubernetes.io/name` label, `OTEL_RESOURCE_ATTRIBUTES` with
   * `deployment.environment=staging`, `OTEL_EXPORTER_OTLP_ENDPOINT` when
   * given, `AGENT_METRICS_ENABLED=true`) and, optionally, test data mounted
   * from a generated ConfigMap.
   * @throws when `testData` is given without `testDataNamespace`, or a file name is not a ConfigMap key;
   * when `otlpEndpoint` is not an http(s) URL or holds a credential (user-info password, `?api_key=`);
   * when a test-data file holds what looks like a credential
   */
  public static staging(options: StagingPresetOptions = {}): OverlayComponent {
    const name = componentName(options, 'environment-staging');
    const env: Array<{ [key: string]: any }> = [
      // `value: null` drops the literal AgentPod sets: the API server refuses an
      // env var with both `value` and `valueFrom`.
      { name: 'OTEL_SERVICE_NAME', value: null, valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/name']" } } },
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'deployment.environment=staging' },
      { name: 'AGENT_METRICS_ENABLED', value: 'true' },
    ];
    if (options.otlpEndpoint !== undefined) {
      screenText('EnvironmentPreset', name, 'otlpEndpoint', options.otlpEndpoint);
      if (!/^https?:\/\/[^\s]+$/.test(options.otlpEndpoint)) {
        fail('EnvironmentPreset', name, 'otlpEndpoint', options.otlpEndpoint, 'is not an http(s) URL');
      }
      env.push({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: options.otlpEndpoint });
    }
    const agent: { [key: string]: any } = { name: AgentPod.AGENT_CONTAINER_NAME, env };
    const pod: PodPatch = { containers: [agent] };
    const component = new OverlayComponent({
      name,
      labels: [{ pairs: { [ENVIRONMENT_LABEL]: 'staging' }, includeTemplates: true }],
    });
    if (options.testData !== undefined) {
      if (!options.testDataNamespace) {
        fail('EnvironmentPreset', name, 'testDataNamespace', '', 'is required with testData: the ConfigMap must live in the agents\' namespace');
      }
      checkDns1123Label('EnvironmentPreset', name, 'testDataNamespace', options.testDataNamespace);
      component.addConfigMapGenerator({ name: TEST_DATA, namespaceName: options.testDataNamespace, files: options.testData });
      env.push({ name: 'AGENT_TEST_DATA_DIR', value: TEST_DATA_PATH });
      agent.volumeMounts = [{ name: TEST_DATA, mountPath: TEST_DATA_PATH, readOnly: true }];
      pod.volumes = [{ name: TEST_DATA, configMap: { name: TEST_DATA } }];
    }
    component.addPatch(agentPatch(options, AGENT_SELECTOR, pod));
    return component;
  }

  /**
   * `prod`: high availability (2 replicas of every agent without autoscaling
   * and of the operator,
   * rolling updates that never go below the replica count, pods spread over
   * nodes and zones), security (`enableServiceLinks: false`, images always
   * pulled, every image pinned to a digest unless `requireImageDigests` is
   * false) and info-level logging.
   * @throws when `replicas` is not an integer >= 1
   */
  public static prod(options: ProdPresetOptions = {}): OverlayComponent {
    const name = componentName(options, 'environment-prod');
    const replicas = options.replicas ?? 2;
    checkReplicaCount('EnvironmentPreset', name, 'replicas', replicas, 1);
    const spread = (topologyKey: string) => ({
      topologyKey,
      maxSkew: 1,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'Exists' }] },
      // Each rollout of each agent on its own (the hash is per ReplicaSet). A
      // key may not be both here and in labelSelector: the API server refuses it.
      matchLabelKeys: ['pod-template-hash'],
    });
    return new OverlayComponent({
      name,
      imagePolicy: (options.requireImageDigests ?? true) ? new ImagePolicy({ requireDigest: true }) : undefined,
      labels: [{ pairs: { [ENVIRONMENT_LABEL]: 'prod' }, includeTemplates: true }],
      patches: [
        agentPatch(options, FIXED_REPLICAS_SELECTOR, { replicas }),
        agentPatch(options, AGENT_SELECTOR, {
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          pod: {
            enableServiceLinks: false,
            topologySpreadConstraints: [spread('kubernetes.io/hostname'), spread('topology.kubernetes.io/zone')],
          },
          containers: [{
            name: AgentPod.AGENT_CONTAINER_NAME,
            imagePullPolicy: 'Always',
            env: envList({ AGENT_LOG_LEVEL: 'info' }),
          }],
        }),
        Patch._strategicMerge(deploymentPatch({ replicas }), {
          target: { kind: 'Deployment', labelSelector: 'app.kubernetes.io/component=operator' },
        }, 'as-written'),
      ],
    });
  }

  private constructor() {}
}

/** A custom agent-type template (kustomize tree: `agents/custom/templates`). */
export interface AgentTemplateProps {
  /** Component name, an RFC 1123 label, e.g. `go-crawler`. */
  readonly name: string;
  /**
   * Runtime of the agents it applies to (`agents.cdk8s.io/runtime` label).
   * @default - every agent, whatever its runtime
   */
  readonly runtime?: AgentRuntime;
  /** Narrows the agents further; merged over the template's target. @default - every agent of `runtime` */
  readonly target?: PatchTarget;
  /**
   * Environment variables of the agent container (merged by name). Plain
   * values only: a credential-named variable with a literal value, or a value
   * that looks like a key, throws (credentials come from Secrets).
   * @default - none
   */
  readonly env?: { [name: string]: string };
  /** CPU request of the agent container, e.g. `250m` or `1` (millicores or cores), not negative. @default - unchanged */
  readonly cpuRequest?: string;
  /** CPU limit of the agent container, not negative and at least `cpuRequest`. @default - unchanged (no limit) */
  readonly cpuLimit?: string;
  /** Port the agent serves HTTP on: a container port named `http` and `AGENT_HTTP_PORT`. @default - no port */
  readonly httpPort?: number;
  /** `terminationGracePeriodSeconds` of the pod, in seconds. @default - unchanged (30) */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Replace pods all at once (`strategy.type: Recreate`) instead of rolling
   * updates, for workers that must not run twice.
   * @default false
   */
  readonly recreate?: boolean;
  /** More patches of your own, applied after the template's. @default - none */
  readonly patches?: Patch[];
}

/**
 * Agent-type overlays (`agents/python/*`, `agents/nodejs/*`,
 * `agents/custom/templates`). Python presets apply to agents labelled
 * `agents.cdk8s.io/runtime=python`, nodejs presets to `nodejs` ones (code
 * agents get the label from `AgentPod`; image agents can set it in `labels`).
 */
export class AgentTypePreset {
  /**
   * python `data-science`: 1 CPU requested, 4 allowed, `OMP_NUM_THREADS=4`,
   * `MPLCONFIGDIR=/tmp/matplotlib` (the root filesystem is read-only),
   * unbuffered output, 120 s to finish on shutdown.
   */
  public static pythonDataScience(options: PresetOptions = {}): OverlayComponent {
    return AgentTypePreset.custom({
      name: componentName(options, 'python-data-science'),
      runtime: AgentRuntime.PYTHON,
      target: options.target,
      env: { ...PYTHON_ENV, OMP_NUM_THREADS: '4', MPLCONFIGDIR: '/tmp/matplotlib' },
      cpuRequest: '1',
      cpuLimit: '4',
      terminationGracePeriodSeconds: 120,
    });
  }

  /** python `web-service`: serves HTTP on 8080 (`http` port, `AGENT_HTTP_PORT`), 250m CPU requested, `WEB_CONCURRENCY=2`. */
  public static pythonWebService(options: PresetOptions = {}): OverlayComponent {
    return AgentTypePreset.custom({
      name: componentName(options, 'python-web-service'),
      runtime: AgentRuntime.PYTHON,
      target: options.target,
      env: { ...PYTHON_ENV, WEB_CONCURRENCY: '2' },
      cpuRequest: '250m',
      httpPort: 8080,
    });
  }

  /** python `batch-processor`: one job at a time (`AGENT_WORKER_CONCURRENCY=1`), `Recreate` updates, 500m CPU, 600 s to finish a batch on shutdown. */
  public static pythonBatchProcessor(options: PresetOptions = {}): OverlayComponent {
    return AgentTypePreset.custom({
      name: componentName(options, 'python-batch-processor'),
      runtime: AgentRuntime.PYTHON,
      target: options.target,
      env: { ...PYTHON_ENV, AGENT_WORKER_CONCURRENCY: '1' },
      cpuRequest: '500m',
      recreate: true,
      terminationGracePeriodSeconds: 600,
    });
  }

  /** nodejs `api-server`: serves HTTP on 3000 (`http` port, `AGENT_HTTP_PORT`), `NODE_ENV=production`, 250m CPU. */
  public static nodejsApiServer(options: PresetOptions = {}): OverlayComponent {
    return AgentTypePreset.custom({
      name: componentName(options, 'nodejs-api-server'),
      runtime: AgentRuntime.NODEJS,
      target: options.target,
      env: { NODE_ENV: 'production', NODE_OPTIONS: '--enable-source-maps' },
      cpuRequest: '250m',
      httpPort: 3000,
    });
  }

  /** nodejs `worker`: `NODE_ENV=production`, `AGENT_WORKER_CONCURRENCY=4`, `Recreate` updates, 300 s to drain on shutdown. */
  public static nodejsWorker(options: PresetOptions = {}): OverlayComponent {
    return AgentTypePreset.custom({
      name: componentName(options, 'nodejs-worker'),
      runtime: AgentRuntime.NODEJS,
      target: options.target,
      env: { NODE_ENV: 'production', AGENT_WORKER_CONCURRENCY: '4' },
      cpuRequest: '250m',
      recreate: true,
      terminationGracePeriodSeconds: 300,
    });
  }

  /**
   * A custom template: the same kind of component from your own values.
   * @throws on an invalid name, env var name, CPU quantity (negative, or a
   * request above the limit), port or grace period; on an env var named like
   * a credential (`*API_KEY*`, `*TOKEN*`, ...) with a literal value, or a
   * value that looks like a key (as `AgentEnvironment`)
   */
  public static custom(props: AgentTemplateProps): OverlayComponent {
    const where = props.name;
    checkDns1123Label('AgentTypePreset', where, 'name', props.name);
    for (const [key, value] of [['cpuRequest', props.cpuRequest], ['cpuLimit', props.cpuLimit]] as const) {
      if (value !== undefined) checkQuantity('AgentTypePreset', where, key, value, 'e.g. 250m or 1');
    }
    if (props.cpuRequest !== undefined && props.cpuLimit !== undefined) {
      checkRequestWithinLimit('AgentTypePreset', where, 'cpuRequest', props.cpuRequest, 'cpuLimit', props.cpuLimit);
    }
    if (props.httpPort !== undefined) checkPort('AgentTypePreset', where, 'httpPort', props.httpPort);
    const grace = props.terminationGracePeriodSeconds;
    if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) {
      fail('AgentTypePreset', where, 'terminationGracePeriodSeconds', grace, 'must be an integer >= 0 (seconds)');
    }
    const env: { [name: string]: string } = { ...(props.env ?? {}) };
    for (const name of Object.keys(env)) checkEnvVarName('AgentTypePreset', where, `env['${name}']`, name);
    // Same rule as AgentEnvironment: a literal value would land in the patch, so
    // credential-named variables and key-shaped values are refused.
    screenMap('AgentTypePreset', where, 'env', env);
    if (props.httpPort !== undefined) env.AGENT_HTTP_PORT = String(props.httpPort);

    const agent: { [key: string]: any } = { name: AgentPod.AGENT_CONTAINER_NAME };
    if (Object.keys(env).length > 0) agent.env = envList(env);
    if (props.cpuRequest || props.cpuLimit) {
      agent.resources = {
        ...(props.cpuRequest ? { requests: { cpu: props.cpuRequest } } : {}),
        ...(props.cpuLimit ? { limits: { cpu: props.cpuLimit } } : {}),
      };
    }
    if (props.httpPort !== undefined) agent.ports = [{ name: 'http', containerPort: props.httpPort, protocol: 'TCP' }];
    const selector = props.runtime ? `${AGENT_SELECTOR},${RUNTIME_LABEL}=${props.runtime}` : AGENT_SELECTOR;
    return new OverlayComponent({
      name: props.name,
      patches: [
        agentPatch({ target: props.target }, selector, {
          containers: [agent],
          strategy: props.recreate ? { type: 'Recreate', rollingUpdate: null } : undefined,
          pod: grace !== undefined ? { terminationGracePeriodSeconds: grace } : undefined,
        }),
        ...(props.patches ?? []),
      ],
    });
  }

  private constructor() {}
}

/**
 * Feature overlays: memory `small`/`medium`/`large`, tools
 * `minimal`/`standard`/`complete`, APIs `development`/`production`.
 */
export class FeaturePreset {
  /** Memory `small`: `MemoryProfile.SMALL` requests and limits on the agent, init and sidecar containers. */
  public static memorySmall(options: PresetOptions = {}): OverlayComponent {
    return FeaturePreset.memory(MemoryProfile.SMALL, options);
  }

  /** Memory `medium`: `MemoryProfile.MEDIUM`. */
  public static memoryMedium(options: PresetOptions = {}): OverlayComponent {
    return FeaturePreset.memory(MemoryProfile.MEDIUM, options);
  }

  /** Memory `large`: `MemoryProfile.LARGE`. */
  public static memoryLarge(options: PresetOptions = {}): OverlayComponent {
    return FeaturePreset.memory(MemoryProfile.LARGE, options);
  }

  /**
   * Memory sizing from any `MemoryProfile` (the same values `AgentPod` renders
   * for it): requests/limits of the agent, init and sidecar containers and the
   * pod annotation `agents.cdk8s.io/memory-profile`. The memory backend is
   * not changed.
   */
  public static memory(profile: MemoryProfile, options: PresetOptions = {}): OverlayComponent {
    const sidecar = sidecarName(options);
    return new OverlayComponent({
      name: componentName(options, `memory-${profile.name}`),
      patches: [
        agentPatch(options, AGENT_SELECTOR, {
          podAnnotations: { [MEMORY_PROFILE_ANNOTATION]: profile.name },
          containers: [{ name: AgentPod.AGENT_CONTAINER_NAME, resources: resources(profile.agent) }],
          initContainers: [{ name: AgentPod.INIT_CONTAINER_NAME, resources: resources(profile.init) }],
        }),
        agentPatch(options, sidecarSelector(sidecar), {
          containers: [{ name: sidecar, resources: resources(profile.sidecar) }],
        }),
      ],
    });
  }

  /** Tools `minimal`: the tool manager serves the required tools only (`TOOL_MANAGER_TOOL_SET=minimal`). */
  public static toolsMinimal(options: PresetOptions = {}): OverlayComponent {
    return toolSet('minimal', options);
  }

  /** Tools `standard`: required and optional tools (`TOOL_MANAGER_TOOL_SET=standard`). */
  public static toolsStandard(options: PresetOptions = {}): OverlayComponent {
    return toolSet('standard', options);
  }

  /** Tools `complete`: every tool the tool manager knows (`TOOL_MANAGER_TOOL_SET=complete`). */
  public static toolsComplete(options: PresetOptions = {}): OverlayComponent {
    return toolSet('complete', options);
  }

  /**
   * APIs `development`: the sidecar's LLM gateway waits up to 120 s for a
   * provider, does not retry (the fallback is tried at once) and logs each
   * request (`LITELLM_LOG=INFO`). Replaces the gateway's settings file
   * (`gateway-settings.yaml` of each agent's `<name>-tools` ConfigMap:
   * `request_timeout: 120`, `num_retries: 0`) and sets the pod annotation
   * `agents.cdk8s.io/llm-gateway-settings: development`, so pods roll when
   * the settings change.
   */
  public static apisDevelopment(options: PresetOptions = {}): OverlayComponent {
    return apiSettings('development', { requestTimeoutSeconds: 120, maxRetries: 0 }, 'INFO', options);
  }

  /**
   * APIs `production`: 60 s per provider call, 3 retries before the
   * fallback, errors only in the log (`LITELLM_LOG=ERROR`); the settings
   * file and pod annotation as {@link FeaturePreset.apisDevelopment}
   * (`request_timeout: 60`, `num_retries: 3`, `production`).
   */
  public static apisProduction(options: PresetOptions = {}): OverlayComponent {
    return apiSettings('production', { requestTimeoutSeconds: 60, maxRetries: 3 }, 'ERROR', options);
  }

  private constructor() {}
}

const PYTHON_ENV = { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
const TEST_DATA = 'agent-test-data';
const TEST_DATA_PATH = '/var/run/agent/test-data';

function toolSet(set: string, options: PresetOptions): OverlayComponent {
  const sidecar = sidecarName(options);
  return new OverlayComponent({
    name: componentName(options, `tools-${set}`),
    patches: [agentPatch(options, sidecarSelector(sidecar), { containers: [{ name: sidecar, env: envList({ TOOL_MANAGER_TOOL_SET: set }) }] })],
  });
}

/**
 * The gateway settings of `kind`: the settings file of each selected agent's
 * `<name>-tools` ConfigMap replaced whole, the sidecar's log level, and a
 * pod annotation naming the settings (the ConfigMap's change alone would not
 * roll the pods).
 */
function apiSettings(kind: string, settings: LlmGatewaySettings, logLevel: string, options: PresetOptions): OverlayComponent {
  const sidecar = sidecarName(options);
  const user = options.target ?? {};
  const selector = sidecarSelector(sidecar);
  const configMapTarget: PatchTarget = {
    kind: 'ConfigMap',
    name: `${user.name ?? '.*'}${TOOLS_CONFIG_SUFFIX}`,
    ...(user.namespaceName !== undefined ? { namespaceName: user.namespaceName } : {}),
    labelSelector: user.labelSelector ? `${selector},${user.labelSelector}` : selector,
  };
  const settingsFile = { [GATEWAY_SETTINGS_KEY]: stringifyYaml(liteLlmSettings(settings)) };
  return new OverlayComponent({
    name: componentName(options, `apis-${kind}`),
    patches: [
      // kustomize ignores the name of a patch that has a target; this one says so.
      Patch._strategicMerge({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'selected-by-target' }, data: settingsFile }, { target: configMapTarget }, 'as-written'),
      agentPatch(options, selector, {
        podAnnotations: { [LLM_GATEWAY_SETTINGS_ANNOTATION]: kind },
        containers: [{ name: sidecar, env: envList({ LITELLM_LOG: logLevel }) }],
      }),
    ],
  });
}

interface PodPatch {
  readonly replicas?: number;
  readonly strategy?: any;
  readonly podAnnotations?: { [key: string]: string };
  readonly pod?: { [key: string]: any };
  containers?: any[];
  initContainers?: any[];
  volumes?: any[];
}

/** A strategic-merge patch of the agent Deployments `selector` (plus the user's target) selects. */
function agentPatch(options: PresetOptions, selector: string, pod: PodPatch): Patch {
  const user = options.target ?? {};
  const target: PatchTarget = {
    kind: 'Deployment',
    ...user,
    labelSelector: user.labelSelector ? `${selector},${user.labelSelector}` : selector,
  };
  return Patch._strategicMerge(deploymentPatch(pod), { target }, 'as-written');
}

function deploymentPatch(pod: PodPatch): any {
  const spec: { [key: string]: any } = {};
  if (pod.replicas !== undefined) spec.replicas = pod.replicas;
  if (pod.strategy !== undefined) spec.strategy = pod.strategy;
  const podSpec: { [key: string]: any } = { ...(pod.pod ?? {}) };
  if (pod.initContainers) podSpec.initContainers = pod.initContainers;
  if (pod.containers) podSpec.containers = pod.containers;
  if (pod.volumes) podSpec.volumes = pod.volumes;
  const template: { [key: string]: any } = {};
  if (pod.podAnnotations) template.metadata = { annotations: pod.podAnnotations };
  if (Object.keys(podSpec).length > 0) template.spec = podSpec;
  if (Object.keys(template).length > 0) spec.template = template;
  // kustomize ignores the name of a patch that has a target; this one says so.
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'selected-by-target' }, spec };
}

function resources(memory: ContainerMemory): any {
  return {
    requests: { memory: memory.request, ...(memory.cpuRequest ? { cpu: memory.cpuRequest } : {}) },
    limits: { memory: memory.limit },
  };
}

function envList(env: { [name: string]: string }): Array<{ name: string; value: string }> {
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

function sidecarSelector(sidecar: string): string {
  return `${AGENT_SELECTOR},${TOOL_SIDECAR_LABEL}=${sidecar}`;
}

function sidecarName(options: PresetOptions): string {
  const name = options.sidecarName ?? DEFAULT_SIDECAR;
  return checkDns1123Label('PresetOptions', name, 'sidecarName', name);
}

function componentName(options: PresetOptions, fallback: string): string {
  return options.name ?? fallback;
}
