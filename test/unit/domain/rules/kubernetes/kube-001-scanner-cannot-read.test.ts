import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import { noAccessEntry, unreadableKubernetes } from '../../../../../lambdas/domain/kubernetes/eks-read-access';
import type { ClusterSnapshot, EstateSnapshot, KubernetesSnapshot } from '../../../../../lambdas/domain/snapshot';

const ACCOUNT = '111111111111';
const SCANNER = `arn:aws:iam::${ACCOUNT}:role/IrsaDoctorScanner`;

function estate(cluster: Partial<ClusterSnapshot>): EstateSnapshot {
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
            oidcIssuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
            ...cluster,
          },
        ],
        oidcProviders: [
          {
            arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`,
            url: 'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
            clientIds: ['sts.amazonaws.com'],
            thumbprints: [],
          },
        ],
        roles: [],
      },
    ],
  };
}

const refused: KubernetesSnapshot = unreadableKubernetes(noAccessEntry(SCANNER), { readAs: SCANNER });
const kube001 = (s: EstateSnapshot) => analyzeEstate(s).findings.filter((f) => f.ruleId === 'KUBE-001');

describe('KUBE-001', () => {
  it.each(['API', 'API_AND_CONFIG_MAP'])(
    'fires on a cluster in %s mode whose API refused the scanner role, with the access entry to create',
    (mode) => {
      const [finding, ...others] = kube001(estate({ authenticationMode: mode, kubernetes: refused }));
      expect(others).toEqual([]);
      expect(finding?.resourceType).toBe('cluster');
      expect(finding?.resourceArn).toBe(`arn:aws:eks:us-west-2:${ACCOUNT}:cluster/prod`);
      expect(finding?.cluster).toBe('prod');
      expect(finding?.region).toBe('us-west-2');
      if (finding?.ruleId !== 'KUBE-001') throw new Error('no KUBE-001');
      expect(finding.evidence).toMatchObject({
        principalArn: SCANNER,
        authenticationMode: mode,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
        accessScope: 'cluster',
      });
    },
  );

  it('does not fire in CONFIG_MAP mode (an access entry cannot help; the read says to switch modes)', () => {
    expect(kube001(estate({ authenticationMode: 'CONFIG_MAP', kubernetes: refused }))).toEqual([]);
  });

  it('does not fire when the cluster is unreadable for another reason, read, or not read at all', () => {
    const privateOnly = unreadableKubernetes(
      { code: 'PrivateEndpoint', reason: 'private', fix: 'open it' },
      { readAs: SCANNER },
    );
    expect(kube001(estate({ authenticationMode: 'API', kubernetes: privateOnly }))).toEqual([]);
    expect(kube001(estate({ authenticationMode: 'API' }))).toEqual([]);
    expect(
      kube001(
        estate({
          authenticationMode: 'API',
          kubernetes: { status: 'complete', source: 'api', serviceAccounts: [], pods: [], podIdentityWebhook: null },
        }),
      ),
    ).toEqual([]);
  });

  it('does not fire without the principal the read was made as', () => {
    const anonymous = unreadableKubernetes(noAccessEntry());
    expect(kube001(estate({ authenticationMode: 'API', kubernetes: anonymous }))).toEqual([]);
  });
});
