import { FIX_ORDER, type Fixer, ok, open, statementIndexOf } from './fixer';
import { incompleteReadReason } from './kube-read';

/**
 * IRSA-018: :sub is missing or lets any service account in; narrow it to the known workloads on the cluster (the
 * add-ons', the declared ones and, when the cluster was read, exactly the service accounts that name the role).
 * From a partial or unreadable cluster read the narrowing is propose-only: a service account not read may use it.
 */
export const irsa018NarrowSubject: Fixer<'IRSA-018'> = {
  rule: 'IRSA-018',
  order: FIX_ORDER.keys,
  role: (finding, { patch, views, lookups, role, proposeOnly }) => {
    const idx = statementIndexOf(finding);
    const view = views[idx];
    const cluster = lookups.clusterOf(finding);
    const known = cluster ? lookups.knownSubjects(role.role.arn, cluster.cluster.name, cluster.cluster.region) : [];
    const incomplete = cluster
      ? incompleteReadReason(cluster, 'a service account that was not read may use this role')
      : undefined;
    if (!view || !cluster || known.length === 0)
      return open(
        incomplete ?? 'no known workload uses this role on this cluster: say which service accounts should be allowed',
      );
    if (incomplete) proposeOnly.push(`narrowing :sub to ${known.join(', ')}: ${incomplete}`);
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
