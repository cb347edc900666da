/**
 * The console's user pool, locally: a Cognito user pool in the emulator with the approvers group, an app client
 * that allows USER_PASSWORD_AUTH (as the hub stack's does), and the users asked for. The emulator signs real RS256
 * ID tokens and serves the pool's JWKS, so the local console server verifies tokens as API Gateway's JWT authorizer
 * would.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_REGION } from './synthesized-definition';

export interface LocalUser {
  readonly username: string;
  readonly password: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

export interface LocalUserPool {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly region: string;
  /** Signs a user in (USER_PASSWORD_AUTH) and returns the ID token, as the console page does. */
  signIn(username: string, password: string): Promise<string>;
}

export async function createLocalUserPool(
  endpoint: string,
  options: { readonly name: string; readonly approversGroup: string; readonly users: readonly LocalUser[] },
): Promise<LocalUserPool> {
  const cognito = new CognitoIdentityProviderClient({ endpoint, region: LOCAL_REGION });
  const pool = await cognito.send(
    new CreateUserPoolCommand({ PoolName: options.name, AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new Error('the emulator created a user pool without an id');
  const client = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: `${options.name}-console`,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
    }),
  );
  const clientId = client.UserPoolClient?.ClientId;
  if (!clientId) throw new Error('the emulator created an app client without an id');
  const groups = new Set(options.users.flatMap((u) => u.groups));
  groups.add(options.approversGroup);
  for (const group of groups) await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  for (const user of options.users) {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        MessageAction: 'SUPPRESS',
        ...(user.email ? { UserAttributes: [{ Name: 'email', Value: user.email }] } : {}),
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        Password: user.password,
        Permanent: true,
      }),
    );
    for (const group of user.groups) {
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
      );
    }
  }
  return {
    userPoolId,
    clientId,
    region: LOCAL_REGION,
    async signIn(username, password) {
      const out = await cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: username, PASSWORD: password },
        }),
      );
      const token = out.AuthenticationResult?.IdToken;
      if (!token)
        throw new Error(`signing in ${username} returned no ID token (challenge ${out.ChallengeName ?? 'none'})`);
      return token;
    },
  };
}
