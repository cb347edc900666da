import { type PlanOptions as PlannerOptions, planShard } from '../../lambdas/domain/plan/plan-estate';
import { WIDENING_CLASSES } from '../../lambdas/domain/plan/plan-model';
import type { WideningClass } from '../../lambdas/domain/plan/prove';
import { UsageError } from '../../lambdas/shared/errors';
import { type FindingFilter, filterPlanResult } from '../filters';
import { type CliIo, readSnapshot, writeChunks } from '../io';
import { withKubeObjects } from '../kube-objects-input';
import { markSuppressed, readMutelist } from '../mutelist';
import { PLAN_OUTPUT_FORMATS, parseOutputFormat } from '../render/output-formats';
import { renderPlansReportChunks } from '../render/report';
import { type OutputOptions, parseQuota, reportContext, reportTarget } from './analyze';

export interface PlanOptions extends OutputOptions {
  readonly snapshot: string;
  readonly format: string;
  readonly trustPolicyQuota?: string;
  /** Comma-separated classes of declared widening a plan may carry and stay applicable (default none). */
  readonly allowWidening?: string;
  /** `CLUSTER@REGION=FILE` values of --kube-objects. */
  readonly kubeObjects?: readonly string[];
  /** A YAML or JSON list of suppressions: covered findings are not planned. */
  readonly mutelist?: string;
  /** --severity, --rule, --account, --cluster, --namespace: plans shown for the findings kept. */
  readonly filter?: FindingFilter;
}

/** `irsa-doctor plan`: prints the fix plans; exit 0 when it ran. Bad input throws a typed error. */
export async function planCommand(options: PlanOptions, io: CliIo): Promise<number> {
  const format = parseOutputFormat(options.format, PLAN_OUTPUT_FORMATS);
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
  const result = filterPlanResult(
    {
      ...planned,
      analysis: { ...planned.analysis, findings: markSuppressed(planned.analysis.findings, mutelist, now) },
    },
    options.filter ?? {},
  );
  const file = options.snapshot === '-' ? undefined : options.snapshot;
  const ctx = reportContext('plan', snapshot, io, reportTarget(options, file, now));
  await writeChunks(io.stdout, renderPlansReportChunks(result, format, ctx));
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
