/**
 * The probe's verdict: what a real token of one service account, fresh from the cluster's TokenRequest API, would
 * meet at STS `AssumeRoleWithWebIdentity` for the role its annotation names. Each check says pass, fail, or skip
 * (could not be decided: what it needs was not read, or an earlier check failed). Pure: the reads are done before.
 *
 * The token's signature is not checked here: STS checks it against the issuer's published keys, and the token comes
 * from the cluster's own API server. What is checked is what STS and IAM compare: issuer, provider, audience,
 * subject, expiry, and the role's trust policy evaluated by the project's evaluator for exactly these claims.
 */
import { issuerKey, parseArn, providerArn, stripScheme, WEBHOOK_ROLE_ARN } from '../arn';
import { briefCondition } from '../brief';
import { AUDIENCE_ANNOTATION, ROLE_ARN_ANNOTATION } from '../kube-annotations';
import { DEFAULT_AUDIENCE, type OidcProviderSnapshot, type RoleSnapshot } from '../snapshot';
import { subjectFor } from '../trust-policy/classify';
import {
  type ConditionTrace,
  type EvalDecision,
  evaluateTrustPolicy,
  type StatementTrace,
  type TrustRequest,
  WEB_IDENTITY_ACTION,
} from '../trust-policy/evaluate';
import { parseTrustPolicy } from '../trust-policy/parse-trust-policy';
import type { TokenClaims, TokenDecoding } from './token-claims';

export const PROBE_CHECKS = [
  'service-account',
  'token',
  'subject',
  'expiry',
  'audience',
  'issuer',
  'role-annotation',
  'provider',
  'provider-audience',
  'role',
  'trust',
] as const;
export type ProbeCheckId = (typeof PROBE_CHECKS)[number];
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface ProbeCheck {
  readonly id: ProbeCheckId;
  readonly status: CheckStatus;
  /** What was compared, and the outcome, in one or two sentences. */
  readonly detail: string;
  /** What to do when it failed. */
  readonly fix?: string;
}

/** What was read of the role's account: its OIDC providers and the role (undefined: no such role). */
export interface RoleAccountRead {
  readonly accountId: string;
  readonly providers: readonly OidcProviderSnapshot[];
  readonly role: RoleSnapshot | undefined;
  /** Providers and the role were read in full; when false, an absent one is not concluded to be missing. */
  readonly complete: boolean;
  /** Why the read is not complete. */
  readonly error?: string;
}

export interface ProbeInput {
  readonly partition: string;
  readonly cluster: {
    readonly name: string;
    readonly region: string;
    /** DescribeCluster's issuer; null: the cluster has none; undefined: not read (`clusterError` says why). */
    readonly oidcIssuer: string | null | undefined;
    readonly error?: string;
  };
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The service account's annotations (only eks.amazonaws.com/* are read); undefined: it does not exist (404). */
  readonly annotations: Readonly<Record<string, string>> | undefined;
  /** The audience the token was requested for. */
  readonly audience: string;
  readonly token: TokenDecoding;
  /** Seconds since the epoch. */
  readonly now: number;
  /** Undefined when the role's account could not be determined or was not read at all. */
  readonly roleAccount: RoleAccountRead | undefined;
}

export type Verdict = 'allow' | 'deny' | 'unknown';

export interface TrustOutcome {
  readonly decision: EvalDecision;
  readonly explanation: string;
  /** The request evaluated: the provider ARN as principal, the action, and the token's `:sub` and `:aud` keys. */
  readonly request: TrustRequest;
  /** The statement that allowed or explicitly denied, or for an implicit deny the Allow statement that came closest. */
  readonly statement?: { readonly index: number; readonly sid?: string; readonly effect?: 'Allow' | 'Deny' };
  readonly failedCondition?: ReturnType<typeof briefCondition<ConditionTrace>>;
}

export interface ProbeVerdict {
  /** allow: every check passed; deny: one failed; unknown: none failed but some could not be decided. */
  readonly verdict: Verdict;
  readonly roleArn?: string;
  readonly checks: readonly ProbeCheck[];
  readonly trust?: TrustOutcome;
}

/** The audience a pod's token is requested for: the annotation, else sts.amazonaws.com (as the webhook does). */
export function audienceFor(annotations: Readonly<Record<string, string>>): string {
  const value = annotations[AUDIENCE_ANNOTATION]?.trim();
  return value ? value : DEFAULT_AUDIENCE;
}

/** Runs every check; the verdict is allow only when all pass. */
export function buildProbeVerdict(input: ProbeInput): ProbeVerdict {
  const who = `${input.namespace}/${input.serviceAccount}`;
  if (input.annotations === undefined) {
    return {
      verdict: 'deny',
      checks: [
        fail(
          'service-account',
          `service account ${who} does not exist on cluster ${input.cluster.name}: pods naming it are not created (error looking up service account)`,
          `kubectl create serviceaccount -n ${input.namespace} ${input.serviceAccount}, or fix the pod's serviceAccountName`,
        ),
        ...PROBE_CHECKS.slice(1).map((id) => skip(id, 'the service account does not exist')),
      ],
    };
  }
  return checksOf(input, input.annotations, pass('service-account', `service account ${who} exists`));
}

function checksOf(input: ProbeInput, annotations: Readonly<Record<string, string>>, exists: ProbeCheck): ProbeVerdict {
  const checks: ProbeCheck[] = [exists];
  const claims = input.token.ok ? input.token.claims : undefined;
  checks.push(
    input.token.ok
      ? pass(
          'token',
          `decoded the token (its signature is not part of the verdict: STS verifies it against the issuer's keys)`,
        )
      : fail('token', `the token cannot be decoded: ${input.token.message}`),
  );
  checks.push(subjectCheck(input, claims), expiryCheck(input, claims), audienceCheck(input, claims));
  checks.push(issuerCheck(input, claims));
  const roleArn = annotations[ROLE_ARN_ANNOTATION];
  const annotation = annotationCheck(input, roleArn);
  checks.push(annotation);
  const validArn = annotation.status === 'pass' ? (roleArn as string) : undefined;
  const provider = findProvider(input, claims);
  checks.push(providerCheck(input, claims, validArn, provider), providerAudienceCheck(input, claims, provider));
  const role = roleCheck(input, validArn);
  checks.push(role.check);
  const trust = role.role && claims ? evaluateTrust(input, claims, role.role, provider) : undefined;
  checks.push(trustCheck(trust, role.role, claims));
  const verdict: Verdict = checks.some((c) => c.status === 'fail')
    ? 'deny'
    : checks.every((c) => c.status === 'pass')
      ? 'allow'
      : 'unknown';
  return {
    verdict,
    ...(roleArn !== undefined ? { roleArn } : {}),
    checks,
    ...(trust && 'decision' in trust ? { trust } : {}),
  };
}

function subjectCheck(input: ProbeInput, claims: TokenClaims | undefined): ProbeCheck {
  if (!claims) return skip('subject', 'no claims to check');
  const expected = subjectFor(input.namespace, input.serviceAccount);
  return claims.sub === expected
    ? pass('subject', `sub is ${expected}`)
    : fail('subject', `sub is ${show(claims.sub)}, expected ${expected}`);
}

function expiryCheck(input: ProbeInput, claims: TokenClaims | undefined): ProbeCheck {
  if (!claims) return skip('expiry', 'no claims to check');
  if (claims.exp === undefined) return fail('expiry', 'the token has no exp claim; STS refuses it');
  const at = isoSeconds(claims.exp);
  return claims.exp > input.now
    ? pass('expiry', `expires at ${at}, in ${Math.round(claims.exp - input.now)} s`)
    : fail('expiry', `expired at ${at}`, "check the clock of this machine and of the cluster's API server");
}

function audienceCheck(input: ProbeInput, claims: TokenClaims | undefined): ProbeCheck {
  if (!claims) return skip('audience', 'no claims to check');
  return claims.aud.includes(input.audience)
    ? pass('audience', `aud is ${claims.aud.join(', ')} (requested ${input.audience})`)
    : fail('audience', `aud is ${claims.aud.join(', ') || 'absent'}, but ${input.audience} was requested`);
}

function issuerCheck(input: ProbeInput, claims: TokenClaims | undefined): ProbeCheck {
  if (!claims) return skip('issuer', 'no claims to check');
  if (claims.iss === undefined) return fail('issuer', 'the token has no iss claim');
  const issuer = input.cluster.oidcIssuer;
  if (issuer === undefined) {
    return skip(
      'issuer',
      `the cluster's OIDC issuer was not read${input.cluster.error ? `: ${input.cluster.error}` : ''}`,
    );
  }
  if (issuer === null) {
    return fail('issuer', `cluster ${input.cluster.name} has no OIDC issuer, yet the token's iss is ${claims.iss}`);
  }
  return issuerKey(issuer) === issuerKey(claims.iss)
    ? pass('issuer', `iss is the cluster's OIDC issuer ${issuer}`)
    : fail(
        'issuer',
        `iss is ${claims.iss}, but cluster ${input.cluster.name}'s OIDC issuer is ${issuer}: this kubeconfig context may be another cluster`,
        'check --kube-context and --cluster name the same cluster',
      );
}

function annotationCheck(input: ProbeInput, roleArn: string | undefined): ProbeCheck {
  const annotate = `kubectl annotate serviceaccount -n ${input.namespace} ${input.serviceAccount} ${ROLE_ARN_ANNOTATION}=arn:${input.partition}:iam::<account>:role/<role> --overwrite`;
  if (roleArn === undefined) {
    return fail(
      'role-annotation',
      `service account ${input.namespace}/${input.serviceAccount} has no ${ROLE_ARN_ANNOTATION} annotation: the webhook injects nothing and pods get no web identity`,
      annotate,
    );
  }
  if (!WEBHOOK_ROLE_ARN.test(roleArn.trim()) || roleArn !== roleArn.trim()) {
    return fail('role-annotation', `${ROLE_ARN_ANNOTATION} is ${show(roleArn)}, not a role ARN`, annotate);
  }
  const partition = parseArn(roleArn)?.partition;
  if (partition !== input.partition) {
    return fail('role-annotation', `${roleArn} is in partition ${partition}, the cluster in ${input.partition}`);
  }
  return pass('role-annotation', `${ROLE_ARN_ANNOTATION} is ${roleArn}`);
}

/** STS finds the provider whose URL is exactly the token's iss without its scheme (case and all). */
function findProvider(input: ProbeInput, claims: TokenClaims | undefined): OidcProviderSnapshot | undefined {
  if (!claims?.iss || !input.roleAccount) return undefined;
  const hostPath = stripScheme(claims.iss);
  return input.roleAccount.providers.find((p) => p.url === hostPath);
}

function providerCheck(
  input: ProbeInput,
  claims: TokenClaims | undefined,
  roleArn: string | undefined,
  provider: OidcProviderSnapshot | undefined,
): ProbeCheck {
  if (!claims?.iss) return skip('provider', 'no issuer to look for');
  const account = input.roleAccount;
  if (!account) {
    return skip(
      'provider',
      roleArn ? "the role's account was not read" : "no role ARN, so no role's account to look in",
    );
  }
  if (provider) return pass('provider', `IAM OIDC provider ${provider.arn} exists in account ${account.accountId}`);
  const host = stripScheme(claims.iss);
  const near = account.providers.find((p) => issuerKey(p.url) === issuerKey(claims.iss as string));
  if (near) {
    return fail(
      'provider',
      `account ${account.accountId} has provider ${near.arn}, whose URL is not exactly the token's issuer ${host} (IRSA-006): STS matches no provider (InvalidIdentityToken)`,
      `create a provider with the exact URL ${claims.iss}; delete the near miss once no trust policy names it`,
    );
  }
  if (!account.complete) {
    return skip(
      'provider',
      `no IAM OIDC provider for ${host} was seen in account ${account.accountId}, which was not read in full${account.error ? ` (${account.error})` : ''}`,
    );
  }
  return fail(
    'provider',
    `account ${account.accountId} has no IAM OIDC provider for ${host}: STS answers InvalidIdentityToken (No OpenIDConnect provider found)`,
    `aws iam create-open-id-connect-provider --url ${claims.iss} --client-id-list ${input.audience} (or eksctl utils associate-iam-oidc-provider --cluster ${input.cluster.name} --approve)`,
  );
}

function providerAudienceCheck(
  input: ProbeInput,
  claims: TokenClaims | undefined,
  provider: OidcProviderSnapshot | undefined,
): ProbeCheck {
  if (!claims || !provider) return skip('provider-audience', 'no provider to compare the audience with');
  return claims.aud.some((a) => provider.clientIds.includes(a))
    ? pass(
        'provider-audience',
        `the provider's client ids include ${claims.aud.find((a) => provider.clientIds.includes(a))}`,
      )
    : fail(
        'provider-audience',
        `the provider's client ids (${provider.clientIds.join(', ') || 'none'}) do not include the token's aud ${claims.aud.join(', ')}: STS answers InvalidIdentityToken (Incorrect token audience)`,
        `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${claims.aud[0] ?? input.audience}`,
      );
}

function roleCheck(
  input: ProbeInput,
  roleArn: string | undefined,
): { readonly check: ProbeCheck; readonly role?: RoleSnapshot } {
  if (!roleArn) return { check: skip('role', 'no well-formed role ARN to look up') };
  const account = input.roleAccount;
  if (!account) return { check: skip('role', `account ${parseArn(roleArn)?.accountId} was not read`) };
  if (account.role) return { check: pass('role', `role ${account.role.arn} exists`), role: account.role };
  if (!account.complete) {
    return {
      check: skip('role', `role ${roleArn} could not be read${account.error ? `: ${account.error}` : ''}`),
    };
  }
  return {
    check: fail(
      'role',
      `role ${roleArn} does not exist: STS answers AccessDenied (Not authorized to perform sts:AssumeRoleWithWebIdentity)`,
      'create the role, or annotate the service account with the role that exists',
    ),
  };
}

function evaluateTrust(
  input: ProbeInput,
  claims: TokenClaims,
  role: RoleSnapshot,
  provider: OidcProviderSnapshot | undefined,
): TrustOutcome | { readonly unreadable: string } {
  const read = parseTrustPolicy(role.trustPolicy);
  if (!read.ok) return { unreadable: read.message };
  // STS finds the provider by the token's iss and names the keys by the provider's URL as IAM registered it.
  const hostPath = provider ? provider.url : stripScheme(claims.iss ?? '');
  const principal = provider?.arn ?? providerArn(input.partition, input.roleAccount?.accountId ?? '', hostPath);
  const aud = claims.aud.find((a) => provider?.clientIds.includes(a)) ?? claims.aud[0];
  const context: Record<string, string> = {};
  if (aud !== undefined) context[`${hostPath}:aud`] = aud;
  if (claims.sub !== undefined) context[`${hostPath}:sub`] = claims.sub;
  const request: TrustRequest = {
    principal: { type: 'Federated', id: principal },
    action: WEB_IDENTITY_ACTION,
    context,
  };
  const result = evaluateTrustPolicy(read.policy, request);
  const deciding: StatementTrace | undefined = result.decidedBy ?? result.closest;
  const failed = briefCondition(result.failedCondition);
  return {
    decision: result.decision,
    explanation: result.explanation,
    request,
    ...(deciding
      ? {
          statement: {
            index: deciding.index,
            ...(deciding.sid !== undefined ? { sid: deciding.sid } : {}),
            ...(deciding.effect ? { effect: deciding.effect } : {}),
          },
        }
      : {}),
    ...(failed ? { failedCondition: failed } : {}),
  };
}

function trustCheck(
  trust: TrustOutcome | { readonly unreadable: string } | undefined,
  role: RoleSnapshot | undefined,
  claims: TokenClaims | undefined,
): ProbeCheck {
  if (!role || !claims) return skip('trust', 'no role or no claims to evaluate');
  if (!trust) return skip('trust', 'nothing to evaluate');
  if ('unreadable' in trust) return fail('trust', `the role's trust policy cannot be read: ${trust.unreadable}`);
  if (trust.decision === 'Allow') return pass('trust', `the trust policy allows this token: ${trust.explanation}`);
  const subKey = Object.keys(trust.request.context).find((k) => k.endsWith(':sub'));
  return fail(
    'trust',
    `the trust policy ${trust.decision === 'ExplicitDeny' ? 'explicitly denies' : 'does not allow'} this token: ${trust.explanation}`,
    trust.decision === 'ExplicitDeny'
      ? 'narrow the Deny statement named above if this service account is meant to use the role'
      : `let the statement for this cluster allow Federated ${trust.request.principal.id} with ${subKey ?? ':sub'} = ${claims.sub ?? 'this subject'} ("irsa-doctor plan" proposes the exact change)`,
  );
}

function pass(id: ProbeCheckId, detail: string): ProbeCheck {
  return { id, status: 'pass', detail };
}
function fail(id: ProbeCheckId, detail: string, fix?: string): ProbeCheck {
  return { id, status: 'fail', detail, ...(fix ? { fix } : {}) };
}
function skip(id: ProbeCheckId, detail: string): ProbeCheck {
  return { id, status: 'skip', detail };
}

function show(value: string | undefined): string {
  return value === undefined ? 'absent' : JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value);
}

function isoSeconds(seconds: number): string {
  const ms = seconds * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(seconds);
}
