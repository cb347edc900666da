import { RULE_CATALOG } from '../../lambdas/domain/rules/catalog';
import type { CliIo } from '../io';
import { md } from '../render/findings';
import { parseFormat } from './analyze';

/** `irsa-doctor rules`: the catalog of checks. */
export function rulesCommand(options: { format: string }, io: CliIo): number {
  const format = parseFormat(options.format);
  const rules = [...RULE_CATALOG.values()];
  if (format === 'json') io.stdout.write(`${JSON.stringify({ rules }, null, 2)}\n`);
  else if (format === 'markdown') {
    const rows = rules.map((r) => `| ${r.id} | ${r.severity} | ${md(r.title)} |`);
    io.stdout.write(`| Rule | Default severity | Checks |\n| --- | --- | --- |\n${rows.join('\n')}\n`);
  } else {
    io.stdout.write(`${rules.map((r) => `${r.id.padEnd(10)} ${r.severity.padEnd(9)} ${r.title}`).join('\n')}\n`);
  }
  return 0;
}
