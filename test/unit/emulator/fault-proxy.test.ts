import { operationOf } from '../../../emulator/fault-proxy';

const signed = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261123/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=x`,
});

describe('operationOf', () => {
  it('reads query-protocol actions, JSON targets and EKS REST routes', () => {
    expect(operationOf('POST', '/', signed('iam'), 'Action=GetAccountAuthorizationDetails&Version=2010-05-08')).toBe(
      'iam:GetAccountAuthorizationDetails',
    );
    expect(
      operationOf(
        'POST',
        '/',
        { ...signed('organizations'), 'x-amz-target': 'AWSOrganizationsV20161128.ListAccounts' },
        '{}',
      ),
    ).toBe('organizations:ListAccounts');
    expect(operationOf('GET', '/clusters?maxResults=100', signed('eks'), '')).toBe('eks:ListClusters');
    expect(operationOf('GET', '/clusters/prod', signed('eks'), '')).toBe('eks:DescribeCluster');
    expect(operationOf('GET', '/clusters/prod/addons/vpc-cni', signed('eks'), '')).toBe('eks:DescribeAddon');
    expect(operationOf('GET', '/addons/configuration-schemas?addonName=x', signed('eks'), '')).toBe(
      'eks:DescribeAddonConfiguration',
    );
    expect(operationOf('GET', '/clusters/prod/pod-identity-associations/a-1', signed('eks'), '')).toBe(
      'eks:DescribePodIdentityAssociation',
    );
    expect(operationOf('PUT', '/odd', {}, '')).toBe('unknown:PUT /odd');
  });
});
