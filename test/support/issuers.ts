/** Fixed issuers and provider ARNs that unit tests of the trust-policy reader and evaluator share. */
export const ISSUER = 'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
export const OTHER_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210';
export const PROVIDER = `arn:aws:iam::111111111111:oidc-provider/${ISSUER}`;
export const OTHER_PROVIDER = `arn:aws:iam::111111111111:oidc-provider/${OTHER_ISSUER}`;
export const SUB_KEY = `${ISSUER}:sub`;
export const AUD_KEY = `${ISSUER}:aud`;
export const ACTION = 'sts:AssumeRoleWithWebIdentity';
