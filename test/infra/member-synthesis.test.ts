import { App, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { resolveConfig } from '../../infra/config';
import { memberEventsProps, memberRolesProps } from '../../infra/constructs/member-stack-sets';
import { MemberEventsStack } from '../../infra/stacks/member-events-stack';
import { MemberRolesStack } from '../../infra/stacks/member-roles-stack';
import { synthesizeMemberTemplate, TEMPLATE_BODY_MAX_BYTES, templateBody } from '../../infra/stacks/member-synthesis';
import { HUB_ACCOUNT, HUB_REGION, testApp } from './helpers';

/** Anything in a template that points at a CDK bootstrap (its SSM version parameter, bucket, roles) or an asset. */
const BOOTSTRAP_OR_ASSET = /BootstrapVersion|cdk-bootstrap|hnb659fds|CDKToolkit|AssetParameters|cdk-assets|aws:asset/i;

const config = resolveConfig({ externalId: 'irsa-doctor-1' });
const members = {
  roles: (app: App) => new MemberRolesStack(app, 'MemberRoles', memberRolesProps(config, HUB_ACCOUNT)),
  events: (app: App) => new MemberEventsStack(app, 'MemberEvents', memberEventsProps(HUB_ACCOUNT, HUB_REGION)),
};

describe.each(Object.entries(members))('the member %s template', (_name, build) => {
  it('has no bootstrap parameter, rule, metadata or asset reference', () => {
    // Given the member stack as the app makes it
    // When synthesized
    const template = synthesizeMemberTemplate(build);

    // Then it holds its resources and nothing that needs `cdk bootstrap` in the account
    expect(Object.keys(template)).toEqual(expect.arrayContaining(['Resources']));
    expect(template).not.toHaveProperty('Parameters');
    expect(template).not.toHaveProperty('Rules');
    expect(template).not.toHaveProperty('Metadata');
    expect(template).not.toHaveProperty('Conditions');
    expect(JSON.stringify(template)).not.toMatch(BOOTSTRAP_OR_ASSET);
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).not.toContain('AWS::CDK::Metadata');
    expect(types).not.toContain('AWS::Lambda::Function');
  });

  it('fits in a StackSet TemplateBody', () => {
    const body = templateBody('member', synthesizeMemberTemplate(build));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(TEMPLATE_BODY_MAX_BYTES);
  });

  it('is deployed without a bootstrap: no asset manifest, no bootstrap role to assume', () => {
    // Given the member stack in an app
    const app = testApp();
    const stack = build(app);

    // When the cloud assembly is made
    const assembly = app.synth();
    const artifact = assembly.getStackArtifact(stack.artifactId);

    // Then the CLI has nothing to publish and deploys with the caller's credentials
    expect(artifact.dependencies.map((d) => d.id)).toEqual([]);
    expect(assembly.artifacts.map((a) => a.id)).not.toContain(`${stack.artifactId}.assets`);
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.requiresBootstrapStackVersion).toBeUndefined();
  });
});

describe('member synthesis', () => {
  it('would show a bootstrap reference: the default synthesizer adds the BootstrapVersion parameter and rule', () => {
    // Given a member stack with CDK's default synthesizer (what the templates carried before)
    const template = synthesizeMemberTemplate(
      (app) =>
        new MemberRolesStack(app, 'MemberRoles', {
          ...memberRolesProps(config, HUB_ACCOUNT),
          synthesizer: new DefaultStackSynthesizer(),
        }),
    );

    // Then the check above would fail on it
    expect(template).toHaveProperty('Parameters.BootstrapVersion');
    expect(JSON.stringify(template)).toMatch(BOOTSTRAP_OR_ASSET);
  });

  it('refuses assets in a member stack: nothing may need a bootstrap bucket', () => {
    // Given a member stack to which someone adds a function from local code
    const app = new App();
    const stack = members.events(app);

    // When it is added
    const addFunction = () =>
      new lambda.Function(stack, 'Handler', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromAsset(__dirname),
      });

    // Then it is refused, instead of making a template that needs a bootstrap bucket
    expect(addFunction).toThrow(
      /MemberEvents: a member stack cannot have assets .*: its template must deploy without a CDK bootstrap/,
    );
  });

  it('fails clearly when a template is over the inline limit', () => {
    const big = { Resources: { X: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'x'.repeat(60_000) } } } };
    expect(() => templateBody('IrsaDoctor-MemberRoles', big)).toThrow(
      /IrsaDoctor-MemberRoles: the template is \d+ bytes, over CloudFormation's 51200-byte TemplateBody limit/,
    );
  });

  it('leaves the calling stack alone: a second app, its own output directory', () => {
    // Given an app being synthesized
    const app = testApp();
    const outer = new Stack(app, 'Outer');
    // When a member template is synthesized meanwhile
    synthesizeMemberTemplate(members.roles);
    // Then the outer app holds only its own stack
    expect(app.synth().stacks.map((s) => s.stackName)).toEqual([outer.stackName]);
  });
});
