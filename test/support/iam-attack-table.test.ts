import {
  DEFAULT_ATTACK_ENV,
  DYNAMODB_STREAM_LABEL,
  decide,
  eventBusPolicy,
  failedRowNames,
  resolveIntrinsics,
  roleIdentityPolicies,
  roleSubject,
  type TemplateJson,
  tableFailures,
} from './iam-attack-table';

const ENV = DEFAULT_ATTACK_ENV;
const TEMPLATE: TemplateJson = {
  Resources: {
    AppRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'app', Path: '/irsa/' } },
    FnRole: { Type: 'AWS::IAM::Role' },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } } },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus' } },
    Events: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: 'events', StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } },
    },
    Plain: { Type: 'AWS::DynamoDB::Table' },
    FnPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'FnRole' }],
        PolicyDocument: {
          Statement: [
            {
              Sid: 'PutOnBus',
              Effect: 'Allow',
              Action: 'events:PutEvents',
              Resource: { 'Fn::GetAtt': ['Bus', 'Arn'] },
            },
            {
              Sid: 'NoRoles',
              Effect: 'Deny',
              Action: 'iam:*',
              Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/*` },
            },
          ],
        },
      },
    },
    BusPolicy: {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: { Ref: 'Bus' },
        Statement: { Sid: 'S', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'events:PutEvents', Resource: '*' },
      },
    },
  },
};
const resolve = (v: unknown) => resolveIntrinsics(v, TEMPLATE, ENV);

describe('resolveIntrinsics', () => {
  it.each<[string, unknown, unknown]>([
    [
      'pseudo parameters',
      { 'Fn::Join': [':', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::AccountId' }]] },
      'aws:222233334444',
    ],
    ['a role ARN with its path', { 'Fn::GetAtt': ['AppRole', 'Arn'] }, 'arn:aws:iam::222233334444:role/irsa/app'],
    ['an unnamed role (logical id)', { 'Fn::GetAtt': ['FnRole', 'Arn'] }, 'arn:aws:iam::222233334444:role/FnRole'],
    ['Ref of a role: its name', { Ref: 'AppRole' }, 'app'],
    ['a table ARN', { 'Fn::GetAtt': ['Events', 'Arn'] }, 'arn:aws:dynamodb:eu-west-1:222233334444:table/events'],
    [
      "a table's stream ARN",
      { 'Fn::GetAtt': ['Events', 'StreamArn'] },
      `arn:aws:dynamodb:eu-west-1:222233334444:table/events/stream/${DYNAMODB_STREAM_LABEL}`,
    ],
    ['Ref of a bus: its name', { Ref: 'Bus' }, 'bus'],
    [
      'Fn::Sub with attributes',
      { 'Fn::Sub': `\${Bus.Arn}/\${!Literal}` },
      `arn:aws:events:eu-west-1:222233334444:event-bus/bus/\${Literal}`,
    ],
    ['Fn::Sub with variables', { 'Fn::Sub': [`\${A}-\${AWS::Region}`, { A: { Ref: 'AppRole' } }] }, 'app-eu-west-1'],
    ['Fn::Select of Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'b'],
    ['nested objects', { Resource: [{ Ref: 'AWS::Region' }] }, { Resource: ['eu-west-1'] }],
  ])('resolves %s', (_case, value, expected) => {
    expect(resolve(value)).toEqual(expected);
  });

  it.each<[string, unknown, RegExp]>([
    ['an unsupported intrinsic', { 'Fn::If': ['C', 'a', 'b'] }, /unsupported intrinsic Fn::If/],
    ['a Ref to nothing', { Ref: 'Missing' }, /Ref Missing/],
    ['an attribute other than Arn', { 'Fn::GetAtt': ['Bus', 'Name'] }, /only Arn/],
    ['StreamArn of something not a table', { 'Fn::GetAtt': ['Bus', 'StreamArn'] }, /only Arn/],
    [
      'StreamArn of a table without a stream',
      { 'Fn::GetAtt': ['Plain', 'StreamArn'] },
      /Plain.StreamArn: the table has no stream/,
    ],
  ])('fails when given %s', (_case, value, message) => {
    expect(() => resolve(value)).toThrow(message);
  });
});

describe('roleIdentityPolicies', () => {
  it('collects the AWS::IAM::Policy resources attached to the role, resolved', () => {
    // Given a role with an attached policy
    // When its identity policies are read
    const [policy, ...rest] = roleIdentityPolicies(TEMPLATE, 'FnRole');

    // Then the one attached policy comes back with concrete ARNs
    expect(rest).toEqual([]);
    expect(JSON.stringify(policy?.policy)).toContain('arn:aws:iam::222233334444:role/*');
  });

  it('fails when the role has a managed policy the template does not hold', () => {
    const template: TemplateJson = {
      Resources: { R: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/X'] } } },
    };
    expect(() => roleIdentityPolicies(template, 'R')).toThrow(/managed policy/);
  });

  it('fails when the logical id is not a role', () => {
    expect(() => roleIdentityPolicies(TEMPLATE, 'Bus')).toThrow(/not an AWS::IAM::Role/);
  });
});

describe('decide', () => {
  const subject = roleSubject(TEMPLATE, 'FnRole');

  it('names the statements that allowed and denied', async () => {
    // Given the function role
    // When it puts events on its bus and updates a role's trust
    const put = await decide(subject, {
      action: 'events:PutEvents',
      resource: 'arn:aws:events:eu-west-1:222233334444:event-bus/bus',
    });
    const rewrite = await decide(subject, {
      action: 'iam:UpdateAssumeRolePolicy',
      resource: 'arn:aws:iam::222233334444:role/app',
    });

    // Then each verdict carries the Sid that decided it
    expect(put).toMatchObject({ decision: 'Allowed', allowedBy: ['PutOnBus'] });
    expect(rewrite).toMatchObject({ decision: 'ExplicitlyDenied', deniedBy: ['NoRoles'] });
  });

  it('fails when a request key would be ignored for the action (the row would test nothing)', async () => {
    await expect(
      decide(subject, {
        action: 'events:PutEvents',
        resource: 'arn:aws:events:eu-west-1:222233334444:event-bus/bus',
        context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
      }),
    ).rejects.toThrow(/ignored/);
  });

  it('reads an event bus policy from its EventBusPolicy resources', () => {
    expect(eventBusPolicy(TEMPLATE, 'Bus')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'S', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'events:PutEvents', Resource: '*' }],
    });
  });
});

describe('tableFailures', () => {
  const subject = roleSubject(TEMPLATE, 'FnRole');
  const bus = 'arn:aws:events:eu-west-1:222233334444:event-bus/bus';
  const rewrite = { action: 'iam:UpdateAssumeRolePolicy', resource: 'arn:aws:iam::222233334444:role/app' };

  it('is empty when every row holds, and names each row that does not, with why', async () => {
    // Given rows that hold and rows that do not (wrong answer, wrong deciding statement)
    const rows = [
      {
        name: 'put',
        request: { action: 'events:PutEvents', resource: bus },
        expect: 'Allowed' as const,
        by: 'PutOnBus',
      },
      { name: 'rewrite', request: rewrite, expect: 'Denied' as const, by: 'NoRoles' },
      { name: 'rewrite allowed?', request: rewrite, expect: 'Allowed' as const },
      { name: 'rewrite by another', request: rewrite, expect: 'Denied' as const, by: 'Other' },
    ];

    // When the table is decided
    const fails = await tableFailures(subject, rows);

    // Then exactly the two wrong rows are named, each with the reason
    expect(failedRowNames(fails)).toEqual(['rewrite allowed?', 'rewrite by another']);
    expect(fails[0]).toMatch(/expected Allowed, IAM says ExplicitlyDenied/);
    expect(fails[1]).toMatch(/decided by \[NoRoles\], not Other/);
  });
});
