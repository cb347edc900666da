import {
  type EksEndpointFacts,
  eksReadBlocker,
  noAccessEntry,
  unreadableKubernetes,
} from '../../../../lambdas/domain/kubernetes/eks-read-access';

const open: EksEndpointFacts = {
  name: 'prod',
  region: 'us-west-2',
  status: 'ACTIVE',
  endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com',
  endpointPublicAccess: true,
  endpointPrivateAccess: false,
  publicAccessCidrs: ['0.0.0.0/0'],
  authenticationMode: 'API_AND_CONFIG_MAP',
};
const role = 'arn:aws:iam::111111111111:role/IrsaDoctorScanner';

describe('eksReadBlocker', () => {
  it('lets the hub try a public endpoint open to any address in API or API_AND_CONFIG_MAP mode', () => {
    expect(eksReadBlocker(open, role)).toBeUndefined();
    expect(eksReadBlocker({ ...open, authenticationMode: 'API' }, role)).toBeUndefined();
    // private access as well as public: the public endpoint still answers the hub
    expect(eksReadBlocker({ ...open, endpointPrivateAccess: true }, role)).toBeUndefined();
  });

  it('refuses a private-only endpoint: the hub runs outside the VPC', () => {
    const cause = eksReadBlocker({ ...open, endpointPublicAccess: false, endpointPrivateAccess: true }, role);
    expect(cause?.code).toBe('PrivateEndpoint');
    expect(cause?.fix).toContain('--kubeconfig');
  });

  it('refuses a public endpoint restricted to CIDRs that are not 0.0.0.0/0', () => {
    const cause = eksReadBlocker({ ...open, publicAccessCidrs: ['203.0.113.0/24'] }, role);
    expect(cause?.code).toBe('RestrictedEndpoint');
    expect(cause?.reason).toContain('203.0.113.0/24');
  });

  it('refuses CONFIG_MAP mode with the fix to switch modes and add an access entry, never aws-auth', () => {
    const cause = eksReadBlocker({ ...open, authenticationMode: 'CONFIG_MAP' }, role);
    expect(cause?.code).toBe('ConfigMapOnly');
    expect(cause?.fix).toContain('switch to API_AND_CONFIG_MAP and add an access entry');
    expect(cause?.fix).toContain(role);
    expect(cause?.fix).toContain('never edits aws-auth');
  });

  it('refuses a cluster without an endpoint', () => {
    expect(eksReadBlocker({ ...open, endpoint: undefined }, role)?.code).toBe('NoEndpoint');
  });
});

describe('unreadableKubernetes', () => {
  it('is unreadable with reason, fix, code and nothing read (so nothing can be reported missing)', () => {
    const k = unreadableKubernetes(noAccessEntry(role), { readAs: role, readAt: '2026-11-30T06:00:00.000Z' });
    expect(k).toMatchObject({ status: 'unreadable', source: 'api', readAs: role, podIdentityWebhook: null });
    expect(k.serviceAccounts).toEqual([]);
    expect(k.pods).toEqual([]);
    expect(k.errors?.[0]?.code).toBe('NoAccessEntry');
    expect(k.fix).toContain('AmazonEKSViewPolicy');
    expect(k.fix).toContain('create-access-entry');
  });
});
