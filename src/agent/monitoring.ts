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
import type { MonitoringSpec } from '../install/agent-type';
import { METRIC_NAME_PATTERN } from '../install/agent-type-schema';

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
  /**
   * Names of the metrics the agent is to export (Prometheus metric names,
   * unique), given to the agent container as `AGENT_METRICS`
   * (comma-separated). Needs `metricsPort`. AgentType `monitoring.metrics`.
   * @default - none: no `AGENT_METRICS` variable
   */
  readonly metrics?: string[];
}

/** The metrics port of an AgentType `monitoring` with `enabled: true` and no `metricsPort`: the OpenTelemetry Prometheus exporter's. */
export const DEFAULT_METRICS_PORT = 9464;

/** The fields of {@link AgentMonitoring} that configure scraping a metrics port (AgentType `monitoring` with `enabled: true`). */
const SCRAPE_FIELDS = ['metricsPath', 'serviceMonitor', 'scrapeInterval', 'scrapeNamespaces', 'metrics'] as const;

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
  checkMetricNames(kind, where, monitoring);
  // The endpoint is rendered as OTEL_EXPORTER_OTLP_ENDPOINT: no `?api_key=`, no user-info password.
  screenText(kind, where, 'monitoring.otlpEndpoint', monitoring.otlpEndpoint);
  if (monitoring.otlpEndpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(monitoring.otlpEndpoint)) {
    fail(kind, where, 'monitoring.otlpEndpoint', monitoring.otlpEndpoint, 'is not an http(s) URL');
  }
}

/** Checks `monitoring.metrics`: unique Prometheus metric names, with a metrics port. */
function checkMetricNames(kind: string, where: string, monitoring: AgentMonitoring): void {
  const metrics = monitoring.metrics;
  if (metrics === undefined) return;
  if (monitoring.metricsPort === undefined) {
    fail(kind, where, 'monitoring.metrics', metrics.join(','), 'needs monitoring.metricsPort: metrics are exported on a port');
  }
  metrics.forEach((name, i) => {
    if (typeof name !== 'string' || !new RegExp(METRIC_NAME_PATTERN).test(name)) {
      fail(kind, where, `monitoring.metrics[${i}]`, name, 'is not a Prometheus metric name (letters, digits, \'_\' and \':\', not starting with a digit)');
    }
    if (metrics.indexOf(name) !== i) fail(kind, where, `monitoring.metrics[${i}]`, name, 'is declared twice');
  });
}

/**
 * The AgentType `spec.monitoring` of an agent's monitoring: with a metrics
 * port, `enabled: true`, `metricsPort` and the scrape settings given;
 * `otlpEndpoint` when given. Scrape settings without a port do nothing and
 * are not written. {@link monitoringFromSpec} is the inverse.
 * @returns undefined when there is nothing to write
 */
export function monitoringToSpec(monitoring: AgentMonitoring | undefined): MonitoringSpec | undefined {
  if (!monitoring) return undefined;
  const spec: { -readonly [K in keyof MonitoringSpec]: any } = {};
  if (monitoring.metricsPort !== undefined) {
    spec.enabled = true;
    spec.metricsPort = monitoring.metricsPort;
    for (const key of SCRAPE_FIELDS) if (monitoring[key] !== undefined) spec[key] = monitoring[key];
  }
  if (monitoring.otlpEndpoint !== undefined) spec.otlpEndpoint = monitoring.otlpEndpoint;
  return Object.keys(spec).length > 0 ? spec : undefined;
}

/**
 * The monitoring an AgentType `spec.monitoring` describes: `enabled: true`
 * gives a metrics port (`metricsPort`, default {@link DEFAULT_METRICS_PORT})
 * with the scrape settings; `otlpEndpoint` the OTLP endpoint. (The CRD
 * refuses scrape settings without `enabled: true`.)
 * @returns undefined when the spec asks for nothing (`enabled: false` or absent, no endpoint)
 */
export function monitoringFromSpec(spec: MonitoringSpec): AgentMonitoring | undefined {
  const monitoring: { -readonly [K in keyof AgentMonitoring]: any } = {};
  if (spec.enabled) {
    monitoring.metricsPort = spec.metricsPort ?? DEFAULT_METRICS_PORT;
    for (const key of SCRAPE_FIELDS) if (spec[key] !== undefined) monitoring[key] = spec[key];
  }
  if (spec.otlpEndpoint !== undefined) monitoring.otlpEndpoint = spec.otlpEndpoint;
  return Object.keys(monitoring).length > 0 ? monitoring : undefined;
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
    attributes.push(['gen_ai.provider.name', main.providerType]);
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
