/**
 * Checks of the label and annotation maps the overlay API takes
 * (`commonLabels`, `labels[].pairs`, `commonAnnotations`, generator options),
 * with the Kubernetes rules of core/validation.ts.
 */
import { screenMap } from '../core/credential-screen';
import { checkLabelKey, checkLabelValue, fail } from '../core/validation';

/**
 * Every key a label key, every value a label value, no credential (a
 * key-shaped key or value, a credential-named key with a literal value).
 * @throws naming `kind` `name`, the field and the value (never a secret-looking one)
 */
export function checkLabelKeysAndValues(kind: string, name: string, field: string, labels: { [key: string]: string }): void {
  screenMap(kind, name, field, labels);
  for (const [key, value] of Object.entries(labels)) {
    checkLabelKey(kind, name, `${field} key`, key);
    checkLabelValue(kind, name, `${field}['${key}']`, value);
  }
}

/**
 * Every key a label key (annotation keys follow the same rule), every value a
 * string, no credential (as `checkLabelKeysAndValues`).
 * @throws as `checkLabelKeysAndValues`
 */
export function checkAnnotations(kind: string, name: string, field: string, annotations: { [key: string]: string }): void {
  screenMap(kind, name, field, annotations);
  for (const [key, value] of Object.entries(annotations)) {
    checkLabelKey(kind, name, `${field} key`, key);
    if (typeof value !== 'string') fail(kind, name, `${field}['${key}']`, value, 'must be a string');
  }
}
