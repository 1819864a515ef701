/**
 * The status the operator writes on an AgentType (through the status
 * subresource), computed from what the reconcile did and what the agent's
 * Deployment reports:
 *
 * - `phase`: `Failed` when the spec could not be rendered or applied,
 *   `Running` when the Deployment is Available for the current spec, else
 *   `Pending`;
 * - `observedGeneration`: the AgentType's `metadata.generation`;
 * - `conditions` (`metav1.Condition`): `Reconciled` (the objects are applied)
 *   and `Ready` (the agent serves), each with a reason and a message; a
 *   condition keeps its `lastTransitionTime` while its status stays the same,
 *   so an unchanged AgentType gives an equal status and the operator writes
 *   nothing;
 * - `toolStatus`, `memoryStatus`, `llmStatus`: what was rendered (tools,
 *   memory backend, providers in fallback order), never a credential.
 */
import { AgentTypeSpec } from '../install/agent-type';

/** `metav1.Time` (RFC 3339, seconds): a condition's `lastTransitionTime`. */
export const rfc3339Time = (date: Date): string => date.toISOString().replace(/\.\d+Z$/, 'Z');
/** `metav1.MicroTime` (RFC 3339, six fraction digits): an Event's `eventTime`, a Lease's `renewTime`. */
export const microTime = (date: Date): string => date.toISOString().replace(/Z$/, '000Z');

/** One `metav1.Condition`. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

/** `status` of an AgentType. */
export interface AgentTypeStatus {
  readonly phase: 'Pending' | 'Running' | 'Failed';
  readonly message: string;
  readonly observedGeneration?: number;
  readonly conditions: Condition[];
  readonly toolStatus?: { [key: string]: unknown };
  readonly memoryStatus?: { [key: string]: unknown };
  readonly llmStatus?: { [key: string]: unknown };
}

/** What a reconcile did: applied the objects (and saw the Deployment), or failed. */
export type ReconcileOutcome =
  | { readonly applied: true; readonly spec: AgentTypeSpec; readonly deployment?: any }
  | { readonly applied: false; readonly reason: FailureReason; readonly message: string };

/** Why a reconcile failed (the `reason` of the False conditions). */
export type FailureReason = 'InvalidSpec' | 'SecretNotFound' | 'ApplyFailed';

/** Whether the Deployment serves the current template: Available, every replica updated, for its generation. */
function deploymentState(deployment: any): { ready: boolean; reason: string; message: string } {
  if (!deployment) return { ready: false, reason: 'DeploymentNotFound', message: 'the Deployment is not there yet' };
  const status = deployment.status ?? {};
  const wanted = deployment.spec?.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) {
    return { ready: false, reason: 'DeploymentProgressing', message: 'the Deployment controller has not seen the latest template yet' };
  }
  const available = (status.conditions ?? []).some((c: any) => c.type === 'Available' && c.status === 'True');
  const updated = status.updatedReplicas ?? 0;
  const ready = status.availableReplicas ?? 0;
  if (available && updated >= wanted && ready >= Math.min(wanted, 1)) {
    return { ready: true, reason: 'DeploymentAvailable', message: `${ready}/${wanted} replicas available` };
  }
  return { ready: false, reason: 'DeploymentProgressing', message: `${ready}/${wanted} replicas available, ${updated} updated` };
}

/** A condition, keeping the previous transition time when its status did not change. */
function condition(previous: readonly Condition[] | undefined, now: string, generation: number | undefined,
  type: string, status: Condition['status'], reason: string, message: string): Condition {
  const before = previous?.find(c => c.type === type);
  const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now;
  return { type, status, ...(generation !== undefined ? { observedGeneration: generation } : {}), lastTransitionTime, reason, message };
}

/** What the operator rendered, for `toolStatus`, `memoryStatus` and `llmStatus` (names and settings, never a credential). */
function renderedStatus(spec: AgentTypeSpec): Pick<AgentTypeStatus, 'toolStatus' | 'memoryStatus' | 'llmStatus'> {
  const tools = spec.tools;
  const memory = spec.memory;
  const providers = spec.llm?.providers ?? [];
  return {
    ...(tools ? {
      toolStatus: {
        required: [...(tools.required ?? [])],
        optional: [...(tools.optional ?? [])],
        custom: (tools.custom ?? []).map(t => t.name),
      },
    } : {}),
    ...(memory ? { memoryStatus: { type: memory.backendType, size: memory.size, ...(memory.profile ? { profile: memory.profile } : {}) } } : {}),
    ...(providers.length > 0 ? {
      llmStatus: {
        providers: providers.map(p => ({
          name: p.name,
          ...(p.providerType ? { type: p.providerType } : {}),
          ...(typeof p.config?.model === 'string' ? { model: p.config.model } : {}),
        })),
        fallbackOrder: providers.map(p => p.name),
      },
    } : {}),
  };
}

/**
 * The status for `outcome` of an AgentType at `generation`, given its
 * `previous` status (for the conditions' transition times) and the time now
 * (RFC 3339, seconds).
 */
export function agentTypeStatus(outcome: ReconcileOutcome, generation: number | undefined,
  previous: Partial<AgentTypeStatus> | undefined, now: string): AgentTypeStatus {
  const c = (type: string, status: Condition['status'], reason: string, message: string) =>
    condition(previous?.conditions, now, generation, type, status, reason, message);
  if (!outcome.applied) {
    return {
      phase: 'Failed',
      message: outcome.message,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      conditions: [
        c('Reconciled', 'False', outcome.reason, outcome.message),
        c('Ready', 'False', outcome.reason, 'the agent was not (re)deployed: see the Reconciled condition'),
      ],
    };
  }
  const state = deploymentState(outcome.deployment);
  return {
    phase: state.ready ? 'Running' : 'Pending',
    message: state.message,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: [
      c('Reconciled', 'True', 'Applied', 'every object of the agent is applied'),
      c('Ready', state.ready ? 'True' : 'False', state.reason, state.message),
    ],
    ...renderedStatus(outcome.spec),
  };
}
