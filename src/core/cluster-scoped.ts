/**
 * The one rule for cluster-scoped objects (Namespace, ClusterRole,
 * ClusterRoleBinding, CustomResourceDefinition): they never carry
 * `metadata.namespace`. Internal helper.
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Marks a construct's object as cluster-scoped. cdk8s copies the chart's
 * namespace into every ApiObject, so when the chart has one, a JSON patch
 * removes `metadata.namespace` again at synth.
 * @param resource an `ApiObject`, or a construct whose default child is one (a cdk8s-plus resource)
 */
export function clusterScoped(resource: IConstruct): void {
  if (Chart.of(resource).namespace !== undefined) {
    ApiObject.of(resource).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
