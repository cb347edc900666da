import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  type IAMClient,
  NoSuchEntityException,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { stripScheme, trimTrailingSlashes } from '../domain/arn';
import type { Plan, ProviderState, TrustDocument } from '../domain/plan/plan-model';
import { ConcurrentEditError, PlanNotApplicableError, StalePlanError } from '../shared/errors';
import type { AwsClientFactory } from './aws-clients';
import { decodePolicyText } from './iam-text';

export interface ApplyOutcome {
  readonly planId: string;
  readonly resourceArn: string;
  /** 'already-applied': the resource already held the plan's `after`; nothing was written. */
  readonly status: 'applied' | 'already-applied';
  /** What the resource held just before the write, as read then (for the audit log and rollback); null: absent. */
  readonly replaced: TrustDocument | ProviderState | null;
  /** What it holds now, as read back after the write. */
  readonly current: TrustDocument | ProviderState | null;
  /** The write operations made, in order. */
  readonly writes: readonly string[];
}

/** Tag put on providers the workflow creates, naming the plan (rollback and audit find them by it). */
export const PLAN_TAG = 'irsa-doctor:plan-id';

/**
 * Called once the drift guard has decided to write, right before the first IAM write, with what the resource holds
 * and the writes about to be made: the write-ahead audit records its intent here. If it throws, nothing is written.
 */
export type BeforeWrite = (
  current: TrustDocument | ProviderState | null,
  writes: readonly string[],
) => Promise<void> | void;

export interface WriteHooks {
  readonly beforeWrite?: BeforeWrite;
}

/**
 * Applies one approved plan, guarded against drift: the resource is read first and must hold exactly the plan's
 * `before` (or already its `after`, which makes re-applying a no-op); otherwise nothing is written and a
 * StalePlanError says what is there now. After the write the resource is read back; if it does not hold `after`,
 * another writer changed it concurrently (ConcurrentEditError; the other writer's change is what stays).
 * IAM has no conditional writes, so between the read and the write there remains a window of one API round trip.
 */
export async function applyPlan(factory: AwsClientFactory, plan: Plan, hooks: WriteHooks = {}): Promise<ApplyOutcome> {
  assertWritable(factory, plan);
  const iam = factory.iam(plan.accountId);
  if (plan.action === 'update-trust-policy') return applyTrustPolicy(iam, plan, hooks);
  return applyProvider(iam, plan, hooks);
}

/** The checks made before anything is read: writer credentials, an applicable plan, an action apply may make. */
export function assertWritable(factory: AwsClientFactory, plan: Plan): void {
  if (factory.access !== 'write') {
    throw new PlanNotApplicableError(
      `plan ${plan.id}: refusing to write with read-only (scanner) credentials; use the remediator role's client factory`,
      plan.id,
    );
  }
  if (!plan.applicable) {
    throw new PlanNotApplicableError(
      `plan ${plan.id} is propose-only (${plan.proposeOnlyReason ?? 'no reason given'}); a person must make this change`,
      plan.id,
    );
  }
  switch (plan.action) {
    case 'update-trust-policy':
    case 'create-oidc-provider':
    case 'add-client-id':
    case 'update-thumbprint':
      return;
    default:
      throw new PlanNotApplicableError(
        `plan ${plan.id}: action ${plan.action} is never applied automatically`,
        plan.id,
      );
  }
}

async function applyTrustPolicy(iam: IAMClient, plan: Plan, hooks: WriteHooks): Promise<ApplyOutcome> {
  const before = plan.before as TrustDocument | null;
  const after = plan.after as TrustDocument | null;
  if (!before || !after)
    throw new PlanNotApplicableError(`plan ${plan.id}: a trust-policy plan needs before and after`, plan.id);
  const roleName = roleNameFromArn(plan.resourceArn);
  const current = await getTrustPolicy(iam, roleName, plan);
  if (current === null) {
    throw new StalePlanError(
      `plan ${plan.id}: role ${plan.resourceArn} no longer exists; nothing was written`,
      plan.id,
      plan.resourceArn,
      null,
    );
  }
  if (sameJson(current, after)) {
    return {
      planId: plan.id,
      resourceArn: plan.resourceArn,
      status: 'already-applied',
      replaced: current,
      current,
      writes: [],
    };
  }
  if (!sameJson(current, before)) {
    throw new StalePlanError(
      `plan ${plan.id}: the trust policy of ${plan.resourceArn} changed since the plan was made; nothing was written (re-scan and re-plan)`,
      plan.id,
      plan.resourceArn,
      current,
    );
  }
  await hooks.beforeWrite?.(current, ['iam:UpdateAssumeRolePolicy']);
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(after) }));
  const readBack = await getTrustPolicy(iam, roleName, plan);
  return confirmed(plan, 'trust policy', current, readBack, readBack !== null && sameJson(readBack, after), [
    'iam:UpdateAssumeRolePolicy',
  ]);
}

/** The outcome of a write, once the read-back shows the approved state; ConcurrentEditError when it does not. */
function confirmed<T extends TrustDocument | ProviderState>(
  plan: Plan,
  what: string,
  replaced: T | null,
  readBack: T | null,
  holdsAfter: boolean,
  writes: readonly string[],
): ApplyOutcome {
  if (!holdsAfter) {
    throw new ConcurrentEditError(
      `plan ${plan.id}: after the write, the ${what} of ${plan.resourceArn} is not the approved one: it was changed concurrently`,
      plan.id,
      plan.resourceArn,
      readBack,
    );
  }
  return { planId: plan.id, resourceArn: plan.resourceArn, status: 'applied', replaced, current: readBack, writes };
}

async function applyProvider(iam: IAMClient, plan: Plan, hooks: WriteHooks): Promise<ApplyOutcome> {
  const before = plan.before as ProviderState | null;
  const after = plan.after as ProviderState | null;
  if (!after) throw new PlanNotApplicableError(`plan ${plan.id}: a provider plan needs an after state`, plan.id);
  const current = await readProvider(iam, plan.resourceArn);
  if (current && sameProvider(current, after)) {
    return {
      planId: plan.id,
      resourceArn: plan.resourceArn,
      status: 'already-applied',
      replaced: current,
      current,
      writes: [],
    };
  }
  if (!(current === null ? before === null : before !== null && sameProvider(current, before))) {
    throw new StalePlanError(
      `plan ${plan.id}: the OIDC provider ${plan.resourceArn} ${current === null ? 'no longer exists' : before === null ? 'already exists with other settings' : 'changed since the plan was made'}; nothing was written (re-scan and re-plan)`,
      plan.id,
      plan.resourceArn,
      current,
    );
  }
  const writes: string[] = [];
  const missing = after.clientIds.filter((id) => !(current?.clientIds ?? []).includes(id));
  await hooks.beforeWrite?.(
    current,
    plan.action === 'create-oidc-provider'
      ? ['iam:CreateOpenIDConnectProvider']
      : plan.action === 'add-client-id'
        ? missing.map(() => 'iam:AddClientIDToOpenIDConnectProvider')
        : ['iam:UpdateOpenIDConnectProviderThumbprint'],
  );
  if (plan.action === 'create-oidc-provider') {
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${providerUrl(after.url)}`,
        ClientIDList: [...after.clientIds],
        ...(after.thumbprints.length > 0 ? { ThumbprintList: [...after.thumbprints] } : {}),
        Tags: [{ Key: PLAN_TAG, Value: plan.id }],
      }),
    );
    writes.push('iam:CreateOpenIDConnectProvider');
  } else if (plan.action === 'add-client-id') {
    for (const clientId of missing) {
      await iam.send(
        new AddClientIDToOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: plan.resourceArn,
          ClientID: clientId,
        }),
      );
      writes.push('iam:AddClientIDToOpenIDConnectProvider');
    }
  } else {
    await iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: plan.resourceArn,
        ThumbprintList: [...after.thumbprints],
      }),
    );
    writes.push('iam:UpdateOpenIDConnectProviderThumbprint');
  }
  const readBack = await readProvider(iam, plan.resourceArn);
  return confirmed(
    plan,
    'OIDC provider state',
    current,
    readBack,
    readBack !== null && sameProvider(readBack, after),
    writes,
  );
}

/** A role's trust policy as a JSON object; null when the role is gone; StalePlanError when it is not an object. */
export async function getTrustPolicy(
  iam: IAMClient,
  roleName: string,
  plan: Pick<Plan, 'id' | 'resourceArn'>,
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
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as TrustDocument;
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

/**
 * What a change's resource holds now (a trust policy or a provider state; null: absent), for the audit reconciler.
 * A trust policy that is not a JSON object comes back as its text.
 */
export async function readResourceState(
  factory: AwsClientFactory,
  change: {
    readonly accountId: string;
    readonly resourceArn: string;
    readonly action: string;
    readonly planId: string;
  },
): Promise<unknown> {
  const iam = factory.iam(change.accountId);
  if (change.action !== 'update-trust-policy') return readProvider(iam, change.resourceArn);
  try {
    return await getTrustPolicy(iam, roleNameFromArn(change.resourceArn), {
      id: change.planId,
      resourceArn: change.resourceArn,
    });
  } catch (err) {
    if (err instanceof StalePlanError) return err.current;
    throw err;
  }
}

/** Whether a resource state read by readResourceState is `target` (null: the resource is absent). */
export function holdsState(action: string, state: unknown, target: TrustDocument | ProviderState | null): boolean {
  if (target === null || state === null) return target === state;
  if (action === 'update-trust-policy') return sameJson(state, target);
  return typeof state === 'object' && sameProvider(state as ProviderState, target as ProviderState);
}

/** An OIDC provider's state as the planner models it; null when it does not exist. */
export async function readProvider(iam: IAMClient, arn: string): Promise<ProviderState | null> {
  try {
    const p = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    return { url: providerUrl(p.Url ?? ''), clientIds: p.ClientIDList ?? [], thumbprints: p.ThumbprintList ?? [] };
  } catch (err) {
    if (err instanceof NoSuchEntityException) return null;
    throw err;
  }
}

export function roleNameFromArn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  if (!resource.startsWith('role/')) throw new PlanNotApplicableError(`${arn} is not a role ARN`, arn);
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/** A provider URL as IAM stores it: no scheme, no trailing slash. */
export function providerUrl(url: string): string {
  return trimTrailingSlashes(stripScheme(url));
}

/** Same URL (case-folded), same client ids, same thumbprints (case-folded), in any order. */
export function sameProvider(a: ProviderState, b: ProviderState): boolean {
  const set = (xs: readonly string[], fold: boolean) =>
    [...new Set(xs.map((x) => (fold ? x.toLowerCase() : x)))].sort().join('\n');
  return (
    providerUrl(a.url).toLowerCase() === providerUrl(b.url).toLowerCase() &&
    set(a.clientIds, false) === set(b.clientIds, false) &&
    set(a.thumbprints, true) === set(b.thumbprints, true)
  );
}

/** JSON value equality: object key order does not matter, array order does (as IAM stores documents). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]));
  }
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  return (
    ak.length === Object.keys(bo).length &&
    ak.every((k) => Object.hasOwn(bo, k) && sameJson((a as Record<string, unknown>)[k], bo[k]))
  );
}
