import {
  kubernetesSnapshotFromLists,
  listsFromKubectlOutput,
} from '../../../../lambdas/domain/kubernetes/kube-objects';
import { InputReadError, KubeObjectsFileError } from '../../../../lambdas/shared/errors';
import { eksWebhookConfiguration, kubectlList, mutatedPod, ROLE_ARN, serviceAccount } from '../../../support/kube-raw';

const FILE = 'prod-objects.json';
const ROLE_KEY = 'eks.amazonaws.com/role-arn';
const sa = () => serviceAccount('apps', 'web', { annotations: { [ROLE_KEY]: ROLE_ARN } });
const pod = () => mutatedPod('apps', 'web-7d9c6b5f4-abcde', 'web');

function refusal(text: string, maxChars?: number): KubeObjectsFileError {
  try {
    listsFromKubectlOutput(text, FILE, maxChars);
  } catch (err) {
    expect(err).toBeInstanceOf(KubeObjectsFileError);
    expect(err).toBeInstanceOf(InputReadError);
    expect((err as Error).name).toBe('KubeObjectsFileError');
    expect((err as Error).message).toContain(FILE);
    expect((err as Error).message).toContain(
      'run kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json > FILE',
    );
    return err as KubeObjectsFileError;
  }
  throw new Error('expected the file to be refused');
}

describe('listsFromKubectlOutput', () => {
  it("splits kubectl's List of mixed kinds by each item's kind, and skips other kinds unread", () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'apps', name: 's' },
      data: { k: 'aHVudGVy' },
    };
    const lists = listsFromKubectlOutput(
      JSON.stringify(kubectlList([sa(), pod(), secret, eksWebhookConfiguration()])),
      FILE,
    );
    expect(lists).toEqual({
      serviceaccounts: [sa()],
      pods: [pod()],
      mutatingwebhookconfigurations: [eksWebhookConfiguration()],
    });
    expect(JSON.stringify(lists)).not.toContain('aHVudGVy');
  });

  it('gives the whole file to the converter: a complete snapshot from complete kubectl output', () => {
    const lists = listsFromKubectlOutput(
      JSON.stringify(kubectlList([sa(), pod(), eksWebhookConfiguration()]), null, 4),
      FILE,
    );
    const snapshot = kubernetesSnapshotFromLists(lists, { source: 'kube-objects' });
    expect(snapshot.status).toBe('complete');
    expect(snapshot.serviceAccounts.map((s) => s.name)).toEqual(['web']);
    expect(snapshot.podIdentityWebhook).toEqual({ configured: true, name: 'pod-identity-webhook' });
  });

  it('marks a kind absent from a List as not in the file (kubectl could not list it, or there are none)', () => {
    const lists = listsFromKubectlOutput(JSON.stringify(kubectlList([sa(), pod()])), FILE);
    expect(lists.mutatingwebhookconfigurations).toBeUndefined();
    expect(lists.errors).toEqual([
      expect.objectContaining({ kind: 'mutatingwebhookconfigurations', code: 'NotInFile' }),
    ]);
    const snapshot = kubernetesSnapshotFromLists(lists, { source: 'kube-objects' });
    expect(snapshot.status).toBe('partial');
    expect(snapshot.podIdentityWebhook).toBeNull();
    expect(snapshot.errors).toHaveLength(1);
  });

  it('reports a List item without a kind and counts it against the kind it looks like', () => {
    const { kind: _, ...noKind } = pod();
    const lists = listsFromKubectlOutput(
      JSON.stringify(kubectlList([sa(), pod(), noKind, eksWebhookConfiguration()])),
      FILE,
    );
    expect(lists.pods).toHaveLength(1);
    expect(lists.errors).toEqual([expect.objectContaining({ kind: 'pods', object: 'item 2', code: 'InvalidObject' })]);
  });

  it.each([
    ['ServiceAccountList', 'serviceaccounts'],
    ['PodList', 'pods'],
    ['MutatingWebhookConfigurationList', 'mutatingwebhookconfigurations'],
  ] as const)('reads an API %s (items without kind) as that kind only', (kind, key) => {
    const item =
      key === 'serviceaccounts'
        ? serviceAccount('apps', 'web', { kind: false })
        : key === 'pods'
          ? mutatedPod('apps', 'p-12345', 'web', false)
          : eksWebhookConfiguration();
    const lists = listsFromKubectlOutput(
      JSON.stringify({ apiVersion: 'v1', kind, metadata: { resourceVersion: '9' }, items: [item] }),
      FILE,
    );
    expect(lists[key]).toEqual([item]);
    expect(lists.errors?.map((e) => e.code)).toEqual(['NotInFile', 'NotInFile']);
  });

  it('reads one object as kubectl get KIND NAME -o json prints it', () => {
    const lists = listsFromKubectlOutput(JSON.stringify(sa()), FILE);
    expect(lists.serviceaccounts).toEqual([sa()]);
    expect(lists.pods).toBeUndefined();
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(listsFromKubectlOutput(`\ufeff${JSON.stringify(kubectlList([sa()]))}`, FILE).serviceaccounts).toHaveLength(
      1,
    );
  });

  it.each([
    ['an empty file', '  \n', 'is empty'],
    ['YAML', 'apiVersion: v1\nitems:\n- kind: Pod\n', 'it looks like YAML: use -o json'],
    [
      'a table',
      'NAMESPACE   NAME      SECRETS   AGE\napps        web       0         3d\n',
      "it looks like kubectl's table: add -o json",
    ],
    ['truncated JSON', '{"apiVersion":"v1","kind":"List","items":[{"kind":"Pod"', 'is not JSON'],
    ['a JSON array', '[1,2]', 'not a Kubernetes object or List'],
    ['an object without kind', '{"items":[]}', 'not a Kubernetes object or List'],
    ['a List without items', '{"kind":"List","items":{}}', 'a List without an "items" array'],
    [
      'a SecretList',
      '{"kind":"SecretList","items":[{"data":{"k":"aHVudGVy"}}]}',
      'is a SecretList, not service accounts',
    ],
    [
      'one Secret',
      '{"kind":"Secret","metadata":{"name":"s"},"data":{"k":"aHVudGVy"}}',
      'is a Secret, not service accounts',
    ],
  ])('refuses %s with a message naming the file and the command', (_, text, problem) => {
    const err = refusal(text);
    expect(err.message).toContain(problem);
    expect(err.message).not.toContain('aHVudGVy');
  });

  it('refuses text over the size limit before parsing it', () => {
    expect(refusal(JSON.stringify(kubectlList([sa()])), 20).message).toContain('more than the 20 this reads');
  });

  it('escapes a hostile kind in its message', () => {
    expect(refusal('{"kind":"Evil\\u001b[2JList","items":[]}').message).toContain('Evil\\e[2JList');
  });
});
