/**
 * CDK composition root: the configuration (infra/config.ts, from the `irsa-doctor` context key), the hub stack
 * (Step Functions sweep, approval, audit), the member stacks (scanner and remediator roles, once per account; the
 * CreateCluster forwarder, once per account and region), and the cdk-nag AwsSolutions checks on all of them.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../config';
import { HUB_EVENT_BUS_NAME, HubStack } from '../stacks/hub-stack';
import { MemberEventsStack } from '../stacks/member-events-stack';
import { MemberRolesStack } from '../stacks/member-roles-stack';

/**
 * Offline synth only: with no hubAccountId configured and no credentials (CDK_DEFAULT_ACCOUNT unset), the templates
 * are made for this account, which does not exist, so a deploy of them fails instead of trusting a wrong hub.
 */
const PLACEHOLDER_ACCOUNT = '000000000000';
const FALLBACK_REGION = 'us-east-1';

const app = new App();
const config = loadConfig(app);
const hubAccountId = config.hubAccountId ?? process.env.CDK_DEFAULT_ACCOUNT ?? PLACEHOLDER_ACCOUNT;
const hubRegion = config.hubRegion ?? process.env.CDK_DEFAULT_REGION ?? FALLBACK_REGION;

new HubStack(app, 'IrsaDoctorHub', {
  description: 'IRSA Doctor hub: sweep workflow, approval, audit',
  env: { account: hubAccountId, region: hubRegion },
  config,
});
new MemberRolesStack(app, 'IrsaDoctorMemberRoles', {
  description: 'IRSA Doctor member roles: read-only scanner and narrow remediator (once per account)',
  hubAccountId,
  scannerRoleName: config.scannerRoleName,
  remediatorRoleName: config.remediatorRoleName,
  remediableRoles: { mode: config.remediableRoles, paths: config.remediablePaths },
  ...(config.externalId ? { externalId: config.externalId } : {}),
});
new MemberEventsStack(app, 'IrsaDoctorMemberEvents', {
  description: 'IRSA Doctor member events: forward CreateCluster to the hub bus (once per account and region)',
  hubAccountId,
  hubRegion,
  eventBusName: HUB_EVENT_BUS_NAME,
});

Tags.of(app).add('project', 'irsa-doctor');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
