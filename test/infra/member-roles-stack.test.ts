import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME } from '../../infra/stacks/hub-stack';
import { MemberEventsStack } from '../../infra/stacks/member-events-stack';
import {
  MemberRolesStack,
  type MemberRolesStackProps,
  PLAN_ID_TAG,
  REMEDIATOR_ACTIONS,
  SCANNER_ACTIONS,
} from '../../infra/stacks/member-roles-stack';
import { PLAN_TAG } from '../../lambdas/adapters/fix-actions/create-oidc-provider';
import { FIX_ACTIONS } from '../../lambdas/adapters/fix-actions/fix-action-registry';
import { EKS_PROVIDER_PATTERNS, OPT_IN_TAG, PROTECTED_TAG } from '../../lambdas/domain/remediation-scope';
import {
  acknowledgements,
  asArray,
  HUB_ACCOUNT,
  HUB_REGION,
  logicalIdOf,
  nagFindingsIgnoringAcknowledgements,
  nagViolations,
  roleStatements,
  type Statement,
  testApp,
  text,
  trustedPrincipal,
} from './helpers';

const PROPS: MemberRolesStackProps = {
  hubAccountId: HUB_ACCOUNT,
  scannerRoleName: 'IrsaDoctorScanner',
  remediatorRoleName: 'IrsaDoctorRemediator',
};

/** Verbs that change something: none may appear in the scanner's allowed actions. */
const WRITE_VERB =
  /^[a-z0-9-]+:(Create|Update|Delete|Put|Add|Tag|Untag|Attach|Detach|Pass|Set|Remove|Associate|Disassociate|Modify|Upload|\*)/;

function synth(props: Partial<MemberRolesStackProps> = {}, change?: (stack: MemberRolesStack) => void) {
  const app = testApp();
  const resolved = { ...PROPS, ...props };
  const stack = new MemberRolesStack(app, 'MemberRoles', resolved);
  change?.(stack);
  const template = Template.fromStack(stack);
  const roleId = (name: string) => logicalIdOf(template, 'AWS::IAM::Role', (p) => p.RoleName === name);
  return {
    stack,
    template,
    scannerId: roleId(resolved.scannerRoleName),
    remediatorId: roleId(resolved.remediatorRoleName),
  };
}

const allowedActions = (statements: Statement[]) =>
  statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asArray(s.Action));

/** The scanner's allowed actions that are not reads from the list, or that look like writes. */
function scannerOffenders(statements: Statement[]): string[] {
  return allowedActions(statements).filter(
    (action) => !(SCANNER_ACTIONS as readonly string[]).includes(action) || WRITE_VERB.test(action),
  );
}

describe('MemberRolesStack', () => {
  const { stack, template, scannerId, remediatorId } = synth();

  describe('ScannerRole', () => {
    it('trusts exactly the hub reader role', () => {
      // Given the member roles stack for a hub account
      // When the scanner role's trust policy is read
      const { arn, statement } = trustedPrincipal(template, scannerId);

      // Then it admits one principal: the hub's IrsaDoctorHubReader
      expect(arn).toBe(`arn:<AWS::Partition>:iam::${HUB_ACCOUNT}:role/${HUB_READER_ROLE_NAME}`);
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole' });
      expect(statement.Condition).toBeUndefined();
    });

    it('allows only the listed reads', () => {
      // Given the scanner role
      // When every permission it has is collected (inline, attached and managed)
      const { statements, managedPolicyArns } = roleStatements(template, scannerId);

      // Then every allowed action is one of the reads, and each of them is allowed
      expect(scannerOffenders(statements)).toEqual([]);
      expect(new Set(allowedActions(statements))).toEqual(new Set(SCANNER_ACTIONS));
      expect(SCANNER_ACTIONS.filter((a) => WRITE_VERB.test(a))).toEqual([]);
      expect(managedPolicyArns).toEqual([]);
    });

    it('scopes to this account wherever IAM allows', () => {
      // Given the scanner's statements
      const { statements } = roleStatements(template, scannerId);

      // When the actions on "*" are listed
      const onAnything = statements.filter((s) => asArray(s.Resource).some((r) => text(r) === '*'));

      // Then they are only the ones with no resource-level permissions
      expect(onAnything.flatMap((s) => asArray(s.Action)).sort()).toEqual([
        'eks:DescribeAddonConfiguration',
        'eks:ListClusters',
        'iam:GetAccountAuthorizationDetails',
        'iam:ListOpenIDConnectProviders',
      ]);
      for (const s of statements.filter((x) => !onAnything.includes(x))) {
        for (const r of asArray(s.Resource)) expect(text(r)).toContain(':<AWS::AccountId>:');
      }
    });

    it('fails the read-only check when a write action is added', () => {
      // Given a scanner role to which someone adds a write
      const changed = synth({}, (s) =>
        s.scannerRole.addToPolicy(
          new iam.PolicyStatement({ actions: ['iam:UpdateAssumeRolePolicy'], resources: ['*'] }),
        ),
      );

      // When the read-only check runs
      const offenders = scannerOffenders(roleStatements(changed.template, changed.scannerId).statements);

      // Then it names the write
      expect(offenders).toEqual(['iam:UpdateAssumeRolePolicy']);
    });

    it('fails the read-only check when a tagging action is added', () => {
      // Given a tagging action slipped in as an inline statement
      const changed = synth({}, (s) =>
        s.scannerRole.addToPolicy(new iam.PolicyStatement({ actions: ['eks:TagResource'], resources: ['*'] })),
      );

      // When checked
      // Then it is reported
      expect(scannerOffenders(roleStatements(changed.template, changed.scannerId).statements)).toEqual([
        'eks:TagResource',
      ]);
    });
  });

  describe('RemediatorRole', () => {
    it('trusts exactly the hub writer role', () => {
      // Given the member roles stack
      // When the remediator role's trust policy is read
      const { arn, statement } = trustedPrincipal(template, remediatorId);

      // Then it admits only the hub's IrsaDoctorHubWriter
      expect(arn).toBe(`arn:<AWS::Partition>:iam::${HUB_ACCOUNT}:role/${HUB_WRITER_ROLE_NAME}`);
      expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole' });
    });

    it('allows exactly the trust-policy and OIDC-provider actions, on this account only', () => {
      // Given the remediator's permissions
      const { statements, managedPolicyArns } = roleStatements(template, remediatorId);
      const allows = statements.filter((s) => s.Effect === 'Allow');

      // When the allowed actions are collected
      const allowed = new Set(allowedActions(statements));

      // Then they are exactly the remediator's actions, the trust rewrite needs the opt-in tag (default mode), and
      // every statement is scoped to roles or providers of this account
      expect(allowed).toEqual(new Set(REMEDIATOR_ACTIONS));
      expect(managedPolicyArns).toEqual([]);
      const rewrites = allows.filter((s) => asArray(s.Action).includes('iam:UpdateAssumeRolePolicy'));
      expect(rewrites).toHaveLength(1);
      expect(rewrites[0]?.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${OPT_IN_TAG}`]: 'true' } });
      for (const s of allows) {
        for (const r of asArray(s.Resource).map(text)) {
          // IAM roles and providers of this account, or (create-access-entry) its EKS clusters and the scanner
          // role's own access entries
          expect(r).toMatch(
            /^arn:<AWS::Partition>:(iam::<AWS::AccountId>:(role|oidc-provider)\/|eks:\*:<AWS::AccountId>:(cluster\/\*$|access-entry\/\*\/role\/<AWS::AccountId>\/IrsaDoctorScanner\/\*$))/,
          );
        }
      }
    });

    it("allows exactly the union of the fix-action registry's declared actions, and no action without one", () => {
      // Given the remediator's permissions and the registry's modules
      const allowed = new Set(allowedActions(roleStatements(template, remediatorId).statements));

      // When every module's declared IAM (read, apply, rollback) is collected
      const declared = new Set(
        Object.values(FIX_ACTIONS).flatMap((fix) =>
          [...fix.iam.read, ...fix.iam.apply, ...fix.iam.rollback].flatMap((g) => g.actions),
        ),
      );

      // Then the role allows exactly those (a module cannot be added without its IAM, nor IAM without a module), and
      // what the verify step re-reads is within the scanner's reads
      expect(allowed).toEqual(declared);
      expect(new Set(REMEDIATOR_ACTIONS)).toEqual(declared);
      for (const fix of Object.values(FIX_ACTIONS)) {
        expect(SCANNER_ACTIONS).toEqual(expect.arrayContaining([...fix.iam.verify]));
      }
    });

    it('deletes only EKS OIDC providers that carry the plan-id tag the apply step puts on the ones it creates', () => {
      // Given the remediator's permissions
      const { statements } = roleStatements(template, remediatorId);

      // When the statements allowing a delete are read
      const deletes = statements.filter(
        (s) =>
          s.Effect === 'Allow' &&
          asArray(s.Action).some((a) => a.startsWith('iam:') && /Delete|\*/.test(a.split(':')[1] ?? '')),
      );

      // Then there is one: DeleteOpenIDConnectProvider alone, on EKS providers of this account, only when the tag
      // the writers set is present
      expect(deletes).toHaveLength(1);
      const [del] = deletes as [Statement];
      expect(asArray(del.Action)).toEqual(['iam:DeleteOpenIDConnectProvider']);
      expect(asArray(del.Resource).map(text)).toEqual(
        EKS_PROVIDER_PATTERNS.map((p) => `arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/${p}`),
      );
      expect(del.Condition).toEqual({ Null: { [`aws:ResourceTag/${PLAN_TAG}`]: 'false' } });
      expect(PLAN_ID_TAG).toBe(PLAN_TAG);
    });

    it('denies rewriting the trust of the scanner, itself, the hub roles and OrganizationAccountAccessRole', () => {
      // Given the remediator's permissions
      const { statements } = roleStatements(template, remediatorId);

      // When the Deny statement on protected roles is read
      const deny = statements.find((s) => s.Effect === 'Deny' && s.Sid === 'NeverRewriteProtectedRoles');

      // Then it denies iam:UpdateAssumeRolePolicy, without condition, on the access roles of this account (any path)
      expect(deny).toBeDefined();
      expect(asArray(deny?.Action)).toEqual(['iam:UpdateAssumeRolePolicy']);
      const role = (name: string) => `arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${name}`;
      expect(asArray(deny?.Resource).map(text)).toEqual(
        expect.arrayContaining(
          [
            'IrsaDoctorScanner',
            'IrsaDoctorRemediator',
            'OrganizationAccountAccessRole',
            HUB_READER_ROLE_NAME,
            HUB_WRITER_ROLE_NAME,
          ].flatMap((n) => [role(n), role(`*/${n}`)]),
        ),
      );
      expect(deny?.Condition).toBeUndefined();
    });

    it('denies every action outside its list, whatever is attached later', () => {
      // Given both roles' permissions
      for (const [id, actions] of [
        [remediatorId, REMEDIATOR_ACTIONS],
        [scannerId, SCANNER_ACTIONS],
      ] as const) {
        // When the catch-all Deny is read
        const deny = roleStatements(template, id).statements.find((s) => s.Sid === 'NothingElseEver');

        // Then it denies everything but the role's own actions, on every resource
        expect(deny).toMatchObject({ Effect: 'Deny', Resource: '*' });
        expect(new Set(asArray((deny as { NotAction?: string[] } | undefined)?.NotAction))).toEqual(new Set(actions));
      }
    });

    it("tags IRSA Doctor's own member roles protected", () => {
      // Given the synthesized roles
      // When their tags are read
      // Then both carry the protected tag
      for (const id of [scannerId, remediatorId]) {
        const tags = (template.toJSON().Resources[id].Properties.Tags ?? []) as { Key: string; Value: string }[];
        expect(tags).toContainEqual({ Key: PROTECTED_TAG, Value: 'true' });
      }
    });
  });

  it('requires the external id on both roles when one is configured', () => {
    // Given an external id
    const withId = synth({ externalId: 'irsa-doctor-ext' });

    // When the trust policies are read
    // Then each requires sts:ExternalId
    for (const id of [withId.scannerId, withId.remediatorId]) {
      expect(trustedPrincipal(withId.template, id).statement.Condition).toEqual({
        StringEquals: { 'sts:ExternalId': 'irsa-doctor-ext' },
      });
    }
  });

  it('follows custom role names in the names, the Deny and the trust', () => {
    // Given custom names
    const custom = synth({ scannerRoleName: 'Scan', remediatorRoleName: 'Fix' });

    // When synthesized
    const statements = roleStatements(custom.template, custom.remediatorId).statements;

    // Then the Deny protects the custom names, and each role still trusts its hub role
    const denied = statements.filter((s) => s.Effect === 'Deny').flatMap((s) => asArray(s.Resource).map(text));
    expect(denied).toEqual(
      expect.arrayContaining([expect.stringMatching(/role\/Scan$/), expect.stringMatching(/role\/Fix$/)]),
    );
    expect(trustedPrincipal(custom.template, custom.scannerId).arn).toMatch(
      new RegExp(`role/${HUB_READER_ROLE_NAME}$`),
    );
    expect(trustedPrincipal(custom.template, custom.remediatorId).arn).toMatch(
      new RegExp(`role/${HUB_WRITER_ROLE_NAME}$`),
    );
  });

  it.each<[string, Partial<MemberRolesStackProps>, RegExp]>([
    ['a hub account id that is not 12 digits', { hubAccountId: '123' }, /hubAccountId/],
    ['a bad role name', { scannerRoleName: 'a b' }, /scannerRoleName/],
    ['the same name twice', { remediatorRoleName: 'IrsaDoctorScanner' }, /must differ/],
  ])('fails when given %s', (_case, props, message) => {
    // Given bad props
    // When the stack is made
    // Then it refuses, naming the prop
    expect(() => new MemberRolesStack(testApp(), 'Bad', { ...PROPS, ...props })).toThrow(message);
  });

  describe('cdk-nag AwsSolutions', () => {
    it.each<[string, MemberRolesStackProps['remediableRoles']]>([
      ['path', { mode: 'path', paths: ['/irsa/', '/teams/a/'] }],
      ['tagged-or-path', { mode: 'tagged-or-path', paths: ['/irsa/'] }],
      ['all-roles', { mode: 'all-roles' }],
    ])('has no unacknowledged violations and no stale acknowledgement in mode %s', (_mode, remediableRoles) => {
      // Given the stack in another scope mode
      const other = synth({ remediableRoles }).stack;

      // When the AwsSolutions checks run
      // Then nothing is left, and each acknowledgement answers a finding
      expect(nagViolations(other)).toEqual([]);
      const findings = new Set(nagFindingsIgnoringAcknowledgements(other).map((f) => f.rule));
      for (const ack of acknowledgements(other)) expect(findings).toContain(ack.id);
    });

    it('has no unacknowledged violations', () => {
      // Given the synthesized stack
      // When the AwsSolutions checks run
      // Then nothing is left
      expect(nagViolations(stack)).toEqual([]);
    });

    it('gives every acknowledgement a reason, and each answers a real finding', () => {
      // Given the acknowledgements on the stack's constructs
      const acks = acknowledgements(stack);
      const findings = new Set(nagFindingsIgnoringAcknowledgements(stack).map((f) => f.rule));

      // When they are compared with what cdk-nag finds without them
      // Then each has a non-empty reason and none is stale
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(typeof ack.reason === 'string' && ack.reason.trim().length > 20).toBe(true);
        expect(findings).toContain(ack.id);
      }
    });
  });
});

describe('MemberEventsStack', () => {
  const app = testApp();
  const stack = new MemberEventsStack(app, 'MemberEvents', {
    hubAccountId: HUB_ACCOUNT,
    hubRegion: HUB_REGION,
    eventBusName: 'irsa-doctor',
  });
  const template = Template.fromStack(stack);

  it('forwards CreateCluster to the hub bus with a role', () => {
    // Given the member events stack
    // When its rule is read
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0] as {
      Properties: { EventPattern: unknown; Targets: { Arn: unknown; RoleArn?: unknown }[]; EventBusName?: unknown };
    };

    // Then it matches CreateCluster on the default bus and targets the hub bus through a role
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.eks'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['eks.amazonaws.com'], eventName: ['CreateCluster'] },
    });
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(text(rule.Properties.Targets[0]?.Arn)).toBe(
      `arn:<AWS::Partition>:events:${HUB_REGION}:${HUB_ACCOUNT}:event-bus/irsa-doctor`,
    );
    expect(rule.Properties.Targets[0]?.RoleArn).toBeDefined();
  });

  it('fails when the hub region is not a region', () => {
    // Given a bad region
    // When the stack is made
    // Then it refuses
    expect(
      () => new MemberEventsStack(testApp(), 'Bad', { hubAccountId: HUB_ACCOUNT, hubRegion: 'x', eventBusName: 'b' }),
    ).toThrow(/hubRegion/);
  });

  it('has no unacknowledged cdk-nag AwsSolutions violations', () => {
    // Given the synthesized stack
    // When the checks run
    // Then nothing is found
    expect(nagViolations(stack)).toEqual([]);
  });
});
