import {
  caFromDescribeCluster,
  type EksApiAccess,
  eksClusterReader,
} from '../../../../lambdas/adapters/kubernetes/eks-cluster-reader';
import { decodeEksToken } from '../../../../lambdas/adapters/kubernetes/eks-token';
import type { EksEndpointFacts } from '../../../../lambdas/domain/kubernetes/eks-read-access';
import type { KubernetesSnapshot } from '../../../../lambdas/domain/snapshot';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const facts: EksEndpointFacts = {
  name: 'prod',
  region: 'us-west-2',
  status: 'ACTIVE',
  endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com',
  certificateAuthority: Buffer.from(PEM).toString('base64'),
  endpointPublicAccess: true,
  publicAccessCidrs: ['0.0.0.0/0'],
  authenticationMode: 'API',
};
const identity = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
  roleArn: 'arn:aws:iam::111111111111:role/IrsaDoctorScanner',
};
const complete: KubernetesSnapshot = {
  status: 'complete',
  source: 'api',
  serviceAccounts: [],
  pods: [],
  podIdentityWebhook: { configured: false },
};
const now = () => new Date('2026-11-30T06:00:00Z');

describe('eksClusterReader', () => {
  it('reads with the EKS token of the given credentials, the endpoint and the CA of DescribeCluster', async () => {
    const seen: EksApiAccess[] = [];
    const read = eksClusterReader({
      now,
      read: async (access) => {
        seen.push(access);
        return complete;
      },
    });
    const k = await read(facts, identity);
    expect(k).toEqual({ ...complete, readAs: identity.roleArn });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.server).toBe(facts.endpoint);
    expect(seen[0]?.ca).toBe(PEM);
    const url = decodeEksToken(seen[0]?.token ?? '');
    expect(url?.host).toBe('sts.us-west-2.amazonaws.com');
    expect(url?.searchParams.get('X-Amz-Security-Token')).toBe('session');
  });

  it('does not call the API of a cluster it cannot reach, and says why', async () => {
    const read = eksClusterReader({
      now,
      read: () => {
        throw new Error('must not be called');
      },
    });
    const k = await read({ ...facts, endpointPublicAccess: false, endpointPrivateAccess: true }, identity);
    expect(k.status).toBe('unreadable');
    expect(k.errors?.[0]?.code).toBe('PrivateEndpoint');
    expect(k.readAs).toBe(identity.roleArn);
  });

  it('turns a 401 into NoAccessEntry, with the access entry fix', async () => {
    const unauthorized = Object.assign(new Error('prod: 401 Unauthorized'), {
      name: 'KubeUnauthorizedError',
      code: 'Unauthorized',
      status: 401,
    });
    const read = eksClusterReader({ now, read: () => Promise.reject(unauthorized) });
    const k = await read(facts, identity);
    expect(k.status).toBe('unreadable');
    expect(k.errors?.[0]).toMatchObject({ kind: 'connection', code: 'NoAccessEntry' });
    expect(k.fix).toContain(identity.roleArn);
  });

  it('turns an unreachable server into Unreachable, never a throw', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), {
      name: 'KubeUnreachableError',
      code: 'Unreachable',
    });
    const read = eksClusterReader({ now, read: () => Promise.reject(down) });
    const k = await read(facts, identity);
    expect(k.errors?.[0]?.code).toBe('Unreachable');
    expect(k.serviceAccounts).toEqual([]);
  });

  it('takes only a PEM bundle as the CA', () => {
    expect(caFromDescribeCluster(Buffer.from(PEM).toString('base64'))).toBe(PEM);
    expect(caFromDescribeCluster(Buffer.from('garbage').toString('base64'))).toBeUndefined();
    expect(caFromDescribeCluster(undefined)).toBeUndefined();
  });
});
