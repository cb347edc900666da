/**
 * Fix action create-access-entry: the EKS access entry that lets the member scanner role read a cluster
 * (CreateAccessEntry type STANDARD, then AssociateAccessPolicy with the plan's policy, the view policy at cluster
 * scope). The resource is the access entry of the plan's principal on the plan's cluster; its ARN in plans lacks
 * the id EKS appends (`arn:<p>:eks:<region>:<account>:access-entry/<cluster>/role/<account>/<role name>`).
 * Rollback deletes exactly the entry the change created, and only when it still holds what was written: an entry
 * that existed before the change is never deleted (there is nothing to roll back then).
 */
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  type DescribeAccessEntryCommandOutput,
  type EKSClient,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import { FIX_ACTION_IAM } from '../../domain/fix-action-iam';
import { type AccessEntryState, type AccessPolicyAssociation, isAccessEntryState } from '../../domain/plan/plan-model';
import type { AccountSnapshot } from '../../domain/snapshot';
import { StalePlanError } from '../../shared/errors';
import { type FixAction, guardedApply, guardedRollback, notReversible } from './fix-action';

/** The cluster and the principal an access entry ARN (without its id) names. */
export function parseAccessEntryArn(
  arn: string,
): { partition: string; region: string; clusterName: string; principalArn: string } | undefined {
  const m = /^arn:([^:]+):eks:([^:]+):\d{12}:access-entry\/([^/]+)\/role\/(\d{12})\/([^/]+)$/.exec(arn);
  if (!m) return undefined;
  const [, partition, region, clusterName, account, name] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { partition, region, clusterName, principalArn: `arn:${partition}:iam::${account}:role/${name}` };
}

/** The region of an access entry ARN (the EKS client's region). */
export function accessEntryRegion(arn: string): string {
  const region = parseAccessEntryArn(arn)?.region;
  if (!region) throw new Error(`not an access entry ARN: ${arn}`);
  return region;
}

function entryOf(arn: string) {
  const parsed = parseAccessEntryArn(arn);
  if (!parsed) throw new Error(`not an access entry ARN: ${arn}`);
  return parsed;
}

const byPolicy = (a: AccessPolicyAssociation, b: AccessPolicyAssociation) =>
  a.policyArn < b.policyArn ? -1 : a.policyArn > b.policyArn ? 1 : 0;

/** Every policy associated with the principal's entry, every page. */
async function readPolicies(eks: EKSClient, clusterName: string, principalArn: string) {
  const policies: AccessPolicyAssociation[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName, principalArn, nextToken }));
    for (const p of page.associatedAccessPolicies ?? []) {
      if (!p.policyArn) continue;
      const type = p.accessScope?.type === 'namespace' ? 'namespace' : 'cluster';
      policies.push({
        policyArn: p.policyArn,
        accessScope: { type, namespaces: [...(p.accessScope?.namespaces ?? [])] },
      });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return policies;
}

/** The access entry and its associated policies as they are now; null when there is no entry for the principal. */
export async function readAccessEntry(eks: EKSClient, arn: string): Promise<AccessEntryState | null> {
  const { clusterName, principalArn } = entryOf(arn);
  let entry: DescribeAccessEntryCommandOutput;
  try {
    entry = await eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn }));
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return null;
    throw err;
  }
  const policies = await readPolicies(eks, clusterName, principalArn);
  return {
    clusterName,
    principalArn,
    type: entry.accessEntry?.type ?? 'STANDARD',
    kubernetesGroups: [...(entry.accessEntry?.kubernetesGroups ?? [])].sort(),
    policies: policies.sort(byPolicy),
  };
}

function canonical(s: AccessEntryState): string {
  return JSON.stringify([
    s.clusterName,
    s.principalArn,
    s.type,
    [...s.kubernetesGroups].sort(),
    [...s.policies].sort(byPolicy).map((p) => [p.policyArn, p.accessScope.type, [...p.accessScope.namespaces].sort()]),
  ]);
}

export function sameAccessEntry(a: AccessEntryState, b: AccessEntryState): boolean {
  return canonical(a) === canonical(b);
}

function decodeAccessEntry(value: unknown): AccessEntryState | null | undefined {
  if (value === null) return null;
  return isAccessEntryState(value) ? value : undefined;
}

/** Creates the entry, then associates its policies; if an association fails, the entry just made is deleted. */
async function createEntry(eks: EKSClient, after: AccessEntryState): Promise<void> {
  const { clusterName, principalArn } = after;
  await eks.send(new CreateAccessEntryCommand({ clusterName, principalArn, type: after.type }));
  try {
    for (const p of after.policies) {
      await eks.send(
        new AssociateAccessPolicyCommand({
          clusterName,
          principalArn,
          policyArn: p.policyArn,
          accessScope: {
            type: p.accessScope.type,
            ...(p.accessScope.type === 'namespace' ? { namespaces: [...p.accessScope.namespaces] } : {}),
          },
        }),
      );
    }
  } catch (err) {
    await eks.send(new DeleteAccessEntryCommand({ clusterName, principalArn })).catch(() => undefined);
    throw err;
  }
}

export const createAccessEntry: FixAction<'create-access-entry'> = {
  action: 'create-access-entry',
  iam: FIX_ACTION_IAM['create-access-entry'],
  read: (eks, ref) => readAccessEntry(eks, ref.resourceArn),
  decode: decodeAccessEntry,
  holds: sameAccessEntry,
  apply(eks, plan, hooks) {
    const { after } = plan;
    return guardedApply(
      {
        plan,
        what: 'access entry',
        before: null,
        after,
        read: () => readAccessEntry(eks, plan.resourceArn),
        holds: sameAccessEntry,
        stale: (current) =>
          new StalePlanError(
            `plan ${plan.id}: ${after.principalArn} already has another access entry on cluster ${after.clusterName}; nothing was written (re-scan and re-plan)`,
            plan.id,
            plan.resourceArn,
            current,
          ),
        writes: () => ['eks:CreateAccessEntry', ...after.policies.map(() => 'eks:AssociateAccessPolicy')],
        write: () => createEntry(eks, after),
      },
      hooks,
    );
  },
  rollback(eks, change, hooks) {
    const wrote = decodeAccessEntry(change.wrote);
    if (!wrote) throw notReversible(change, 'the access entry it created');
    // Only an entry this change created is deleted: one that existed before is left as it was.
    if (change.replaced !== null) throw notReversible(change, 'a change that created the entry (it existed before)');
    const { clusterName, principalArn } = entryOf(change.resourceArn);
    return guardedRollback(
      {
        change,
        wrote,
        replaced: null,
        read: () => readAccessEntry(eks, change.resourceArn),
        holds: sameAccessEntry,
        drifted: (current) => (current === null ? 'access entry (it no longer exists)' : 'access entry'),
        notRestored: `access entry of ${principalArn} on ${clusterName} still exists`,
        writes: () => ['eks:DeleteAccessEntry'],
        write: async () => {
          await eks.send(new DeleteAccessEntryCommand({ clusterName, principalArn }));
        },
      },
      hooks,
    );
  },
  /**
   * The scanner's re-read of its access entry: when it holds the view policy at cluster scope, the cluster's
   * "no access entry" record is dropped from the collected snapshot (the cluster side is read on the next scan), so
   * the KUBE-001 finding is gone; otherwise the snapshot is left as collected and the finding stays.
   */
  async verify(eks, resourceArn, account) {
    const state = await readAccessEntry(eks, resourceArn);
    const { clusterName, region } = entryOf(resourceArn);
    const entered = state?.policies.some(
      (p) => p.policyArn.endsWith(':cluster-access-policy/AmazonEKSViewPolicy') && p.accessScope.type === 'cluster',
    );
    if (!entered) return account;
    const clusters = account.clusters.map((c) =>
      c.name === clusterName && c.region === region && c.kubernetes?.errors?.[0]?.code === 'NoAccessEntry'
        ? (({ kubernetes: _dropped, ...rest }) => rest)(c)
        : c,
    );
    return { ...account, clusters } as AccountSnapshot;
  },
};
