/**
 * The converter on what the real kubectl printed from the real kube-apiserver (test/fixtures/kubernetes, made by
 * generate.ts there from test/support/kube-shop.ts): with and without --show-managed-fields, and as the identity
 * that may list nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  kubernetesSnapshotFromLists,
  listsFromKubectlOutput,
} from '../../../../lambdas/domain/kubernetes/kube-objects';
import type { KubernetesSnapshot } from '../../../../lambdas/domain/snapshot';
import { kubernetesSchemaProblems } from '../../../../lambdas/shared/schemas';
import { NEW_ROLE_ARN, OLD_ROLE_ARN, SECRET_VALUE, TOKEN_FILE, WEB_POD } from '../../../support/kube-shop';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'kubernetes');

function read(name: string): { text: string; snapshot: KubernetesSnapshot } {
  const file = join(FIXTURES, name);
  const text = readFileSync(file, 'utf8');
  const snapshot = kubernetesSnapshotFromLists(listsFromKubectlOutput(text, file), { source: 'kube-objects' });
  expect(kubernetesSchemaProblems(snapshot)).toEqual([]);
  return { text, snapshot };
}

/** The `time` of the managedFields entry of `manager` on service account `name`, read straight from the file. */
function managerTime(text: string, name: string, manager: string): string | undefined {
  type Item = { kind: string; metadata: { name: string; managedFields?: { manager: string; time: string }[] } };
  const list = JSON.parse(text) as { items: Item[] };
  const item = list.items.find((i) => i.kind === 'ServiceAccount' && i.metadata.name === name);
  return item?.metadata.managedFields?.find((f) => f.manager === manager)?.time;
}

describe('kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json, from the real API server', () => {
  const withTimes = read('objects-managed-fields.json');
  const plain = read('objects.json');

  it('is read completely: every object understood, the EKS webhook found', () => {
    for (const { snapshot } of [withTimes, plain]) {
      expect(snapshot.status).toBe('complete');
      expect(snapshot.errors).toBeUndefined();
      expect(snapshot.serviceAccounts.map((s) => s.name)).toEqual(['batch', 'default', 'legacy', 'web']);
      expect(snapshot.pods.map((p) => [p.name, p.serviceAccountName])).toEqual([
        ['batch-28f9c-7xq2z', 'batch'],
        ['legacy-0', 'legacy'],
        ['no-sa', 'default'],
        [WEB_POD, 'web'],
      ]);
      expect(snapshot.podIdentityWebhook).toEqual({ configured: true, name: 'pod-identity-webhook' });
    }
  });

  it("keeps the mutated pod's webhook variables, token volume, mount, owner, user and group, and nothing else", () => {
    const pod = withTimes.snapshot.pods.find((p) => p.name === WEB_POD);
    expect(pod).toMatchObject({
      owner: { kind: 'ReplicaSet', name: 'web-6f7d8c9b5' },
      securityContext: { runAsUser: 1000, fsGroup: 2000 },
      tokenVolume: { name: 'aws-iam-token', audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' },
      containers: [
        {
          name: 'web',
          awsEnv: {
            AWS_STS_REGIONAL_ENDPOINTS: 'regional',
            AWS_DEFAULT_REGION: 'us-east-1',
            AWS_REGION: 'us-east-1',
            AWS_ROLE_ARN: OLD_ROLE_ARN,
            AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE,
          },
          mountsToken: true,
          securityContext: { runAsNonRoot: true },
        },
        { name: 'migrate', init: true, awsEnv: {}, credentialEnv: ['AWS_ACCESS_KEY_ID'], mountsToken: false },
      ],
    });
    expect(withTimes.text).toContain(SECRET_VALUE);
    expect(JSON.stringify(withTimes.snapshot)).not.toContain(SECRET_VALUE);
    expect(JSON.stringify(withTimes.snapshot)).not.toMatch(/kube-api-access|busybox|caBundle|LS0t|shop-db/);
    expect(withTimes.snapshot.pods.find((p) => p.name === 'batch-28f9c-7xq2z')).toMatchObject({
      hostNetwork: true,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
    });
  });

  it('dates each annotation by its managed fields: the re-annotation came after the pod was created', () => {
    const web = withTimes.snapshot.serviceAccounts.find((s) => s.name === 'web');
    const annotated = managerTime(withTimes.text, 'web', 'kubectl-annotate');
    expect(annotated).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(web?.annotations).toEqual({
      'eks.amazonaws.com/role-arn': NEW_ROLE_ARN,
      'eks.amazonaws.com/sts-regional-endpoints': 'true',
    });
    expect(web?.annotationTimes).toEqual({
      'eks.amazonaws.com/role-arn': annotated,
      'eks.amazonaws.com/sts-regional-endpoints': annotated,
    });
    const pod = withTimes.snapshot.pods.find((p) => p.name === WEB_POD);
    expect(Date.parse(pod?.createdAt ?? '')).toBeLessThan(Date.parse(annotated ?? ''));
    const legacy = withTimes.snapshot.serviceAccounts.find((s) => s.name === 'legacy');
    expect(Object.keys(legacy?.annotationTimes ?? {})).toEqual([
      'eks.amazonaws.com/audience',
      'eks.amazonaws.com/token-expiration',
    ]);
  });

  it('without --show-managed-fields: the same, minus the annotation times', () => {
    expect(plain.text).not.toContain('managedFields');
    expect(plain.snapshot.serviceAccounts.every((s) => s.annotationTimes === undefined)).toBe(true);
    const strip = (s: KubernetesSnapshot) => ({
      ...s,
      serviceAccounts: s.serviceAccounts.map(({ annotationTimes: _, ...rest }) => rest),
    });
    expect(plain.snapshot).toEqual(strip(withTimes.snapshot));
  });

  it('as an identity that may list nothing (kubectl prints an empty List and three 403s): unreadable, and says why', () => {
    const { snapshot } = read('objects-forbidden.json');
    expect(readFileSync(join(FIXTURES, 'objects-forbidden.stderr.txt'), 'utf8')).toContain('(Forbidden)');
    expect(snapshot).toMatchObject({ status: 'unreadable', serviceAccounts: [], pods: [], podIdentityWebhook: null });
    expect(snapshot.reason).toBe(
      'the file holds no service accounts, pods or mutating webhook configurations: kubectl could not list them (see the errors it printed on stderr, e.g. Forbidden)',
    );
    expect(snapshot.errors?.map((e) => [e.kind, e.code])).toEqual([
      ['serviceaccounts', 'NotInFile'],
      ['pods', 'NotInFile'],
      ['mutatingwebhookconfigurations', 'NotInFile'],
    ]);
  });
});
