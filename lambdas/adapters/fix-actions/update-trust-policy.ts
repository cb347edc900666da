/** Fix action update-trust-policy: rewrite a role's trust policy (UpdateAssumeRolePolicy), guarded and undoable. */
import {
  GetRoleCommand,
  type IAMClient,
  NoSuchEntityException,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { FIX_ACTION_IAM } from '../../domain/fix-action-iam';
import { isTrustDocument, type TrustDocument } from '../../domain/plan/plan-model';
import { PlanNotApplicableError, StalePlanError } from '../../shared/errors';
import { decodePolicyText } from '../iam-text';
import { type FixAction, guardedApply, guardedRollback, notReversible, type ResourceRef } from './fix-action';

const WRITES = ['iam:UpdateAssumeRolePolicy'];

export const updateTrustPolicy: FixAction<'update-trust-policy'> = {
  action: 'update-trust-policy',
  iam: FIX_ACTION_IAM['update-trust-policy'],
  read: (iam, ref) => getTrustPolicy(iam, roleNameFromArn(ref.resourceArn), ref),
  decode: decodeTrustDocument,
  holds: sameJson,
  apply(iam, plan, hooks) {
    const { after } = plan;
    if (after === null) {
      throw new PlanNotApplicableError(`plan ${plan.id}: a trust-policy plan needs before and after`, plan.id);
    }
    const roleName = roleNameFromArn(plan.resourceArn);
    return guardedApply(
      {
        plan,
        what: 'trust policy',
        before: plan.before,
        after,
        read: () => getTrustPolicy(iam, roleName, plan),
        holds: sameJson,
        stale: (current) =>
          new StalePlanError(
            current === null
              ? `plan ${plan.id}: role ${plan.resourceArn} no longer exists; nothing was written`
              : `plan ${plan.id}: the trust policy of ${plan.resourceArn} changed since the plan was made; nothing was written (re-scan and re-plan)`,
            plan.id,
            plan.resourceArn,
            current,
          ),
        writes: () => WRITES,
        write: () => putTrustPolicy(iam, roleName, after),
      },
      hooks,
    );
  },
  rollback(iam, change, hooks) {
    const wrote = decodeTrustDocument(change.wrote);
    const replaced = decodeTrustDocument(change.replaced);
    if (!wrote || !replaced) throw notReversible(change, 'the documents a trust-policy rollback needs');
    const roleName = roleNameFromArn(change.resourceArn);
    const ref = { id: change.planId, resourceArn: change.resourceArn };
    return guardedRollback(
      {
        change,
        wrote,
        replaced,
        read: () => getTrustPolicy(iam, roleName, ref),
        holds: sameJson,
        drifted: (current) => (current === null ? 'role (it no longer exists)' : 'trust policy'),
        notRestored: `trust policy of ${change.resourceArn} is not the restored one`,
        writes: () => WRITES,
        write: () => putTrustPolicy(iam, roleName, replaced),
      },
      hooks,
    );
  },
  async verify(iam, resourceArn, account) {
    const name = resourceArn.slice(resourceArn.lastIndexOf('/') + 1);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: name }));
    const trustPolicy = decodePolicyText(Role?.AssumeRolePolicyDocument ?? '');
    return { ...account, roles: account.roles.map((r) => (r.arn === resourceArn ? { ...r, trustPolicy } : r)) };
  },
};

async function putTrustPolicy(iam: IAMClient, roleName: string, document: TrustDocument): Promise<void> {
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(document) }));
}

/** A stored trust policy (plan, intent, audit record): null when absent, undefined when it is not a JSON object. */
export function decodeTrustDocument(value: unknown): TrustDocument | null | undefined {
  if (value === null) return null;
  return isTrustDocument(value) ? value : undefined;
}

/** A role's trust policy as a JSON object; null when the role is gone; StalePlanError when it is not an object. */
export async function getTrustPolicy(
  iam: IAMClient,
  roleName: string,
  plan: ResourceRef,
): Promise<TrustDocument | null> {
  let text: string;
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    text = Role?.AssumeRolePolicyDocument ?? '';
  } catch (err) {
    if (err instanceof NoSuchEntityException) return null;
    throw err;
  }
  const decoded = decodePolicyText(text);
  try {
    const parsed: unknown = JSON.parse(decoded);
    if (isTrustDocument(parsed)) return parsed;
  } catch {
    // fall through: an unreadable current policy is not the plan's before
  }
  throw new StalePlanError(
    `plan ${plan.id}: the current trust policy of ${plan.resourceArn} is not a JSON object; nothing was written`,
    plan.id,
    plan.resourceArn,
    decoded,
  );
}

export function roleNameFromArn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  if (!resource.startsWith('role/')) throw new PlanNotApplicableError(`${arn} is not a role ARN`, arn);
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/** JSON value equality: object key order does not matter, array order does (as IAM stores documents). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  const ak = Object.keys(a);
  return (
    ak.length === Object.keys(b).length &&
    ak.every((k) => Object.hasOwn(b, k) && sameJson(Reflect.get(a, k), Reflect.get(b, k)))
  );
}
