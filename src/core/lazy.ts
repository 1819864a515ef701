/**
 * Values cdk8s produces when an object is rendered (at synth), typed for the
 * field they go into. `Lazy.any` is untyped; `lazy` says what the producer
 * returns, so a lazy value can only go where that type is expected.
 */
import { Lazy } from 'cdk8s';

/**
 * A field (an env value, a ConfigMap value, an annotation, a `spec`) whose
 * value `produce` returns when the object is rendered, e.g. from
 * declarations added after the object was created. Called at every render,
 * not before.
 */
export function lazy<T>(produce: () => T): T {
  return Lazy.any({ produce });
}
