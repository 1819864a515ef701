/**
 * A reference to one key of a Secret: the only way a credential reaches a
 * container (`env[].valueFrom.secretKeyRef`); its value never appears in a
 * manifest.
 */
/** A reference to one key of a Secret (Kubernetes `secretKeyRef`). */
export interface SecretKeyReference {
  /** Secret name (RFC 1123 subdomain). */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
}
