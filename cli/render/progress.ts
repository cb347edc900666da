import type { SweepProgress } from '../../lambdas/adapters/collect-estate';
import { escapeControls } from '../../lambdas/shared/text';

export interface ProgressSink {
  update(progress: SweepProgress): void;
  /** Clears the bar (the final summary is printed by the caller). */
  done(): void;
}

/** A one-line progress bar redrawn in place on a terminal; silent anywhere else (pipes, CI logs, files). */
export function progressBar(
  stream: { write(text: string): unknown; readonly isTTY?: boolean },
  width = 24,
): ProgressSink {
  if (!stream.isTTY) return { update() {}, done() {} };
  let drawn = false;
  return {
    update(p) {
      const total = Math.max(1, p.regionsTotal);
      const filled = Math.round((p.regionsDone / total) * width);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
      const where = escapeControls(p.region ? `${p.accountId} ${p.region}` : `${p.accountId} ${p.accountStatus ?? ''}`);
      stream.write(
        `\r\u001b[2Kscan [${bar}] ${p.accountsDone}/${p.accountsTotal} accounts  ${p.regionsDone}/${p.regionsTotal} account-regions  ${where}`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}
