/**
 * Monitoring of an agent (AgentType `monitoring`):
 * a metrics port scraped by Prometheus (a `monitoring.coreos.com/v1`
 * ServiceMonitor, or `prometheus.io/*` pod annotations), and OpenTelemetry
 * settings carrying the agent and model in the GenAI semantic-convention
 * attribute names (https://opentelemetry.io/docs/specs/semconv/gen-ai/).
 */
import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import { LlmProvider } from './llm-provider';
import { screenText } from '../core/credential-screen';
import { checkDns1123Label, checkPort, fail } from '../core/validation';

/** Monitoring of an agent. */
export interface AgentMonitoring {
  /**
   * Port the agent serves Prometheus metrics on: a container port named
   * `metrics` on the agent container.
   * @default - no metrics port (and no scrape configuration)
   */
  readonly metricsPort?: number;
  /** HTTP path of the metrics. @default '/metrics' */
  readonly metricsPath?: string;
  /**
   * Scrape through a Prometheus Operator `ServiceMonitor` (and a
   * `<name>-metrics` Service it selects) instead of `prometheus.io/scrape`,
   * `prometheus.io/port` and `prometheus.io/path` pod annotations.
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /** Scrape interval of the ServiceMonitor, e.g. `30s`. @default '30s' */
  readonly scrapeInterval?: string;
  /**
   * Namespaces the scraper runs in; the agent's NetworkPolicy lets them reach
   * the metrics port.
   * @default ['monitoring']
   */
  readonly scrapeNamespaces?: string[];
  /**
   * OTLP endpoint for traces and metrics (`OTEL_EXPORTER_OTLP_ENDPOINT`), e.g.
   * `http://otel-collector.monitoring:4317`. Without credentials: a URL with
   * a user-info password or a key query parameter (`?api_key=`) throws (give
   * collector credentials as `OTEL_EXPORTER_OTLP_HEADERS` from a Secret).
   * @default - not set: the SDK default applies
   */
  readonly otlpEndpoint?: string;
}

/** Checks `monitoring`. */
export function checkMonitoring(kind: string, where: string, monitoring: AgentMonitoring | undefined): void {
  if (!monitoring) return;
  if (monitoring.metricsPort !== undefined) checkPort(kind, where, 'monitoring.metricsPort', monitoring.metricsPort);
  if (monitoring.serviceMonitor && monitoring.metricsPort === undefined) {
    fail(kind, where, 'monitoring.serviceMonitor', true, 'needs monitoring.metricsPort: a ServiceMonitor scrapes a port');
  }
  if (monitoring.metricsPath !== undefined && !/^\/[^\s]*$/.test(monitoring.metricsPath)) {
    fail(kind, where, 'monitoring.metricsPath', monitoring.metricsPath, 'must be an absolute HTTP path such as /metrics');
  }
  if (monitoring.scrapeInterval !== undefined && !/^\d+(ms|s|m|h)$/.test(monitoring.scrapeInterval)) {
    fail(kind, where, 'monitoring.scrapeInterval', monitoring.scrapeInterval, 'is not a Prometheus duration such as 30s or 1m');
  }
  for (const ns of monitoring.scrapeNamespaces ?? []) checkDns1123Label(kind, where, 'monitoring.scrapeNamespaces', ns);
  // The endpoint is rendered as OTEL_EXPORTER_OTLP_ENDPOINT: no `?api_key=`, no user-info password.
  screenText(kind, where, 'monitoring.otlpEndpoint', monitoring.otlpEndpoint);
  if (monitoring.otlpEndpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(monitoring.otlpEndpoint)) {
    fail(kind, where, 'monitoring.otlpEndpoint', monitoring.otlpEndpoint, 'is not an http(s) URL');
  }
}

/**
 * OpenTelemetry resource attributes of an agent container:
 * `service.name` comes from `OTEL_SERVICE_NAME`; `OTEL_RESOURCE_ATTRIBUTES`
 * carries `gen_ai.agent.name`, and from the main (first) LLM provider
 * `gen_ai.provider.name` and `gen_ai.request.model`, plus
 * `k8s.namespace.name` when known.
 */
export function otelResourceAttributes(agentName: string, namespace: string | undefined, providers: LlmProvider[]): string {
  const attributes: Array<[string, string]> = [['gen_ai.agent.name', agentName]];
  const main = providers[0];
  if (main) {
    attributes.push(['gen_ai.provider.name', main.type]);
    if (main.model) attributes.push(['gen_ai.request.model', main.model]);
  }
  if (namespace) attributes.push(['k8s.namespace.name', namespace]);
  // W3C baggage-style list: commas and '=' inside values are percent-encoded.
  return attributes.map(([k, v]) => `${k}=${v.replace(/[,=%]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`).join(',');
}

/** `prometheus.io/*` pod annotations for a metrics port. */
export function scrapeAnnotations(monitoring: AgentMonitoring): { [key: string]: string } {
  if (monitoring.metricsPort === undefined || monitoring.serviceMonitor) return {};
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(monitoring.metricsPort),
    'prometheus.io/path': monitoring.metricsPath ?? '/metrics',
  };
}

/**
 * A `monitoring.coreos.com/v1` ServiceMonitor selecting the agent's metrics
 * Service by its labels (the Prometheus Operator CRD must be installed).
 */
export function addServiceMonitor(
  scope: Construct, monitoring: AgentMonitoring, metadata: ApiObjectMetadata, serviceLabels: { [key: string]: string },
): ApiObject {
  return new ApiObject(scope, 'ServiceMonitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata,
    spec: {
      selector: { matchLabels: { ...serviceLabels } },
      ...(metadata.namespace ? { namespaceSelector: { matchNames: [metadata.namespace] } } : {}),
      endpoints: [{ port: 'metrics', path: monitoring.metricsPath ?? '/metrics', interval: monitoring.scrapeInterval ?? '30s' }],
    },
  });
}
