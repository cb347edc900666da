/**
 * The AWS reads and the one STS call of `irsa-doctor probe`, with the fewest calls that decide it: DescribeCluster
 * for the cluster's issuer; in the role's account GetRole, ListOpenIDConnectProviders and one
 * GetOpenIDConnectProvider for the provider whose ARN names the token's issuer; and, with --assume,
 * AssumeRoleWithWebIdentity with the token, then GetCallerIdentity with the credentials it gave.
 * Read-only: nothing here writes to AWS.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { issuerKey, parseArn, providerUrlFromArn } from '../domain/arn';
import type { RoleAccountRead } from '../domain/probe/probe-verdict';
import type { OidcProviderSnapshot, RoleSnapshot } from '../domain/snapshot';
import { clip } from '../shared/text';
import type { AwsClientFactory } from './aws-clients';
import { decodePolicyText } from './iam-text';

export interface ClusterIssuerRead {
  /** null: the cluster has no OIDC issuer; undefined: not read (`error`). */
  readonly oidcIssuer: string | null | undefined;
  readonly endpoint?: string;
  readonly arn?: string;
  readonly error?: string;
}

const errorText = (err: unknown) => {
  const e = err as { name?: string; message?: string };
  return clip(`${e.name ?? 'Error'}: ${e.message ?? String(err)}`, 500);
};

/** The cluster's OIDC issuer (DescribeCluster), or why it could not be read. */
export async function readClusterIssuer(
  factory: AwsClientFactory,
  accountId: string,
  region: string,
  name: string,
): Promise<ClusterIssuerRead> {
  try {
    const out = await factory.eks(accountId, region).send(new DescribeClusterCommand({ name }));
    return {
      oidcIssuer: out.cluster?.identity?.oidc?.issuer ?? null,
      ...(out.cluster?.endpoint ? { endpoint: out.cluster.endpoint } : {}),
      ...(out.cluster?.arn ? { arn: out.cluster.arn } : {}),
    };
  } catch (err) {
    return { oidcIssuer: undefined, error: `eks:DescribeCluster ${name} in ${accountId}/${region}: ${errorText(err)}` };
  }
}

/**
 * The role (GetRole: NoSuchEntity means it does not exist) and the providers of its account whose URL is the
 * token's issuer (ListOpenIDConnectProviders, then GetOpenIDConnectProvider only for those). Errors other than
 * NoSuchEntity leave the read incomplete, so nothing is concluded missing from it.
 */
export async function readRoleAccount(
  factory: AwsClientFactory,
  roleArn: string,
  issuer: string | undefined,
): Promise<RoleAccountRead> {
  const accountId = parseArn(roleArn)?.accountId ?? '';
  const errors: string[] = [];
  const [role, providers] = await Promise.all([
    readRole(factory, accountId, roleArn, errors),
    issuer === undefined ? Promise.resolve([]) : readProviders(factory, accountId, issuer, errors),
  ]);
  return {
    accountId,
    providers,
    role,
    complete: errors.length === 0,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
  };
}

async function readRole(
  factory: AwsClientFactory,
  accountId: string,
  roleArn: string,
  errors: string[],
): Promise<RoleSnapshot | undefined> {
  const name = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  try {
    const out = await factory.iam(accountId).send(new GetRoleCommand({ RoleName: name }));
    const r = out.Role;
    if (!r?.Arn || !r.RoleName) throw new Error('GetRole returned no role');
    // A role of that name on another path is not the role the annotation names.
    if (r.Arn !== roleArn) return undefined;
    return {
      arn: r.Arn,
      name: r.RoleName,
      ...(r.Path ? { path: r.Path } : {}),
      trustPolicy: decodePolicyText(r.AssumeRolePolicyDocument ?? ''),
    };
  } catch (err) {
    if (
      (err as { name?: string }).name === 'NoSuchEntityException' ||
      (err as { name?: string }).name === 'NoSuchEntity'
    ) {
      return undefined;
    }
    errors.push(`iam:GetRole ${name}: ${errorText(err)}`);
    return undefined;
  }
}

async function readProviders(
  factory: AwsClientFactory,
  accountId: string,
  issuer: string,
  errors: string[],
): Promise<OidcProviderSnapshot[]> {
  const iam = factory.iam(accountId);
  const key = issuerKey(issuer);
  let arns: string[];
  try {
    const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    arns = (list.OpenIDConnectProviderList ?? []).flatMap((e) => (e.Arn ? [e.Arn] : []));
  } catch (err) {
    errors.push(`iam:ListOpenIDConnectProviders: ${errorText(err)}`);
    return [];
  }
  const out: OidcProviderSnapshot[] = [];
  for (const arn of arns.filter((a) => issuerKey(providerUrlFromArn(a) ?? '') === key)) {
    try {
      const p = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
      out.push({
        arn,
        url: p.Url ?? providerUrlFromArn(arn) ?? '',
        clientIds: p.ClientIDList ?? [],
        thumbprints: p.ThumbprintList ?? [],
      });
    } catch (err) {
      errors.push(`iam:GetOpenIDConnectProvider ${arn}: ${errorText(err)}`);
    }
  }
  return out;
}

export type AssumeOutcome =
  | {
      readonly ok: true;
      /** GetCallerIdentity with the credentials STS gave: what `aws sts get-caller-identity` prints in a pod. */
      readonly arn: string;
      readonly account: string;
      readonly userId: string;
      readonly expiresAt?: string;
    }
  | { readonly ok: false; readonly operation: string; readonly code: string; readonly message: string };

export interface AssumeOptions {
  readonly region: string;
  readonly endpoint?: string;
  readonly maxAttempts?: number;
}

/**
 * AssumeRoleWithWebIdentity with the token (an unsigned call: the token is the credential), then GetCallerIdentity
 * with the temporary credentials. STS's error is returned exactly (code and message), never thrown.
 */
export async function assumeWithToken(roleArn: string, token: string, options: AssumeOptions): Promise<AssumeOutcome> {
  const config = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration?: Date };
  try {
    const out = await new STSClient(config).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: `irsa-doctor-probe-${Date.now()}`,
        WebIdentityToken: token,
        DurationSeconds: 900,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('STS returned no credentials');
    credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  } catch (err) {
    return failure('sts:AssumeRoleWithWebIdentity', err);
  }
  try {
    const who = await new STSClient({ ...config, credentials }).send(new GetCallerIdentityCommand({}));
    return {
      ok: true,
      arn: who.Arn ?? '',
      account: who.Account ?? '',
      userId: who.UserId ?? '',
      ...(credentials.expiration ? { expiresAt: credentials.expiration.toISOString() } : {}),
    };
  } catch (err) {
    return failure('sts:GetCallerIdentity', err);
  }
}

function failure(operation: string, err: unknown): AssumeOutcome {
  const e = err as { name?: string; Code?: string; code?: string; message?: string };
  // STS errors carry their code as the name (AccessDenied, InvalidIdentityToken...); network errors as `code`.
  const code = e.Code ?? (e.name && e.name !== 'Error' ? e.name : (e.code ?? e.name ?? 'Error'));
  return {
    ok: false,
    operation,
    code: clip(code, 200),
    message: clip(e.message ?? String(err), 1000),
  };
}
