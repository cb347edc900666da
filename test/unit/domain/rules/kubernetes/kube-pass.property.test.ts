import fc from 'fast-check';
import type { Finding } from '../../../../../lambdas/domain/finding';
import { planEstate } from '../../../../../lambdas/domain/plan/plan-estate';
import type { KubePod, KubernetesSnapshot, KubeServiceAccount } from '../../../../../lambdas/domain/snapshot';
import { irsaStatement, policy, sa } from '../../../../support/estate-builder';
import { fcSeed } from '../../../../support/fc-seed';
import { findings, one, ROLE, withKube } from './kube-fixture';

// Odd input: names with odd characters (quotes, newlines, colons, non-ASCII), empty lists, odd annotation values,
// pods naming accounts that do not exist, any read status. Analysis and planning never throw; every finding about a
// Kubernetes object names one that was read (or the webhook), and an unreadable read gives none.

const name = fc.oneof(
  fc.constantFrom('web', 'api', 'default', 'a:b', 'we"b', 'x\ny', 'é', ''),
  fc.string({ maxLength: 6 }),
);
const roleArn = fc.constantFrom(
  ROLE,
  'arn:aws:iam::111111111111:role/other',
  'not-an-arn',
  '',
  ' arn:aws:iam::1:role/x',
);
const annotations = fc.dictionary(
  fc.constantFrom(
    'eks.amazonaws.com/role-arn',
    'eks.amazonaws.com/audience',
    'eks.amazonaws.com/token-expiration',
    'eks.amazonaws.com/sts-regional-endpoints',
  ),
  fc.oneof(roleArn, fc.constantFrom('sts.amazonaws.com', 'custom', '100', '86400', 'true', 'false', 'x')),
);
const serviceAccount: fc.Arbitrary<KubeServiceAccount> = fc.record({ namespace: name, name, annotations });
const env = fc.dictionary(
  fc.constantFrom(
    'AWS_ROLE_ARN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_STS_REGIONAL_ENDPOINTS',
    'AWS_REGION',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  ),
  fc.oneof(fc.constant(null), roleArn, fc.constantFrom('regional', 'legacy', 'cn-north-1', '/t')),
);
const pod: fc.Arbitrary<KubePod> = fc.record(
  {
    namespace: name,
    name,
    serviceAccountName: name,
    owner: fc.option(fc.record({ kind: fc.constantFrom('ReplicaSet', 'StatefulSet', 'Job', 'X'), name }), {
      nil: undefined,
    }),
    createdAt: fc.option(fc.constantFrom('2026-01-01T00:00:00Z', 'garbage'), { nil: undefined }),
    securityContext: fc.option(fc.record({ runAsUser: fc.integer({ min: 0, max: 2000 }) }, { requiredKeys: [] }), {
      nil: undefined,
    }),
    containers: fc.array(
      fc.record({
        name,
        awsEnv: env,
        credentialEnv: fc.option(fc.constant(['AWS_ACCESS_KEY_ID']), { nil: undefined }),
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['namespace', 'name', 'serviceAccountName', 'containers'] },
);
const read: fc.Arbitrary<KubernetesSnapshot> = fc.record({
  status: fc.constantFrom('complete', 'partial', 'unreadable'),
  source: fc.constant('api' as const),
  serviceAccounts: fc.array(serviceAccount, { maxLength: 5 }),
  pods: fc.array(pod, { maxLength: 6 }),
  podIdentityWebhook: fc.constantFrom(null, { configured: true }, { configured: false }),
});

/** Whether a finding's Kubernetes object is one the read holds (or the webhook configuration). */
function wasRead(k: KubernetesSnapshot, f: Finding): boolean {
  const o = f.kubernetesObject;
  if (o?.kind === 'MutatingWebhookConfiguration') return true;
  if (o?.kind === 'Pod') return k.pods.some((p) => p.namespace === o.namespace && p.name === o.name);
  return (
    o?.kind === 'ServiceAccount' && k.serviceAccounts.some((s) => s.namespace === o.namespace && s.name === o.name)
  );
}

describe('cluster-side rules on odd input', () => {
  it('never throw, and name only objects that were read', () => {
    fc.assert(
      fc.property(read, fc.constantFrom('1.18', '1.31', undefined), (k, version) => {
        const trust = policy(irsaStatement(one, [sa('web', 'web'), sa('a:b', 'api')]));
        const snapshot = withKube(k, { trust, ...(version ? { version } : {}) });
        const all = findings(snapshot);
        const about = all.filter((f) => f.kubernetesObject);
        if (k.status === 'unreadable') expect(about).toEqual([]);
        expect(about.filter((f) => !wasRead(k, f)).map((f) => f.ruleId)).toEqual([]);
        const { plans } = planEstate(snapshot);
        expect(plans.filter((p) => p.action === 'update-service-account' && p.applicable)).toEqual([]);
      }),
      { seed: fcSeed(1414), numRuns: 150 },
    );
  });
});
