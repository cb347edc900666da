import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { type PartitionInfo, partitionInfo } from '../domain/partitions';

export interface ClientFactoryOptions {
  /** Endpoint override (an emulator); defaults to AWS_ENDPOINT_URL when set, else the real AWS endpoints. */
  readonly endpoint?: string;
  /** Attempts per call with the SDK's adaptive retry (backoff with jitter, client-side rate limiting). Default 8. */
  readonly maxAttempts?: number;
  /** The role the hub assumes in each member account (read-only scanner or remediator). */
  readonly roleName?: string;
  readonly externalId?: string;
  /** The account whose credentials are the base ones: no role is assumed there. */
  readonly hubAccountId?: string;
  /** Base credentials (the CLI profile or the Lambda role); the SDK's default chain when absent. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * The partition swept (aws, aws-cn, aws-us-gov): IAM, STS, Organizations and the AssumeRole calls go to its
   * global regions, and member role ARNs are in it. Default aws.
   */
  readonly partition?: string;
  readonly sessionName?: string;
  /**
   * What these clients are for. Scanning uses a 'read' factory (the read-only scanner role); the apply step needs a
   * 'write' factory (the remediator role), and the writers refuse a 'read' one, so a write can never go out with
   * the scanner's credentials. Default 'read'.
   */
  readonly access?: 'read' | 'write';
  /**
   * Wraps every client made (the Lambda wiring passes the Powertools Tracer's captureAWSv3Client, so each call is an
   * X-Ray subsegment); the identity by default, so the CLI never loads Powertools.
   */
  readonly instrument?: ClientInstrument;
}

/** Wraps an SDK client (tracing); returns the same client. */
export type ClientInstrument = <T>(client: T) => T;

/**
 * The one place SDK clients are made: per account (assuming the named role in member accounts) and per region,
 * with adaptive retry and the endpoint override. Scanner and remediator use separate factories (separate roles).
 */
export class AwsClientFactory {
  private readonly iamClients = new Map<string, IAMClient>();
  private readonly eksClients = new Map<string, EKSClient>();
  private organizationsClient: OrganizationsClient | undefined;
  private stsClient: STSClient | undefined;
  private caller: Promise<string> | undefined;
  private readonly credentialProviders = new Map<
    string,
    AwsCredentialIdentityProvider | AwsCredentialIdentity | undefined
  >();
  readonly endpoint: string | undefined;
  readonly maxAttempts: number;
  readonly access: 'read' | 'write';
  readonly partition: PartitionInfo;

  constructor(private readonly options: ClientFactoryOptions = {}) {
    this.partition = partitionInfo(options.partition ?? 'aws');
    this.endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.access = options.access ?? 'read';
  }

  /** Organizations, with the base (hub) credentials: the hub is the management or delegated administrator account. */
  organizations(): OrganizationsClient {
    this.organizationsClient ??= this.instrumented(
      new OrganizationsClient({ ...this.base(), region: this.partition.organizationsRegion }),
    );
    return this.organizationsClient;
  }

  /** STS with the base credentials, in the partition's STS region. */
  sts(): STSClient {
    this.stsClient ??= this.instrumented(new STSClient({ ...this.base(), region: this.partition.stsRegion }));
    return this.stsClient;
  }

  /** The account the base credentials belong to (one STS GetCallerIdentity call, cached). */
  async callerAccount(): Promise<string> {
    this.caller ??= this.sts()
      .send(new GetCallerIdentityCommand({}))
      .then((out) => {
        if (!out.Account) throw new Error('GetCallerIdentity returned no account');
        return out.Account;
      });
    return this.caller;
  }

  /**
   * Obtains the account's credentials now (the one AssumeRole for a member account), so that a role that cannot be
   * assumed is told apart from a read that fails afterwards. The SDK caches the result for the clients.
   */
  async enter(accountId: string): Promise<void> {
    const credentials = this.credentialsFor(accountId);
    if (typeof credentials === 'function') await credentials();
  }

  iam(accountId: string): IAMClient {
    let client = this.iamClients.get(accountId);
    if (!client) {
      client = this.instrumented(new IAMClient({ ...this.common(accountId), region: this.partition.iamRegion }));
      this.iamClients.set(accountId, client);
    }
    return client;
  }

  eks(accountId: string, region: string): EKSClient {
    const key = `${accountId}/${region}`;
    let client = this.eksClients.get(key);
    if (!client) {
      client = this.instrumented(new EKSClient({ ...this.common(accountId), region }));
      this.eksClients.set(key, client);
    }
    return client;
  }

  roleArn(accountId: string): string | undefined {
    if (!this.options.roleName || accountId === this.options.hubAccountId) return undefined;
    return `arn:${this.partition.name}:iam::${accountId}:role/${this.options.roleName}`;
  }

  private instrumented<T>(client: T): T {
    return this.options.instrument ? this.options.instrument(client) : client;
  }

  private common(accountId: string) {
    const credentials = this.credentialsFor(accountId);
    return {
      maxAttempts: this.maxAttempts,
      retryMode: 'adaptive' as const,
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    };
  }

  private base() {
    return {
      maxAttempts: this.maxAttempts,
      retryMode: 'adaptive' as const,
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
      ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
    };
  }

  private credentialsFor(accountId: string): AwsCredentialIdentityProvider | AwsCredentialIdentity | undefined {
    if (this.credentialProviders.has(accountId)) return this.credentialProviders.get(accountId);
    const roleArn = this.roleArn(accountId);
    const provider = roleArn
      ? shared(
          fromTemporaryCredentials({
            params: {
              RoleArn: roleArn,
              RoleSessionName: this.options.sessionName ?? 'irsa-doctor',
              ...(this.options.externalId ? { ExternalId: this.options.externalId } : {}),
            },
            ...(this.options.credentials ? { masterCredentials: this.options.credentials } : {}),
            clientConfig: {
              region: this.partition.stsRegion,
              maxAttempts: this.maxAttempts,
              ...(this.endpoint ? { endpoint: this.endpoint } : {}),
            },
          }),
        )
      : this.options.credentials;
    this.credentialProviders.set(accountId, provider);
    return provider;
  }
}

/** Refresh assumed-role credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * One AssumeRole per account, not per client: every SDK client memoizes its own credentials, so the IAM client and
 * each regional EKS client would otherwise assume the role again. A failed attempt is not cached.
 */
function shared(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return () => {
    if (pending) return pending;
    const current = provider().then((credentials) => {
      const expires = credentials.expiration?.getTime();
      if (expires !== undefined) {
        setTimeout(
          () => {
            if (pending === current) pending = undefined;
          },
          Math.max(0, expires - Date.now() - REFRESH_MARGIN_MS),
        ).unref();
      }
      return credentials;
    });
    pending = current;
    current.catch(() => {
      if (pending === current) pending = undefined;
    });
    return current;
  };
}
