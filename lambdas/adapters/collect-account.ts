import { DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import {
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  paginateGetAccountAuthorizationDetails,
} from '@aws-sdk/client-iam';
import type {
  AccountSnapshot,
  ClusterSnapshot,
  CollectionError,
  OidcProviderSnapshot,
  RoleSnapshot,
} from '../domain/snapshot';
import type { AwsClientFactory } from './aws-clients';

/** Errors that mean the account could not be entered at all (the scanner role could not be assumed). */
const ACCESS = /AccessDenied|InvalidClientTokenId|ExpiredToken|UnrecognizedClient|CredentialsProviderError/i;

/**
 * Reads one account into the snapshot shape: IAM roles with trust policies and tags (GetAccountAuthorizationDetails,
 * one call per page of roles, no per-role reads), OIDC providers (one list, one read each), and EKS clusters in
 * each region (all pages, one describe each). A failed read is recorded and the rest goes on: the account is then
 * `partial`, or `unreachable` when nothing could be read, and never reported as healthy.
 */
export async function collectAccount(
  factory: AwsClientFactory,
  accountId: string,
  regions: readonly string[],
): Promise<AccountSnapshot> {
  const errors: CollectionError[] = [];
  const record = (operation: string, err: unknown, region?: string) => {
    const e = err as { name?: string; message?: string };
    errors.push({
      operation,
      ...(region ? { region } : {}),
      code: e.name ?? 'Error',
      message: e.message ?? String(err),
    });
  };

  const roles: RoleSnapshot[] = [];
  try {
    const iam = factory.iam(accountId);
    for await (const page of paginateGetAccountAuthorizationDetails(
      { client: iam, pageSize: 1000 },
      { Filter: ['Role'] },
    )) {
      for (const r of page.RoleDetailList ?? []) {
        if (!r.Arn || !r.RoleName) continue;
        roles.push({
          arn: r.Arn,
          name: r.RoleName,
          ...(r.Path ? { path: r.Path } : {}),
          trustPolicy: decodePolicy(r.AssumeRolePolicyDocument ?? ''),
          tags: Object.fromEntries((r.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
          ...(r.CreateDate ? { createDate: r.CreateDate.toISOString() } : {}),
          ...(r.RoleLastUsed?.LastUsedDate ? { lastUsedDate: r.RoleLastUsed.LastUsedDate.toISOString() } : {}),
        });
      }
    }
  } catch (err) {
    record('iam:GetAccountAuthorizationDetails', err);
  }
  if (errors.length > 0 && ACCESS.test(errors[0]?.code ?? '')) {
    return {
      accountId,
      clusters: [],
      oidcProviders: [],
      roles: [],
      collection: { status: 'unreachable', regions: [...regions], errors },
    };
  }

  const oidcProviders: OidcProviderSnapshot[] = [];
  try {
    const iam = factory.iam(accountId);
    const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    for (const entry of list.OpenIDConnectProviderList ?? []) {
      if (!entry.Arn) continue;
      try {
        const p = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: entry.Arn }));
        oidcProviders.push({
          arn: entry.Arn,
          url: p.Url ?? '',
          clientIds: p.ClientIDList ?? [],
          thumbprints: p.ThumbprintList ?? [],
          tags: Object.fromEntries((p.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
          ...(p.CreateDate ? { createDate: p.CreateDate.toISOString() } : {}),
        });
      } catch (err) {
        record('iam:GetOpenIDConnectProvider', err);
      }
    }
  } catch (err) {
    record('iam:ListOpenIDConnectProviders', err);
  }

  const clusters: ClusterSnapshot[] = [];
  const scanned: string[] = [];
  for (const region of regions) {
    try {
      const eks = factory.eks(accountId, region);
      for await (const page of paginateListClusters({ client: eks, pageSize: 100 }, {})) {
        for (const name of page.clusters ?? []) {
          try {
            const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
            if (!cluster) continue;
            clusters.push({
              name,
              region,
              status: cluster.status ?? 'UNKNOWN',
              ...(cluster.version ? { version: cluster.version } : {}),
              ...(cluster.platformVersion ? { platformVersion: cluster.platformVersion } : {}),
              ...(cluster.arn ? { arn: cluster.arn } : {}),
              oidcIssuer: cluster.identity?.oidc?.issuer ?? null,
              tags: cluster.tags ?? {},
            });
          } catch (err) {
            record('eks:DescribeCluster', err, region);
          }
        }
      }
      scanned.push(region);
    } catch (err) {
      record('eks:ListClusters', err, region);
    }
  }

  return {
    accountId,
    clusters,
    oidcProviders,
    roles,
    collection: {
      status: errors.length === 0 ? 'complete' : 'partial',
      regions: scanned,
      ...(errors.length > 0 ? { errors } : {}),
    },
  };
}

/** IAM returns trust policies URL-encoded (RFC 3986) and the JS SDK does not decode them: decode once, keep the text. */
function decodePolicy(text: string): string {
  if (text.trimStart().startsWith('{')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // left as returned: the analyzer reports it (DOC-001)
  }
}
