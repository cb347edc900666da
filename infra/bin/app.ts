/**
 * CDK composition root: the configuration (infra/config.ts, from the `irsa-doctor` context key), the hub stack
 * (Step Functions sweep, approval, audit), the member stacks (scanner and remediator roles, once per account; the
 * CreateCluster forwarder, once per account and region), and the cdk-nag AwsSolutions checks on all of them.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../config';
import { memberEventsProps, memberRolesProps } from '../constructs/member-stack-sets';
import { HubStack } from '../stacks/hub-stack';
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

// The hub (infra/constructs/irsa-doctor-hub.ts); with memberStackSet it also deploys the member stacks below to the
// chosen OUs itself, as service-managed StackSets.
new HubStack(app, 'IrsaDoctorHub', {
  description: 'IRSA Doctor hub: sweep workflow, approval, audit',
  env: { account: hubAccountId, region: hubRegion },
  config,
});
// Without CDK bootstrap references (infra/stacks/member-synthesis.ts): deployable in accounts never bootstrapped.
new MemberRolesStack(app, 'IrsaDoctorMemberRoles', memberRolesProps(config, hubAccountId));
new MemberEventsStack(app, 'IrsaDoctorMemberEvents', memberEventsProps(hubAccountId, hubRegion));

Tags.of(app).add('project', 'irsa-doctor');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
