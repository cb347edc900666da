import { type PlanOptions as PlannerOptions, planShard } from '../../lambdas/domain/plan/plan-estate';
import { WIDENING_CLASSES } from '../../lambdas/domain/plan/plan-model';
import type { WideningClass } from '../../lambdas/domain/plan/prove';
import { UsageError } from '../../lambdas/shared/errors';
import { type CliIo, readSnapshot, writeChunks } from '../io';
import { withKubeObjects } from '../kube-objects-input';
import { markSuppressed, readMutelist } from '../mutelist';
import { renderPlansJsonChunks, renderPlansMarkdown, renderPlansTable } from '../render/plans';
import { terminalFor } from '../render/terminal';
import { parseFormat, parseQuota } from './analyze';

export interface PlanOptions {
  readonly snapshot: string;
  readonly format: string;
  readonly trustPolicyQuota?: string;
  /** Comma-separated classes of declared widening a plan may carry and stay applicable (default none). */
  readonly allowWidening?: string;
  /** `CLUSTER@REGION=FILE` values of --kube-objects. */
  readonly kubeObjects?: readonly string[];
  /** A YAML or JSON list of suppressions: covered findings are not planned. */
  readonly mutelist?: string;
  /** False with the global --no-color (terminalFor: FORCE_COLOR, NO_COLOR and the terminal decide otherwise). */
  readonly color?: boolean;
}

/** `irsa-doctor plan`: prints the fix plans; exit 0 when it ran. Bad input throws a typed error. */
export async function planCommand(options: PlanOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format);
  const quota = options.trustPolicyQuota === undefined ? undefined : parseQuota(options.trustPolicyQuota);
  const now = new Date();
  const mutelist = options.mutelist === undefined ? [] : await readMutelist(options.mutelist, now);
  const snapshot = await withKubeObjects(await readSnapshot(options.snapshot, io), options.kubeObjects ?? []);
  const allowWidening = options.allowWidening === undefined ? [] : parseWidening(options.allowWidening);
  const planner: PlannerOptions = {
    ...(quota === undefined ? {} : { trustPolicyQuota: quota }),
    ...(allowWidening.length > 0 ? { allowWidening } : {}),
  };
  // Every finding is kept (suppressed ones marked, for the approver's view); suppressed ones are not planned.
  const planned = planShard(
    snapshot,
    { record: () => true, plan: (f) => !markSuppressed([f], mutelist, now)[0]?.suppressed },
    planner,
  );
  const result = {
    ...planned,
    analysis: { ...planned.analysis, findings: markSuppressed(planned.analysis.findings, mutelist, now) },
  };
  if (format === 'json') await writeChunks(io.stdout, renderPlansJsonChunks(result));
  else {
    io.stdout.write(
      format === 'markdown'
        ? renderPlansMarkdown(result, result.analysis.findings)
        : renderPlansTable(result, terminalFor(io, options)),
    );
  }
  return 0;
}

/** `--allow-widening wildcard-meant,dropped-duplicate`: each entry must be a known class. */
export function parseWidening(value: string): WideningClass[] {
  const given = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = given.filter((c) => !(WIDENING_CLASSES as readonly string[]).includes(c));
  if (bad.length > 0) {
    throw new UsageError(
      `--allow-widening takes a comma-separated list of ${WIDENING_CLASSES.join(', ')}; got ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
  }
  return [...new Set(given)] as WideningClass[];
}
