import {
  annotateCommand,
  controllerOf,
  restartCommand,
  restartsOf,
  sh,
} from '../../../../../lambdas/domain/plan/fixes/kube-plan';

describe('Kubernetes commands of cluster-side plans', () => {
  it('restarts a ReplicaSet pod through its Deployment, by the pod-template-hash convention, and says so', () => {
    const r = restartCommand('apps', { kind: 'ReplicaSet', name: 'web-5d8f7c9b4' }, ['web-5d8f7c9b4-abcde']);
    expect(r.command).toBe('kubectl rollout restart deployment/web -n apps');
    expect(r.note).toContain('pod-template-hash');
  });

  it('restarts StatefulSets and DaemonSets, and deletes pods of other owners or none', () => {
    expect(restartCommand('apps', { kind: 'StatefulSet', name: 'db' }, []).command).toBe(
      'kubectl rollout restart statefulset/db -n apps',
    );
    expect(restartCommand('apps', { kind: 'DaemonSet', name: 'agent' }, []).command).toBe(
      'kubectl rollout restart daemonset/agent -n apps',
    );
    expect(restartCommand('apps', { kind: 'Job', name: 'j' }, ['j-x']).command).toBe('kubectl delete pod -n apps j-x');
    const bare = restartCommand('apps', undefined, ['solo']);
    expect(bare.command).toBe('kubectl delete pod -n apps solo');
    expect(bare.note).toContain('no controller');
    expect(controllerOf(undefined)).toBeUndefined();
  });

  it('groups a service account pods by workload, one command each', () => {
    const pod = (name: string, owner?: { kind: string; name: string }) => ({
      namespace: 'apps',
      name,
      serviceAccountName: 'web',
      containers: [],
      ...(owner ? { owner } : {}),
    });
    const rs = { kind: 'ReplicaSet', name: 'web-5d8f7c9b4' };
    expect(restartsOf([pod('a', rs), pod('b', rs), pod('c')]).map((r) => r.command)).toEqual([
      'kubectl rollout restart deployment/web -n apps',
      'kubectl delete pod -n apps c',
    ]);
  });

  it('quotes odd names for the shell', () => {
    expect(sh('web')).toBe('web');
    expect(sh("it's; rm -rf /")).toBe(`'it'\\''s; rm -rf /'`);
    expect(annotateCommand('apps', 'we b', 'eks.amazonaws.com/role-arn', 'arn:aws:iam::111111111111:role/r')).toBe(
      "kubectl annotate serviceaccount -n apps 'we b' eks.amazonaws.com/role-arn=arn:aws:iam::111111111111:role/r --overwrite",
    );
  });
});
