/**
 * Properties of the converter over generated input: any JSON at all in any list never makes it throw and always gives a
 * schema-valid KubernetesSnapshot; of well-formed pods it keeps exactly the WEBHOOK_ENV values and credential names,
 * and no other env value, whatever names and values the containers carry.
 */
import fc from 'fast-check';
import { type KubeLists, kubernetesSnapshotFromLists } from '../../../../lambdas/domain/kubernetes/kube-objects';
import { CREDENTIAL_ENV, WEBHOOK_ENV } from '../../../../lambdas/domain/snapshot';
import { kubernetesSchemaProblems } from '../../../../lambdas/shared/schemas';
import { fcSeed } from '../../../support/fc-seed';
import { mutatedPod, type Raw, serviceAccount } from '../../../support/kube-raw';

const SEED = fcSeed(20_261_130);
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

/** JSON-like values, including objects shaped a little like Kubernetes objects, odd strings and numbers. */
const looseItem = fc.oneof(
  fc.anything({ maxDepth: 3, withNullPrototype: false }),
  fc.record({
    kind: fc.constantFrom('Pod', 'ServiceAccount', 'MutatingWebhookConfiguration', 'Secret', 7, undefined),
    metadata: fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record({
        name: fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('web', 'a'.repeat(254), '')),
        namespace: fc.oneof(fc.string({ unit: 'binary' }), fc.constant('apps')),
        annotations: fc.dictionary(
          fc.constantFrom('eks.amazonaws.com/role-arn', 'x', 'eks.amazonaws.com/'),
          fc.anything({ maxDepth: 1 }),
        ),
        managedFields: fc.anything({ maxDepth: 3 }),
      }),
    ),
    spec: fc.anything({ maxDepth: 4 }),
    webhooks: fc.anything({ maxDepth: 2 }),
  }),
);
const list = fc.option(fc.array(looseItem, { maxLength: 6 }), { nil: undefined });

describe('kubernetesSnapshotFromLists, properties', () => {
  it('never throws on any JSON, and always gives a schema-valid snapshot', () => {
    fc.assert(
      fc.property(list, list, list, (serviceaccounts, pods, hooks) => {
        const lists: KubeLists = { serviceaccounts, pods, mutatingwebhookconfigurations: hooks };
        const result = kubernetesSnapshotFromLists(lists, { source: 'kube-objects' });
        expect(kubernetesSchemaProblems(result)).toEqual([]);
        expect(['complete', 'partial', 'unreadable']).toContain(result.status);
        if (result.status !== 'complete') expect(result.reason).toBeTruthy();
        if (result.status === 'unreadable') expect(result.pods).toEqual([]);
      }),
      params(300),
    );
  });

  const envName = fc.oneof(
    fc.constantFrom(...WEBHOOK_ENV, ...CREDENTIAL_ENV),
    fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,20}$/),
  );
  const envEntry = fc.record({
    name: envName,
    secret: fc.boolean(),
    value: fc.string({ minLength: 1, maxLength: 30 }).map((s) => `v-${s}`),
  });

  type Entry = { name: string; secret: boolean; value: string };
  const isWebhookEnv = (name: string) => (WEBHOOK_ENV as readonly string[]).includes(name);

  function podWithEnv(entries: readonly Entry[]): Raw {
    const pod = mutatedPod('apps', 'web-1', 'web');
    const container = ((pod.spec as Raw).containers as Raw[])[0] as Raw;
    container.env = entries.map((e) =>
      e.secret
        ? { name: e.name, valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }
        : { name: e.name, value: e.value },
    );
    return pod;
  }

  /** What the model must keep: the last definition of each WEBHOOK_ENV variable, null when from valueFrom. */
  function expectedEnv(entries: readonly Entry[]): Record<string, string | null> {
    const expected: Record<string, string | null> = {};
    for (const e of entries.filter((x) => isWebhookEnv(x.name))) expected[e.name] = e.secret ? null : e.value;
    return expected;
  }

  it('keeps exactly the last WEBHOOK_ENV value of each container and credential names, and no other value', () => {
    fc.assert(
      fc.property(fc.array(envEntry, { maxLength: 12 }), (entries) => {
        const result = kubernetesSnapshotFromLists(
          {
            serviceaccounts: [serviceAccount('apps', 'web')],
            pods: [podWithEnv(entries)],
            mutatingwebhookconfigurations: [],
          },
          { source: 'api' },
        );
        expect(result.status).toBe('complete');
        const kept = result.pods[0]?.containers[0];
        const expected = expectedEnv(entries);
        expect(kept?.awsEnv).toEqual(expected);
        expect(kept?.credentialEnv ?? []).toEqual(CREDENTIAL_ENV.filter((n) => entries.some((e) => e.name === n)));
        const text = JSON.stringify(result);
        const keptValues = new Set(Object.values(expected));
        for (const e of entries.filter((x) => !isWebhookEnv(x.name) && !keptValues.has(x.value))) {
          expect(text).not.toContain(JSON.stringify(e.value));
        }
      }),
      params(200),
    );
  });
});
