/**
 * The checks of an overlay's output, before anything is written: the one
 * final check of core/manifest-check.ts (what the API server would refuse,
 * the library's promises, no credential), with the AgentType schema and the
 * ids kustomize gives; and the image policies, which are this library's own rules.
 */
import { agentTypeErrors } from './agent-type-check';
import { ImagePolicy } from '../core/image-reference';
import { checkManifests, objectSubject } from '../core/manifest-check';
import { fail } from '../core/validation';
import { describeId, idOf } from '../kustomize';

/**
 * Checks the objects of overlay `overlay` after all its transformations.
 * `agentTypeApiVersions` says which AgentType objects follow the AgentType
 * schema (see `agentTypeApiVersions`).
 * @throws `Overlay '<overlay>': <problem>` (or one problem a line), naming
 *   the object and the field or value at fault
 */
export function checkOutput(overlay: string, objects: any[], policies: ImagePolicy[], agentTypeApiVersions: Set<string>): void {
  checkImagePolicies(overlay, objects, policies);
  checkUniqueIds(overlay, objects);
  checkManifests(`Overlay '${overlay}'`, objects, {
    objectProblems: object => {
      const errors = agentTypeErrors(object, agentTypeApiVersions);
      return errors.length === 0 ? [] : [`${objectSubject(object)}: breaks the AgentType schema after the overlay: ${errors.join('; ')}`];
    },
  });
}

function checkImagePolicies(overlay: string, objects: any[], policies: ImagePolicy[]): void {
  if (policies.length === 0) return;
  const images = ImagePolicy.imagesOf(objects);
  const problems = policies.flatMap(policy => policy.violations(images));
  if (problems.length > 0) {
    throw new Error(`Overlay '${overlay}': images break the image policy:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
}

/** Two objects with one id (group, kind, namespace, name) would overwrite each other. */
function checkUniqueIds(overlay: string, objects: any[]): void {
  const seen = new Set<string>();
  for (const object of objects) {
    const id = idOf(object);
    const key = `${id.group}/${id.kind}/${id.namespace}/${id.name}`;
    if (seen.has(key)) fail('Overlay', overlay, 'output', describeId(id), 'appears twice after the overlay');
    seen.add(key);
  }
}
