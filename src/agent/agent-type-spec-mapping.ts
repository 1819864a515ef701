/**
 * The AgentType `spec` -> `AgentPodProps` mapping, the inverse of
 * `AgentPod.toAgentTypeSpec()`: each part is read by the `fromSpec` beside
 * its `toSpec` (AgentSource, AgentEnvironment, ToolSidecar, MemoryProfile,
 * LlmProvider, scaling); this module checks the spec as a whole and puts the
 * parts together with the options the spec does not carry.
 *
 * Internal module: `AgentPod.fromAgentTypeSpec` is the public entry.
 */
import type { AgentPodFromSpecOptions, AgentPodProps } from './agent-pod';
import { AgentEnvironment } from './environment';
import { LlmProvider } from './llm-provider';
import { MemoryProfile } from './memory-profile';
import { scalingFromSpec } from './scaling';
import { AgentSource } from './source';
import { ToolSidecar } from './tool-sidecar';
import { fail, subject } from '../core/validation';
import { AgentTypeSpec } from '../install/agent-type';
import { AGENT_TYPE_KIND, AGENT_TYPE_VERSION, DEFAULT_GROUP, validateAgentTypeManifest } from '../install/agent-type-schema';

const KIND = 'AgentPod';

/** The sections of an AgentType spec that do not map onto an AgentPod, and what to use instead. */
const UNMAPPED_SECTIONS: { [section: string]: string } = {
  monitoring: 'give the metrics port, scraping and OpenTelemetry as the monitoring option',
  security: 'give the NetworkPolicy and security contexts as the networkPolicy, securityContext and runAsUser options',
};

/**
 * The props of the AgentPod an AgentType `spec` describes, at construct path
 * `where`, with `options` for what the spec does not carry.
 * @param agentContainer the name of the AgentPod's agent container (`spec.agent.name` must be it)
 * @throws `AgentPod '<where>': <field> '<value>' <problem>` for a spec the
 * schema refuses (one line per problem, credentials redacted), for a section
 * that does not map onto an AgentPod, for an agent container of another
 * name, for tools or LLM providers without `options.toolSidecar`; and
 * whatever the parts' `fromSpec` refuse, in their own kind's words
 */
export function agentPodPropsFromSpec(
  where: string, spec: AgentTypeSpec, options: AgentPodFromSpecOptions, agentContainer: string,
): AgentPodProps {
  checkSpec(where, spec);
  if (spec.agent.name !== undefined && spec.agent.name !== agentContainer) {
    fail(KIND, where, 'spec.agent.name', spec.agent.name, `is not supported: the agent container of an AgentPod is named '${agentContainer}'`);
  }
  for (const [section, instead] of Object.entries(UNMAPPED_SECTIONS)) {
    if ((spec as any)[section] !== undefined) {
      fail(KIND, where, `spec.${section}`, JSON.stringify((spec as any)[section]), `does not map onto an AgentPod: ${instead}`);
    }
  }
  const { toolSidecar: sidecarContainer, redisMemories, ...podOptions } = options;
  const providers = spec.llm?.providers ?? [];
  const needsSidecar = spec.tools !== undefined || providers.length > 0;
  if (needsSidecar && !sidecarContainer) {
    const field = spec.tools !== undefined ? 'spec.tools' : 'spec.llm.providers';
    fail(KIND, where, field, JSON.stringify(spec.tools ?? providers.map(p => p.name)),
      'needs the tool-manager sidecar: give its container (image) as the toolSidecar option');
  }
  const environment = spec.agent.environment;
  return {
    ...podOptions,
    source: AgentSource.fromSpec(spec.agent),
    environment: environment && Object.keys(environment).length > 0 ? AgentEnvironment.fromSpec(environment) : undefined,
    toolSidecar: needsSidecar ? ToolSidecar.fromSpec(spec.tools ?? {}, sidecarContainer!) : undefined,
    memory: spec.memory && MemoryProfile.fromSpec(spec.memory, redisMemories),
    llmProviders: providers.length > 0 ? providers.map(p => LlmProvider.fromSpec(p)) : undefined,
    scaling: spec.scaling && scalingFromSpec(KIND, where, spec.scaling),
  };
}

/**
 * Checks the spec against the AgentType schema (as `AgentType` does):
 * required fields, enums, patterns, unknown fields, CEL rules, credentials.
 * @throws one line per problem, each `AgentPod '<where>': spec.<path> '<value>' <problem>`
 */
function checkSpec(where: string, spec: AgentTypeSpec): void {
  const problems = validateAgentTypeManifest({ apiVersion: `${DEFAULT_GROUP}/${AGENT_TYPE_VERSION}`, kind: AGENT_TYPE_KIND, metadata: {}, spec });
  if (problems.length > 0) throw new Error(problems.map(problem => `${subject(KIND, where)}: ${problem}`).join('\n'));
}
