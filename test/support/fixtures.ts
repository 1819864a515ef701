/** Objects shared by the kustomize, overlay and pod security tests. */

/** A Deployment `web` (selector and pod labels `app: web`) running `podSpec`. */
export function webDeployment(podSpec: any): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
    },
  };
}

/** A Job `migrate` whose one container `m` runs `image`. */
export function migrateJob(image: string): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image }] } } },
  };
}
