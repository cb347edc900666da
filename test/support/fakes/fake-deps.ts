/**
 * A WorkflowDeps of in-memory fakes, one per port (this directory), sharing one FakeClock; the estate reader's
 * verifyRead reads resources from the fix writer fake, as the real scanner reads what the remediator wrote.
 * `fakeDeps().deps` goes to a step; the fakes stay at hand for the test's Given and Then.
 */
import { remediationScopeFrom } from '../../../lambdas/domain/remediation-scope';
import type { WorkflowEnv } from '../../../lambdas/shared/env';
import type { WorkflowDeps } from '../../../lambdas/workflow/deps';
import { FakeClock } from './clock';
import { type InMemoryEstateOptions, InMemoryEstateReader } from './estate-reader';
import { RecordingEventPublisher } from './event-publisher';
import { InMemoryFixWriter } from './fix-writer';
import { RecordingNotifier } from './notifier';
import { InMemorySnapshotStore } from './snapshot-store';
import { InMemoryStateStore } from './state-store';
import { FakeTaskCallbacks } from './task-callbacks';
import { RecordingTelemetry } from './telemetry';
import { FakeWorkflowStarter } from './workflow-starter';

export const FAKE_HUB_ACCOUNT = '000000000000';

/** A complete environment with the hub stack's defaults (override what a test needs). */
export function fakeEnv(overrides: Partial<WorkflowEnv> = {}): WorkflowEnv {
  return {
    stateTable: 'fake-state',
    auditTable: 'fake-audit',
    snapshotBucket: 'fake-snapshots',
    topicArn: 'arn:aws:sns:eu-west-1:000000000000:fake',
    eventBusName: 'fake-events',
    hubAccountId: FAKE_HUB_ACCOUNT,
    partition: 'aws',
    scannerRoleName: 'IrsaDoctorScanner',
    remediatorRoleName: 'IrsaDoctorRemediator',
    accounts: [],
    organization: false,
    organizationalUnits: [],
    excludeAccounts: [],
    regions: ['eu-west-1'],
    autoApplyActions: [],
    allowWidening: [],
    remediationScope: remediationScopeFrom({ ownRoleNames: ['IrsaDoctorScanner', 'IrsaDoctorRemediator'] }),
    approvalTimeoutSeconds: 86400,
    clusterWaitAttempts: 30,
    readClusters: false,
    remediationStateMachineArn: 'arn:aws:states:eu-west-1:000000000000:stateMachine:IrsaDoctorRemediation',
    rejectionMemoryDays: 30,
    ...overrides,
  };
}

export interface Fakes {
  readonly deps: WorkflowDeps;
  readonly clock: FakeClock;
  readonly store: InMemoryStateStore;
  readonly snapshots: InMemorySnapshotStore;
  readonly notifier: RecordingNotifier;
  readonly events: RecordingEventPublisher;
  readonly callbacks: FakeTaskCallbacks;
  readonly estate: InMemoryEstateReader;
  readonly fixes: InMemoryFixWriter;
  readonly remediations: FakeWorkflowStarter;
  readonly telemetry: RecordingTelemetry;
}

export function fakeDeps(
  options: { env?: Partial<WorkflowEnv>; estate?: Omit<InMemoryEstateOptions, 'resources'>; start?: string } = {},
): Fakes {
  const clock = new FakeClock(options.start);
  const env = fakeEnv(options.env);
  const store = new InMemoryStateStore(clock.now);
  const snapshots = new InMemorySnapshotStore(env.snapshotBucket);
  const notifier = new RecordingNotifier();
  const events = new RecordingEventPublisher();
  const callbacks = new FakeTaskCallbacks();
  const fixes = new InMemoryFixWriter();
  const estate = new InMemoryEstateReader({ callerAccount: env.hubAccountId, ...options.estate, resources: fixes });
  const remediations = new FakeWorkflowStarter(env.remediationStateMachineArn);
  const telemetry = new RecordingTelemetry();
  const deps: WorkflowDeps = {
    env,
    store,
    snapshots,
    notifier,
    events,
    callbacks,
    estate,
    fixes,
    remediations,
    telemetry,
    now: clock.now,
  };
  return { deps, clock, store, snapshots, notifier, events, callbacks, estate, fixes, remediations, telemetry };
}
