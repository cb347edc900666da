/**
 * Security Hub import by the synthesized sweep state machine on the emulator: a sweep imports its findings into the
 * hub account's Security Hub (BatchImportFindings, real SDK); a second sweep after the fixes archives the resolved
 * ones and imports a newly introduced fault as NEW.
 */

import { randomUUID } from 'node:crypto';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { type AwsSecurityFinding, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { createWorkflowHub, synthesizeHubTemplate, type WorkflowHub } from '../../../infra/local/local-hub';
import { runToSettled } from '../../../infra/local/local-run';
import { LOCAL_REGION, type SynthesizedTemplate } from '../../../infra/local/synthesized-definition';
import { asffProductArn } from '../../../lambdas/domain/asff';
import { logger } from '../../../lambdas/handlers/make-handler';
import { type Decide, driveApprovals } from '../../support/drive-approvals';
import { OPTED_IN, seedWorkflowEstate } from '../../support/workflow-estate';
import { budgetFor } from '../budget';
import { endpointUrl } from '../emulator-env';

const REGIONS = ['us-west-2', 'eu-west-1'];
let template: SynthesizedTemplate;

beforeAll(
  () => {
    process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
    process.env.POWERTOOLS_DEV = 'true';
    logger.setLogLevel('SILENT');
    template = synthesizeHubTemplate({ clusterPollInterval: 1 });
  },
  budgetFor({ calls: 0, syntheses: 1 }),
);

async function sweep(hub: WorkflowHub, decide: Decide) {
  const executionName = `run-${randomUUID()}`;
  const run = runToSettled(hub, { mode: 'sweep', trigger: 'test' }, executionName);
  const { sweep: result } = await driveApprovals(hub.deps, run, executionName, decide);
  expect({ status: result.status, error: result.error, cause: result.cause }).toEqual({ status: 'SUCCEEDED' });
  return executionName;
}

/** The hub's Security Hub findings about the given member accounts (the emulator does not filter: done here). */
async function hubFindings(hub: WorkflowHub, accounts: readonly string[]): Promise<AwsSecurityFinding[]> {
  const client = new SecurityHubClient({ endpoint: endpointUrl(), region: LOCAL_REGION });
  const out: AwsSecurityFinding[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new GetFindingsCommand({ MaxResults: 100, ...(NextToken ? { NextToken } : {}) }));
    out.push(...(page.Findings ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out.filter(
    (f) =>
      accounts.includes(f.ProductFields?.['irsa-doctor/AccountId'] ?? '') && f.AwsAccountId === hub.env.hubAccountId,
  );
}

const byFindingId = (findings: readonly AwsSecurityFinding[]) =>
  new Map(findings.map((f) => [f.ProductFields?.['irsa-doctor/FindingId'] ?? '', f]));

describe('Security Hub import by the sweep', () => {
  it(
    'imports a sweep as NEW; the next sweep after the fixes archives the resolved ones and imports a new fault as NEW',
    async () => {
      // Given an estate with faults in two accounts and a hub that imports into Security Hub
      const estate = await seedWorkflowEstate(endpointUrl());
      const hub = await createWorkflowHub({
        template,
        endpoint: endpointUrl(),
        prefix: `t${randomUUID().slice(0, 8)}`,
        accounts: estate.accounts,
        regions: REGIONS,
        allowWidening: ['wildcard-meant'],
        securityHub: true,
      });

      // When a sweep runs (and a person approves every plan, which fixes the faults)
      const first = await sweep(hub, () => 'approved');

      // Then every finding the sweep recorded is in the hub's Security Hub, active and NEW, under the hub's product
      const recorded = (
        await Promise.all(
          estate.accounts.map(async (a) => (await hub.deps.store.latestAccountFindings(a))?.findings ?? []),
        )
      ).flat();
      expect(recorded.length).toBeGreaterThan(5);
      const imported = byFindingId(await hubFindings(hub, estate.accounts));
      expect([...imported.keys()].sort()).toEqual(recorded.map((f) => f.id).sort());
      for (const f of imported.values()) {
        expect([f.RecordState, f.Workflow?.Status]).toEqual([
          'ACTIVE',
          f.ProductFields?.['irsa-doctor/Life'] === 'suppressed' ? 'SUPPRESSED' : 'NEW',
        ]);
        expect(f.ProductArn).toBe(asffProductArn('aws', LOCAL_REGION, hub.env.hubAccountId));
      }

      // When a new fault appears (a role whose trust has a stray space) and a second sweep runs
      await seedClients(endpointUrl(), estate.accounts[0]).iam.send(
        new CreateRoleCommand({
          RoleName: 'new-stray-space',
          Tags: [OPTED_IN],
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: `arn:aws:iam::${estate.accounts[0]}:oidc-provider/${estate.issuers.prod}` },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: {
                  StringEquals: {
                    [`${estate.issuers.prod}:sub`]: 'system:serviceaccount: apps:reports',
                    [`${estate.issuers.prod}:aud`]: 'sts.amazonaws.com',
                  },
                },
              },
            ],
          }),
        }),
      );
      const second = await sweep(hub, () => 'rejected');
      expect(second).not.toBe(first);

      // Then the findings the fixes removed are archived (their workflow, which a person owns once a finding exists, is
      // not changed by an import: the emulator is patched to keep it as AWS does), the new fault is NEW, the rest active
      const now = (
        await Promise.all(
          estate.accounts.map(async (a) => (await hub.deps.store.latestAccountFindings(a))?.findings ?? []),
        )
      ).flat();
      const nowIds = new Set(now.map((f) => f.id));
      const after = byFindingId(await hubFindings(hub, estate.accounts));
      const resolved = recorded.filter((f) => !nowIds.has(f.id));
      expect(resolved.length).toBeGreaterThan(3);
      for (const f of resolved) {
        expect([f.id, after.get(f.id)?.RecordState, after.get(f.id)?.Workflow?.Status]).toEqual([
          f.id,
          'ARCHIVED',
          'NEW',
        ]);
      }
      const fresh = now.filter((f) => f.resourceArn.endsWith(':role/new-stray-space'));
      expect(fresh.length).toBeGreaterThan(0);
      for (const f of fresh) {
        expect([after.get(f.id)?.RecordState, after.get(f.id)?.Workflow?.Status]).toEqual(['ACTIVE', 'NEW']);
      }
      // And a finding present in both sweeps kept its first sighting
      for (const f of now.filter((n) => recorded.some((r) => r.id === n.id))) {
        const first = imported.get(f.id);
        expect([after.get(f.id)?.RecordState, after.get(f.id)?.CreatedAt]).toEqual(['ACTIVE', first?.CreatedAt]);
      }
    },
    // Seeding, two sweeps with approvals and applies (the sweep test's one sweep budget is 500 calls)
    budgetFor({ calls: 1000, syntheses: 1 }),
  );
});
