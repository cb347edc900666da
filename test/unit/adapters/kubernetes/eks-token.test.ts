import {
  decodeEksToken,
  EKS_TOKEN_PREFIX,
  eksBearerToken,
  stsEndpoint,
} from '../../../../lambdas/adapters/kubernetes/eks-token';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const at = new Date('2026-11-30T05:36:49Z');

describe('eksBearerToken', () => {
  it('is k8s-aws-v1. and the unpadded base64url of a presigned GetCallerIdentity URL bound to the cluster', async () => {
    const { token, expiresAt } = await eksBearerToken({
      clusterName: 'prod',
      region: 'us-west-2',
      credentials,
      now: () => at,
    });
    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(token.slice(EKS_TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = decodeEksToken(token);
    expect(url?.origin).toBe('https://sts.us-west-2.amazonaws.com');
    expect(url?.pathname).toBe('/');
    const q = url?.searchParams;
    expect(q?.get('Action')).toBe('GetCallerIdentity');
    expect(q?.get('Version')).toBe('2011-06-15');
    expect(q?.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q?.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261130/us-west-2/sts/aws4_request');
    expect(q?.get('X-Amz-Date')).toBe('20261130T053649Z');
    expect(q?.get('X-Amz-Expires')).toBe('60');
    expect(q?.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q?.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // the cluster name is signed, never put in the URL
    expect(q?.has('x-k8s-aws-id')).toBe(false);
    expect(expiresAt.toISOString()).toBe('2026-11-30T05:50:49.000Z');
  });

  it('signs a different URL for another cluster (the header is in the signature)', async () => {
    const sign = (clusterName: string) =>
      eksBearerToken({ clusterName, region: 'us-west-2', credentials, now: () => at }).then((t) =>
        decodeEksToken(t.token)?.searchParams.get('X-Amz-Signature'),
      );
    expect(await sign('prod')).not.toBe(await sign('staging'));
  });

  it('carries a session token of assumed-role credentials, URL-encoded', async () => {
    const { token } = await eksBearerToken({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials: { ...credentials, sessionToken: 'FwoG+ZXIvYXdz/EBA=' },
      now: () => at,
    });
    expect(decodeEksToken(token)?.searchParams.get('X-Amz-Security-Token')).toBe('FwoG+ZXIvYXdz/EBA=');
  });

  it('uses the regional STS endpoint of the partition, and an override when given', () => {
    expect(stsEndpoint('us-east-1').host).toBe('sts.us-east-1.amazonaws.com');
    expect(stsEndpoint('cn-north-1').host).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect(stsEndpoint('us-gov-west-1').host).toBe('sts.us-gov-west-1.amazonaws.com');
    expect(stsEndpoint('us-east-1', 'http://127.0.0.1:5000').host).toBe('127.0.0.1:5000');
  });

  it('decodes only tokens of this shape', () => {
    expect(decodeEksToken('k8s-aws-v2.abc')).toBeUndefined();
    expect(decodeEksToken('k8s-aws-v1.not base64!')).toBeUndefined();
    expect(decodeEksToken(`k8s-aws-v1.${Buffer.from('not a url').toString('base64url')}`)).toBeUndefined();
  });
});
