/**
 * An estate for the workflow: two member accounts with the member stack's roles (scanner and remediator, trusting
 * the hub), and only faults the workflow can fix without a person writing the change (so that approving every plan
 * must leave nothing of medium severity or above). Fresh account ids per call: each test owns its estate.
 */
import { randomInt } from 'node:crypto';
import { CreateAddonCommand, CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { seedClients } from '../../emulator/seed';
import { OPT_IN_TAG, OPT_IN_VALUE } from '../../lambdas/domain/remediation-scope';

export const HUB = '123456789012';

/**
 * A 12-digit account id no other test has used: test files share one emulator, and jest may run several files in
 * one worker process with module state reset between them, so neither a counter nor the pid is enough.
 */
export function freshAccountId(): string {
  return `5${String(randomInt(0, 10 ** 11)).padStart(11, '0')}`;
}

/** The roles the workflow may fix are opted in to remediation, as an operator does (the default scope, `tagged`). */
export const OPTED_IN = { Key: OPT_IN_TAG, Value: OPT_IN_VALUE };
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const hubTrust = (role: string) =>
  doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:role/${role}` }, Action: 'sts:AssumeRole' });

export async function seedMemberRoles(endpoint: string, accountId: string): Promise<void> {
  const iam = seedClients(endpoint, accountId).iam;
  await iam.send(
    new CreateRoleCommand({ RoleName: 'IrsaDoctorScanner', AssumeRolePolicyDocument: hubTrust('IrsaDoctorHubReader') }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'IrsaDoctorRemediator',
      AssumeRolePolicyDocument: hubTrust('IrsaDoctorHubWriter'),
    }),
  );
}

export interface WorkflowEstate {
  readonly accounts: readonly [string, string];
  readonly issuers: Readonly<Record<'prod' | 'stage' | 'pay', string>>;
}

/**
 * Account A: cluster prod (provider fine), cluster stage (provider missing, a correct role waiting for it), roles
 * with a stray space, sts:AssumeRole instead of AssumeRoleWithWebIdentity, an add-on role trusting the wrong service
 * account, and a healthy role. Account B: cluster pay whose provider lacks sts.amazonaws.com, a role with a Service
 * principal and one with a wildcard under StringEquals.
 */
export async function seedWorkflowEstate(endpoint: string): Promise<WorkflowEstate> {
  const a = freshAccountId();
  const b = freshAccountId();
  const issuers = {} as Record<'prod' | 'stage' | 'pay', string>;
  const clusters = [
    ['prod', a, 'us-west-2'],
    ['stage', a, 'eu-west-1'],
    ['pay', b, 'us-west-2'],
  ] as const;
  for (const account of [a, b]) await seedMemberRoles(endpoint, account);
  for (const [name, account, region] of clusters) {
    const out = await seedClients(endpoint, account)
      .eks(region)
      .send(
        new CreateClusterCommand({
          name,
          roleArn: `arn:aws:iam::${account}:role/eks`,
          resourcesVpcConfig: { subnetIds: ['subnet-1'] },
        }),
      );
    issuers[name] = (out.cluster?.identity?.oidc?.issuer ?? '').replace('https://', '');
  }
  const irsa = (account: string, cluster: 'prod' | 'stage' | 'pay', sub: string, extra: object = {}) => ({
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${issuers[cluster]}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${issuers[cluster]}:sub`]: sub, [`${issuers[cluster]}:aud`]: 'sts.amazonaws.com' } },
    ...extra,
  });
  const A = seedClients(endpoint, a);
  const B = seedClients(endpoint, b);
  await A.iam.send(
    new CreateOpenIDConnectProviderCommand({ Url: `https://${issuers.prod}`, ClientIDList: ['sts.amazonaws.com'] }),
  );
  await B.iam.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${issuers.pay}`, ClientIDList: [] }));
  const roles: Array<[typeof A, string, string]> = [
    [A, 'healthy-app', doc(irsa(a, 'prod', 'system:serviceaccount:apps:api'))],
    [A, 'stage-app', doc(irsa(a, 'stage', 'system:serviceaccount:apps:api'))],
    [A, 'stray-space', doc(irsa(a, 'prod', 'system:serviceaccount: kube-system:external-dns'))],
    [A, 'assume-role-action', doc(irsa(a, 'prod', 'system:serviceaccount:apps:jobs', { Action: 'sts:AssumeRole' }))],
    [A, 'ebs-csi', doc(irsa(a, 'prod', 'system:serviceaccount:kube-system:ebs-csi-node-sa'))],
    [
      B,
      'service-principal',
      doc({
        ...irsa(b, 'pay', 'system:serviceaccount:apps:web'),
        Principal: { Service: `arn:aws:iam::${b}:oidc-provider/${issuers.pay}` },
      }),
    ],
    [B, 'wildcard-equals', doc(irsa(b, 'pay', 'system:serviceaccount:apps:*'))],
  ];
  for (const [client, name, trust] of roles) {
    await client.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, Tags: [OPTED_IN] }));
  }
  await A.eks('us-west-2').send(
    new CreateAddonCommand({
      clusterName: 'prod',
      addonName: 'aws-ebs-csi-driver',
      addonVersion: 'v1.40.0-eksbuild.1',
      serviceAccountRoleArn: `arn:aws:iam::${a}:role/ebs-csi`,
    }),
  );
  return { accounts: [a, b], issuers };
}

/** A healthy account of `clusters` clusters and `roles` roles, for counting transitions. */
export async function seedHealthyAccount(endpoint: string, clusters: number, roles: number): Promise<string> {
  const account = freshAccountId();
  await seedMemberRoles(endpoint, account);
  const s = seedClients(endpoint, account);
  const issuers: string[] = [];
  for (let i = 0; i < clusters; i++) {
    const out = await s.eks('us-west-2').send(
      new CreateClusterCommand({
        name: `c${i}`,
        roleArn: `arn:aws:iam::${account}:role/eks`,
        resourcesVpcConfig: { subnetIds: ['s'] },
      }),
    );
    const issuer = (out.cluster?.identity?.oidc?.issuer ?? '').replace('https://', '');
    issuers.push(issuer);
    await s.iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: `https://${issuer}`, ClientIDList: ['sts.amazonaws.com'] }),
    );
  }
  for (let i = 0; i < roles; i++) {
    const issuer = issuers[i % issuers.length] as string;
    await s.iam.send(
      new CreateRoleCommand({
        RoleName: `app-${i}`,
        Tags: [OPTED_IN],
        AssumeRolePolicyDocument: doc({
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${issuer}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: `system:serviceaccount:apps:app-${i}`,
              [`${issuer}:aud`]: 'sts.amazonaws.com',
            },
          },
        }),
      }),
    );
  }
  return account;
}
