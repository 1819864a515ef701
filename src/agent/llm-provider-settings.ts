/**
 * The settings of the LLM providers with a factory of their own: their
 * formats, the endpoints derived from them, and the Secret references and
 * sidecar variables of their credentials. Internal module: `LlmProvider`
 * holds the factories and their documentation, this module the checks they
 * share, each throwing `LlmProvider '<name>': <field> '<value>' <problem>`
 * (never repeating a value that may be a credential).
 */
import { screenText } from '../core/credential-screen';
import { checkSecretReferencePart } from '../core/secret-key-reference';
import {
  RESERVED_ENV_PREFIX, checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkEnvVarName, checkPort, fail,
  isDns1123Subdomain, looksLikeSecretValue,
} from '../core/validation';

export const KIND = 'LlmProvider';

/** One variable of the tool sidecar filled from one key of a Secret (`env[].valueFrom.secretKeyRef`). */
export interface SecretEnv {
  readonly envVar: string;
  readonly secretName: string;
  readonly secretKey: string;
}

/** Gemini's public API (Google AI Studio), the only endpoint of the `gemini` provider. */
export const GEMINI_ENDPOINT = 'https://generativelanguage.googleapis.com';

/**
 * An AWS region of the commercial, GovCloud or China partitions
 * (`us-east-1`, `us-gov-west-1`, `cn-north-1`); the isolated partitions have
 * endpoints of their own and are not taken.
 */
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-[0-9]{1,2}$/;
/** An IAM role ARN (with an optional path), in the partitions {@link AWS_REGION} takes. */
const IAM_ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/;
/** A Google Cloud location of Vertex AI: a region (`us-central1`, `europe-west4`) or `global`. */
const GCP_LOCATION = /^(global|[a-z]+-[a-z]+[0-9]{1,2})$/;
/**
 * A Google Cloud project ID: 6 to 30 lowercase letters, digits and '-',
 * starting with a letter and not ending with '-'; a legacy domain-scoped
 * project is `example.com:my-project`.
 */
const GCP_PROJECT = /^([a-z0-9]([a-z0-9.-]*[a-z0-9])?:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** An Azure OpenAI data-plane API version: `YYYY-MM-DD`, maybe `-preview`. */
const AZURE_API_VERSION = /^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(-preview)?$/;
/** An Azure OpenAI deployment name: letters, digits, '-', '_' and '.', at most 64, starting with a letter or digit. */
const AZURE_DEPLOYMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks an AWS region (`us-east-1`). */
export function checkAwsRegion(name: string, region: string): string {
  if (typeof region !== 'string' || !AWS_REGION.test(region)) {
    fail(KIND, name, 'region', region ?? '', 'is not an AWS region (e.g. us-east-1, eu-west-3, us-gov-west-1)');
  }
  return region;
}

/** The Bedrock runtime endpoint of a region (`https://bedrock-runtime.<region>.amazonaws.com`, `.com.cn` in China). */
export function bedrockEndpoint(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** Checks an IAM role ARN (`arn:aws:iam::123456789012:role/bedrock-caller`). */
export function checkRoleArn(name: string, roleArn: string): string {
  if (typeof roleArn !== 'string' || !IAM_ROLE_ARN.test(roleArn)) {
    fail(KIND, name, 'roleArn', roleArn ?? '', 'is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)');
  }
  return roleArn;
}

/** Checks a Google Cloud location of Vertex AI (`us-central1`, `global`). */
export function checkGcpLocation(name: string, location: string): string {
  if (typeof location !== 'string' || !GCP_LOCATION.test(location)) {
    fail(KIND, name, 'location', location ?? '', 'is not a Google Cloud location (a region such as us-central1 or europe-west4, or global)');
  }
  return location;
}

/** The Vertex AI endpoint of a location (`https://<location>-aiplatform.googleapis.com`; `https://aiplatform.googleapis.com` for `global`). */
export function vertexEndpoint(location: string): string {
  return location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`;
}

/** Checks a Google Cloud project ID (`my-project-123`). */
export function checkGcpProject(name: string, project: string): string {
  if (typeof project !== 'string' || !GCP_PROJECT.test(project)) {
    fail(KIND, name, 'project', project ?? '', 'is not a Google Cloud project ID (6 to 30 lowercase letters, digits and \'-\', starting with a letter)');
  }
  return project;
}

/** Checks an Azure OpenAI API version (`2024-10-21`, `2025-01-01-preview`). */
export function checkAzureApiVersion(name: string, apiVersion: string): string {
  if (typeof apiVersion !== 'string' || !AZURE_API_VERSION.test(apiVersion)) {
    fail(KIND, name, 'apiVersion', apiVersion ?? '', 'is not an Azure OpenAI API version (YYYY-MM-DD, maybe followed by -preview, e.g. 2024-10-21)');
  }
  return apiVersion;
}

/** Checks an Azure OpenAI deployment name. */
export function checkAzureDeployment(name: string, deployment: string): string {
  screenText(KIND, name, 'deployment', deployment);
  if (typeof deployment !== 'string' || !AZURE_DEPLOYMENT.test(deployment)) {
    fail(KIND, name, 'deployment', deployment ?? '', 'is not an Azure OpenAI deployment name (at most 64 letters, digits, \'-\', \'_\' and \'.\')');
  }
  return deployment;
}

/**
 * Checks the model a provider calls: a non-empty string without blanks, not
 * already prefixed with the LiteLLM route the provider adds (`bedrock/...`).
 */
export function checkModel(name: string, model: string, route: string | undefined): string {
  screenText(KIND, name, 'model', model);
  if (typeof model !== 'string' || model === '' || /\s/.test(model)) {
    fail(KIND, name, 'model', model ?? '', 'is required: the model identifier the provider serves (no blanks)');
  }
  if (route !== undefined && model.startsWith(`${route}/`)) {
    fail(KIND, name, 'model', model, `starts with the LiteLLM route '${route}/', which the provider adds: give the model alone`);
  }
  return model;
}

/**
 * Checks a URL endpoint: parsed by WHATWG URL, scheme `https:` (or `http:`
 * when `allowHttp`), no query and no fragment (a credential in a query is
 * refused by the credential screen before).
 */
export function checkEndpoint(name: string, endpoint: string, allowHttp: boolean): string {
  screenText(KIND, name, 'endpoint', endpoint);
  if (typeof endpoint !== 'string' || endpoint === '') fail(KIND, name, 'endpoint', endpoint ?? '', 'is required: the base URL of the provider\'s API');
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  const schemes = allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!url || !schemes.includes(url.protocol)) {
    fail(KIND, name, 'endpoint', endpoint ?? '', allowHttp ? 'is not an http(s) URL' : 'is not an https URL: a cloud provider is reached over TLS');
  }
  if (url.search !== '' || url.hash !== '') fail(KIND, name, 'endpoint', endpoint, 'has a query or fragment: give the base URL only');
  return endpoint;
}

/**
 * Checks the name of a Secret. A literal key pasted in its place is refused,
 * and no message repeats the value: whatever was pasted there may be a credential.
 */
export function checkSecretName(name: string, field: string, secretName: string): string {
  if (looksLikeSecretValue(secretName ?? '')) {
    throw new Error(`${KIND} '${name}': ${field} looks like an API key, not a Secret name; put the key in a Secret and reference it by name`);
  }
  if (!isDns1123Subdomain(secretName)) {
    throw new Error(`${KIND} '${name}': ${field} is not a valid Secret name (an RFC 1123 subdomain: lowercase letters, digits, '-' and '.'); the value is not shown in case it is a credential`);
  }
  return secretName;
}

/** Checks a key of a Secret (`[-._a-zA-Z0-9]`, at most 253). */
export function checkSecretKey(name: string, field: string, key: string): string {
  return checkSecretReferencePart(KIND, name, field, 'key', key);
}

/**
 * Checks a sidecar variable given for a credential: a valid name, not one of
 * the sidecar's own (`TOOL_MANAGER_*`, `AGENT_*`, `LLM_*`; `LLM_<NAME>_API_KEY`
 * is allowed).
 */
export function checkKeyEnvVar(name: string, field: string, envVar: string): string {
  checkEnvVarName(KIND, name, field, envVar);
  if (RESERVED_ENV_PREFIX.test(envVar) && !/^LLM_[A-Z0-9_]+_API_KEY$/.test(envVar)) {
    fail(KIND, name, field, envVar, 'is reserved: the sidecar\'s TOOL_MANAGER_*, AGENT_* and LLM_* variables are set by cdk8s-agents (LLM_<NAME>_API_KEY is allowed)');
  }
  return envVar;
}

/** The sidecar variable of a provider's key when none is given: `LLM_<NAME>_API_KEY`. */
export function genericApiKeyEnvVar(name: string): string {
  return `LLM_${name.toUpperCase().replace(/-/g, '_')}_API_KEY`;
}

/** An in-cluster Service an OpenAI-compatible provider is reached at, checked. */
export interface CheckedService {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly targetPort: number;
  readonly clusterDomain: string;
}

/** Checks the in-cluster Service of an OpenAI-compatible provider; `targetPort` defaults to `port`, `clusterDomain` to `cluster.local`. */
export function checkService(
  name: string, service: { name: string; namespaceName: string; port: number; targetPort?: number; clusterDomain?: string },
): CheckedService {
  const clusterDomain = service.clusterDomain ?? 'cluster.local';
  const port = checkPort(KIND, name, 'service.port', service.port);
  return {
    name: checkDns1035Label(KIND, name, 'service.name', service.name),
    namespace: checkDns1123Label(KIND, name, 'service.namespaceName', service.namespaceName),
    port,
    targetPort: service.targetPort === undefined ? port : checkPort(KIND, name, 'service.targetPort', service.targetPort),
    clusterDomain: checkDns1123Subdomain(KIND, name, 'service.clusterDomain', clusterDomain),
  };
}

/** The URL of an OpenAI-compatible API served by an in-cluster Service: `http://<name>.<namespace>.svc.<domain>:<port>/v1`. */
export function serviceEndpoint(service: CheckedService): string {
  return `http://${service.name}.${service.namespace}.svc.${service.clusterDomain}:${service.port}/v1`;
}

/** Reads a port written as a decimal string in a spec's `config` (`'8000'`). */
export function portFromSpec(name: string, field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,5}$/.test(text)) fail(KIND, name, field, text, 'is not a port number (an integer from 1 to 65535, written as a string)');
  return Number(text);
}
