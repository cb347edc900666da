import { IRSA_007 } from './account/irsa-007-provider-quota';
import { SWEEP_001 } from './account/sweep-001-account-unreachable';
import { SWEEP_002 } from './account/sweep-002-account-partly-read';
import { DOC_001 } from './document/doc-001-unreadable-document';
import { DOC_002 } from './document/doc-002-invalid-document';
import { IRSA_022 } from './document/irsa-022-duplicate-keys';
import { IRSA_023 } from './document/irsa-023-policy-size';
import { IRSA_002 } from './irsa-statement/irsa-002-provider-in-other-account';
import { IRSA_010 } from './irsa-statement/irsa-010-action-not-web-identity';
import { IRSA_011 } from './irsa-statement/irsa-011-principal-not-federated';
import { IRSA_012 } from './irsa-statement/irsa-012-provider-matches-no-cluster';
import { IRSA_013 } from './irsa-statement/irsa-013-key-prefix';
import { IRSA_014 } from './irsa-statement/irsa-014-claim-misspelled-or-swapped';
import { IRSA_015 } from './irsa-statement/irsa-015-malformed-subject';
import { IRSA_017 } from './irsa-statement/irsa-017-wildcard-under-string-equals';
import { IRSA_018 } from './irsa-statement/irsa-018-any-service-account';
import { IRSA_019 } from './irsa-statement/irsa-019-no-aud';
import { IRSA_020 } from './irsa-statement/irsa-020-aud-value';
import { IRSA_021 } from './irsa-statement/irsa-021-clusters-merged';
import { IRSA_044 } from './irsa-statement/irsa-044-other-partition';
import type { StatementScope } from './irsa-statement/statement-scope';
import { IRSA_032 } from './kubernetes/irsa-032-pod-not-using-irsa';
import { IRSA_033 } from './kubernetes/irsa-033-webhook-missing';
import { IRSA_034 } from './kubernetes/irsa-034-token-unreadable';
import { IRSA_035 } from './kubernetes/irsa-035-credential-env';
import { IRSA_037 } from './kubernetes/irsa-037-token-expiration';
import { IRSA_040 } from './kubernetes/irsa-040-sts-partition-region';
import { IRSA_041 } from './kubernetes/irsa-041-global-sts-endpoint';
import { KUBE_001 } from './kubernetes/kube-001-scanner-cannot-read';
import { KUBE_002 } from './kubernetes/kube-002-pod-service-account-missing';
import { KUBE_003 } from './kubernetes/kube-003-trusted-service-account-not-annotated';
import { PI_050 } from './pod-identity/pi-050-pods-service-not-trusted';
import { PI_054 } from './pod-identity/pi-054-cross-account-set-up-wrongly';
import { PI_055 } from './pod-identity/pi-055-over-broad-pod-identity-trust';
import { PI_056 } from './pod-identity/pi-056-irsa-and-pod-identity';
import { IRSA_001 } from './provider/irsa-001-no-provider';
import { IRSA_003 } from './provider/irsa-003-provider-audience';
import { IRSA_004 } from './provider/irsa-004-thumbprints';
import { IRSA_005 } from './provider/irsa-005-orphan-provider';
import { IRSA_006 } from './provider/irsa-006-provider-url';
import { IRSA_016 } from './workload/irsa-016-subject-not-allowed';
import { IRSA_024 } from './workload/irsa-024-denied-by-something-else';
import { IRSA_030 } from './workload/irsa-030-malformed-role-arn';
import { IRSA_031 } from './workload/irsa-031-role-missing-or-untrusting';
import { IRSA_036 } from './workload/irsa-036-custom-audience';
import { IRSA_038 } from './workload/irsa-038-addon-subject-not-allowed';

/**
 * Every rule, one file each (its meta, its evidence type and its check), in catalog order. The catalog, the
 * `RuleId` type and each rule's evidence type are derived from this list; statement checks run in this order.
 */
export const RULES = [
  IRSA_001,
  IRSA_002,
  IRSA_003,
  IRSA_004,
  IRSA_005,
  IRSA_006,
  IRSA_007,
  IRSA_010,
  IRSA_011,
  IRSA_012,
  IRSA_013,
  IRSA_014,
  IRSA_015,
  IRSA_016,
  IRSA_017,
  IRSA_018,
  IRSA_019,
  IRSA_020,
  IRSA_021,
  IRSA_022,
  IRSA_023,
  IRSA_024,
  IRSA_030,
  IRSA_031,
  IRSA_032,
  IRSA_033,
  IRSA_034,
  IRSA_035,
  IRSA_036,
  IRSA_037,
  IRSA_038,
  IRSA_040,
  IRSA_041,
  IRSA_044,
  PI_050,
  PI_054,
  PI_055,
  PI_056,
  DOC_001,
  DOC_002,
  SWEEP_001,
  SWEEP_002,
  KUBE_001,
  KUBE_002,
  KUBE_003,
] as const;

/** The statement checks, in registry order: run once per IRSA Allow statement, from one scope. */
export const STATEMENT_CHECKS: ReadonlyArray<(scope: StatementScope) => void> = RULES.flatMap((rule) =>
  rule.checkStatement ? [rule.checkStatement] : [],
);
