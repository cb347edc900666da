/**
 * Generates a large, realistic estate for benchmarks: per account a few clusters, their providers, and roles of
 * every kind (healthy IRSA, broken IRSA, multi-cluster, service roles, CI federation), URL-encoded as IAM returns.
 */
import type { AccountSnapshot, EstateSnapshot } from '../lambdas/domain/snapshot';
import { account, cluster, irsaStatement, policy, provider, role, sa } from '../test/support/estate-builder';

export interface EstateSize {
  /** How trust policies are stored: plain JSON text (decoded once, at collection) or URL-encoded (raw IAM output). */
  readonly encoding?: 'plain' | 'url';
  readonly accounts: number;
  readonly rolesPerAccount: number;
  readonly clustersPerAccount: number;
  readonly regions: readonly string[];
}

export function generateEstate(size: EstateSize): EstateSnapshot {
  const accounts: AccountSnapshot[] = [];
  for (let a = 0; a < size.accounts; a++) {
    const accountId = String(100000000000 + a);
    const clusters = Array.from({ length: size.clustersPerAccount }, (_, i) =>
      cluster({ name: `c${i}`, region: size.regions[i % size.regions.length] ?? 'us-west-2', accountId }),
    );
    const roles = [];
    for (let r = 0; r < size.rolesPerAccount; r++) {
      const c = clusters[r % clusters.length];
      const other = clusters[(r + 1) % clusters.length];
      if (!c || !other) break;
      const name = `role-${r}`;
      const subject = sa(`ns-${r % 50}`, `app-${r}`);
      switch (r % 10) {
        case 0:
          roles.push(
            role(
              accountId,
              name,
              policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
            ),
          );
          break;
        case 1:
          roles.push(role(accountId, name, policy(irsaStatement(c, subject), irsaStatement(other, subject))));
          break;
        case 2:
          roles.push(role(accountId, name, policy({ ...irsaStatement(c, subject), Action: 'sts:AssumeRole' })));
          break;
        case 3:
          roles.push(
            role(accountId, name, policy(irsaStatement(c, subject.replace('serviceaccount:', 'serviceaccount: ')))),
          );
          break;
        case 4:
          roles.push(
            role(
              accountId,
              name,
              policy({
                Effect: 'Allow',
                Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com` },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': `repo:org/repo-${r}:*` } },
              }),
            ),
          );
          break;
        default:
          roles.push(role(accountId, name, policy(irsaStatement(c, [subject, sa('kube-system', `sa-${r}`)]))));
      }
    }
    const stored =
      size.encoding === 'url'
        ? roles
        : roles.map((r) => ({ ...r, trustPolicy: decodeURIComponent(r.trustPolicy as string) }));
    accounts.push(
      account(accountId, {
        clusters: clusters.map((c) => c.snapshot),
        oidcProviders: clusters.map((c) => provider(c)),
        roles: stored,
      }),
    );
  }
  return { schemaVersion: 1, partition: 'aws', accounts };
}
