import { providersNamedBy } from '../../../../lambdas/domain/plan/references';

const P1 = 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AAAA';
const P2 = 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/BBBB';

describe('providersNamedBy', () => {
  it.each([
    ['a Federated string', { Statement: [{ Principal: { Federated: P1 } }] }, [P1]],
    [
      'a Federated array, repeated, sorted',
      { Statement: [{ Principal: { Federated: [P2, P1, P2] } }] },
      [P1, P2].sort(),
    ],
    ['a single Statement object', { Statement: { Principal: { Federated: P2 } } }, [P2]],
    [
      'every statement, Deny included',
      { Statement: [{ Effect: 'Deny', Principal: { Federated: P1 } }, { Principal: { Federated: P2 } }] },
      [P1, P2].sort(),
    ],
  ])('names the providers of %s', (_what, doc, expected) => {
    expect(providersNamedBy(doc)).toEqual(expected);
  });

  it.each([
    ['a SAML provider', { Statement: [{ Principal: { Federated: 'arn:aws:iam::111111111111:saml-provider/x' } }] }],
    ['a non-ARN Federated value', { Statement: [{ Principal: { Federated: 'cognito-identity.amazonaws.com' } }] }],
    ['Service and AWS principals', { Statement: [{ Principal: { Service: 'ec2.amazonaws.com', AWS: '*' } }] }],
    ['Principal "*"', { Statement: [{ Principal: '*' }] }],
    ['no document', null],
    ['a string', 'not a document'],
    ['statements that are not objects', { Statement: [1, 'x', null] }],
  ])('names nothing for %s', (_what, doc) => {
    expect(providersNamedBy(doc)).toEqual([]);
  });
});
