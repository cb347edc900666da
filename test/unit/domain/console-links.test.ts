/** Links to the AWS console for a plan's role, OIDC provider and cluster, in each partition. */
import {
  clusterLink,
  consoleLinks,
  providerArnsIn,
  providerLink,
  roleLink,
} from '../../../lambdas/domain/console-links';

const ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/ABC123';

describe('console links', () => {
  it.each([
    ['aws', 'console.aws.amazon.com'],
    ['aws-cn', 'console.amazonaws.cn'],
    ['aws-us-gov', 'console.amazonaws-us-gov.com'],
  ])('links a role, a provider and a cluster of %s to that partition console (%s)', (partition, host) => {
    const role = roleLink(`arn:${partition}:iam::111122223333:role/team/web-irsa`);
    expect(role).toEqual({
      kind: 'role',
      label: 'role web-irsa',
      accountId: '111122223333',
      href: `https://${host}/iam/home#/roles/details/web-irsa`,
    });
    const provider = providerLink(`arn:${partition}:iam::111122223333:oidc-provider/${ISSUER}`);
    expect(provider?.href).toBe(
      `https://${host}/iam/home#/identity_providers/details/OPENID/${encodeURIComponent(`arn:${partition}:iam::111122223333:oidc-provider/${ISSUER}`)}`,
    );
    expect(provider?.label).toBe(`OIDC provider ${ISSUER}`);
    expect(clusterLink(partition, '111122223333', 'prod', 'us-west-2')?.href).toBe(
      `https://${host}/eks/home?region=us-west-2#/clusters/prod`,
    );
  });

  it('gives no link for what is not a role, a provider or a known partition', () => {
    expect(roleLink('arn:aws:iam::111122223333:user/alice')).toBeUndefined();
    expect(roleLink('not an arn')).toBeUndefined();
    expect(roleLink('arn:aws-iso:iam::111122223333:role/x')).toBeUndefined();
    expect(providerLink('arn:aws:iam::111122223333:role/x')).toBeUndefined();
    expect(clusterLink('aws', '111122223333', 'prod', 'not a region')).toBeUndefined();
  });

  it("encodes names so a link cannot leave the console's path", () => {
    expect(clusterLink('aws', '111122223333', 'a/../b#c', 'us-east-1')?.href).toBe(
      'https://console.aws.amazon.com/eks/home?region=us-east-1#/clusters/a%2F..%2Fb%23c',
    );
  });

  it("lists a trust policy plan's role, the providers its document names and its cluster, once each", () => {
    const provider = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`;
    const doc = { Statement: [{ Principal: { Federated: provider } }, { Principal: { Federated: provider } }] };
    expect(providerArnsIn(doc)).toEqual([provider]);
    const links = consoleLinks({
      resourceArn: 'arn:aws:iam::111122223333:role/web',
      accountId: '111122223333',
      cluster: 'prod',
      region: 'us-west-2',
      providerArns: [...providerArnsIn(doc), provider],
    });
    expect(links.map((l) => l.kind)).toEqual(['role', 'oidc-provider', 'cluster']);
  });
});
