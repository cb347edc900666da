/**
 * The BatchImportFindings adapter against the emulator's Security Hub: batches of at most 100, re-imports update
 * the same findings (stable ids), and findings the service keeps refusing end in a FindingsImportError naming them.
 */
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SecurityHubImport } from '../../../lambdas/adapters/security-hub-import';
import { type AsffFinding, findingTransitions, toAsff } from '../../../lambdas/domain/asff';
import type { Finding } from '../../../lambdas/domain/finding';
import { FindingsImportError } from '../../../lambdas/shared/errors';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

useEmulatorCredentials();

/** A region of its own: the emulator keeps one Security Hub per account and region. */
const REGION = 'ap-southeast-2';
const HUB = '123456789012';

function findings(n: number, tag: string): Finding[] {
  return Array.from(
    { length: n },
    (_, i) =>
      ({
        id: `${tag}-${i}`,
        ruleId: 'IRSA-001',
        severity: 'medium',
        accountId: '111111111111',
        resourceArn: `arn:aws:iam::111111111111:role/r-${tag}-${i}`,
        resourceType: 'role',
        title: 'A fault',
        message: 'A message',
        remediation: 'A fix',
        references: [],
        evidence: {},
      }) as unknown as Finding,
  );
}

function asff(list: readonly Finding[], now: string): AsffFinding[] {
  return findingTransitions(undefined, list, now).map((t) =>
    toAsff(t, { partition: 'aws', region: REGION, accountId: HUB, now }),
  );
}

function client(): { client: SecurityHubClient; calls: number[] } {
  const c = new SecurityHubClient({ endpoint: endpointUrl(), region: REGION, retryMode: 'adaptive', maxAttempts: 8 });
  const calls: number[] = [];
  c.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Findings?: unknown[] };
      calls.push(input.Findings?.length ?? 0);
      return next(args);
    },
    { step: 'initialize', name: 'countImports' },
  );
  return { client: c, calls };
}

async function stored(c: SecurityHubClient, tag: string) {
  const out = [];
  let NextToken: string | undefined;
  do {
    const page = await c.send(new GetFindingsCommand({ MaxResults: 100, ...(NextToken ? { NextToken } : {}) }));
    out.push(...(page.Findings ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out.filter((f) => f.ProductFields?.['irsa-doctor/FindingId']?.startsWith(`${tag}-`));
}

describe('SecurityHubImport', () => {
  it('imports 250 findings in requests of 100, 100 and 50; a re-import updates them in place', async () => {
    const { client: c, calls } = client();
    const hub = new SecurityHubImport(c);
    const tag = `b${Date.now()}`;

    expect(await hub.importFindings(asff(findings(250, tag), '2026-11-30T10:00:00.000Z'))).toEqual({ imported: 250 });
    expect(calls).toEqual([100, 100, 50]);

    await hub.importFindings(asff(findings(250, tag), '2026-11-30T11:00:00.000Z'));
    const after = await stored(c, tag);
    expect(after).toHaveLength(250);
    expect(new Set(after.map((f) => f.UpdatedAt))).toEqual(new Set(['2026-11-30T11:00:00.000Z']));
  });

  it('archives a resolved finding; an import does not change the workflow of a finding that exists (as in AWS)', async () => {
    const { client: c } = client();
    const hub = new SecurityHubImport(c);
    const tag = `w${Date.now()}`;
    const [finding] = findings(1, tag);
    if (!finding) throw new Error('no finding');
    const ctx = { partition: 'aws', region: REGION, accountId: HUB };

    await hub.importFindings([toAsff({ finding, life: 'new', firstSeenAt: 'T0' }, { ...ctx, now: 'T0' })]);
    await hub.importFindings([toAsff({ finding, life: 'resolved', firstSeenAt: 'T0' }, { ...ctx, now: 'T1' })]);

    const [stored1] = await stored(c, tag);
    expect([stored1?.RecordState, stored1?.Workflow?.Status, stored1?.CreatedAt, stored1?.UpdatedAt]).toEqual([
      'ARCHIVED',
      'NEW',
      'T0',
      'T1',
    ]);
  });

  it('sends refused findings again, then names them in a FindingsImportError; the others are imported', async () => {
    const { client: c, calls } = client();
    const hub = new SecurityHubImport(c, async () => {});
    const tag = `r${Date.now()}`;
    const good = asff(findings(3, tag), '2026-11-30T10:00:00.000Z');
    // The emulator refuses a finding without resources, as Security Hub does (FailedFindings, not an error)
    const bad = { ...good[0], Id: `${good[0]?.Id}-bad`, Resources: [] } as unknown as AsffFinding;

    const error = await hub.importFindings([...good, bad]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FindingsImportError);
    expect((error as FindingsImportError).failed.map((f) => [f.id, f.code])).toEqual([[bad.Id, 'InvalidInput']]);
    // One request of four, then the refused one twice more
    expect(calls).toEqual([4, 1, 1]);
    expect(await stored(c, tag)).toHaveLength(3);
  });
});
