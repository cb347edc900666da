/**
 * Seeding the emulator as an administrator of any account, the way a test sets up an estate before the code under
 * test reads it. moto picks the account of a request from its `x-moto-account-id` header (moto's documented
 * multi-account switch); the code under test never uses this: it assumes roles through STS like in AWS.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Pluggable } from '@smithy/types';

export const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret' };

// biome-ignore lint/suspicious/noExplicitAny: one plug-in for the three clients' input and output types
export function asAccount(accountId: string): Pluggable<any, any> {
  return {
    applyToStack: (stack) => {
      stack.add(
        (next) => async (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers) request.headers['x-moto-account-id'] = accountId;
          return next(args);
        },
        { step: 'build', name: 'emulatorAccount' },
      );
    },
  };
}

export interface SeedClients {
  readonly iam: IAMClient;
  eks(region: string): EKSClient;
  readonly organizations: OrganizationsClient;
}

/**
 * `iamRegion` signs IAM for a partition (moto keeps one IAM per partition, chosen by the signing region): cn-north-1
 * for aws-cn, us-gov-west-1 for aws-us-gov.
 */
export function seedClients(endpoint: string, accountId: string, iamRegion = 'us-east-1'): SeedClients {
  const base = { endpoint, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 };
  const iam = new IAMClient({ ...base, region: iamRegion });
  iam.middlewareStack.use(asAccount(accountId));
  const organizations = new OrganizationsClient({ ...base, region: 'us-east-1' });
  organizations.middlewareStack.use(asAccount(accountId));
  const eksClients = new Map<string, EKSClient>();
  return {
    iam,
    organizations,
    eks(region) {
      let client = eksClients.get(region);
      if (!client) {
        client = new EKSClient({ ...base, region });
        client.middlewareStack.use(asAccount(accountId));
        eksClients.set(region, client);
      }
      return client;
    },
  };
}
