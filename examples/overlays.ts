/**
 * The example environments: dev, staging and prod overlays of the GitOps
 * example app, each composed from presets plus a few changes of its own.
 */
import { createHash } from 'crypto';
import { JsonPatch } from 'cdk8s';
import {
  AgentTypePreset, EnvironmentPreset, FeaturePreset, Overlay, Patch,
} from '../src';
import { AGENTS_NAMESPACE, GATEWAY_IMAGE_NAME } from './app';

/** The other images of the example app, pinned to digests in prod. */
const PINNED_IN_PROD = [
  'busybox', 'python', 'custom-agent', 'base-agent', 'advanced-agent', 'production-agent',
  'redis',
];

/**
 * A stand-in digest for the example (sha256 of the image name). In a real
 * pipeline, take each digest from your registry (e.g. `crane digest <image>`).
 */
function placeholderDigest(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** dev, staging and prod, in that order. */
export function buildEnvironmentOverlays(): Overlay[] {
  // dev: small, debuggable, every tool, the development LLM settings.
  const dev = new Overlay({
    name: 'dev',
    components: [
      EnvironmentPreset.dev(),
      FeaturePreset.toolsComplete(),
      FeaturePreset.apisDevelopment(),
    ],
  });

  // staging: monitoring and test data, data-science sizing for python agents.
  const staging = new Overlay({
    name: 'staging',
    components: [
      EnvironmentPreset.staging({
        otlpEndpoint: 'http://otel-collector.monitoring:4317',
        testData: { 'scenarios.json': '[{"name": "smoke", "prompt": "Say hello"}]\n' },
        testDataNamespace: AGENTS_NAMESPACE,
      }),
      AgentTypePreset.pythonDataScience(),
      FeaturePreset.memoryMedium(),
      FeaturePreset.toolsStandard(),
      FeaturePreset.apisProduction(),
    ],
    commonAnnotations: { 'agents.cdk8s.io/release-channel': 'staging' },
  });

  // prod: HA + python web-service + large memory, with its own pins and patches.
  // EnvironmentPreset.prod() requires every image to be pinned to a digest.
  const prod = new Overlay({
    name: 'prod',
    components: [
      EnvironmentPreset.prod(),
      AgentTypePreset.pythonWebService(),
      FeaturePreset.memoryLarge(),
      FeaturePreset.toolsMinimal(),
      FeaturePreset.apisProduction(),
    ],
    images: [
      { name: GATEWAY_IMAGE_NAME, digest: placeholderDigest(GATEWAY_IMAGE_NAME) },
      { name: 'nginx', newName: 'registry.example.com/mirror/nginx', newTag: '1.27.3', digest: placeholderDigest('nginx') },
      ...PINNED_IN_PROD.map(name => ({ name, digest: placeholderDigest(name) })),
    ],
    // production-agent is autoscaled (its HPA owns the count); full-agent is not.
    replicas: [{ name: 'full-agent', count: 3 }],
    patches: [
      // The production agent may scale further in prod.
      Patch.json6902({ kind: 'HorizontalPodAutoscaler', name: 'production-agent' }, JsonPatch.replace('/spec/maxReplicas', 10)),
      // Give the production agent's in-flight LLM calls more time on shutdown.
      Patch.strategicMerge({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'production-agent', namespace: AGENTS_NAMESPACE },
        spec: { template: { spec: { terminationGracePeriodSeconds: 90 } } },
      }),
    ],
  });

  return [dev, staging, prod];
}
