/**
 * AgentType objects after an overlay, checked against the AgentType schema
 * (the one `AgentTypeCrd` renders and `AgentType` validates against at synth),
 * whatever API group their CRD gives them.
 */
import { canonicalJson } from '../core/canonical-json';
import {
  AGENT_TYPE_KIND, AGENT_TYPE_VERSION, agentTypeOpenApiSchema, DEFAULT_GROUP, validateAgentTypeManifest,
} from '../install/agent-type-schema';

/**
 * The `apiVersion`s of AgentType objects that follow this library's AgentType
 * schema: those a CustomResourceDefinition among `objects` serves for kind
 * `AgentType` with that schema (every `AgentTypeCrd` renders one, whatever its
 * group), and `agents.example.com/v1`, the group of an `AgentType` made
 * without a CRD. A CRD for kind `AgentType` with another schema is not this
 * library's: its objects are left alone.
 */
export function agentTypeApiVersions(objects: any[]): Set<string> {
  const apiVersions = new Set([`${DEFAULT_GROUP}/${AGENT_TYPE_VERSION}`]);
  let schema: string | undefined;
  for (const crd of objects) {
    if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.names?.kind !== AGENT_TYPE_KIND) continue;
    schema = schema ?? canonicalJson(agentTypeOpenApiSchema());
    for (const version of crd.spec.versions ?? []) {
      if (canonicalJson(version?.schema?.openAPIV3Schema) === schema) apiVersions.add(`${crd.spec.group}/${version.name}`);
    }
  }
  return apiVersions;
}

/**
 * The schema's messages (each naming the field and the value) for an
 * AgentType object whose `apiVersion` is in `apiVersions`; none for any other
 * object.
 */
export function agentTypeErrors(object: any, apiVersions: Set<string>): string[] {
  if (object?.kind !== AGENT_TYPE_KIND || !apiVersions.has(object.apiVersion)) return [];
  return validateAgentTypeManifest(object);
}

