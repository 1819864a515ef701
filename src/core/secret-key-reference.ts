/**
 * A reference to one key of a Secret: the only way a credential reaches a
 * container (`env[].valueFrom.secretKeyRef`); its value never appears in a
 * manifest. One rule for every reference the constructs take.
 */
import { screenText } from './credential-screen';
import { checkDns1123Subdomain, checkNonEmpty, fail } from './validation';

/** A reference to one key of a Secret (Kubernetes `secretKeyRef`). */
export interface SecretKeyReference {
  /** Secret name (RFC 1123 subdomain). */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
}

/** A Secret data key as the API server accepts it (`IsConfigMapKey`): alphanumerics, '-', '_', '.', at most 253 characters. */
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/**
 * Checks the Secret name (an RFC 1123 subdomain) or key (`[-._a-zA-Z0-9]`, at
 * most 253 characters) of a reference. A credential pasted in place of either
 * is refused and never repeated.
 * @param part `name` or `key`
 * @param field how errors name it, e.g. `passwordSecret.key`
 * @throws `<Kind> '<path>': <field> ...` naming the field
 */
export function checkSecretReferencePart(kind: string, path: string, field: string, part: 'name' | 'key', value: string): string {
  screenText(kind, path, field, value);
  checkNonEmpty(kind, path, field, value);
  if (part === 'name') return checkDns1123Subdomain(kind, path, field, value);
  if (!SECRET_KEY.test(value)) fail(kind, path, field, value, 'is not a valid Secret key (at most 253 letters, digits, \'-\', \'_\' and \'.\')');
  return value;
}

/**
 * Checks a reference: `name` and `key` with {@link checkSecretReferencePart},
 * errors naming `<field>.name` and `<field>.key`.
 * @returns a copy
 */
export function checkSecretKeyReference(kind: string, path: string, field: string, ref: SecretKeyReference): SecretKeyReference {
  return {
    name: checkSecretReferencePart(kind, path, `${field}.name`, 'name', ref.name),
    key: checkSecretReferencePart(kind, path, `${field}.key`, 'key', ref.key),
  };
}
