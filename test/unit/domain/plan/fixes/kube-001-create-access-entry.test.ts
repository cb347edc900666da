import { noAccessEntry, unreadableKubernetes } from '../../../../../lambdas/domain/kubernetes/eks-read-access';
import { accessEntryArn } from '../../../../../lambdas/domain/plan/fixes/kube-001-create-access-entry';
import { planEstate } from '../../../../../lambdas/domain/plan/plan-estate';
import { planChangeProblems } from '../../../../../lambdas/domain/plan/plan-model';
import type { EstateSnapshot } from '../../../../../lambdas/domain/snapshot';

const ACCOUNT = '111111111111';
const SCANNER = `arn:aws:iam::${ACCOUNT}:role/IrsaDoctorScanner`;
const ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';

function estate(mode: string): EstateSnapshot {
  return {
    schemaVersion: 1,
    partition: 'aws',
    accounts: [
      {
        accountId: ACCOUNT,
        clusters: [
          {
            name: 'prod',
            region: 'us-west-2',
            status: 'ACTIVE',
            arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/prod`,
            oidcIssuer: `https://${ISSUER}`,
            authenticationMode: mode,
            kubernetes: unreadableKubernetes(noAccessEntry(SCANNER), { readAs: SCANNER }),
          },
        ],
        oidcProviders: [
          {
            arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`,
            url: ISSUER,
            clientIds: ['sts.amazonaws.com'],
            thumbprints: [],
          },
        ],
        roles: [],
      },
    ],
  };
}

describe('KUBE-001 fix: create-access-entry', () => {
  it('plans one access entry for the scanner role with the view policy at cluster scope, and nothing else', () => {
    const { plans, analysis } = planEstate(estate('API_AND_CONFIG_MAP'));
    const finding = analysis.findings.find((f) => f.ruleId === 'KUBE-001');
    expect(plans).toHaveLength(1);
    const plan = plans[0];
    if (plan?.action !== 'create-access-entry') throw new Error(`unexpected ${plan?.action}`);
    expect(plan.resourceArn).toBe(
      `arn:aws:eks:us-west-2:${ACCOUNT}:access-entry/prod/role/${ACCOUNT}/IrsaDoctorScanner`,
    );
    expect(plan.before).toBeNull();
    expect(plan.after).toEqual({
      clusterName: 'prod',
      principalArn: SCANNER,
      type: 'STANDARD',
      kubernetesGroups: [],
      policies: [
        {
          policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
          accessScope: { type: 'cluster', namespaces: [] },
        },
      ],
    });
    expect(plan.requiresApproval).toBe(true);
    expect(plan.findingIds).toEqual([finding?.id]);
    expect(plan).toMatchObject({ cluster: 'prod', region: 'us-west-2', accountId: ACCOUNT });
    expect(planChangeProblems(plan)).toEqual([]);
  });

  it('plans nothing in CONFIG_MAP mode (no finding: the read says to switch modes first)', () => {
    expect(planEstate(estate('CONFIG_MAP')).plans).toEqual([]);
  });

  it('names the entry by cluster and role (a role path is not part of it)', () => {
    expect(
      accessEntryArn('arn:aws-cn:eks:cn-north-1:222222222222:cluster/c', 'arn:aws-cn:iam::222222222222:role/x/y/Scan'),
    ).toBe('arn:aws-cn:eks:cn-north-1:222222222222:access-entry/c/role/222222222222/Scan');
    expect(
      accessEntryArn('arn:aws:eks:us-west-2:222222222222:cluster/c', 'arn:aws:iam::222222222222:user/u'),
    ).toBeUndefined();
  });

  it('refuses a stored plan whose after is not an access entry', () => {
    const bad = { action: 'create-access-entry', before: null, after: { clusterName: 'prod' } };
    expect(planChangeProblems(bad)).toEqual(['after of a create-access-entry plan must be access-entry']);
  });
});
