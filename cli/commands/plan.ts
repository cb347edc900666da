import { planEstate } from '../../lambdas/domain/plan/plan-estate';
import { type CliIo, readSnapshot } from '../io';
import { renderPlansJson, renderPlansMarkdown, renderPlansTable } from '../render/plans';
import { makeStyle } from '../render/style';
import { parseFormat, parseQuota } from './analyze';

export interface PlanOptions {
  readonly snapshot: string;
  readonly format: string;
  readonly trustPolicyQuota?: string;
}

/** `irsa-doctor plan`: prints the fix plans; exit 0 when it ran. Bad input throws a typed error. */
export async function planCommand(options: PlanOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format);
  const quota = options.trustPolicyQuota === undefined ? undefined : parseQuota(options.trustPolicyQuota);
  const snapshot = await readSnapshot(options.snapshot, io);
  const result = planEstate(snapshot, quota === undefined ? {} : { trustPolicyQuota: quota });
  const style = makeStyle(Boolean(io.stdout.isTTY) && !io.env.NO_COLOR);
  io.stdout.write(
    format === 'json'
      ? renderPlansJson(result)
      : format === 'markdown'
        ? renderPlansMarkdown(result, result.analysis.findings)
        : renderPlansTable(result, style),
  );
  return 0;
}
