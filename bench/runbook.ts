/**
 * The AWS troubleshooting runbook ("Troubleshooting IAM roles for service accounts", EKS user guide), scripted over
 * every account as a platform team would today: per account, credentials for the account (one AssumeRole); per
 * region, the clusters; per cluster, describe it, list the OIDC providers, and get every role to read its trust
 * policy (ListRoles for the names, then GetRole each, since the runbook reads the role's trust relationship).
 * Accounts run as many at once as the sweep's; calls within an account run one after another, as a script does.
 */
import { DescribeClusterCommand, type EKSClient, paginateListClusters } from '@aws-sdk/client-eks';
import {
  GetRoleCommand,
  type IAMClient,
  ListOpenIDConnectProvidersCommand,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import type { AwsClientFactory } from '../lambdas/adapters/aws-clients';
import { mapLimit } from '../lambdas/shared/concurrency';

export async function runbookSweep(
  factory: AwsClientFactory,
  accounts: readonly string[],
  regions: readonly string[],
  accountConcurrency = 4,
): Promise<{ readonly trustPoliciesRead: number }> {
  let trustPoliciesRead = 0;
  await mapLimit(accounts, accountConcurrency, async (accountId) => {
    await factory.enter(accountId);
    const iam = factory.iam(accountId);
    for (const region of regions) {
      const eks = factory.eks(accountId, region);
      for await (const page of paginateListClusters({ client: eks }, {})) {
        for (const name of page.clusters ?? []) {
          // Awaited first, then added: `total += await ...` would read the total before other accounts add to it.
          const read = await checkCluster(eks, iam, name);
          trustPoliciesRead += read;
        }
      }
    }
  });
  return { trustPoliciesRead };
}

/** The runbook for one cluster: describe it, list the providers, read every role's trust policy; how many it read. */
async function checkCluster(eks: EKSClient, iam: IAMClient, name: string): Promise<number> {
  let read = 0;
  await eks.send(new DescribeClusterCommand({ name }));
  await iam.send(new ListOpenIDConnectProvidersCommand({}));
  for await (const roles of paginateListRoles({ client: iam }, {})) {
    for (const role of roles.Roles ?? []) {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: role.RoleName }));
      if (Role?.AssumeRolePolicyDocument) read += 1;
    }
  }
  return read;
}
