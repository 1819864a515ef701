/**
 * The one YAML writer of the library (internal), and the rule saying which
 * strings a YAML reader of the Kubernetes tool chain takes for something else.
 *
 * cdk8s writes YAML 1.1 (`Yaml.stringify`), and quotes a string only when a
 * YAML 1.1 reader would read it as another type. The readers of the output
 * are wider: `kubectl` reads manifests with sigs.k8s.io/yaml (go-yaml v2,
 * whose integers are Go's `strconv.ParseInt(s, 0, 64)` after dropping `_`, so
 * `0o17`, `0O17` and `0X1F` are numbers) and kustomize with kyaml (go-yaml v3,
 * YAML 1.2 octals `0o17`). A name `0o17` written plain reaches the API server
 * as the number 15. {@link stringifyYaml} quotes every such string.
 */
import { Yaml } from 'cdk8s';

/** go-yaml v2 / v3 and YAML 1.1 / 1.2 words read as booleans, nulls, special floats or the merge key. */
const WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
  '<<',
]);
/** Go `strconv.ParseInt(s, 0, 64)` syntax (any range): decimal, `0x`, `0o`, `0b` or leading-`0` octal. */
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml's `yamlStyleFloat`, also YAML 1.2 core floats. */
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** YAML 1.1 sexagesimal numbers (`1:20`) and timestamps (`2001-12-14`), which YAML 1.1 readers convert. */
const YAML11_OTHER = /^([-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt \t].*)?)$/;

/**
 * True when a YAML reader of the Kubernetes tool chain (go-yaml v2 as in
 * `kubectl`, go-yaml v3 as in kustomize, YAML 1.1 or 1.2 core) reads `value`,
 * written as a plain scalar, as anything but this string: a boolean, null,
 * number or timestamp. Such a string must be written quoted.
 */
export function readsAsNonString(value: string): boolean {
  if (WORDS.has(value)) return true;
  const first = value.charAt(0);
  if (first === '.') return YAML_FLOAT.test(value);
  if (!/[-+0-9]/.test(first)) return false;
  // go-yaml drops every '_' before it tries the number parsers.
  const plain = value.replace(/_/g, '');
  return GO_INT.test(plain) || YAML_FLOAT.test(plain) || YAML11_OTHER.test(value);
}

/**
 * True when cdk8s's `Yaml.stringify` (used by `app.synth()`) writes `value`
 * plain although a reader takes it for something else (see
 * {@link readsAsNonString}), e.g. `0o17`: `kubectl` would then read a number.
 */
export function cdk8sWritesAmbiguous(value: string): boolean {
  return readsAsNonString(value) && Yaml.stringify(value) === `${value}\n`;
}

/** Letters only: a plain scalar for every YAML reader, a map key as well as a value. */
const PLACEHOLDER = 'cdkeightsagentsquoted';

/**
 * The YAML text of `docs`, one document each, byte for byte what cdk8s's
 * `Yaml.stringify(...docs)` writes except that every string (map key or
 * value) that {@link readsAsNonString} flags is double-quoted. The one YAML
 * writer of the library (staged overlay files, kustomize tree files).
 */
export function stringifyYaml(...docs: any[]): string {
  const all = JSON.stringify(docs) ?? '';
  let tag = PLACEHOLDER;
  while (all.includes(tag)) tag += 'x';
  const quoted: string[] = [];
  const hide = (value: string) => {
    if (!readsAsNonString(value)) return value;
    quoted.push(value);
    return `${tag}${quoted.length - 1}z`;
  };
  const text = Yaml.stringify(...docs.map(doc => replaceStrings(doc, hide)));
  // A placeholder is letters and digits: the writer leaves it plain, and
  // JSON's string syntax is YAML's double-quoted syntax for these strings.
  return quoted.length === 0 ? text : text.replace(new RegExp(`${tag}(\\d+)z`, 'g'), (_, i) => JSON.stringify(quoted[Number(i)]));
}

/** A copy of a JSON-like value with every string (keys too) passed through `replace`. */
function replaceStrings(value: any, replace: (s: string) => string): any {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map(v => replaceStrings(v, replace));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: { [key: string]: any } = {};
  for (const key of Object.keys(value)) copy[replace(key)] = replaceStrings(value[key], replace);
  return copy;
}
