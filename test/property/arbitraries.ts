/**
 * Generators shared by the properties: valid values of each kind of field,
 * adversarial ones (spaces, uppercase, unicode, over-long, YAML-ambiguous,
 * bad numbers) and credential-shaped strings. `field(valid, bad)` is valid
 * most of the time, so most cases get through to synth.
 */
import fc from 'fast-check';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const HEX = '0123456789abcdef'.split('');
const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');

export const alnum = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...ALNUM), minLength: min, maxLength: max });
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...HEX), minLength: n, maxLength: n });

/** A valid value mostly, a bad one about one time in `odds`. */
export function field<T, B>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<B>, odds = 30): fc.Arbitrary<T | B> {
  return fc.oneof({ weight: odds - 1, arbitrary: valid }, { weight: 1, arbitrary: bad as fc.Arbitrary<T | B> });
}

/** An optional prop: undefined about half the time. */
export function opt<T>(a: fc.Arbitrary<T>, present = 1): fc.Arbitrary<T | undefined> {
  return fc.option(a, { nil: undefined, freq: present + 1 });
}

/** API keys and tokens in the shapes providers issue them. */
export const secretToken: fc.Arbitrary<string> = fc.oneof(
  alnum(32, 40).map(b => `sk-ant-api03-${b}`),
  alnum(40, 48).map(b => `sk-proj-${b}`),
  alnum(36, 36).map(b => `ghp_${b}`),
  alnum(20, 20).map(b => `glpat-${b}`),
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.split('')), minLength: 16, maxLength: 16 }).map(b => `AKIA${b}`),
  alnum(34, 34).map(b => `hf_${b}`),
  fc.tuple(alnum(10, 20), alnum(10, 30), alnum(20, 43)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
);

/** A password with no recognizable shape (for URLs and credential-named keys). */
export const password: fc.Arbitrary<string> = alnum(12, 24).map(p => `pw${p}`);

/** A secret in the ways people paste them into URLs. */
export const secretUrl: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.oneof(password, secretToken), fc.constantFrom('api.example.com', 'github.com', 'llm.internal:8443'))
    .map(([s, host]) => `https://user:${s}@${host}/v1`),
  fc.tuple(fc.oneof(password, secretToken), fc.constantFrom('api_key', 'token', 'access_token', 'key'))
    .map(([s, k]) => `https://api.example.com/v1?${k}=${s}`),
);

/** Any credential-shaped string. */
export const secretish: fc.Arbitrary<string> = fc.oneof(secretToken, secretUrl);

/** Strings that trip YAML, names and parsers. */
export const adversarialString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', 'Web', 'web agent', 'wéb', 'αγεντ', '😀', '-web', 'web-', 'web.', 'a_b', 'a/b', '../x', 'a:b', '#x', '*', '{}', '[]',
    '0o17', '0x1F', 'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'false', 'null', '~', '1e3', '.inf', '-.nan', '012', '1_000', '1:20',
    'a'.repeat(64), 'a'.repeat(254), 'x\ny', 'tab\there', ' lead', 'trail ', '$(VAR)', '${VAR}', '"quoted"', '\'q\'',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  secretish,
);

/** Adversarial numbers. */
export const badNumber: fc.Arbitrary<number> = fc.constantFrom(1.5, NaN, -1, 0, Infinity, -Infinity, 1e3, 1e9, 2 ** 31, -0, 0.1);

/** RFC 1123 labels of a few characters. */
export const dnsLabel: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')),
  fc.string({ unit: fc.constantFrom(...LOWER, '-'), maxLength: 10 }),
  fc.constantFrom(...LOWER),
).map(([a, b, c]) => `${a}${b}${c}`);

export const name = field(dnsLabel, adversarialString);

export const IMAGES = [
  'nginx:1.27', 'busybox', 'python:3.12-slim', 'registry.example.com/agents/web:1.0', 'localhost:5000/a/b:tag',
  `ghcr.io/org/agent@sha256:${'a'.repeat(64)}`, 'registry.example.com/agents/img', 'registry.example.com/agents/tool-manager:0.1.0',
];
export const image: fc.Arbitrary<string> = field(
  fc.oneof(fc.constantFrom(...IMAGES), hex(64).map(h => `registry.example.com/agents/web@sha256:${h}`)),
  fc.oneof(adversarialString, fc.constantFrom('Nginx:1', 'nginx:', 'nginx@sha256:abc', 'a b:1', 'nginx:1.0:2', 'UPPER/img'),
    secretToken.map(t => `registry.example.com/${t}:1`), password.map(p => `user:${p}@registry.example.com/img:1`)),
);

export const MEMORY_SIZES = ['64Mi', '128Mi', '256Mi', '512Mi', '1Gi', '2Gi'];
const BAD_QUANTITIES = ['1.5', 'NaN', '-1Gi', '0', '1e3', '2Gx', 'yes', ' 1Gi', '1 Gi', '', 'Infinity', '0o17', '1gi', '12345678901234567890Gi', '1.5Gi', '300M'];
export const memoryQuantity = field(fc.constantFrom(...MEMORY_SIZES), fc.constantFrom(...BAD_QUANTITIES));
/** A request and a limit, the request at most the limit most of the time. */
export const requestAndLimit = field(
  fc.tuple(fc.nat(MEMORY_SIZES.length - 1), fc.nat(MEMORY_SIZES.length - 1))
    .map(([a, b]) => ({ request: MEMORY_SIZES[Math.min(a, b)], limit: MEMORY_SIZES[Math.max(a, b)] })),
  fc.record({
    request: fc.oneof(fc.constantFrom(...BAD_QUANTITIES, ...MEMORY_SIZES), secretish),
    limit: fc.constantFrom(...BAD_QUANTITIES, ...MEMORY_SIZES),
  }));
export const cpuQuantity = field(fc.constantFrom('50m', '100m', '250m', '1', '2', '0.5'),
  fc.constantFrom('1.5.0', 'NaN', '-100m', '1e3', 'yes', '100 m', '', '0o17', 'one'));

export const port = field(fc.integer({ min: 1024, max: 65535 }), fc.oneof(badNumber, fc.constant(70000), fc.constant(80)));
export const smallCount = (max: number) => field(fc.integer({ min: 0, max }), badNumber);
export const pullPolicy = field(fc.constantFrom('Always', 'IfNotPresent', 'Never'), fc.constantFrom('always', 'Sometimes', '', 'ifnotpresent'));

export const ENV_NAMES = ['LOG_LEVEL', 'MODEL_NAME', 'FEATURE_X', 'REGION', 'http.proxy'];
export const envName = field(fc.constantFrom(...ENV_NAMES),
  fc.constantFrom('1ABC', 'A B', 'AGENT_X', 'LLM_KEY', 'TOOL_MANAGER_PORT', '', 'é', 'A=B', 'PATH', 'OPENAI_API_KEY', 'GITHUB_TOKEN', 'DB_PASSWORD', 'MY_SECRET'), 8);
export const plainValue = fc.oneof(fc.constantFrom('info', 'debug', 'eu-west-1', '42', 'on', 'yes', '0o17', '1e3', ''), fc.string({ maxLength: 12 }));
export const envValue = fc.oneof({ weight: 5, arbitrary: plainValue }, { weight: 1, arbitrary: secretish }, { weight: 1, arbitrary: password });

/** A small map from `keys` to `values`. */
export function smallMap(keys: fc.Arbitrary<string>, values: fc.Arbitrary<string>, max = 3): fc.Arbitrary<Record<string, string>> {
  return fc.dictionary(keys, values, { maxKeys: max, noNullPrototype: true });
}

export const LABEL_KEYS = ['team', 'tier', 'example.com/owner', 'cost-center'];
export const labelKey = field(fc.constantFrom(...LABEL_KEYS),
  fc.constantFrom('Bad Key', 'app.kubernetes.io/name', 'a/b/c', '-x', 'x'.repeat(64), 'EXAMPLE.com/x', 'api_key', 'token'));
export const labelValue = field(fc.oneof(fc.constantFrom('agents', 'a', 'v1.2', 'A_b-c', ''), dnsLabel),
  fc.oneof(adversarialString, secretToken));
export const labels = smallMap(labelKey, labelValue);
export const annotationValue = fc.oneof(plainValue, secretish, adversarialString);

export const dnsSubdomain = field(fc.oneof(dnsLabel, fc.tuple(dnsLabel, dnsLabel).map(([a, b]) => `${a}.${b}`)), adversarialString);
export const secretRef = fc.record({ name: dnsSubdomain, key: field(fc.constantFrom('api-key', 'password', 'token', 'key.txt'), adversarialString) });

export const cidr = field(fc.constantFrom('10.0.0.0/8', '192.168.0.0/16', '0.0.0.0/0', '10.1.2.3/32', 'fd00::/8', '172.16.0.0/12'),
  fc.constantFrom('nope', '10.0.0.0/33', '10.0.0.1/8', '300.0.0.0/8', '', '10.0.0.0', '::/129'));
export const host = field(fc.constantFrom('api.example.com', 'pypi.org', 'registry.npmjs.org', 'redis.data.svc.cluster.local'),
  fc.oneof(adversarialString, secretUrl));
export const httpUrl = field(fc.constantFrom('https://api.example.com/v1', 'http://llm.internal:8080', 'https://api.openai.com/v1'),
  fc.oneof(adversarialString, secretUrl, fc.constantFrom('ftp://x', 'api.example.com', 'https://')));
