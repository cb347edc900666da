/**
 * The local Kubernetes API server (scripts/kube.sh, started by the integ global setup) is a real kube-apiserver:
 * verified TLS, RBAC for the view-only and probe identities, EKS-style service-account tokens, managedFields.
 * Run: npx jest -c jest.integ.config.js test/integ/kube/kube-apiserver.integ.ts
 */
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get } from 'node:https';
import {
  jwtPayload,
  KubeAdmin,
  type KubeObject,
  kubeEnv,
  kubeRequest,
  uniqueNamespace,
} from '../../../kube/local-cluster';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/kinfra-app';
const admin = new KubeAdmin();
const namespace = uniqueNamespace('kinfra-smoke');

function items(body: unknown): KubeObject[] {
  return ((body as { items?: KubeObject[] }).items ?? []) as KubeObject[];
}

function names(body: unknown): string[] {
  return items(body).map((item) => String(item.metadata?.name));
}

beforeAll(async () => {
  await admin.createNamespace(namespace);
  await admin.createServiceAccount(namespace, 'app', { labels: { 'app.kubernetes.io/name': 'app' } });
  await admin.annotateServiceAccount(namespace, 'app', { 'eks.amazonaws.com/role-arn': ROLE_ARN });
  await admin.createPod(namespace, {
    name: 'app-0',
    serviceAccountName: 'app',
    // The spec exactly as written (test/integ/kube/pod-identity-webhook.integ.ts covers what the webhook adds).
    labels: { 'eks.amazonaws.com/skip-pod-identity-webhook': 'true' },
    containers: [
      {
        env: [
          { name: 'AWS_ROLE_ARN', value: ROLE_ARN },
          { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' },
        ],
        volumeMounts: [
          { name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true },
        ],
      },
    ],
    volumes: [
      {
        name: 'aws-iam-token',
        projected: {
          sources: [
            { serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } },
          ],
        },
      },
    ],
    securityContext: { runAsUser: 1000, fsGroup: 2000 },
  });
});

afterAll(async () => {
  await admin.cleanup();
});

describe('the local kube-apiserver', () => {
  test('serves v1.34.4 over TLS that verifies only with the local CA', async () => {
    const env = kubeEnv();
    const version = await kubeRequest('viewer', 'GET', '/version');
    expect(version.status).toBe(200);
    expect((version.body as { gitVersion: string }).gitVersion).toBe('v1.34.4');
    expect(env.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const withoutCa = await new Promise<Error>((resolve, reject) => {
      const req = get(`${env.server}/version`, { agent: false }, () =>
        reject(new Error('TLS accepted without the CA')),
      );
      req.on('error', resolve);
    });
    expect(withoutCa.message).toMatch(/self[- ]signed|unable to (verify|get)/i);
  });

  test('the viewer lists service accounts and pods; pods stay Pending with their spec as created', async () => {
    const accounts = await kubeRequest('viewer', 'GET', `/api/v1/namespaces/${namespace}/serviceaccounts`);
    expect(accounts.status).toBe(200);
    expect(names(accounts.body).sort()).toEqual(['app', 'default']);
    const everywhere = await kubeRequest('viewer', 'GET', '/api/v1/serviceaccounts?limit=500');
    expect(everywhere.status).toBe(200);
    const pods = await kubeRequest('viewer', 'GET', `/api/v1/namespaces/${namespace}/pods`);
    expect(pods.status).toBe(200);
    type Pod = { spec: { containers: { env: unknown[] }[] } & Record<string, unknown>; status: { phase: string } };
    const listed = items(pods.body) as Pod[];
    expect(listed).toHaveLength(1);
    const pod = listed[0] as Pod;
    expect(pod.status.phase).toBe('Pending');
    expect(pod.spec.serviceAccountName).toBe('app');
    expect(pod.spec.securityContext).toEqual({ runAsUser: 1000, fsGroup: 2000 });
    expect(pod.spec.containers[0]?.env).toContainEqual({ name: 'AWS_ROLE_ARN', value: ROLE_ARN });
    const webhooks = await kubeRequest(
      'viewer',
      'GET',
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    );
    expect(webhooks.status).toBe(200);
  });

  test('the viewer gets 403 on secrets and on TokenRequest; nobody gets 403 on service accounts', async () => {
    const secrets = await kubeRequest('viewer', 'GET', `/api/v1/namespaces/${namespace}/secrets`);
    expect(secrets.status).toBe(403);
    expect((await kubeRequest('viewer', 'GET', '/api/v1/secrets')).status).toBe(403);
    const tokenRequest = await kubeRequest(
      'viewer',
      'POST',
      `/api/v1/namespaces/${namespace}/serviceaccounts/app/token`,
      {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { audiences: ['sts.amazonaws.com'] },
        },
      },
    );
    expect(tokenRequest.status).toBe(403);
    expect(tokenRequest.text).toContain('serviceaccounts/token');
    const nobody = await kubeRequest('nobody', 'GET', `/api/v1/namespaces/${namespace}/serviceaccounts`);
    expect(nobody.status).toBe(403);
    expect((await kubeRequest({ token: 'not-a-token' }, 'GET', '/api/v1/pods')).status).toBe(401);
  });

  test('the prober gets an RS256 token for sts.amazonaws.com with the EKS-style issuer and the account as sub', async () => {
    const env = kubeEnv();
    const res = await kubeRequest('prober', 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/app/token`, {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: ['sts.amazonaws.com'], expirationSeconds: 3600 },
      },
    });
    expect(res.status).toBe(201);
    const token = (res.body as { status: { token: string } }).status.token;
    const claims = jwtPayload(token);
    expect(env.issuer).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(claims.iss).toBe(env.issuer);
    expect(claims.sub).toBe(`system:serviceaccount:${namespace}:app`);
    expect(claims.aud).toEqual(['sts.amazonaws.com']);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(claims['kubernetes.io']).toMatchObject({ namespace, serviceaccount: { name: 'app' } });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).alg).toBe('RS256');
    const publicKey = createPublicKey(readFileSync(env.serviceAccountPublicKeyFile));
    const signed = Buffer.from(`${header}.${payload}`);
    expect(verify('sha256', signed, publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  test('managedFields show when kubectl-annotate set the role annotation', async () => {
    const res = await kubeRequest('viewer', 'GET', `/api/v1/namespaces/${namespace}/serviceaccounts/app`);
    expect(res.status).toBe(200);
    const account = res.body as {
      metadata: {
        annotations: Record<string, string>;
        managedFields: { manager: string; operation: string; time: string; fieldsV1: unknown }[];
      };
    };
    expect(account.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(ROLE_ARN);
    const entry = account.metadata.managedFields.find((field) => field.manager === 'kubectl-annotate');
    expect(entry?.operation).toBe('Update');
    expect(entry?.fieldsV1).toEqual({
      'f:metadata': { 'f:annotations': { '.': {}, 'f:eks.amazonaws.com/role-arn': {} } },
    });
    expect(Number.isNaN(Date.parse(entry?.time ?? ''))).toBe(false);
  });

  test('a pod naming a service account that does not exist is rejected at admission, as on EKS', async () => {
    await expect(admin.createPod(namespace, { name: 'orphan', serviceAccountName: 'missing' })).rejects.toThrow(
      /serviceaccount "missing" not found/,
    );
  });
});
