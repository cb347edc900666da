import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { type IrsaDoctorConfigInput, resolveConfig } from '../../infra/config';
import { API_CORS_HEADERS, stageConsoleAssets } from '../../infra/constructs/approval-console';
import { HANDLER_ENV_VAR } from '../../infra/constructs/irsa-function';
import { HUB_WRITER_ROLE_NAME, HubStack } from '../../infra/stacks/hub-stack';
import { ENV } from '../../lambdas/shared/env';
import { WORKFLOW_STEP_NAMES } from '../../lambdas/workflow/steps';
import {
  acknowledgements,
  asArray,
  HUB_ENV,
  HUB_REGION,
  logicalIdOf,
  nagFindingsIgnoringAcknowledgements,
  nagViolations,
  policyDocumentStatements,
  resourcesOf,
  roleStatements,
  type Statement,
  testApp,
  text,
} from './helpers';

const COGNITO = `https://cognito-idp.${HUB_REGION}.amazonaws.com`;
const SIGN_IN_PREFIX = `irsa-doctor-${HUB_ENV.account}`;
const SIGN_IN_DOMAIN = `https://${SIGN_IN_PREFIX}.auth.${HUB_REGION}.amazoncognito.com`;

function synth(overrides: IrsaDoctorConfigInput = {}, change?: (stack: HubStack) => void) {
  const app = testApp();
  const stack = new HubStack(app, 'Hub', { env: HUB_ENV, config: resolveConfig({ accounts: [], ...overrides }) });
  change?.(stack);
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: resourcesOf(template) };
}

type Resources = ReturnType<typeof resourcesOf>;
type Properties = Record<string, unknown>;

const ofType = (resources: Resources, type: string) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => ({ id, props: (r.Properties ?? {}) as Properties }));

function only<T>(items: readonly T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0] as T;
}

/** The project's function for `handler` (by IRSA_DOCTOR_HANDLER), or undefined. */
function functionOf(resources: Resources, handler: string) {
  return ofType(resources, 'AWS::Lambda::Function').find(
    (f) => (f.props.Environment as { Variables?: Properties } | undefined)?.Variables?.[HANDLER_ENV_VAR] === handler,
  );
}

/** A resource's properties; throws if there is no such resource. */
function propsOf(resources: Resources, logicalId: string): Properties {
  const resource = resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource.Properties ?? {};
}

const variables = (f: { props: Properties }) => (f.props.Environment as { Variables: Properties }).Variables;

/** Routes that do not require a JWT from the one authorizer: none may exist. */
function routesWithoutJwt(resources: Resources): string[] {
  const authorizers = ofType(resources, 'AWS::ApiGatewayV2::Authorizer').filter(
    (a) => a.props.AuthorizerType === 'JWT',
  );
  return ofType(resources, 'AWS::ApiGatewayV2::Route')
    .filter(
      (r) =>
        r.props.AuthorizationType !== 'JWT' || !authorizers.some((a) => text(r.props.AuthorizerId) === `<${a.id}>`),
    )
    .map((r) => String(r.props.RouteKey));
}

/** The JSON a Custom::IrsaDoctorApiCors resource sends for `phase`, tokens read as <LogicalId.Attribute>. */
function corsCall(resources: Resources, phase: 'Create' | 'Update') {
  const cors = only(ofType(resources, 'Custom::IrsaDoctorApiCors'), 'CORS custom resource');
  return JSON.parse(text(cors.props[phase])) as {
    service: string;
    action: string;
    parameters: { ApiId: string; CorsConfiguration: Record<string, unknown> };
  };
}

/** config.json as the BucketDeployment will write it, its markers replaced by the values they stand for (as text). */
function deployedConfig(app: ReturnType<typeof testApp>, resources: Resources): Record<string, unknown> {
  const deployment = only(ofType(resources, 'Custom::CDKBucketDeployment'), 'bucket deployment');
  const keys = deployment.props.SourceObjectKeys as string[];
  const markers = deployment.props.SourceMarkers as Record<string, unknown>[];
  for (const [i, key] of keys.entries()) {
    const file = path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'config.json');
    if (!fs.existsSync(file)) continue;
    let body = fs.readFileSync(file, 'utf8');
    for (const [marker, value] of Object.entries(markers[i] ?? {})) body = body.split(marker).join(text(value));
    return JSON.parse(body) as Record<string, unknown>;
  }
  throw new Error('no config.json among the deployed sources');
}

describe('ApprovalConsole in the hub stack', () => {
  const { app, stack, template, resources } = synth();
  const id = (type: string) => only(ofType(resources, type), type).id;
  const distributionId = id('AWS::CloudFront::Distribution');
  const consoleUrl = `https://<${distributionId}.DomainName>`;
  const apiId = id('AWS::ApiGatewayV2::Api');
  const userPoolId = id('AWS::Cognito::UserPool');
  const clientId = id('AWS::Cognito::UserPoolClient');
  // The remediation state machine: the one whose executions wait for approvals (the sweep never does).
  const machineId = logicalIdOf(
    template,
    'AWS::StepFunctions::StateMachine',
    (p) => p.StateMachineName === 'IrsaDoctorRemediation',
  );
  const sweepId = logicalIdOf(
    template,
    'AWS::StepFunctions::StateMachine',
    (p) => p.StateMachineName === 'IrsaDoctorSweep',
  );
  const bucketId = logicalIdOf(template, 'AWS::S3::Bucket', (p) =>
    JSON.stringify(p.LoggingConfiguration ?? {}).includes('console-bucket/'),
  );

  describe('API', () => {
    it('requires a Cognito ID token of the console client on every route', () => {
      // Given the HTTP API's routes and authorizer
      const authorizer = only(ofType(resources, 'AWS::ApiGatewayV2::Authorizer'), 'authorizer');

      // When they are read
      const routes = ofType(resources, 'AWS::ApiGatewayV2::Route').map((r) => r.props.RouteKey);

      // Then there are exactly the two /api routes, none without the JWT authorizer, which trusts this pool's issuer
      // and this client only
      expect(routes.sort()).toEqual(['GET /api/{proxy+}', 'POST /api/{proxy+}']);
      expect(routesWithoutJwt(resources)).toEqual([]);
      expect(authorizer.props.IdentitySource).toEqual(['$request.header.Authorization']);
      const jwt = authorizer.props.JwtConfiguration as { Issuer: unknown; Audience: unknown[] };
      expect(text(jwt.Issuer)).toBe(`${COGNITO}/<${userPoolId}>`);
      expect(jwt.Audience.map(text)).toEqual([`<${clientId}>`]);
    });

    it('gives a route added later the JWT authorizer, and the route check catches one added without it', () => {
      // Given the console's API with two more routes: one with no authorizer of its own, one explicitly open
      const changed = synth({}, (hub) => {
        const api = hub.approvalConsole?.httpApi as apigwv2.HttpApi;
        const integration = new HttpLambdaIntegration('Extra', hub.functions['approval-api'] as never);
        api.addRoutes({ path: '/later', methods: [apigwv2.HttpMethod.GET], integration });
        api.addRoutes({
          path: '/open',
          methods: [apigwv2.HttpMethod.GET],
          integration,
          authorizer: new apigwv2.HttpNoneAuthorizer(),
        });
      });

      // When the routes are checked
      // Then the first inherits the JWT authorizer and the open one is reported
      expect(routesWithoutJwt(changed.resources)).toEqual(['GET /open']);
    });

    it('invokes the approval-api function with payload 2.0', () => {
      // Given the integration
      const integration = only(ofType(resources, 'AWS::ApiGatewayV2::Integration'), 'integration');
      const fn = functionOf(resources, 'approval-api');

      // When read
      // Then it proxies to the approval-api function, payload format 2.0
      expect(integration.props).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      expect(text(integration.props.IntegrationUri)).toBe(`<${fn?.id}.Arn>`);
    });

    it('allows CORS from the console distribution only, for GET and POST, without credentials', () => {
      // Given the custom resource that sets the API's CORS once the distribution exists
      const create = corsCall(resources, 'Create');

      // When its call is read
      // Then it updates this API with the distribution's origin alone, the three headers the page sends, GET and
      // POST, and no credentials; updates send the same; the API resource itself carries no CORS
      expect(create).toMatchObject({ service: 'ApiGatewayV2', action: 'UpdateApi' });
      expect(create.parameters.ApiId).toBe(`<${apiId}>`);
      expect(create.parameters.CorsConfiguration).toEqual({
        AllowOrigins: [consoleUrl],
        AllowHeaders: [...API_CORS_HEADERS],
        AllowMethods: ['GET', 'POST'],
        AllowCredentials: false,
        MaxAge: 600,
      });
      expect(API_CORS_HEADERS).toEqual(['authorization', 'content-type', 'x-irsa-doctor-request']);
      expect(corsCall(resources, 'Update')).toEqual(create);
      expect(resources[apiId]?.Properties?.CorsConfiguration).toBeUndefined();
    });

    it('lets the CORS handler patch this API and nothing else', () => {
      // Given the custom resource's policy
      const policy = only(
        ofType(resources, 'AWS::IAM::Policy').filter((p) =>
          policyDocumentStatements(p.props.PolicyDocument).some((s) => asArray(s.Action).includes('apigateway:PATCH')),
        ),
        'CORS policy',
      );

      // When read
      // Then it allows apigateway:PATCH on this API's ARN only
      expect(
        policyDocumentStatements(policy.props.PolicyDocument).map((s) => ({
          Effect: s.Effect,
          Action: s.Action,
          Resource: asArray(s.Resource).map(text),
        })),
      ).toEqual([
        {
          Effect: 'Allow',
          Action: 'apigateway:PATCH',
          Resource: [`arn:<AWS::Partition>:apigateway:${HUB_REGION}::/apis/<${apiId}>`],
        },
      ]);
    });

    it('throttles the default stage and logs every request to a log group kept a year', () => {
      // Given the stage
      const stage = only(ofType(resources, 'AWS::ApiGatewayV2::Stage'), 'stage');

      // When read
      const logs = stage.props.AccessLogSettings as { DestinationArn: unknown; Format: string };
      const logGroup = resources[text(logs.DestinationArn).replace(/^<|\.Arn>$/g, '')];

      // Then it auto-deploys $default, burst 20 / rate 10, JSON access logs with the caller and route
      expect(stage.props).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 },
      });
      expect(JSON.parse(logs.Format)).toMatchObject({ routeKey: '$context.routeKey', status: '$context.status' });
      expect(logGroup).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } });
    });
  });

  describe('decisions and rollbacks leave the API through the state table stream', () => {
    it('starts the deliverer on a recorded decision and the rollback step on a pending request, and the reconciler on a schedule', () => {
      // Given the event source mappings and the schedules
      const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping');
      const filterOf = (handler: string) => {
        const fn = functionOf(resources, handler);
        const mapping = mappings.find((m) => text(m.props.FunctionName) === `<${fn?.id}>`);
        return (mapping?.props.FilterCriteria as { Filters: Array<{ Pattern: string }> } | undefined)?.Filters.map(
          (f) => JSON.parse(f.Pattern),
        );
      };

      // Then the deliverer sees only decisions just recorded, the rollback step only pending requests
      expect(mappings).toHaveLength(2);
      expect(filterOf('deliver-decisions')).toEqual([
        {
          eventName: ['INSERT', 'MODIFY'],
          dynamodb: {
            NewImage: { kind: { S: ['approval'] }, delivery: { S: ['pending'] }, deliveryAttempts: { N: ['0'] } },
          },
        },
      ]);
      expect(filterOf('run-rollback')).toEqual([
        {
          eventName: ['INSERT', 'MODIFY'],
          dynamodb: { NewImage: { kind: { S: ['rollback-request'] }, status: { S: ['pending'] } } },
        },
      ]);
      expect(functionOf(resources, 'approval-api')?.id).toBeDefined();
      expect(mappings.some((m) => text(m.props.FunctionName).includes('ApprovalApi'))).toBe(false);
      // And a schedule runs the deliverer as the reconciler
      // (the audit reconciler has a schedule of its own, with an empty input)
      const deliverer = functionOf(resources, 'deliver-decisions')?.id ?? 'none';
      const reconcile = ofType(resources, 'AWS::Scheduler::Schedule').filter((sch) =>
        JSON.stringify(sch.props.Target).includes(deliverer),
      );
      expect(reconcile).toHaveLength(1);
      const target = reconcile[0]?.props.Target as { Input?: string } | undefined;
      expect(JSON.parse(String(target?.Input))).toEqual({ reconcile: true });
    });

    it('runs the rollback step as the rollback reconciler on a schedule whose role may invoke only that function', () => {
      // Given the rollback step, the deliverer and every schedule
      const step = functionOf(resources, 'run-rollback');
      const stepId = step?.id ?? 'none';
      const delivererId = functionOf(resources, 'deliver-decisions')?.id ?? 'none';
      const writerRoleId = logicalIdOf(template, 'AWS::IAM::Role', (p) => p.RoleName === HUB_WRITER_ROLE_NAME);

      // When the schedules targeting the rollback step are read, with their roles' permissions
      const schedules = ofType(resources, 'AWS::Scheduler::Schedule').filter((sch) =>
        JSON.stringify(sch.props.Target).includes(stepId),
      );
      const target = schedules[0]?.props.Target as { Input?: string; RoleArn?: unknown } | undefined;
      const roleId = text(target?.RoleArn).replace(/^<|\.Arn>$/g, '');
      const { statements, managedPolicyArns } = roleStatements(template, roleId);
      const delivererSchedule = ofType(resources, 'AWS::Scheduler::Schedule').find((sch) =>
        JSON.stringify(sch.props.Target).includes(delivererId),
      );

      // Then one schedule runs the step (as the writer role) with { reconcile: true }, through a role of its own
      // that may invoke only that function (and its versions), nothing else
      expect(schedules).toHaveLength(1);
      expect(text(step?.props.Role)).toBe(`<${writerRoleId}.Arn>`);
      expect(JSON.parse(String(target?.Input))).toEqual({ reconcile: true });
      expect(managedPolicyArns).toEqual([]);
      expect(statements.flatMap((s) => asArray(s.Action))).toEqual(['lambda:InvokeFunction']);
      expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
      expect(statements.flatMap((s) => asArray(s.Resource).map(text)).sort()).toEqual(
        [`<${stepId}.Arn>`, `<${stepId}.Arn>:*`].sort(),
      );
      expect(roleId).not.toBe(
        text((delivererSchedule?.props.Target as { RoleArn?: unknown } | undefined)?.RoleArn).replace(
          /^<|\.Arn>$/g,
          '',
        ),
      );
      // And the deliverer's role still reaches no member account (no sts:AssumeRole) and does not run the step
      const delivererStatements = roleStatements(
        template,
        text(functionOf(resources, 'deliver-decisions')?.props.Role).replace(/^<|\.Arn>$/g, ''),
      ).statements;
      const delivererActions = delivererStatements.flatMap((s) => asArray(s.Action));
      expect(delivererActions.filter((a) => a.startsWith('sts:') || a.startsWith('lambda:') || a === '*')).toEqual([]);
    });
  });

  describe('approval-api function', () => {
    const fn = functionOf(resources, 'approval-api');
    const writerRoleId = logicalIdOf(template, 'AWS::IAM::Role', (p) => p.RoleName === HUB_WRITER_ROLE_NAME);

    it('runs as a role of its own (not the hub writer), with the approvers group and the console origin', () => {
      // Given the function
      // When its role and variables are read
      // Then it is not the writer (the rollback step is) and knows the group and the allowed origin
      expect(text(fn?.props.Role)).not.toBe(`<${writerRoleId}.Arn>`);
      expect(text(fn?.props.Role)).toMatch(/^<ConsoleFunctionsApprovalApiFunctionRole/);
      expect(variables(fn as { props: Properties })[ENV.approversGroup]).toBe('irsa-doctor-approvers');
      expect(text(variables(fn as { props: Properties })[ENV.consoleOrigins])).toBe(consoleUrl);
      expect(fn?.props.Timeout).toBeLessThanOrEqual(30);
    });

    it('gets the approver rules and the second-approval rule of the configuration', () => {
      // By default: no rules (the approvers group, every account) and a second approver for high risk
      expect(variables(fn as { props: Properties })[ENV.approvers]).toBeUndefined();
      expect(JSON.parse(String(variables(fn as { props: Properties })[ENV.secondApproval]))).toEqual({
        risks: ['high'],
        actions: [],
      });
      // Configured: as given
      const approvers = [{ group: 'payments-approvers', accounts: ['111122223333'] }];
      const scoped = functionOf(synth({ approvers }).resources, 'approval-api') as { props: Properties };
      expect(JSON.parse(String(variables(scoped)[ENV.approvers]))).toEqual(approvers);
    });

    it('has no Step Functions permission at all; the deliverer alone sends task success and failure', () => {
      // Given every permission of the API's role and of the deliverer's
      const { statements } = roleStatements(template, text(fn?.props.Role).replace(/^<|\.Arn>$/g, ''));
      const deliverer = functionOf(resources, 'deliver-decisions');
      const delivererStatements = roleStatements(
        template,
        text(deliverer?.props.Role).replace(/^<|\.Arn>$/g, ''),
      ).statements;

      // When the statements touching Step Functions (or every service) are collected
      const states = (list: typeof statements) =>
        list.filter((s) => asArray(s.Action).some((a) => a.startsWith('states:') || a === '*'));

      // Then the API has none, and the deliverer one: SendTaskSuccess and SendTaskFailure on the remediation state
      // machine (where approvals wait), not the sweep
      expect(states(statements)).toEqual([]);
      expect(states(delivererStatements).map((s) => ({ ...s, Resource: asArray(s.Resource).map(text) }))).toEqual([
        {
          Sid: 'CompleteApprovalTasks',
          Effect: 'Allow',
          Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          Resource: [`<${machineId}>`],
        },
      ]);
    });

    it('is not a step of either state machine', () => {
      // Given the state machine definitions
      const remediation = text(resources[machineId]?.Properties?.DefinitionString);
      const sweep = text(resources[sweepId]?.Properties?.DefinitionString);

      // When searched for the function
      // Then it is absent from both; the approval wait is in the remediation machine only
      expect(remediation).toContain('Wait For Approval');
      expect(sweep).not.toContain('Wait For Approval');
      expect(remediation).not.toContain(fn?.id as string);
      expect(sweep).not.toContain(fn?.id as string);
    });
  });

  describe('user pool', () => {
    const pool = resources[userPoolId] as { Properties: Properties; DeletionPolicy?: string };
    const client = propsOf(resources, clientId);

    it('has no self sign-up, a strong password policy, optional TOTP, and is retained', () => {
      // Given the pool
      // When read
      // Then only administrators create users, sign-in is by user name or e-mail, and deletion is guarded
      expect(pool.Properties).toMatchObject({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        AliasAttributes: ['email'],
        DeletionProtection: 'ACTIVE',
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 14,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          },
        },
      });
      expect(pool.DeletionPolicy).toBe('Retain');
    });

    it('makes the approvers group, and each group the approver rules name, once, describing what it covers', () => {
      const groupsOf = (r: Resources) =>
        Object.values(r)
          .filter((x) => (x as { Type?: string }).Type === 'AWS::Cognito::UserPoolGroup')
          .map((x) => (x as { Properties: Properties }).Properties)
          .map((p) => [p.GroupName, p.Description]);
      // By default: the approvers group only
      expect(groupsOf(resources).map(([name]) => name)).toEqual(['irsa-doctor-approvers']);
      // With rules: each group once (a group in two rules covers both), the approvers group not made twice
      const scoped = synth({
        approvers: [
          { group: 'irsa-doctor-approvers' },
          { group: 'payments-approvers', accounts: ['111122223333'] },
          { group: 'payments-approvers', organizationalUnits: ['ou-ab12-cdef3456'] },
        ],
      }).resources;
      expect(groupsOf(scoped).sort()).toEqual([
        ['irsa-doctor-approvers', 'IRSA Doctor approvers: may approve, reject and roll back plans'],
        ['payments-approvers', 'IRSA Doctor approvers of accounts 111122223333; OUs ou-ab12-cdef3456'],
      ]);
    });

    it('has a public client for the authorization code flow only: no secret, no password flows, refresh tokens, the page and CLI callbacks', () => {
      // Given the app client
      // When read
      // Then the page and the CLI sign in through managed login (code grant, PKCE, no secret), never by password
      expect(client).toMatchObject({
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: ['COGNITO'],
        IdTokenValidity: 60,
        RefreshTokenValidity: 720,
        TokenValidityUnits: { IdToken: 'minutes', RefreshToken: 'minutes' },
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      });
      expect(asArray(client.CallbackURLs).map(text)).toEqual([
        `https://<${distributionId}.DomainName>/`,
        'http://localhost:53682/callback',
      ]);
      expect(asArray(client.LogoutURLs).map(text)).toEqual([`https://<${distributionId}.DomainName>/`]);
    });

    it('signs in through Cognito managed login (the newer version, Cognito branding) on its own domain', () => {
      const domain = only(ofType(resources, 'AWS::Cognito::UserPoolDomain'), 'user pool domain');
      expect(domain.props).toMatchObject({ Domain: SIGN_IN_PREFIX, ManagedLoginVersion: 2 });
      expect(text(domain.props.UserPoolId)).toBe(`<${userPoolId}>`);
      const branding = only(ofType(resources, 'AWS::Cognito::ManagedLoginBranding'), 'managed login branding');
      expect(branding.props.UseCognitoProvidedValues).toBe(true);
      expect(text(branding.props.ClientId)).toBe(`<${clientId}>`);
      expect(ofType(resources, 'AWS::Cognito::UserPoolIdentityProvider')).toEqual([]);
    });
  });

  describe('page', () => {
    const distribution = propsOf(resources, distributionId).DistributionConfig as Properties;

    it('keeps the bucket private: public access blocked, readable by this distribution only (OAC)', () => {
      // Given the console bucket and its policy
      const bucket = propsOf(resources, bucketId);
      const policy = only(
        ofType(resources, 'AWS::S3::BucketPolicy').filter((p) => text(p.props.Bucket) === `<${bucketId}>`),
        'console bucket policy',
      );
      const statements = policyDocumentStatements(policy.props.PolicyDocument);

      // When read
      const allows = statements.filter((s) => s.Effect === 'Allow');
      const distributionArn = `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${distributionId}>`;

      // Then public access is blocked, ACLs are off, and the one Allow is s3:GetObject for CloudFront from this
      // distribution; plain HTTP is denied
      expect(bucket).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LoggingConfiguration: { LogFilePrefix: 'console-bucket/' },
      });
      expect(allows).toHaveLength(1);
      const [allow] = allows as [Statement];
      expect({
        principal: allow.Principal,
        action: allow.Action,
        resource: asArray(allow.Resource).map(text),
        sourceArn: text(allow.Condition?.StringEquals?.['AWS:SourceArn']),
      }).toEqual({
        principal: { Service: 'cloudfront.amazonaws.com' },
        action: 's3:GetObject',
        resource: [`<${bucketId}.Arn>/*`],
        sourceArn: distributionArn,
      });
      expect(
        statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
      ).toBe(true);
      const origin = only(distribution.Origins as Properties[], 'origin');
      expect(text(origin.DomainName)).toBe(`<${bucketId}.RegionalDomainName>`);
      expect(origin.OriginAccessControlId).toBeDefined();
      const oac = only(ofType(resources, 'AWS::CloudFront::OriginAccessControl'), 'OAC');
      expect(oac.props.OriginAccessControlConfig).toMatchObject({
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      });
    });

    it('serves index.html over HTTPS only, with a CSP that allows scripts from the console alone', () => {
      // Given the distribution's default behavior and its response headers policy
      const behavior = distribution.DefaultCacheBehavior as Properties;
      const policyId = text(behavior.ResponseHeadersPolicyId).replace(/^<|>$/g, '');
      const config = (propsOf(resources, policyId).ResponseHeadersPolicyConfig as Properties)
        .SecurityHeadersConfig as Record<string, Properties>;

      // When the CSP is read, directive by directive
      const csp = text(config.ContentSecurityPolicy?.ContentSecurityPolicy);
      const directives = Object.fromEntries(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name, values];
        }),
      );

      // Then scripts and styles come only from the console (nothing inline, no eval), it connects only to itself,
      // the API and Cognito, and it cannot be framed; HSTS, nosniff, DENY and no-referrer are set
      expect(distribution).toMatchObject({ DefaultRootObject: 'index.html' });
      expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(directives).toEqual({
        'default-src': ["'none'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'", `<${apiId}.ApiEndpoint>`, COGNITO, SIGN_IN_DOMAIN],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
      });
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(config).toMatchObject({
        StrictTransportSecurity: { IncludeSubdomains: true, Override: true },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      });
      expect(Number((config.StrictTransportSecurity as Properties).AccessControlMaxAgeSec)).toBeGreaterThanOrEqual(
        31536000,
      );
    });

    it('answers paths that are not files with the page', () => {
      // Given the distribution's error responses
      // When read
      // Then a missing key (403 from S3 through OAC, or 404) returns index.html with 200, uncached
      expect(distribution.CustomErrorResponses).toEqual(
        [403, 404].map((code) => ({
          ErrorCode: code,
          ResponseCode: 200,
          ResponsePagePath: '/index.html',
          ErrorCachingMinTTL: 0,
        })),
      );
    });

    it('deploys config.json with the API URL, region, user pool, client id and approvers group', () => {
      // Given the bucket deployment's sources
      // When config.json is read with its deploy-time values filled in
      const config = deployedConfig(app, resources);

      // Then it holds what the page needs to sign in and call the API
      expect(config).toEqual({
        apiUrl: `<${apiId}.ApiEndpoint>`,
        region: HUB_REGION,
        authority: `${COGNITO}/<${userPoolId}>`,
        clientId: `<${clientId}>`,
        redirectUri: `https://<${distributionId}.DomainName>/`,
        scopes: 'openid email profile',
        signOutUrl: `${SIGN_IN_DOMAIN}/logout?client_id=<${clientId}>&logout_uri=https://<${distributionId}.DomainName>/`,
        cliRedirectUris: ['http://localhost:53682/callback'],
        approversGroup: 'irsa-doctor-approvers',
      });
    });

    it('copies the files into the console bucket and invalidates the distribution', () => {
      // Given the bucket deployment
      const deployment = only(ofType(resources, 'Custom::CDKBucketDeployment'), 'bucket deployment');

      // When read
      // Then it targets the console bucket, prunes old files and invalidates everything
      expect(text(deployment.props.DestinationBucketName)).toBe(`<${bucketId}>`);
      expect(text(deployment.props.DistributionId)).toBe(`<${distributionId}>`);
      expect(deployment.props).toMatchObject({ Prune: true, DistributionPaths: ['/*'] });
    });
  });

  it('links approval e-mails to the console when no consoleUrl is configured', () => {
    // Given the workflow functions and the rollback step (all but start-cluster-check, the deliverer, the API and the
    // audit reconciler, which send no e-mail)
    const workflow = ofType(resources, 'AWS::Lambda::Function').filter((f) => {
      const handler = (f.props.Environment as { Variables?: Properties } | undefined)?.Variables?.[HANDLER_ENV_VAR];
      return (
        handler !== undefined &&
        !['start-cluster-check', 'deliver-decisions', 'approval-api', 'reconcile-audit'].includes(String(handler))
      );
    });

    // When their CONSOLE_URL is read
    // Then every one links to the distribution
    // (the twelve workflow steps of lambdas/workflow/steps.ts, and the rollback step)
    expect(workflow).toHaveLength(WORKFLOW_STEP_NAMES.length + 1);
    for (const f of workflow) expect(text(variables(f)[ENV.consoleUrl])).toBe(consoleUrl);
  });

  it('outputs the console, API and pool, and the command that adds an approver', () => {
    // Given the stack's outputs
    const outputs = template.findOutputs('*') as Record<string, { Value: unknown }>;
    const value = (name: string) => text(outputs[name]?.Value);

    // When read
    // Then each names its resource, and the command adds a user to the approvers group of this pool
    expect(value('ConsoleUrl')).toBe(consoleUrl);
    expect(value('ApiUrl')).toBe(`<${apiId}.ApiEndpoint>`);
    expect(value('UserPoolId')).toBe(`<${userPoolId}>`);
    expect(value('UserPoolClientId')).toBe(`<${clientId}>`);
    expect(value('SignInDomain')).toBe(SIGN_IN_DOMAIN);
    expect(value('AddApproverCommand')).toBe(
      `aws cognito-idp admin-add-user-to-group --region ${HUB_REGION} --user-pool-id <${userPoolId}> ` +
        '--group-name irsa-doctor-approvers --username <user name>',
    );
  });

  it('has no dependency cycle (CloudFormation would refuse the template)', () => {
    // Given the synthesized hub template
    // When it is read with the assertions library's cycle check (which the last test shows firing)
    // Then it passes
    expect(() => Template.fromJSON(template.toJSON())).not.toThrow();
  });

  describe('cdk-nag AwsSolutions', () => {
    it('has no unacknowledged violations', () => {
      expect(nagViolations(stack)).toEqual([]);
    });

    it('acknowledges the console findings with reasons, each answering a real finding', () => {
      // Given the acknowledgements under the console and CDK's deploy-time handlers
      const acks = acknowledgements(stack).filter((a) =>
        /ApprovalConsole|Custom::CDKBucketDeployment|AWS679f53fac002430cb0da5b7982bd2287/.test(a.path),
      );
      const findings = new Set(nagFindingsIgnoringAcknowledgements(stack).map((f) => f.rule));

      // When compared with what cdk-nag finds without them
      // Then each has a reason and none is stale; the CloudFront and Cognito ones are among them
      expect(acks.map((a) => a.id)).toEqual(
        expect.arrayContaining([
          'AwsSolutions-CFR1',
          'AwsSolutions-CFR2',
          'AwsSolutions-CFR3',
          'AwsSolutions-CFR4',
          'AwsSolutions-COG2',
          'AwsSolutions-COG8',
        ]),
      );
      for (const ack of acks) {
        expect({ id: ack.id, reason: String(ack.reason).trim().length > 40, found: findings.has(ack.id) }).toEqual({
          id: ack.id,
          reason: true,
          found: true,
        });
      }
    });
  });
});

describe('ApprovalConsole configuration', () => {
  it('names the approvers group from the configuration, everywhere it is used', () => {
    // Given a custom group name
    const { app, template, resources } = synth({ approversGroup: 'platform-approvers' });

    // When the group, the function, config.json and the output are read
    const fn = functionOf(resources, 'approval-api') as { props: Properties };

    // Then each uses it
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'platform-approvers' });
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 1);
    expect(variables(fn)[ENV.approversGroup]).toBe('platform-approvers');
    expect(deployedConfig(app, resources).approversGroup).toBe('platform-approvers');
    expect(text((template.findOutputs('AddApproverCommand').AddApproverCommand as { Value: unknown }).Value)).toContain(
      '--group-name platform-approvers ',
    );
  });

  it('keeps a configured consoleUrl for e-mails and admits its origin as well', () => {
    // Given a console URL (a custom domain in front of the distribution)
    const { template, resources } = synth({ consoleUrl: 'https://irsa.example.com/console' });
    const distributionId = only(ofType(resources, 'AWS::CloudFront::Distribution'), 'distribution').id;

    // When the functions' variables and the CORS origins are read
    const fn = functionOf(resources, 'approval-api') as { props: Properties };
    const mailer = functionOf(resources, 'request-approval') as { props: Properties };

    // Then e-mails link to the configured URL, and CORS and the function admit both origins
    expect(variables(mailer)[ENV.consoleUrl]).toBe('https://irsa.example.com/console');
    const origins = [`https://<${distributionId}.DomainName>`, 'https://irsa.example.com'];
    expect(corsCall(resources, 'Create').parameters.CorsConfiguration.AllowOrigins).toEqual(origins);
    expect(text(variables(fn)[ENV.consoleOrigins])).toBe(origins.join(','));
    expect(() => Template.fromJSON(template.toJSON())).not.toThrow();
  });

  it('creates none of it with console: false', () => {
    // Given the console turned off
    const { template, resources } = synth({ console: false });

    // When the template is searched for console resources
    const types = new Set(Object.values(resources).map((r) => r.Type));
    const statements = ofType(resources, 'AWS::IAM::Policy').flatMap((p) =>
      policyDocumentStatements(p.props.PolicyDocument),
    );

    // Then there is no pool, API, distribution, deployment, CORS resource, API function or output, no task-response
    // permission, and no console link in the functions
    for (const type of [
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolGroup',
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Route',
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::ResponseHeadersPolicy',
      'Custom::CDKBucketDeployment',
      'Custom::IrsaDoctorApiCors',
    ]) {
      expect([type, types.has(type)]).toEqual([type, false]);
    }
    expect(functionOf(resources, 'approval-api')).toBeUndefined();
    expect(ofType(resources, 'AWS::Lambda::Function').every((f) => !variables(f)?.[ENV.consoleUrl])).toBe(true);
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('states:SendTask'))).toEqual([]);
    expect(Object.keys(template.findOutputs('*'))).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/Console|Api|UserPool|Approver/)]),
    );
    expect(ofType(resources, 'AWS::S3::Bucket')).toHaveLength(2);
  });
});

describe('the dependency cycle the console avoids', () => {
  it('is refused when CORS on the API and the API URL in the CSP are both set directly', () => {
    // Given an API whose CORS names a distribution whose CSP names the API (what the construct does not do)
    const stack = new Stack(testApp(), 'Cycle', { env: HUB_ENV });
    const api = new apigwv2.CfnApi(stack, 'Api', { name: 'api', protocolType: 'HTTP' });
    const headers = new cloudfront.ResponseHeadersPolicy(stack, 'Headers', {
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: `connect-src ${api.attrApiEndpoint}`, override: true },
      },
    });
    const distribution = new cloudfront.Distribution(stack, 'Distribution', {
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(new s3.Bucket(stack, 'Bucket')),
        responseHeadersPolicy: headers,
      },
    });
    api.corsConfiguration = { allowOrigins: [`https://${distribution.distributionDomainName}`] };

    // When the template is read (CDK's synthesis validation also warns about it, on the console)
    const warn = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      // Then the cycle check refuses it
      expect(() => Template.fromStack(stack)).toThrow(/cycl/i);
      expect(warn.mock.calls.flat().join('\n')).toMatch(/Circular dependency/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('stageConsoleAssets', () => {
  it('builds index.html, app.js and app.css into a folder named by their content, the same one each time', () => {
    // Given the console sources
    // When the assets are staged
    const dir = stageConsoleAssets();

    // Then the three files are there, under .tmp/console-assets, and staging again returns the same folder
    expect(fs.readdirSync(dir).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    expect(path.relative(path.resolve(__dirname, '../..'), dir)).toMatch(/^\.tmp\/console-assets\/[0-9a-f]{20}$/);
    expect(stageConsoleAssets()).toBe(dir);
  });
});

describe('ApprovalConsole single sign-on by configuration', () => {
  it('federates to a SAML provider (metadata URL), maps its groups to custom:groups, and offers it to the client', () => {
    const { resources } = synth({
      consoleDomainPrefix: 'acme-irsa',
      consoleCliPorts: [53682, 53683],
      consoleIdentityProvider: {
        type: 'saml',
        name: 'IdentityCenter',
        metadataUrl: 'https://portal.sso.eu-west-1.amazonaws.com/saml/metadata/abc',
        groupsAttribute: 'groups',
      },
    });
    const idp = only(ofType(resources, 'AWS::Cognito::UserPoolIdentityProvider'), 'identity provider');
    expect(idp.props).toMatchObject({
      ProviderName: 'IdentityCenter',
      ProviderType: 'SAML',
      ProviderDetails: { MetadataURL: 'https://portal.sso.eu-west-1.amazonaws.com/saml/metadata/abc' },
      AttributeMapping: {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        'custom:groups': 'groups',
      },
    });
    const pool = only(ofType(resources, 'AWS::Cognito::UserPool'), 'user pool');
    expect(asArray(pool.props.Schema)).toContainEqual(
      expect.objectContaining({ Name: 'groups', AttributeDataType: 'String', Mutable: true }),
    );
    const client = only(ofType(resources, 'AWS::Cognito::UserPoolClient'), 'app client');
    expect(asArray(client.props.SupportedIdentityProviders).map(text)).toEqual(['COGNITO', `<${idp.id}>`]);
    expect(asArray(client.props.CallbackURLs).map(text).slice(1)).toEqual([
      'http://localhost:53682/callback',
      'http://localhost:53683/callback',
    ]);
    const domain = only(ofType(resources, 'AWS::Cognito::UserPoolDomain'), 'user pool domain');
    expect(domain.props.Domain).toBe('acme-irsa');
  });

  it('federates to an OIDC provider whose client secret CloudFormation reads from Secrets Manager', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:irsa-doctor/okta-AbCdEf';
    const { resources, template } = synth({
      consoleIdentityProvider: {
        type: 'oidc',
        name: 'Okta',
        issuer: 'https://acme.okta.com',
        clientId: '0oa1',
        clientSecretArn: arn,
      },
    });
    const idp = only(ofType(resources, 'AWS::Cognito::UserPoolIdentityProvider'), 'identity provider');
    const details = idp.props.ProviderDetails as Properties;
    expect(idp.props.ProviderType).toBe('OIDC');
    expect(details).toMatchObject({
      client_id: '0oa1',
      oidc_issuer: 'https://acme.okta.com',
      authorize_scopes: 'openid email profile',
    });
    expect(text(details.client_secret)).toBe(`{{resolve:secretsmanager:${arn}:SecretString:::}}`);
    // No groups attribute: the pool's schema is left as it was
    const pool = only(ofType(resources, 'AWS::Cognito::UserPool'), 'user pool');
    expect(asArray(pool.props.Schema).some((a) => (a as Properties).Name === 'groups')).toBe(false);
    expect(JSON.stringify(template.toJSON())).not.toContain('hunter');
  });

  it('takes USER_PASSWORD_AUTH only when a demo configuration asks for it', () => {
    const { resources } = synth({ consolePasswordSignIn: true });
    const client = only(ofType(resources, 'AWS::Cognito::UserPoolClient'), 'app client');
    expect(client.props.ExplicitAuthFlows).toEqual(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  });
});
