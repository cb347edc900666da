import type { AsffFinding } from '../domain/asff';

/**
 * Where the workflow sends its findings in the AWS Security Finding Format: Security Hub's BatchImportFindings in
 * the hub account (lambdas/adapters/security-hub-import.ts). Imports are idempotent: a finding's Id is stable, so a
 * retried step imports the same findings again harmlessly.
 */
export interface FindingsHub {
  /**
   * Imports any number of findings (the adapter batches them within the API's limits and retries the ones refused);
   * a FindingsImportError when some are still refused.
   */
  importFindings(findings: readonly AsffFinding[]): Promise<{ readonly imported: number }>;
}
