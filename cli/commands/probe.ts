import { AwsClientFactory } from '../../lambdas/adapters/aws-clients';
import { KubeApiClient } from '../../lambdas/adapters/kubernetes/kube-api-client';
import { defaultKubeconfigPath, loadKubeconfig } from '../../lambdas/adapters/kubernetes/kubeconfig';
import { assumeWithToken, readClusterIssuer, readRoleAccount } from '../../lambdas/adapters/probe-aws';
import { type SignatureCheck, verifyWithJwks } from '../../lambdas/adapters/probe-signature';
import { parseArn, WEBHOOK_ROLE_ARN } from '../../lambdas/domain/arn';
import { ROLE_ARN_ANNOTATION } from '../../lambdas/domain/kube-annotations';
import { isPartition, partitionInfo } from '../../lambdas/domain/partitions';
import {
  audienceFor,
  buildProbeVerdict,
  type ProbeInput,
  type RoleAccountRead,
} from '../../lambdas/domain/probe/probe-verdict';
import { decodeTokenClaims, type TokenDecoding } from '../../lambdas/domain/probe/token-claims';
import type { EstateSnapshot } from '../../lambdas/domain/snapshot';
import { CredentialsError, KubeForbiddenError, UsageError } from '../../lambdas/shared/errors';
import { clip } from '../../lambdas/shared/text';
import { type AwsSession, resolveAwsSession } from '../aws-session';
import { DEFAULT_SCANNER_ROLE, PROBE_FORMATS, PROBE_TOKEN_SECONDS } from '../cli-options';
import { type CliIo, readSnapshot } from '../io';
import { type ProbeReport, renderProbeJson, renderProbeTable, tokenSummary } from '../render/probe-report';
import { terminalFor } from '../render/terminal';

export interface ProbeOptions {
  readonly cluster: string;
  readonly region?: string;
  readonly partition?: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly kubeconfig?: string;
  readonly kubeContext?: string;
  readonly snapshot?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly roleName?: string;
  readonly externalId?: string;
  readonly assume?: boolean;
  readonly format: string;
  /** False with the global --no-color (terminalFor: FORCE_COLOR, NO_COLOR and the terminal decide otherwise). */
  readonly color?: boolean;
}

/** The two Kubernetes calls the probe makes, through kapi's client. */
export interface ProbeKube {
  readonly context: string;
  readonly server: string;
  getServiceAccount(namespace: string, name: string): Promise<unknown | undefined>;
  createToken(
    namespace: string,
    name: string,
    request: { readonly audience: string; readonly expirationSeconds: number },
  ): Promise<{ readonly token: string }>;
  issuerKeys(): Promise<unknown>;
  close(): void;
}

interface Target {
  readonly name: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly partition?: string;
}

/** What the AWS side (a snapshot or AWS itself) says about the cluster and the role's account. */
interface AwsSide {
  readonly source: string;
  readonly partition: string;
  readonly cluster: ProbeInput['cluster'] & { readonly accountId?: string };
  readonly roleAccount: RoleAccountRead | undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * `irsa-doctor probe`: asks the cluster for a real token of one service account (TokenRequest: the one write),
 * decodes it, checks it against the cluster's issuer, the IAM provider and the role's trust policy, and with
 * `--assume` exchanges it at STS. Exit 0 allow; 1 deny, undecided, or --assume failed; 2 bad input or access.
 */
export async function probeCommand(options: ProbeOptions, io: CliIo): Promise<number> {
  const format = parseProbeFormat(options.format);
  checkName(options.namespace, '--namespace', DNS_LABEL);
  checkName(options.serviceAccount, '--service-account', DNS_SUBDOMAIN);
  const arn = parseArn(options.cluster);
  // The cluster ARN names its region and partition; otherwise they are resolved as the AWS CLI does.
  const endpoint = options.endpointUrl ?? io.env.AWS_ENDPOINT_URL;
  const session = await resolveAwsSession(
    {
      ...options,
      ...(arn?.region ? { region: arn.region, regionOption: '--cluster' } : {}),
      ...(endpoint !== undefined ? { endpointUrl: endpoint } : {}),
    },
    io,
  );
  const target = parseTarget(options, session);
  const snapshot = options.snapshot === undefined ? undefined : await readSnapshot(options.snapshot, io);
  const kube = openKube(options, io);
  try {
    const report = await probe(options, io, session, kube, target, snapshot);
    io.stdout.write(format === 'json' ? renderProbeJson(report) : renderProbeTable(report, terminalFor(io, options)));
    return report.verdict === 'allow' && (report.assume === undefined || report.assume.ok) ? 0 : 1;
  } finally {
    kube.close();
  }
}

async function probe(
  options: ProbeOptions,
  io: CliIo,
  session: AwsSession,
  kube: ProbeKube,
  target: Target,
  snapshot: EstateSnapshot | undefined,
): Promise<ProbeReport> {
  const { annotations, token } = await askCluster(kube, options);
  const decoding: TokenDecoding = token === undefined ? notIssued() : decodeTokenClaims(token);
  const roleArn = annotations?.[ROLE_ARN_ANNOTATION];
  const issuer = decoding.ok ? decoding.claims.iss : undefined;
  const wellFormed = roleArn !== undefined && WEBHOOK_ROLE_ARN.test(roleArn) ? roleArn : undefined;
  const aws = snapshot
    ? fromSnapshot(snapshot, options.snapshot as string, target, wellFormed)
    : await fromAws(options, io, session, target, wellFormed, issuer);
  const audience = audienceFor(annotations ?? {});
  const verdict = buildProbeVerdict({
    partition: aws.partition,
    cluster: aws.cluster,
    namespace: options.namespace,
    serviceAccount: options.serviceAccount,
    annotations,
    audience,
    token: decoding,
    now: Date.now() / 1000,
    roleAccount: aws.roleAccount,
  });
  const assume = options.assume
    ? await assumeStep(roleArn, token, aws.cluster.region, options.endpointUrl ?? io.env.AWS_ENDPOINT_URL)
    : undefined;
  const summary = tokenSummary(decoding, await signatureOf(kube, token, decoding));
  return {
    verdict: verdict.verdict,
    cluster: {
      name: aws.cluster.name,
      region: aws.cluster.region,
      ...(aws.cluster.accountId ? { accountId: aws.cluster.accountId } : {}),
      ...(aws.cluster.oidcIssuer !== undefined ? { oidcIssuer: aws.cluster.oidcIssuer } : {}),
      source: aws.source,
    },
    kubernetes: { context: kube.context, server: kube.server },
    serviceAccount: {
      namespace: options.namespace,
      name: options.serviceAccount,
      ...(roleArn !== undefined ? { roleArn } : {}),
      audience,
    },
    wrote: wrote(token, audience),
    ...(summary ? { token: summary } : {}),
    checks: verdict.checks,
    ...(verdict.trust ? { trust: verdict.trust } : {}),
    ...(assume ? { assume } : {}),
  };
}

const wrote = (token: string | undefined, audience: string) =>
  token === undefined
    ? 'nothing (no TokenRequest: the service account does not exist)'
    : `one TokenRequest (a ${PROBE_TOKEN_SECONDS} s token for audience ${audience}); nothing else`;

function parseProbeFormat(value: string): (typeof PROBE_FORMATS)[number] {
  if ((PROBE_FORMATS as readonly string[]).includes(value)) return value as (typeof PROBE_FORMATS)[number];
  throw new UsageError(`--format must be one of ${PROBE_FORMATS.join(', ')}; got "${value}"`);
}

function checkName(value: string, flag: string, pattern: RegExp): void {
  if (!pattern.test(value)) {
    throw new UsageError(
      `${flag} must be a Kubernetes name (lower-case letters, digits, '-'); got ${JSON.stringify(value.slice(0, 100))}`,
    );
  }
}

/**
 * --cluster as a name (with the session's region: --region, AWS_REGION, the profile's) or as an EKS cluster ARN
 * (account, region and partition from it).
 */
function parseTarget(options: ProbeOptions, session: AwsSession): Target {
  const arn = parseArn(options.cluster);
  if (arn) {
    if (arn.service !== 'eks' || !arn.resource.startsWith('cluster/') || !arn.region) {
      throw new UsageError(
        `--cluster ${JSON.stringify(options.cluster.slice(0, 200))} is an ARN but not an EKS cluster's`,
      );
    }
    return {
      name: arn.resource.slice('cluster/'.length),
      region: arn.region,
      accountId: arn.accountId,
      partition: arn.partition,
    };
  }
  if (!/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(options.cluster)) {
    throw new UsageError(
      `--cluster must be an EKS cluster name or ARN; got ${JSON.stringify(options.cluster.slice(0, 100))}`,
    );
  }
  const region = session.region;
  if (region === undefined && options.snapshot === undefined) {
    throw new UsageError(
      "--region is needed to find the cluster in AWS (or give the cluster ARN, AWS_REGION or the profile's region)",
    );
  }
  return { name: options.cluster, ...(region ? { region } : {}), partition: session.partition.name };
}

function openKube(options: ProbeOptions, io: CliIo): ProbeKube {
  const config = loadKubeconfig(options.kubeconfig ?? defaultKubeconfigPath(io.env));
  const context = config.context(options.kubeContext);
  const client = new KubeApiClient(context, { env: io.env });
  return {
    context: context.name,
    server: context.server,
    getServiceAccount: (namespace, name) => client.getServiceAccount(namespace, name),
    createToken: (namespace, name, request) => client.createToken(namespace, name, request),
    issuerKeys: () => client.issuerKeys(),
    close: () => client.close(),
  };
}

/** The service account's eks.amazonaws.com/* annotations (undefined: it does not exist) and, if it exists, a token. */
async function askCluster(
  kube: ProbeKube,
  options: ProbeOptions,
): Promise<{ annotations: Readonly<Record<string, string>> | undefined; token: string | undefined }> {
  const who = `${options.namespace}/${options.serviceAccount}`;
  let object: unknown;
  try {
    object = await kube.getServiceAccount(options.namespace, options.serviceAccount);
  } catch (err) {
    throw forbidden(err, `read service account ${who}`, `"get" on "serviceaccounts" in namespace ${options.namespace}`);
  }
  if (object === undefined) return { annotations: undefined, token: undefined };
  const annotations = eksAnnotations(object);
  try {
    const answer = await kube.createToken(options.namespace, options.serviceAccount, {
      audience: audienceFor(annotations),
      expirationSeconds: PROBE_TOKEN_SECONDS,
    });
    return { annotations, token: answer.token };
  } catch (err) {
    throw forbidden(
      err,
      `request a token for service account ${who} (TokenRequest)`,
      `"create" on "serviceaccounts/token" in namespace ${options.namespace}`,
    );
  }
}

/** A 403 becomes a KubeForbiddenError that says which RBAC permission the probe needs; anything else is kept. */
function forbidden(err: unknown, what: string, permission: string): unknown {
  if (!(err instanceof KubeForbiddenError)) return err;
  return new KubeForbiddenError(
    `the Kubernetes identity may not ${what}: the probe needs RBAC ${permission} (a Role or ClusterRole bound to this identity; the probe writes nothing but that one TokenRequest). ${err.message}`,
    err.verb,
    err.resource,
    { cause: err },
  );
}

function eksAnnotations(object: unknown): Readonly<Record<string, string>> {
  const raw = (object as { metadata?: { annotations?: unknown } } | null)?.metadata?.annotations;
  const out: Record<string, string> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('eks.amazonaws.com/') && typeof value === 'string') out[key] = value;
  }
  return out;
}

/** The token's signature checked against the API server's keys, when this identity may read them. */
async function signatureOf(
  kube: ProbeKube,
  token: string | undefined,
  decoding: TokenDecoding,
): Promise<SignatureCheck | undefined> {
  if (token === undefined || !decoding.ok || decoding.claims.iss === undefined) return undefined;
  let jwks: unknown;
  try {
    jwks = await kube.issuerKeys();
  } catch (err) {
    const why =
      err instanceof KubeForbiddenError
        ? 'this identity may not get /openid/v1/jwks (403)'
        : clip((err as Error).message ?? String(err), 300);
    return { verified: false, detail: `not checked: ${why}` };
  }
  return verifyWithJwks(token, decoding.claims.iss, jwks, decoding.claims.header.kid);
}

const notIssued = (): TokenDecoding => ({ ok: false, problem: 'empty', message: 'no token was issued' });

function fromSnapshot(snapshot: EstateSnapshot, file: string, target: Target, roleArn: string | undefined): AwsSide {
  const matches = snapshot.accounts.flatMap((a) =>
    a.clusters
      .filter(
        (c) =>
          c.name === target.name &&
          (target.region === undefined || c.region === target.region) &&
          (target.accountId === undefined || a.accountId === target.accountId),
      )
      .map((c) => ({ accountId: a.accountId, cluster: c })),
  );
  if (matches.length > 1) {
    throw new UsageError(
      `${file} has ${matches.length} clusters named ${target.name}; give --region or the cluster ARN as --cluster`,
    );
  }
  const match = matches[0];
  const roleAccountId = roleArn ? parseArn(roleArn)?.accountId : undefined;
  const account = snapshot.accounts.find((a) => a.accountId === roleAccountId);
  const status = account?.collection?.status ?? 'complete';
  return {
    source: `snapshot ${file}`,
    partition: snapshot.partition,
    cluster: {
      name: target.name,
      region: match?.cluster.region ?? target.region ?? '',
      oidcIssuer: match ? match.cluster.oidcIssuer : undefined,
      ...(match ? { accountId: match.accountId } : { error: `${file} has no cluster ${target.name}` }),
    },
    roleAccount: account
      ? {
          accountId: account.accountId,
          providers: account.oidcProviders,
          role: account.roles.find((r) => r.arn === roleArn),
          complete: status === 'complete',
          ...(status !== 'complete' ? { error: `the snapshot read account ${account.accountId} as ${status}` } : {}),
        }
      : undefined,
  };
}

async function fromAws(
  options: ProbeOptions,
  io: CliIo,
  session: AwsSession,
  target: Target,
  roleArn: string | undefined,
  issuer: string | undefined,
): Promise<AwsSide> {
  const endpoint = options.endpointUrl ?? io.env.AWS_ENDPOINT_URL;
  const { base, caller } = await awsCaller(session, target.partition ?? session.partition.name, endpoint);
  const factory = new AwsClientFactory({
    ...base,
    roleName: options.roleName ?? DEFAULT_SCANNER_ROLE,
    hubAccountId: caller,
    ...(options.externalId ? { externalId: options.externalId } : {}),
    sessionName: 'irsa-doctor-probe',
  });
  const accountId = target.accountId ?? caller;
  const region = target.region as string;
  const [cluster, roleAccount] = await Promise.all([
    readClusterIssuer(factory, accountId, region, target.name),
    roleArn ? readRoleAccount(factory, roleArn, issuer) : Promise.resolve(undefined),
  ]);
  return {
    source: `AWS (account ${accountId}${endpoint ? `, endpoint ${endpoint}` : ''})`,
    partition: target.partition ?? parseArn(cluster.arn ?? '')?.partition ?? session.partition.name,
    cluster: {
      name: target.name,
      region,
      accountId,
      oidcIssuer: cluster.oidcIssuer,
      ...(cluster.error ? { error: cluster.error } : {}),
    },
    roleAccount,
  };
}

/** The base client options and the account of the caller's credentials; a CredentialsError when they do not work. */
async function awsCaller(
  session: AwsSession,
  partition: string,
  endpoint: string | undefined,
): Promise<{ base: ConstructorParameters<typeof AwsClientFactory>[0]; caller: string }> {
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new UsageError(`--endpoint-url must be an http(s) URL; got "${endpoint}"`);
  }
  const base = { ...(endpoint ? { endpoint } : {}), credentials: session.credentials, partition };
  try {
    return { base, caller: await new AwsClientFactory(base).callerAccount() };
  } catch (err) {
    if (err instanceof CredentialsError) throw err; // already says what to do (an MFA code that cannot be asked)
    const e = err as Error;
    throw new CredentialsError(
      `cannot use the AWS credentials${session.profile ? ` of profile "${session.profile}"` : ''} (sts:GetCallerIdentity failed: ${e.name}: ${e.message}); check --profile, AWS_PROFILE or the environment's credentials, or give --snapshot`,
      { cause: err },
    );
  }
}

async function assumeStep(
  roleArn: string | undefined,
  token: string | undefined,
  region: string,
  endpoint: string | undefined,
): Promise<NonNullable<ProbeReport['assume']>> {
  if (token === undefined) return { ok: false, operation: 'skipped', message: 'no token was issued' };
  if (roleArn === undefined) {
    return { ok: false, operation: 'skipped', message: `the service account has no ${ROLE_ARN_ANNOTATION} annotation` };
  }
  // STS of the role's partition (regional: outside aws there is no global endpoint)
  const partition = parseArn(roleArn)?.partition ?? 'aws';
  const sts = region || partitionInfo(isPartition(partition) ? partition : 'aws').stsRegion;
  return assumeWithToken(roleArn, token, { region: sts, ...(endpoint ? { endpoint } : {}) });
}
