import { evaluateTrustPolicy, webIdentityRequest } from '../trust-policy/evaluate';
import { parseTrustPolicy } from '../trust-policy/parse-trust-policy';
import type { TrustPolicyPatch } from './patch-trust-policy';

/**
 * Whether the document a plan is building admits a workload, without re-reading and re-evaluating the whole growing
 * document per workload (quadratic in the service accounts of a role). The document is read again only when it
 * changed in a way not tracked here; the changes tracked are those that add one literal subject (no `*`, `?` or
 * `$`) to a `:sub` condition or in a statement of its own. Such a change can alter the decision for a request only
 * if that subject equals the request's, ignoring case (no condition operator matches a literal value otherwise):
 * then the document is read again too. So the answer is always the decision on the current document.
 */
export class CurrentDocument {
  private read: ReturnType<typeof parseTrustPolicy> | undefined;
  /** patch.changes.length when the document was read, plus the tracked changes since. */
  private accounted = -1;
  private readonly subjects = new Set<string>();

  constructor(private readonly patch: TrustPolicyPatch) {}

  admits(providerArn: string, hostPath: string, sub: string, aud: string): boolean {
    if (!this.read || this.accounted !== this.patch.changes.length || this.subjects.has(sub.toLowerCase())) {
      this.read = parseTrustPolicy(this.patch.result());
      this.accounted = this.patch.changes.length;
      this.subjects.clear();
    }
    const read = this.read;
    return (
      read.ok &&
      evaluateTrustPolicy(read.policy, webIdentityRequest(providerArn, hostPath, { sub, aud })).decision === 'Allow'
    );
  }

  /** Records the changes made since `changesBefore` as adding only the subject `sub`. */
  added(sub: string, changesBefore: number): void {
    if (!this.read || this.accounted !== changesBefore || /[*?$]/.test(sub)) return;
    this.accounted = this.patch.changes.length;
    this.subjects.add(sub.toLowerCase());
  }
}
