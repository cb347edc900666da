/** The trust policy as IRSA Doctor reads it: IAM's structure, normalized, with every quirk kept as evidence. */

export type Effect = 'Allow' | 'Deny';

export interface PrincipalBlock {
  /** `"Principal": "*"` */
  readonly wildcard: boolean;
  /** Values by principal type as written (Federated, Service, AWS, CanonicalUser, or anything else). */
  readonly byType: Readonly<Record<string, readonly string[]>>;
}

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

export interface ConditionOperator {
  /** Canonical base name, e.g. StringEquals, StringLike, ArnLike, Null. */
  readonly base: string;
  readonly qualifier?: SetQualifier;
  readonly ifExists: boolean;
}

export interface ConditionEntry {
  /** Operator as written in the policy. */
  readonly operatorText: string;
  /** Undefined when the operator is not one IAM knows (IAM would reject the policy). */
  readonly operator?: ConditionOperator;
  /** Condition key as written. */
  readonly key: string;
  /** Lower-cased key (IAM compares key names case-insensitively). */
  readonly keyLower: string;
  /** Values as strings (booleans and numbers stringified as IAM does). */
  readonly values: readonly string[];
}

export interface Statement {
  readonly index: number;
  readonly sid?: string;
  /** Undefined when the Effect is missing or not exactly Allow/Deny: such a statement never applies. */
  readonly effect?: Effect;
  readonly principal?: PrincipalBlock;
  readonly notPrincipal?: PrincipalBlock;
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly conditions: readonly ConditionEntry[];
  /** The statement object exactly as parsed. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface TrustPolicy {
  readonly version?: string;
  readonly statements: readonly Statement[];
  /** The parsed document (JSON.parse semantics: of duplicate keys, the last wins). */
  readonly document: Readonly<Record<string, unknown>>;
}

export type Quirk =
  | { readonly kind: 'url-encoded'; readonly times: number }
  | { readonly kind: 'statement-is-object' }
  | { readonly kind: 'duplicate-key'; readonly path: string; readonly key: string; readonly values: readonly unknown[] }
  | { readonly kind: 'unknown-element'; readonly path: string; readonly name: string }
  | { readonly kind: 'prohibited-element'; readonly path: string; readonly name: string }
  | { readonly kind: 'invalid-effect'; readonly path: string; readonly value: unknown }
  | { readonly kind: 'invalid-value'; readonly path: string; readonly expected: string; readonly value: unknown }
  | { readonly kind: 'missing-principal'; readonly path: string }
  | { readonly kind: 'missing-action'; readonly path: string }
  | { readonly kind: 'unknown-operator'; readonly path: string; readonly operator: string }
  | { readonly kind: 'operator-case'; readonly path: string; readonly written: string; readonly canonical: string }
  | { readonly kind: 'whitespace'; readonly path: string; readonly value: string }
  | { readonly kind: 'invalid-characters'; readonly sample: string }
  | { readonly kind: 'missing-version' }
  | { readonly kind: 'old-version'; readonly version: string };

export type ReadFailureKind =
  | 'empty'
  | 'bad-url-encoding'
  | 'invalid-json'
  | 'not-an-object'
  | 'too-large'
  | 'too-deep';

export interface ReadFailure {
  readonly ok: false;
  readonly kind: ReadFailureKind;
  readonly message: string;
  readonly quirks: readonly Quirk[];
  /** The decoded text, cut to a readable length, for evidence. */
  readonly excerpt: string;
}

export interface ReadSuccess {
  readonly ok: true;
  readonly policy: TrustPolicy;
  readonly quirks: readonly Quirk[];
  /** Length of the document with insignificant whitespace removed: what the trust-policy quota is checked against. */
  readonly minifiedLength: number;
  readonly decodedText: string;
}

export type ReadResult = ReadSuccess | ReadFailure;
