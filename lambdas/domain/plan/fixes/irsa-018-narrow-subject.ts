import { FIX_ORDER, type Fixer, ok, open, statementIndexOf } from './fixer';

/** IRSA-018: :sub is missing or lets any service account in; narrow it to the known workloads on the cluster. */
export const irsa018NarrowSubject: Fixer<'IRSA-018'> = {
  rule: 'IRSA-018',
  order: FIX_ORDER.keys,
  role: (finding, { patch, views, lookups, role }) => {
    const idx = statementIndexOf(finding);
    const view = views[idx];
    const cluster = lookups.clusterOf(finding);
    const known = cluster ? lookups.knownSubjects(role.role.arn, cluster.cluster.name, cluster.cluster.region) : [];
    if (!view || !cluster || known.length === 0)
      return open('no known workload uses this role on this cluster: say which service accounts should be allowed');
    const subCondition = view.issuerConditions.find((c) => c.claimNormal === 'sub');
    const done = subCondition
      ? patch.setValues(idx, subCondition.entry.key, known, `narrowed :sub to the known workloads ${known.join(', ')}`)
      : patch.addCondition(
          idx,
          'StringEquals',
          `${cluster.hostPath}:sub`,
          known.length === 1 ? (known[0] as string) : known,
        );
    return ok(done, 'key not found');
  },
};
