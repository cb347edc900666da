import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type ImportFindingsError,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { type AsffFinding, asffBatches } from '../domain/asff';
import type { FindingsHub } from '../ports/findings-hub';
import { FindingsImportError } from '../shared/errors';

/** Attempts of one batch's refused findings (throttling of the call itself is the client's adaptive retry). */
const ATTEMPTS = 3;
/** The request body stays under BatchImportFindings' 6 MB payload limit, with room for the envelope. */
const MAX_BATCH_BYTES = 5 * 1024 * 1024;

/**
 * BatchImportFindings in batches of at most 100 findings and 5 MB; the findings a response lists as FailedFindings
 * are sent again (twice at most), then reported with their error codes. The client should use the adaptive retry
 * mode, which slows down on ThrottlingException (buildDeps does).
 */
export class SecurityHubImport implements FindingsHub {
  constructor(
    private readonly client: SecurityHubClient,
    private readonly pause: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async importFindings(findings: readonly AsffFinding[]) {
    let imported = 0;
    const refused: ImportFindingsError[] = [];
    for (const batch of asffBatches(findings, MAX_BATCH_BYTES)) {
      const out = await this.importBatch(batch);
      imported += out.imported;
      refused.push(...out.refused);
    }
    if (refused.length > 0) {
      const failed = refused.map((e) => ({ id: e.Id ?? '', code: e.ErrorCode ?? '', message: e.ErrorMessage ?? '' }));
      throw new FindingsImportError(
        `Security Hub refused ${failed.length} of ${findings.length} finding(s): ${failed
          .slice(0, 3)
          .map((f) => `${f.id}: ${f.code} ${f.message}`)
          .join('; ')}`,
        failed.slice(0, 100),
      );
    }
    return { imported };
  }

  private async importBatch(batch: readonly AsffFinding[]) {
    let pending = batch;
    let imported = 0;
    for (let attempt = 1; ; attempt++) {
      const out = await this.client.send(
        new BatchImportFindingsCommand({ Findings: pending as unknown as AwsSecurityFinding[] }),
      );
      imported += out.SuccessCount ?? 0;
      const failed = out.FailedFindings ?? [];
      if (failed.length === 0) return { imported, refused: [] };
      if (attempt >= ATTEMPTS) return { imported, refused: failed };
      const ids = new Set(failed.map((f) => f.Id));
      pending = pending.filter((f) => ids.has(f.Id));
      await this.pause(200 * 2 ** attempt);
    }
  }
}
