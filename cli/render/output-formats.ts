import { UsageError } from '../../lambdas/shared/errors';

/**
 * The report formats of analyze, scan and plan (`--output`). Kept in a module with no heavy imports so the command
 * line's definition can name them without loading the renderers.
 */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml', 'text', 'markdown', 'sarif', 'junit', 'asff'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What `plan` renders: SARIF, JUnit and ASFF describe findings, not fix plans (analyze gives those). */
export const PLAN_OUTPUT_FORMATS = [
  'table',
  'json',
  'yaml',
  'text',
  'markdown',
] as const satisfies readonly OutputFormat[];
export type PlanOutputFormat = (typeof PLAN_OUTPUT_FORMATS)[number];

/** Checks a format value (case-insensitive, as the AWS CLI's `--output`); a UsageError names the choices. */
export function parseOutputFormat(value: string, allowed: readonly OutputFormat[] = OUTPUT_FORMATS): OutputFormat {
  const lower = value.toLowerCase();
  if ((allowed as readonly string[]).includes(lower)) return lower as OutputFormat;
  const hint =
    (OUTPUT_FORMATS as readonly string[]).includes(lower) && !(allowed as readonly string[]).includes(lower)
      ? ` (${lower} reports findings: use "irsa-doctor analyze --output ${lower}")`
      : '';
  throw new UsageError(`--output must be one of ${allowed.join(', ')}; got "${value}"${hint}`);
}
