import type { EstateReader } from '../ports/estate-reader';
import type { FindingsHub } from '../ports/findings-hub';
import type { FixWriter } from '../ports/fix-writer';
import type { EventPublisher, Notifier, TaskCallbacks, WorkflowStarter } from '../ports/notifier';
import type { SnapshotStore } from '../ports/snapshot-store';
import type { StateStore } from '../ports/state-store';
import type { Telemetry } from '../ports/telemetry';
import type { WorkflowEnv } from '../shared/env';

/**
 * Everything the workflow steps use: ports only (no SDK client, no adapter; biome.json forbids both in
 * lambdas/workflow). Built once per cold start over AWS by lambdas/adapters/workflow-deps.ts (or by the local hub,
 * against the emulator); in unit tests from the in-memory fakes of test/support/fakes/.
 */
export interface WorkflowDeps {
  readonly env: WorkflowEnv;
  readonly store: StateStore;
  readonly snapshots: SnapshotStore;
  readonly notifier: Notifier;
  readonly events: EventPublisher;
  readonly callbacks: TaskCallbacks;
  /** Reads member accounts (targets, snapshots, cluster status, verify), as the scanner role. */
  readonly estate: EstateReader;
  /** Writes member accounts (apply, rollback, and the reads that judge an interrupted write), as the remediator role. */
  readonly fixes: FixWriter;
  /** Starts one remediation execution per plan, named so a plan is never started twice. */
  readonly remediations: WorkflowStarter;
  /** Metrics of what the steps did (lambdas/shared/metric-catalog.ts). */
  readonly telemetry: Telemetry;
  /** Security Hub in the hub account: absent when the hub does not import findings (env.securityHubRegion unset). */
  readonly findingsHub?: FindingsHub;
  readonly now: () => Date;
}
