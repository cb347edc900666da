import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Fn, Lazy, RemovalPolicy, SecretValue, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { ApproverRule } from '../../lambdas/domain/approver-scope';
import type { ConsoleIdentityProviderConfig } from '../config';

/** The request headers the API admits from the console's origin (x-irsa-doctor-request: lambdas/api/http-api.ts). */
export const API_CORS_HEADERS = ['authorization', 'content-type', 'x-irsa-doctor-request'] as const;
/** The scopes the console and the CLI ask for: the ID token carries the user name, e-mail and groups. */
export const CONSOLE_SCOPES = ['openid', 'email', 'profile'] as const;
/** The SAML attribute of the e-mail address when the configuration names none. */
const SAML_EMAIL = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

/** How people sign in to the console (README, "Deploy": single sign-on). */
export interface ConsoleSignInProps {
  /** The managed login domain's prefix. @default 'irsa-doctor-<account id>' */
  readonly domainPrefix?: string;
  /** The organization's identity provider (SAML or OIDC). @default - users of the pool only */
  readonly identityProvider?: ConsoleIdentityProviderConfig;
  /** Loopback ports of `irsa-doctor login` (http://localhost:<port>/callback). @default [53682] */
  readonly cliPorts?: readonly number[];
  /** Demo only: the app client also takes USER_PASSWORD_AUTH. @default false */
  readonly passwordSignIn?: boolean;
}

/** The API's one route path: everything under /api, GET and POST, always behind the JWT authorizer. */
export const API_ROUTE_PATH = '/api/{proxy+}';
/** Built console assets: .tmp/console-assets/<content hash> (.tmp is ignored by git). */
export const CONSOLE_ASSETS_ROOT = path.resolve(__dirname, '..', '..', '.tmp', 'console-assets');
/**
 * The console as built when the package is packed (scripts/bundle-assets.ts, into dist/assets/console): present in
 * the published package only, whose users have neither the console's sources nor esbuild.
 */
export const PREBUILT_CONSOLE_ASSETS = path.resolve(__dirname, '..', '..', 'assets', 'console');

export interface ApprovalConsoleProps {
  /** The approval API function (lambdas/handlers/approval-api.ts), with an execution role. */
  readonly apiFunction: lambda.IFunction;
  /** The Cognito group whose members may decide and roll back. */
  readonly approversGroup: string;
  /**
   * The other groups the approver rules name (config `approvers`): each is made in the pool too, described with the
   * accounts and OUs it covers, so people of the pool itself can be put in them (federated people get theirs from
   * the identity provider's groups attribute).
   */
  readonly scopedApprovers?: readonly { readonly group: string; readonly covers: string }[];
  /** Receives the console bucket's server access logs (prefix console-bucket/). */
  readonly accessLogBucket: s3.IBucket;
  /**
   * Another URL the console is reached at (e.g. a custom domain in front of the distribution): its origin is admitted
   * by CORS as well, and the invitation e-mail links to it.
   * @default - the distribution's own domain only
   */
  readonly consoleUrl?: string;
  /**
   * A folder holding the built console (index.html, app.js, app.css).
   * @default - built from console/ at synth time (console/build.ts); a placeholder when the stack is not bundled
   */
  readonly assetsDir?: string;
  /** Single sign-on: managed login domain, federation, the CLI's loopback ports. @default - managed login only */
  readonly signIn?: ConsoleSignInProps;
}

/**
 * The approval console in AWS:
 *
 * - a Cognito user pool (no self sign-up; administrators create users) with the approvers group, managed login on
 *   a Cognito domain (the newer managed login, Cognito's own branding), federation to the organization's SAML or OIDC
 *   identity provider when configured, and a public app client (no secret) with the authorization code grant only,
 *   PKCE (the page and the CLI always send it), refresh tokens, the console's and the CLI's loopback callback URLs;
 * - an HTTP API whose every route requires a Cognito ID token of that client (JWT authorizer) and invokes the
 *   approval API function, throttled and access-logged;
 * - the page, built at synth time, on a private bucket served by CloudFront (origin access control, HTTPS only, a
 *   strict Content-Security-Policy and security headers), with its config.json (API URL, user pool, client).
 *
 * The API's CORS origin (the distribution's domain) and the distribution's Content-Security-Policy (which names the
 * API URL) refer to each other, which CloudFormation cannot create in one pass. The CSP is part of the distribution;
 * CORS is set on the API once both exist, by a custom resource (apigatewayv2:UpdateApi, re-run when either changes).
 */
export class ApprovalConsole extends Construct {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly userPoolDomain: cognito.UserPoolDomain;
  /** Managed login: https://<prefix>.auth.<region>.amazoncognito.com */
  readonly signInDomain: string;
  /** The federated identity provider, when configured. */
  readonly identityProvider?: cognito.IUserPoolIdentityProvider;
  readonly approversGroup: cognito.UserPoolGroup;
  readonly httpApi: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly deployment: s3deploy.BucketDeployment;
  /** Sets the API's CORS configuration (see the class comment). */
  readonly apiCors: cr.AwsCustomResource;
  /** https://<distribution domain> */
  readonly url: string;
  /** The API's base URL, without a trailing slash: the page calls `${apiUrl}/api/...`. */
  readonly apiUrl: string;
  /** The origins the API admits: CORS, and the function's check of state-changing requests. */
  readonly allowedOrigins: readonly string[];
  /** The Content-Security-Policy of every console response. */
  readonly contentSecurityPolicy: string;
  /** The AWS CLI command that makes a user of the pool an approver. */
  readonly addApproverCommand: string;

  /** The groups of scoped approver rules, beside the approvers group (each once). */
  private addScopedApproverGroups(props: ApprovalConsoleProps): void {
    for (const { group, covers } of props.scopedApprovers ?? []) {
      if (group === props.approversGroup) continue;
      // The id is the group's name: the same group keeps its logical id whatever the order of the rules.
      new cognito.UserPoolGroup(this, `Approvers-${group.replace(/\//g, '-')}`, {
        userPool: this.userPool,
        groupName: group,
        description: `IRSA Doctor approvers of ${covers}`.slice(0, 2048),
      });
    }
  }

  constructor(scope: Construct, id: string, props: ApprovalConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const region = stack.region;
    const cognitoEndpoint = `https://cognito-idp.${region}.amazonaws.com`;
    if (!props.apiFunction.role) throw new Error(`${id}: the API function must have an execution role`);

    // ---- who may sign in, and who may decide --------------------------------------------------------------------
    // The invitation links to the console, whose URL is known once the distribution below is made.
    const invitationUrl = props.consoleUrl ?? Lazy.string({ produce: () => this.url });
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      // The federated identity provider's groups, when it sends them (read by the API beside cognito:groups).
      ...(props.signIn?.identityProvider?.groupsAttribute
        ? { customAttributes: { groups: new cognito.StringAttribute({ mutable: true, maxLen: 2048 }) } }
        : {}),
      userInvitation: {
        emailSubject: 'IRSA Doctor approval console',
        emailBody:
          `You can sign in to the IRSA Doctor approval console at ${invitationUrl} as {username} ` +
          'with the temporary password {####}; you will choose your own password at the first sign-in.',
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.approversGroup = new cognito.UserPoolGroup(this, 'ApproversGroup', {
      userPool: this.userPool,
      groupName: props.approversGroup,
      description: 'IRSA Doctor approvers: may approve, reject and roll back plans',
    });
    this.addScopedApproverGroups(props);
    // Managed login (the newer version, with Cognito's branding) on a Cognito domain.
    const signIn = props.signIn ?? {};
    const domainPrefix = signIn.domainPrefix ?? `irsa-doctor-${stack.account}`;
    this.userPoolDomain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    if (signIn.identityProvider) this.identityProvider = this.federate(signIn.identityProvider);
    // The page's own URL(s), and the CLI's loopback listeners: Cognito matches callback URLs exactly, and takes
    // http:// only for localhost.
    const pageUrls = [
      Lazy.string({ produce: () => `${this.url}/` }),
      ...(props.consoleUrl ? [`${new URL(props.consoleUrl).origin}/`] : []),
    ];
    const cliUrls = (signIn.cliPorts ?? [53682]).map((port) => `http://localhost:${port}/callback`);
    this.userPoolClient = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      // No password through the page: the authorization code grant (with PKCE) and refresh tokens only, unless a
      // demo asks for USER_PASSWORD_AUTH.
      authFlows: { userPassword: signIn.passwordSignIn === true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [...pageUrls, ...cliUrls],
        logoutUrls: pageUrls,
      },
      supportedIdentityProviders: [
        cognito.UserPoolClientIdentityProvider.COGNITO,
        ...(this.identityProvider
          ? [cognito.UserPoolClientIdentityProvider.custom(this.identityProvider.providerName)]
          : []),
      ],
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    if (this.identityProvider) this.userPoolClient.node.addDependency(this.identityProvider);
    // The newer managed login shows a client's pages only once it has a style: Cognito's own.
    new cognito.CfnManagedLoginBranding(this, 'ManagedLoginBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.userPoolClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    // Spelled out rather than read from the domain resource: the distribution's CSP names it, and the pool (whose
    // invitation links to the distribution) must not be needed by the distribution.
    const signInDomain = `https://${domainPrefix}.auth.${region}.amazoncognito.com`;
    this.signInDomain = signInDomain;

    const authorizer = new HttpJwtAuthorizer('CognitoIdToken', `${cognitoEndpoint}/${this.userPool.userPoolId}`, {
      jwtAudience: [this.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    // The API's default authorizer: a route added without one of its own still requires the token.
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'IRSA Doctor approval console API (a Cognito ID token on every route)',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });
    this.apiUrl = this.httpApi.apiEndpoint;

    // ---- the page: private bucket, CloudFront with origin access control and strict headers -------------------------
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'console-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.contentSecurityPolicy = [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      // The API, the issuer's discovery document (cognito-idp) and the managed login domain's token endpoint.
      `connect-src 'self' ${this.apiUrl} ${cognitoEndpoint} ${signInDomain}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ');
    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'IRSA Doctor approval console: CSP, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: this.contentSecurityPolicy, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'IRSA Doctor approval console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      // The page routes by the URL fragment (#/plans/<runId>/<planId>, as approval e-mails link); any other path is
      // answered with the page too rather than S3's error (403 for a missing key: CloudFront may not list the bucket).
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      // No minimumProtocolVersion: the default *.cloudfront.net certificate has a fixed security policy (CDK ignores
      // it, see the CFR4 acknowledgement); set TLSv1.2_2021 together with a custom domain and certificate.
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    this.allowedOrigins = [this.url, ...(props.consoleUrl ? [new URL(props.consoleUrl).origin] : [])];

    // ---- the API's routes, stage (throttled, access-logged) and CORS ----------------------------------------------
    this.httpApi.addRoutes({
      path: API_ROUTE_PATH,
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('ApprovalApi', props.apiFunction, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.apiStage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: { burstLimit: 20, rateLimit: 10 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            user: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // CORS: the console's origin(s) only, no credentials (the token travels in the Authorization header).
    const corsCall: cr.AwsSdkCall = {
      service: 'ApiGatewayV2',
      action: 'UpdateApi',
      parameters: {
        ApiId: this.httpApi.apiId,
        CorsConfiguration: {
          AllowOrigins: [...this.allowedOrigins],
          AllowHeaders: [...API_CORS_HEADERS],
          AllowMethods: ['GET', 'POST'],
          AllowCredentials: false,
          MaxAge: 600,
        },
      },
      physicalResourceId: cr.PhysicalResourceId.of(`${this.httpApi.apiId}-cors`),
      outputPaths: ['ApiId'],
    };
    this.apiCors = new cr.AwsCustomResource(this, 'ApiCors', {
      resourceType: 'Custom::IrsaDoctorApiCors',
      onCreate: corsCall,
      onUpdate: corsCall,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['apigateway:PATCH'],
          resources: [
            stack.formatArn({
              service: 'apigateway',
              account: '',
              resource: '/apis',
              resourceName: this.httpApi.apiId,
            }),
          ],
        }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new logs.LogGroup(this, 'ApiCorsLogs', { retention: logs.RetentionDays.ONE_YEAR }),
    });
    this.apiCors.node.addDependency(this.apiStage);

    // The API sends no task tokens: it records decisions, and the hub's deliverer (its own role) completes the
    // approval tasks.

    // ---- the page's files and its configuration ---------------------------------------------------------------------
    // The page sends the browser back to where it is served: the configured console URL, or the distribution.
    const redirectUri = props.consoleUrl ? `${new URL(props.consoleUrl).origin}/` : `${this.url}/`;
    const files = new s3assets.Asset(this, 'Files', {
      path: props.assetsDir ?? defaultAssets(stack.bundlingRequired),
    });
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [
        s3deploy.Source.bucket(files.bucket, files.s3ObjectKey),
        s3deploy.Source.jsonData('config.json', {
          apiUrl: this.apiUrl,
          region,
          authority: `${cognitoEndpoint}/${this.userPool.userPoolId}`,
          clientId: this.userPoolClient.userPoolClientId,
          redirectUri,
          scopes: CONSOLE_SCOPES.join(' '),
          signOutUrl: Fn.join('', [
            signInDomain,
            '/logout?client_id=',
            this.userPoolClient.userPoolClientId,
            '&logout_uri=',
            redirectUri,
          ]),
          cliRedirectUris: cliUrls,
          approversGroup: props.approversGroup,
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      logGroup: new logs.LogGroup(this, 'DeploymentLogs', { retention: logs.RetentionDays.ONE_YEAR }),
    });

    this.addApproverCommand =
      `aws cognito-idp admin-add-user-to-group --region ${region} --user-pool-id ${this.userPool.userPoolId} ` +
      `--group-name ${props.approversGroup} --username <user name>`;

    this.acknowledgeFindings(files.bucket.bucketName);
  }

  /**
   * The organization's identity provider in the pool: SAML (metadata URL or file) or OIDC (client secret from
   * Secrets Manager, resolved by CloudFormation), its e-mail and groups attributes mapped (groups to custom:groups).
   */
  private federate(idp: ConsoleIdentityProviderConfig): cognito.IUserPoolIdentityProvider {
    const groups = idp.groupsAttribute
      ? { custom: { 'custom:groups': cognito.ProviderAttribute.other(idp.groupsAttribute) } }
      : {};
    if (idp.type === 'saml') {
      const metadata = idp.metadataUrl
        ? cognito.UserPoolIdentityProviderSamlMetadata.url(idp.metadataUrl)
        : cognito.UserPoolIdentityProviderSamlMetadata.file(fs.readFileSync(idp.metadataFile ?? '', 'utf8'));
      return new cognito.UserPoolIdentityProviderSaml(this, 'SamlProvider', {
        userPool: this.userPool,
        name: idp.name,
        metadata,
        attributeMapping: { email: cognito.ProviderAttribute.other(idp.emailAttribute ?? SAML_EMAIL), ...groups },
      });
    }
    return new cognito.UserPoolIdentityProviderOidc(this, 'OidcProvider', {
      userPool: this.userPool,
      name: idp.name,
      issuerUrl: idp.issuer ?? '',
      clientId: idp.clientId ?? '',
      // A dynamic reference: CloudFormation reads the secret at deploy time; the template never holds it.
      clientSecret: SecretValue.secretsManager(idp.clientSecretArn ?? '').unsafeUnwrap(),
      scopes: [...(idp.scopes ?? CONSOLE_SCOPES)],
      attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
      attributeMapping: { email: cognito.ProviderAttribute.other(idp.emailAttribute ?? 'email'), ...groups },
    });
  }

  private acknowledgeFindings(assetBucketName: string): void {
    const stack = Stack.of(this);
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional, TOTP only (no SMS): an administrator creates each user with a temporary password, and ' +
          'a TOTP device can only be enrolled after the first sign-in. Approvers enrol TOTP; set mfa to REQUIRED ' +
          'once all have.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection needs the Cognito Plus feature plan, billed per monthly active user with no free tier. ' +
          'The pool has no self sign-up, a 14-character password policy, optional TOTP, and hides whether a user ' +
          'exists; an operator who wants adaptive authentication sets featurePlan PLUS.',
      },
    );
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: approvers work from wherever the organization does, and every API call needs a ' +
          'Cognito token of the approvers group.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL: one for CloudFront must be created in us-east-1, outside this stack. The page is static; ' +
          'the API requires a Cognito token and is throttled. README (Deploy): add a custom domain and WAF for ' +
          'production.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'CloudFront standard logging writes through S3 ACLs, which every bucket of this stack keeps disabled ' +
          '(BUCKET_OWNER_ENFORCED), and logging v2 is configured from us-east-1. The distribution serves only the ' +
          'static page; every API request is in the API access log, kept a year.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate has a fixed security policy (no minimum TLS version can be set). ' +
          'README (Deploy) asks operators to add a custom domain with an ACM certificate and TLSv1.2_2021 for production.',
      },
    );

    // CDK's own deploy-time handlers: BucketDeployment's and AwsCustomResource's, singletons at stack level.
    const deploymentHandler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (deploymentHandler) {
      Validations.of(deploymentHandler).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "CDK's BucketDeployment handler (Python, with the AWS CLI layer) has the runtime CDK pins; it runs only at " +
          'deploy time, to copy the console files.',
      });
    }
    const basicExecution =
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
    const corsHandler = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (corsHandler) {
      Validations.of(corsHandler).acknowledge({
        id: basicExecution,
        reason:
          "CDK's AwsCustomResource handler (deploy time only; here it sets the API's CORS) logs with the AWS basic " +
          'execution policy; its only other permission is apigateway:PATCH on this API.',
      });
    }
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const copying = 'BucketDeployment copies the console files from the CDK asset bucket into the console bucket';
    Validations.of(this.deployment.handlerRole).acknowledge(
      {
        id: basicExecution,
        reason: "CDK's BucketDeployment handler (deploy time only) logs with the AWS basic execution policy.",
      },
      { id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason: `${copying} (grantRead on the asset bucket).` },
      { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason: `${copying} (grantRead on the asset bucket).` },
      { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason: `${copying}, listing both to sync and prune.` },
      {
        id: 'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        reason: `${copying}, pruning files the console no longer has (console bucket only).`,
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:Abort*]',
        reason: `${copying}, aborting its own failed multipart uploads (console bucket only).`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        reason: 'The console files are written to this one bucket; their keys are the built file names.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudfront:CreateInvalidation and GetInvalidation, to invalidate the console after a deploy: BucketDeployment ' +
          'grants them on "*".',
      },
      ...(Token.isUnresolved(assetBucketName)
        ? []
        : [
            {
              id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${assetBucketName}/*]`,
              reason: 'Objects of the CDK asset bucket: the staged console files and config.json, named by hash.',
            },
          ]),
    );
  }
}

let staged: string | undefined;

/** The prebuilt console (the published package), else the console built from its sources, or a placeholder. */
function defaultAssets(bundlingRequired: boolean): string {
  if (fs.existsSync(path.join(PREBUILT_CONSOLE_ASSETS, 'index.html'))) return PREBUILT_CONSOLE_ASSETS;
  return bundlingRequired ? stageConsoleAssets() : placeholderAssets();
}

/**
 * console/build.ts, loaded only when the console is built from its sources (the repository): the published package
 * ships it built, and neither esbuild nor the console's sources are in it.
 */
function buildFromSources(dir: string): readonly string[] {
  const build = require('../../console/build') as { buildConsoleAssets: (outDir: string) => readonly string[] };
  return build.buildConsoleAssets(dir);
}

/**
 * Builds the console (console/build.ts) into .tmp/console-assets/<content hash>, once per process. The folder is
 * filled under a temporary name and renamed into place, so concurrent synths (parallel test workers) never see a
 * half-written one, and an unchanged console keeps its asset hash.
 */
export function stageConsoleAssets(): string {
  if (staged === undefined || !fs.existsSync(staged)) staged = stageFolder(buildFromSources);
  return staged;
}

/** What a stack that is not bundled (tests, local runs) deploys instead of the console, as Lambda code is skipped. */
function placeholderAssets(): string {
  return stageFolder((dir) => {
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>IRSA Doctor</title><p>Not built.</p>\n');
    return ['index.html'];
  });
}

function stageFolder(write: (dir: string) => readonly string[]): string {
  fs.mkdirSync(CONSOLE_ASSETS_ROOT, { recursive: true });
  const work = fs.mkdtempSync(path.join(CONSOLE_ASSETS_ROOT, '.build-'));
  try {
    const hash = createHash('sha256');
    for (const file of [...write(work)].sort()) {
      hash
        .update(`${file}\0`)
        .update(fs.readFileSync(path.join(work, file)))
        .update('\0');
    }
    const dir = path.join(CONSOLE_ASSETS_ROOT, hash.digest('hex').slice(0, 20));
    if (!fs.existsSync(dir)) {
      try {
        fs.renameSync(work, dir);
      } catch (err) {
        if (!fs.existsSync(dir)) throw err; // else another process moved the same content into place first
      }
    }
    return dir;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The groups approver rules name, each once, with what its rules cover (for the group's description). */
export function approverGroupsOf(
  rules: readonly ApproverRule[],
): readonly { readonly group: string; readonly covers: string }[] {
  const covers = new Map<string, string[]>();
  for (const rule of rules) {
    const parts = [
      ...(rule.accounts?.length ? [`accounts ${rule.accounts.join(', ')}`] : []),
      ...(rule.organizationalUnits?.length ? [`OUs ${rule.organizationalUnits.join(', ')}`] : []),
    ];
    covers.set(rule.group, [...(covers.get(rule.group) ?? []), parts.length ? parts.join(' and ') : 'every account']);
  }
  return [...covers].map(([group, list]) => ({ group, covers: list.join('; ') }));
}
