/**
 * Kubernetes label selectors in their string form (internal), as kustomize's
 * patch targets take them in `labelSelector` and `annotationSelector`.
 *
 * Reference: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
import { has } from './json-value';

/**
 * Parses a Kubernetes label selector (`k8s.io/apimachinery/pkg/labels.Parse`):
 * comma-separated requirements `key`, `!key`, `key=v`, `key==v`, `key!=v`,
 * `key in (a,b)`, `key notin (a,b)`, `key>n`, `key<n`. `!=` and `notin` also
 * match objects without the key.
 */
export function parseLabelSelector(selector: string, field: string): (labels: Record<string, string>) => boolean {
  const tokens = selector.match(/==|!=|=|!|\(|\)|,|<|>|[^\s=!(),<>]+/g) ?? [];
  const fail = (why: string): never => {
    throw new Error(`${field} '${selector}' is not a valid label selector: ${why}`);
  };
  const isWord = (t: string | undefined) => t !== undefined && !['==', '!=', '=', '!', '(', ')', ',', '<', '>'].includes(t);
  const requirements: Array<(labels: Record<string, string>) => boolean> = [];
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i] === '!') {
      const key = tokens[i + 1];
      if (!isWord(key)) fail('expected a key after \'!\'');
      requirements.push(labels => !has(labels, key!));
      i += 2;
    } else {
      const key = tokens[i];
      if (!isWord(key)) fail(`expected a key, found '${key}'`);
      const op = tokens[i + 1];
      i += 2;
      if (op === undefined || op === ',') {
        requirements.push(labels => has(labels, key));
        i--;
      } else if (op === '=' || op === '==' || op === '!=') {
        let value = '';
        if (isWord(tokens[i])) value = tokens[i++];
        requirements.push(op === '!='
          ? labels => !has(labels, key) || labels[key] !== value
          : labels => has(labels, key) && labels[key] === value);
      } else if (op === 'in' || op === 'notin') {
        if (tokens[i] !== '(') fail(`expected '(' after '${op}'`);
        i++;
        const values: string[] = [];
        while (tokens[i] !== ')') {
          if (i >= tokens.length) fail('missing \')\'');
          if (tokens[i] === ',') {
            i++;
            continue;
          }
          if (!isWord(tokens[i])) fail(`unexpected '${tokens[i]}' in a value list`);
          values.push(tokens[i++]);
        }
        i++;
        requirements.push(op === 'in'
          ? labels => has(labels, key) && values.includes(labels[key])
          : labels => !has(labels, key) || !values.includes(labels[key]));
      } else if (op === '<' || op === '>') {
        const bound = tokens[i++];
        if (!/^-?\d+$/.test(bound ?? '')) fail(`'${op}' needs an integer value`);
        requirements.push(labels => {
          if (!has(labels, key) || !/^-?\d+$/.test(labels[key])) return false;
          return op === '<' ? Number(labels[key]) < Number(bound) : Number(labels[key]) > Number(bound);
        });
      } else {
        fail(`unexpected '${op}' after '${key}'`);
      }
    }
    if (i < tokens.length) {
      if (tokens[i] !== ',') fail(`expected ',' before '${tokens[i]}'`);
      i++;
      if (i >= tokens.length) fail('trailing \',\'');
    }
  }
  return labels => requirements.every(r => r(labels));
}
