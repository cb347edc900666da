import { providerUrlFromArn, stripScheme } from '../../arn';
import { DEFAULT_AUDIENCE } from '../../snapshot';
import { FIX_ORDER, type Fixer } from './fixer';

/**
 * IRSA-001: no IAM OIDC provider for the cluster issuer. Create it, with sts.amazonaws.com and no thumbprint. The
 * wrongly spelled provider of the same cluster (IRSA-006) is fixed by the same plan; it stays until unused.
 */
export const irsa001CreateProvider: Fixer<'IRSA-001'> = {
  rule: 'IRSA-001',
  order: FIX_ORDER.principal,
  provider: (findings, ctx) => {
    const first = findings[0];
    if (!first || ctx.existing) return;
    const url = providerUrlFromArn(ctx.arn) ?? stripScheme(first.evidence.issuer);
    const nearMiss = ctx.findings.filter(
      (f) => f.ruleId === 'IRSA-006' && f.accountId === first.accountId && f.cluster === first.cluster,
    );
    ctx.plan(first, {
      change: {
        action: 'create-oidc-provider',
        before: null,
        after: { url, clientIds: [DEFAULT_AUDIENCE], thumbprints: [] },
      },
      fixes: [...findings, ...nearMiss],
      rationale: `Create the IAM OIDC provider for ${first.cluster ? `cluster ${first.cluster}'s` : 'the'} issuer https://${url} in account ${first.accountId}, with the audience sts.amazonaws.com and no thumbprint (IAM retrieves and verifies the certificate itself).`,
      risk: { level: 'low', notes: ['Adds a trust anchor that only roles naming it use; no existing access changes.'] },
    });
  },
};
