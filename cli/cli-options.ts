/**
 * What the option declarations of cli/main.ts need, and nothing heavier: no AWS SDK, no rule registry, no schema
 * validator. cli/main.ts imports this module at start; the command modules are loaded only by the command run.
 */
import { KUBECTL_COMMAND } from '../lambdas/domain/kubernetes/kube-read-limits';

/** `-o/--output` of analyze and scan (every report format), and of plan (no SARIF or JUnit: they describe findings). */
export { OUTPUT_FORMATS as ANALYSIS_FORMATS, PLAN_OUTPUT_FORMATS as PLAN_FORMATS } from './render/output-formats';
/** `rules -o`: the catalog as a table, JSON or a markdown table. */
export const RULES_FORMATS = ['table', 'json', 'markdown'] as const;
/** `probe -o`. */
export const PROBE_FORMATS = ['table', 'json'] as const;
/** `approvals list|show|history -o` and `mute list|add -o`. */
export const LIST_FORMATS = ['table', 'json'] as const;

/** `irsa-doctor completion <shell>`. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The read-only role scan and probe assume in member accounts (the scanner stack's default). */
export const DEFAULT_SCANNER_ROLE = 'IrsaDoctorScanner';

/** The shortest lifetime the TokenRequest API grants (10 minutes): the probe's token is gone soon after. */
export const PROBE_TOKEN_SECONDS = 600;

/** The help of `--kube-objects`, shared by analyze and plan. */
export const KUBE_OBJECTS_HELP = `a cluster's Kubernetes objects, repeatable: FILE is what \`${KUBECTL_COMMAND}\` prints for cluster CLUSTER in REGION (add --show-managed-fields so annotation times are known); ACCOUNT/CLUSTER@REGION=FILE when two accounts have that cluster`;

/** commander's collector: every `--kube-objects` value, in order. */
export function collectKubeObjects(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
