/**
 * Checks of what a NetworkPolicy is made from, with errors that name the
 * subject, the field and the value. Inside an AgentPod the subject is
 * `AgentPod '<path>'` and options are `networkPolicy.<option>`; alone it is
 * `NetworkPolicy '<agent name>'` and options are named bare. Fields of the
 * agent's own declarations (`memory.backend.address`,
 * `llmProviders['x'].endpoint`) keep their names either way.
 */
import { Cidr, checkCidr, checkCidrInside } from '../cidr';
import {
  checkDns1123Label, checkDns1123Subdomain, checkLabels, checkNonEmpty, checkPort, fail,
} from '../validation';

/** Every method takes the field as errors name it; see {@link PolicyInput.option}. */
export class PolicyInput {
  /**
   * @param agentName the policy's name, the subject of errors without `where`
   * @param where the AgentPod's path, when the policy is an AgentPod's
   */
  public static of(agentName: string, where?: string): PolicyInput {
    return where === undefined
      ? new PolicyInput('NetworkPolicy', agentName, '')
      : new PolicyInput('AgentPod', where, 'networkPolicy.');
  }

  /**
   * Errors of the `networkPolicy` prop of construct `kind` at `path`:
   * `<kind> '<path>': networkPolicy.<option> ...`.
   */
  public static forConstruct(kind: string, path: string): PolicyInput {
    return new PolicyInput(kind, path, 'networkPolicy.');
  }

  private constructor(
    /** Kind of the subject of errors. */
    public readonly kind: string,
    /** Path (or name) of the subject of errors. */
    public readonly where: string,
    private readonly optionPrefix: string,
  ) {}

  /** How errors name the option `name` (`networkPolicy.<name>` inside an AgentPod). */
  public option(name: string): string {
    return `${this.optionPrefix}${name}`;
  }

  /** Throws `<Kind> '<where>': <field> '<value>' <problem>`. */
  public fail(field: string, value: unknown, problem: string): never {
    return fail(this.kind, this.where, field, value, problem);
  }

  /** @returns a copy of `labels`, each key and value checked */
  public labels(field: string, labels: { [key: string]: string }): { [key: string]: string } {
    return checkLabels(this.kind, this.where, field, labels);
  }

  /** A namespace name (RFC 1123 label). */
  public namespace(field: string, value: string): string {
    return checkDns1123Label(this.kind, this.where, field, value);
  }

  /** A DNS domain (RFC 1123 subdomain). */
  public domain(field: string, value: string): string {
    return checkDns1123Subdomain(this.kind, this.where, field, value);
  }

  public nonEmpty(field: string, value: string): string {
    return checkNonEmpty(this.kind, this.where, field, value);
  }

  public port(field: string, value: number): number {
    return checkPort(this.kind, this.where, field, value);
  }

  /** Each port, as `<field>[<i>]` in errors. */
  public ports(field: string, values: number[]): number[] {
    return values.map((value, i) => this.port(`${field}[${i}]`, value));
  }

  public cidr(field: string, text: string): Cidr {
    return checkCidr(this.kind, this.where, field, text);
  }

  /** `ipBlock.except` entries: CIDRs strictly inside `cidr`, as `<field>[<i>]` in errors. */
  public except(field: string, cidr: Cidr, except: string[] | undefined): Cidr[] {
    return (except ?? []).map((text, i) => checkCidrInside(this.kind, this.where, `${field}[${i}]`, text, cidr));
  }
}
