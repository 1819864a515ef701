/**
 * The one credential screen of the library (internal): what looks like a
 * credential, and the checks that refuse it before anything is written.
 *
 * A credential is refused when it is
 * - shaped like a known key (OpenAI `sk-`/`sk-proj-`, Anthropic `sk-ant-`,
 *   GitHub `ghp_ gho_ ghu_ ghs_ ghr_ github_pat_`, GitLab `glpat-`, AWS
 *   `AKIA`/`ASIA` access key ids, Slack `xox?-`/`xapp-`, Google `AIza`,
 *   Hugging Face `hf_`, Stripe `sk_live_`/`sk_test_`, JWTs, PEM private-key
 *   blocks), anywhere inside a string (`Bearer sk-...`, `--token=ghp_...`);
 * - a password (or a token-shaped user) in a URL's user-info
 *   (`https://user:pass@host`), or a query parameter named like a key
 *   (`?api_key=...`, `&sig=...`, `X-Amz-Signature=...`);
 * - a literal value under a credential-named key (`OPENAI_API_KEY`,
 *   `db-password`, `client_secret`, ...), in env maps, config maps, free-form
 *   JSON and `NAME=value` / `name: value` assignments of files and arguments.
 *
 * No message built here repeats the value: it says what kind of credential
 * it looks like. Every regex is compiled once; `secretProblem` is pure and
 * cheap, fit for a check over every string of every synthesized object.
 */

/** A literal that is only a reference to a value held elsewhere (`$(VAR)`, `${VAR}`, `$VAR`, `<placeholder>`, `{{ template }}`). */
const PLACEHOLDER = /^\s*(\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^<>]*>|\{\{.*\}\}|\*+)\s*$/;

/** Start of a key, not inside a word: start of text or a character that is not a letter or digit. */
const B = '(?:^|[^A-Za-z0-9])';

interface Shape { readonly re: RegExp; readonly what: string }

/** Known key shapes, searched anywhere in a string. Order: the most specific first. */
const SHAPES: readonly Shape[] = [
  { re: /-----BEGIN[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/, what: 'a PEM private key' },
  { re: /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\./, what: 'a JSON Web Token' },
  { re: new RegExp(`${B}sk-ant-[A-Za-z0-9_-]{3,}`), what: 'an Anthropic key' },
  { re: new RegExp(`${B}sk-proj-[A-Za-z0-9_-]{3,}`), what: 'an OpenAI key' },
  { re: new RegExp(`${B}sk-(svcacct|admin)-[A-Za-z0-9_-]{3,}`), what: 'an OpenAI key' },
  // Plain `sk-`: a run of letters and digits with a digit early or 20 long, or a few
  // short words then a long run with a digit (`sk-or-v1-<hex>`); `sk-learn` is a
  // package and `sk-statefulset-c80ff19b` a generated name, neither a key.
  {
    re: new RegExp(`${B}sk-(?:(?=[A-Za-z]{0,12}[0-9]|[A-Za-z0-9]{20})[A-Za-z0-9]{3,}|(?:[A-Za-z0-9]{1,12}-){1,3}(?=[A-Za-z]{0,15}[0-9])[A-Za-z0-9]{16,})`),
    what: 'an OpenAI key',
  },
  { re: new RegExp(`${B}sk_(live|test)_[A-Za-z0-9]{3,}`), what: 'a Stripe key' },
  { re: new RegExp(`${B}(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{4,}`), what: 'a GitHub token' },
  { re: new RegExp(`${B}github_pat_[A-Za-z0-9_]{4,}`), what: 'a GitHub token' },
  { re: new RegExp(`${B}glpat-[A-Za-z0-9_-]{4,}`), what: 'a GitLab token' },
  { re: new RegExp(`${B}(AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`), what: 'an AWS access key id' },
  { re: new RegExp(`${B}(xox[abprs]|xapp)-[A-Za-z0-9-]{4,}`), what: 'a Slack token' },
  { re: new RegExp(`${B}AIza[A-Za-z0-9_-]{8,}`), what: 'a Google API key' },
  // `hf_` then a long mixed body (`hf_transfer` is a package, not a token).
  { re: new RegExp(`${B}hf_(?=[a-z_]{0,30}[A-Z0-9])[A-Za-z0-9]{20,}`), what: 'a Hugging Face token' },
];

/** A URL: scheme, then `//`, then up to whitespace or a quote. */
const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"`<>]+/g;
/** User-info of a URL (between `//` and the first `@` of the authority). */
const USER_INFO = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#@\s]*)@/;
/** A token-shaped user (a 20+ character run of letters and digits with both). */
const TOKEN_SHAPED = /^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}$/;
/** Query parameters that carry credentials (lower-cased, `-` as `_`). */
const QUERY_KEYS = new Set([
  'key', 'api_key', 'apikey', 'token', 'access_token', 'auth_token', 'id_token', 'refresh_token', 'auth', 'secret',
  'client_secret', 'password', 'passwd', 'pwd', 'sig', 'signature', 'x_amz_signature', 'x_amz_credential',
  'x_amz_security_token', 'x_goog_signature', 'x_goog_credential', 'sv_sig', 'code',
]);

/** Words that make a name a credential's name (the word ends with one of them). */
const CREDENTIAL_WORD = /(token|secret|secrets|password|passwd|passphrase|credential|credentials|apikey|privatekey|secretkey|accesskey)$/;
/** `<first> key`: api key, private key, ... */
const KEY_PAIR_FIRST = new Set(['api', 'private', 'secret', 'access', 'signing', 'encryption', 'master', 'client']);
/** A name ending with one of these refers to a credential kept elsewhere (`password_file`, `secret_name`, `token_path`) or describes it (`secret-checksum`, `token_limit`). */
const REFERENCE_WORD = new Set([
  'name', 'names', 'ref', 'reference', 'file', 'path', 'dir', 'env', 'var', 'id', 'ids', 'type', 'url', 'endpoint', 'ttl', 'expiry',
  'length', 'header', 'checksum', 'hash', 'digest', 'version', 'count', 'limit', 'mode', 'format', 'policy', 'namespace', 'store',
  'provider', 'source', 'manager', 'backend', 'enabled', 'required',
]);

/** Splits a name into lower-case words at `-`, `_`, `.`, `/`, spaces and camelCase humps. */
function words(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(w => w !== '');
}

/**
 * True when a name (env var, ConfigMap/Secret key, config key, query
 * parameter) announces a credential: `*API_KEY*`, `*TOKEN*`, `*SECRET*`,
 * `*PASSWORD*`, `*CREDENTIAL*`, `*PRIVATE_KEY*`, `accessKey`, ... A name
 * ending with `name`, `file`, `path`, `ref`, ... (`password_file`,
 * `secret_name`) refers to a credential kept elsewhere and is not one;
 * `max_tokens` counts tokens and is not one either.
 */
export function isCredentialName(name: string): boolean {
  if (typeof name !== 'string') return false;
  const w = words(name);
  const last = w.length - 1;
  if (w.length === 0 || REFERENCE_WORD.has(w[last])) return false;
  // `passwordSecret`, `credentialsSecret`: the Secret object holding the credential, referred to by name.
  if (w[last] === 'secret' && last > 0 && CREDENTIAL_WORD.test(w[last - 1])) return false;
  return w.some((word, i) => CREDENTIAL_WORD.test(word) || (word === 'key' && i > 0 && KEY_PAIR_FIRST.has(w[i - 1])));
}

/** True when a literal is empty or only a reference to a value held elsewhere (`$(VAR)`, `${VAR}`, `<your key>`). */
export function isPlaceholder(value: string): boolean {
  return value.trim() === '' || PLACEHOLDER.test(value);
}

function urlProblem(url: string): string | undefined {
  const userInfo = USER_INFO.exec(url)?.[1];
  if (userInfo !== undefined && userInfo !== '') {
    const colon = userInfo.indexOf(':');
    const user = colon < 0 ? userInfo : userInfo.slice(0, colon);
    const password = colon < 0 ? '' : userInfo.slice(colon + 1);
    if (password !== '' && !isPlaceholder(decodeSafe(password))) return 'a password in the user-info of a URL';
    if (TOKEN_SHAPED.test(decodeSafe(user))) return 'a token as the user of a URL';
  }
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  for (const pair of url.slice(q + 1).split('#')[0].split(/[&;]/)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = decodeSafe(pair.slice(0, eq));
    const value = decodeSafe(pair.slice(eq + 1));
    if (isPlaceholder(value)) continue;
    if (QUERY_KEYS.has(name.toLowerCase().replace(/-/g, '_')) || isCredentialName(name)) {
      return `a credential in the URL query parameter ${name}`;
    }
  }
  return undefined;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * What every key shape and every URL starts with: one scan that most strings
 * fail, before the shapes are tried one by one (the final output check runs
 * this on every string of every object).
 */
const ANY_SHAPE_START = /-----BEGIN|eyJ|sk[-_]|gh[pousr]_|github_pat_|glpat-|AKIA|ASIA|xox[abprs]-|xapp-|AIza|hf_|:\/\//;

/**
 * Why a string looks like a credential (`'an OpenAI key'`, `'a password in
 * the user-info of a URL'`, ...), or undefined. Never returns the value.
 * Looks for key shapes anywhere in the string and checks every URL in it.
 * Pure and cheap (one precompiled scan that ordinary strings fail, then the
 * shapes).
 */
export function secretProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 4 || !ANY_SHAPE_START.test(value)) return undefined;
  for (const shape of SHAPES) {
    if (shape.re.test(value)) return shape.what;
  }
  if (value.includes('://')) {
    for (const url of value.match(URL_IN_TEXT) ?? []) {
      const problem = urlProblem(url);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** True when a value looks like a credential; such a value must never be rendered or echoed. */
export function looksLikeSecretValue(value: string): boolean {
  return secretProblem(value) !== undefined;
}

/** `NAME=value`, `name: value`, `"name": "value"`, `export NAME=value`, `--name=value`: one per line. */
const ASSIGNMENT = /^\s*(?:(?:export|const|let|var|final|static|private|public|readonly|val)\s+|-{1,2})*["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?::|=|:=)\s*(.*?)\s*,?\s*$/;
/** A quoted literal value. */
const QUOTED = /^(["'])(.*)\1$/;
/** A bare literal: one word, not code (no call, index, attribute access of an identifier). */
const BARE = /^[^\s()[\]{}"'`]+$/;
/** Values that are not credentials whatever their key: numbers, booleans, null. */
const NOT_A_SECRET = /^(-?[0-9][0-9_.]*|true|false|yes|no|on|off|null|none|nil|~|True|False|None)$/;

/**
 * Why one line (or a one-line argument) assigns a literal to a credential
 * name (`API_KEY="..."`, `password: hunter2`, `--token=abc`), or undefined.
 * A quoted literal counts in any file; a bare one only when `bare` is set
 * (configuration files, arguments), since in code it is an identifier.
 */
function assignmentProblem(line: string, bare: boolean): string | undefined {
  const m = ASSIGNMENT.exec(line);
  if (!m || !isCredentialName(m[1])) return undefined;
  const raw = m[2].replace(/\s+#.*$/, '').replace(/;$/, '');
  const quoted = QUOTED.exec(raw);
  const value = quoted ? quoted[2] : raw;
  if (!quoted && (!bare || !BARE.test(raw))) return undefined;
  if (isPlaceholder(value) || NOT_A_SECRET.test(value)) return undefined;
  if (!quoted && /^[A-Z_][A-Z0-9_]*$/.test(value) && !/[0-9]/.test(value)) return undefined; // another variable's name
  return `a literal value for '${m[1]}', named like a credential`;
}

/** File names whose bare `name: value` / `NAME=value` lines are configuration, not code. */
const CONFIG_FILE = /(^|\/)(\.env[^/]*|[^/]*\.(env|ya?ml|json|ini|cfg|conf|properties|toml|txt|netrc|npmrc|pypirc))$|(^|\/)(\.netrc|\.npmrc|\.pypirc|\.git-credentials)$/i;

/**
 * Why a text (a file's content, a script) holds a credential, or undefined:
 * a key shape or credential URL anywhere, or a line assigning a literal to a
 * credential-named key (quoted literals everywhere; bare values in
 * configuration files, chosen by `fileName`). Names the line, never the value.
 */
export function textSecretProblem(text: string, fileName = ''): string | undefined {
  const whole = secretProblem(text);
  if (whole) return whole;
  const bare = CONFIG_FILE.test(fileName);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].length > 2000) continue;
    const problem = assignmentProblem(lines[i], bare);
    if (problem) return `${problem} on line ${i + 1}`;
  }
  return undefined;
}

/** The message tail of a refusal. */
function refusal(what: string): string {
  return `holds what looks like a credential (${what}): a literal credential would land in the manifest; `
    + 'keep it in a Secret created out of band and reference it (secretKeyRef)';
}

/**
 * Throws `<Kind> '<path>': <field> holds what looks like a credential (<why>)...`
 * when `value` looks like a credential; the value is never in the message.
 */
export function screenText(kind: string, path: string, field: string, value: string | undefined): void {
  if (value === undefined || value === null) return;
  const problem = secretProblem(String(value));
  if (problem) throw new Error(`${safeSubject(kind, path)}: ${safeText(field)} ${refusal(problem)}`);
}

/**
 * Screens a file's text (`textSecretProblem`): the message names the file and
 * the line, never the content.
 */
export function screenFile(kind: string, path: string, field: string, fileName: string, content: string): void {
  const problem = textSecretProblem(content, fileName);
  if (problem) throw new Error(`${safeSubject(kind, path)}: ${field} file '${safeText(fileName)}' ${refusal(problem)}`);
}

/**
 * Screens a name → value map (env vars, annotations, labels, config): a value
 * that looks like a credential, a key that does, and a credential-named key
 * holding a literal (non-placeholder) value are refused.
 */
export function screenMap(kind: string, path: string, field: string, map: { [key: string]: unknown } | undefined): void {
  for (const [key, value] of Object.entries(map ?? {})) {
    screenEntry(kind, path, field, `${field}['${safeText(key)}']`, key, value);
  }
}

/** One `key: value` entry of `field`, shown as `where`. */
function screenEntry(kind: string, path: string, field: string, where: string, key: string, value: unknown): void {
  const keyProblem = secretProblem(key);
  if (keyProblem) throw new Error(`${safeSubject(kind, path)}: ${field} has a key that ${refusal(keyProblem)}`);
  if (typeof value !== 'string') return;
  screenText(kind, path, where, value);
  if (isNamedLiteral(key, value)) throw new Error(`${safeSubject(kind, path)}: ${where} ${NAMED_LITERAL}`);
}

/**
 * The credentials in a JSON value, however deep, one message per finding
 * (`config.auth.api_key is named like a credential and holds a literal
 * value`), never the value: every string and key checked with
 * `secretProblem`, every credential-named key holding a literal string, and
 * every `{ name, value }` entry (an env var) whose name is credential-named
 * and whose value is a literal. `field` names the root.
 */
export function credentialProblems(value: unknown, field: string, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') {
    const problem = secretProblem(value);
    if (problem) out.push(`${field} ${refusal(problem)}`);
  } else if (Array.isArray(value)) {
    if (depth < 64) value.forEach((item, i) => credentialProblems(item, `${field}[${i}]`, out, depth + 1));
  } else if (value !== null && typeof value === 'object' && depth < 64) {
    const entry = value as { [key: string]: unknown };
    if (typeof entry.name === 'string' && typeof entry.value === 'string' && isNamedLiteral(entry.name, entry.value)) {
      out.push(`${field}.value (of '${safeText(entry.name)}') ${NAMED_LITERAL}`);
    }
    for (const [key, item] of Object.entries(entry)) {
      const where = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${field}.${key}` : `${field}['${safeText(key)}']`;
      const keyProblem = secretProblem(key);
      if (keyProblem) out.push(`${field} has a key that ${refusal(keyProblem)}`);
      else if (typeof item === 'string' && !secretProblem(item) && isNamedLiteral(key, item)) out.push(`${where} ${NAMED_LITERAL}`);
      credentialProblems(item, where, out, depth + 1);
    }
  }
  return out;
}

const NAMED_LITERAL = 'is named like a credential and holds a literal value: a literal credential would land in the manifest; '
  + 'keep it in a Secret created out of band and reference it (secretKeyRef)';

/** True when a credential-named key (`isCredentialName`) holds a literal: not empty, not a placeholder, not a number or boolean. */
export function isNamedLiteral(name: string, value: string): boolean {
  return isCredentialName(name) && !isPlaceholder(value) && !NOT_A_SECRET.test(value);
}

/**
 * Screens free-form JSON (AgentType `config` objects, preserved-unknown
 * fields) with `credentialProblems`: throws on the first finding, naming the
 * path of the entry (`config.auth.api_key`), never the value.
 */
export function screenDeep(kind: string, path: string, field: string, value: unknown): void {
  const problems = credentialProblems(value, field);
  if (problems.length > 0) throw new Error(`${safeSubject(kind, path)}: ${problems[0]}`);
}

/**
 * Screens a command line (`command`, `args`): each element, `--name=value` /
 * `NAME=value` with a credential name, and `--name value` pairs whose flag is
 * named like a credential. `field` is the list's name.
 */
export function screenArgs(kind: string, path: string, field: string, args: readonly string[] | undefined): void {
  (args ?? []).forEach((arg, i) => {
    const where = `${field}[${i}]`;
    screenText(kind, path, where, arg);
    const assigned = assignmentProblem(String(arg), true);
    if (assigned && /[=:]/.test(String(arg))) throw new Error(`${safeSubject(kind, path)}: ${where} ${refusal(assigned)}`);
    const flag = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/.exec(String(arg));
    const next = args![i + 1];
    if (flag && isCredentialName(flag[1]) && typeof next === 'string' && !next.startsWith('-') && !isPlaceholder(next)) {
      throw new Error(`${safeSubject(kind, path)}: ${field}[${i + 1}] ${refusal(`the value of the flag '${flag[0]}', named like a credential`)}`);
    }
  });
}

/** The key shapes again, global, to replace every match (the boundary character kept). */
const SHAPES_GLOBAL: readonly Shape[] = SHAPES.map(shape => ({ re: new RegExp(shape.re.source, 'g'), what: shape.what }));

/**
 * The text with every part that looks like a credential replaced by
 * `<redacted: <why>>`: key shapes, and the URLs holding a credential (whole).
 * A safety net for messages built from several values (kustomize engine
 * errors); `fail` and the screens never put the value in the first place.
 */
export function redactSecrets(text: string): string {
  if (typeof text !== 'string' || secretProblem(text) === undefined) return text;
  let out = text;
  for (const shape of SHAPES_GLOBAL) {
    out = out.replace(shape.re, match => {
      const lead = shape.re.source.startsWith(B) && /^[^A-Za-z0-9]/.test(match) ? match[0] : '';
      return `${lead}<redacted: ${shape.what}>`;
    });
  }
  return out.replace(URL_IN_TEXT, url => {
    const problem = urlProblem(url);
    return problem ? `<redacted: ${problem}>` : url;
  });
}

/** The error with its message redacted (`redactSecrets`); other values are returned as they are. */
export function redactError(error: unknown): unknown {
  if (error instanceof Error) error.message = redactSecrets(error.message);
  return error;
}

/** The text, or `<redacted: <why>>` when it looks like a credential: for error messages. */
export function safeText(text: string): string {
  const problem = secretProblem(text);
  return problem ? `<redacted: ${problem}>` : text;
}

/** `<Kind> '<path>'`, the path redacted when it looks like a credential, quotes escaped (`quotable`). */
export function safeSubject(kind: string, path: string): string {
  return `${kind} '${quotable(safeText(path || '<root>'))}'`;
}

/**
 * Text to show between single quotes in an error message: `\`, `'` and
 * control characters (newlines included) escaped as in a JavaScript string,
 * so a message always reads `<Kind> '<path>': <field> '<value>' <problem>`
 * whatever the value holds.
 */
export function quotable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\\'\u0000-\u001f\u007f]/g, c => {
    if (c === '\\' || c === "'") return `\\${c}`;
    if (c === '\n') return '\\n';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
