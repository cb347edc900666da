import { stripScheme } from '../arn';
import type { Finding } from '../finding';
import { stableId } from '../finding';
import { providerInRemediationScope } from '../remediation-scope';
import type { OidcProviderSnapshot } from '../snapshot';
import { jsonDiff } from './diff';
import type { ProviderAction, ProviderChange, ProviderFixContext } from './fixes/fixer';
import { unique } from './fixes/subject-patterns';
import { iacOwner } from './ownership';
import type { IacOwner, Plan, PlanOf, ProviderState } from './plan-model';

/** The order a provider's plans are listed in (and applied): create, then change, then delete. */
const ACTION_ORDER: readonly Plan['action'][] = [
  'create-oidc-provider',
  'add-client-id',
  'update-thumbprint',
  'delete-oidc-provider',
];

/**
 * Collects the plans provider fixers make for one provider: each plan directly, and the audiences several rules
 * ask for (IRSA-003, IRSA-036) as one add-client-id plan. `plans()` lists them in ACTION_ORDER.
 */
export class ProviderPlans implements ProviderFixContext {
  readonly before: ProviderState | null;
  readonly owner: IacOwner | undefined;
  private readonly made: Plan[] = [];
  private readonly audiences: Array<{ finding: Finding; audience: string }> = [];

  constructor(
    readonly arn: string,
    readonly existing: OidcProviderSnapshot | undefined,
    readonly findings: readonly Finding[],
    private readonly checkScope: boolean,
  ) {
    this.before = existing
      ? { url: existing.url, clientIds: existing.clientIds, thumbprints: existing.thumbprints }
      : null;
    this.owner = existing ? iacOwner(existing.tags, 'provider') : undefined;
  }

  plan(finding: Finding, change: ProviderChange): void {
    this.made.push(providerPlan(finding, change, this.owner, this.checkScope));
  }

  wantAudience(finding: Finding, audience: string): void {
    this.audiences.push({ finding, audience });
  }

  plans(): Plan[] {
    const first = this.audiences[0]?.finding;
    if (first && this.before) this.plan(first, this.clientIdChange(this.before));
    return [...this.made].sort((a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action));
  }

  private clientIdChange(before: ProviderState): ProviderChange {
    const wanted = this.audiences.map((a) => a.audience);
    const clientIds = [
      ...before.clientIds,
      ...wanted.filter((a, i) => !before.clientIds.includes(a) && wanted.indexOf(a) === i),
    ];
    return {
      change: { action: 'add-client-id', before, after: { ...before, clientIds } },
      fixes: this.audiences.map((a) => a.finding),
      rationale: `Add the audience(s) ${wanted.map((a) => `"${a}"`).join(', ')} with AddClientIDToOpenIDConnectProvider: idempotent, keeps the existing audiences, no need to recreate the provider.`,
      risk: {
        level: 'low',
        notes: [
          'Tokens with this audience are accepted by the provider; trust policies still decide who assumes which role.',
        ],
      },
    };
  }
}

function providerPlan(
  finding: Finding,
  change: ProviderChange,
  owner: IacOwner | undefined,
  checkScope: boolean,
): PlanOf<ProviderAction> {
  const { action, before, after } = change.change;
  const url = (after ?? before)?.url;
  const scoped =
    checkScope && url !== undefined && !providerInRemediationScope(stripScheme(url))
      ? `outside the remediator's scope (enforced by IAM): it writes only to EKS cluster issuers' providers, not ${url}`
      : undefined;
  const proposeOnly = change.proposeOnly ?? scoped;
  return {
    id: stableId('plan', action, finding.accountId, finding.resourceArn, JSON.stringify(after)),
    ruleIds: unique(change.fixes.map((f) => f.ruleId)),
    findingIds: unique(change.fixes.map((f) => f.id)),
    accountId: finding.accountId,
    resourceArn: finding.resourceArn,
    ...(finding.cluster ? { cluster: finding.cluster, region: finding.region } : {}),
    ...change.change,
    diff: jsonDiff(finding.resourceArn, before, after),
    rationale: change.rationale,
    requiresApproval: true,
    applicable: !proposeOnly && !owner,
    ...(proposeOnly || owner
      ? { proposeOnlyReason: proposeOnly ?? `owned by ${owner?.tool}: change it there (${owner?.howToChange})` }
      : {}),
    ...(owner ? { owner } : {}),
    risk: change.risk,
    dependsOn: [],
  };
}
