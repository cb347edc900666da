import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExampleEstate } from '../../../examples/build-estate';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import { atLeast } from '../../../lambdas/domain/finding';
import { RULE_CATALOG } from '../../../lambdas/domain/rules/catalog';
import { findingsSchemaProblems, parseSnapshot } from '../../../lambdas/shared/schemas';

const committed = JSON.parse(readFileSync(join(__dirname, '../../../examples/estate.json'), 'utf8'));
const result = analyzeEstate(parseSnapshot(committed, 'examples/estate.json'));
const name = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

describe('examples/estate.json', () => {
  it('is what examples/build-estate.ts writes (run `npm run examples` after changing the builder)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildExampleEstate())));
  });

  it('shows every rule of the catalog at least once, but those that need a cluster read', () => {
    // The example has no Kubernetes data (its findings and plans are pinned): the rules of rules/kubernetes/ fire in
    // test/unit/domain/rules/kubernetes/ and test/integ/kube/cluster-rules.integ.ts instead.
    const clusterSide = new Set(
      readdirSync(join(__dirname, '../../../lambdas/domain/rules/kubernetes')).map((f) => f.slice(0, 8).toUpperCase()),
    );
    const fired = new Set(result.findings.map((f) => f.ruleId));
    expect([...RULE_CATALOG.keys()].filter((id) => !fired.has(id) && !clusterSide.has(id))).toEqual([]);
    expect([...clusterSide]).toEqual(
      expect.arrayContaining(['KUBE-002', 'KUBE-003', 'IRSA-032', 'IRSA-033', 'KUBE-001']),
    );
  });

  it('gives healthy roles and clusters nothing of severity medium or above', () => {
    const healthy = result.findings.filter(
      (f) => /^(healthy|ok)-/.test(name(f.resourceArn)) && atLeast(f.severity, 'medium'),
    );
    expect(healthy).toEqual([]);
  });

  it('produces output that validates against schema/findings.v1.schema.json', () => {
    expect(findingsSchemaProblems(result)).toEqual([]);
  });

  // Each broken resource fails for exactly the reason it was built to show.
  it.each([
    ['external-dns', 'IRSA-010'],
    ['cluster-autoscaler', 'IRSA-011'],
    ['karpenter', 'IRSA-012'],
    ['fluent-bit', 'IRSA-012'],
    ['cert-manager', 'IRSA-013'],
    ['velero', 'IRSA-014'],
    ['external-secrets', 'IRSA-014'],
    ['aws-load-balancer-controller', 'IRSA-015'],
    ['ebs-snapshots', 'IRSA-016'],
    ['crossplane-provider-aws', 'IRSA-017'],
    ['shared-readonly', 'IRSA-018'],
    ['any-namespace-reader', 'IRSA-018'],
    ['metrics-exporter', 'IRSA-019'],
    ['image-scanner', 'IRSA-020'],
    ['argo-workflows', 'IRSA-021'],
    ['loki', 'IRSA-022'],
    ['platform-shared', 'IRSA-023'],
    ['backup-agent', 'IRSA-024'],
    ['opencost', 'DOC-002'],
    ['hand-edited', 'DOC-001'],
    ['AmazonEKS_EBS_CSI_DriverRole', 'IRSA-038'],
    ['api-prod-only', 'IRSA-031'],
    ['reports-generator', 'IRSA-031'],
    ['data-exporter', 'IRSA-002'],
    ['copied-from-china', 'IRSA-044'],
    ['pi-no-tag-session', 'PI-050'],
    ['pi-any-association', 'PI-055'],
  ])('role %s shows %s', (role, ruleId) => {
    const rules = result.findings.filter((f) => name(f.resourceArn) === role).map((f) => f.ruleId);
    expect(rules).toContain(ruleId);
  });

  it('names the provider a fix would create even though it is missing (IRSA-001)', () => {
    const missing = result.findings.filter((f) => f.ruleId === 'IRSA-001' && f.severity === 'critical');
    expect(missing.map((f) => [f.cluster, f.resourceArn])).toEqual(
      expect.arrayContaining([
        [
          'batch',
          expect.stringMatching(
            /^arn:aws:iam::222222222222:oidc-provider\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/,
          ),
        ],
      ]),
    );
  });

  it('reports a cluster nobody uses through IRSA as informational only', () => {
    const ml = result.findings.find((f) => f.ruleId === 'IRSA-001' && f.cluster === 'ml');
    expect(ml?.severity).toBe('info');
  });

  it('sorts findings worst first', () => {
    const ranks = result.findings.map((f) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(f.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });
});
