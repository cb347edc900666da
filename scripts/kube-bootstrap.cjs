// The parts of scripts/kube.sh that speak HTTP or write JSON (plain Node, no dependencies):
//   node scripts/kube-bootstrap.cjs ports N     print N free TCP ports on 127.0.0.1
//   node scripts/kube-bootstrap.cjs wait-ready  poll KUBE_SERVER/readyz (CA KUBE_CA, bearer KUBE_TOKEN) until it answers
//                                               200, the processes in KUBE_PIDS die, or KUBE_TIMEOUT seconds pass
//   node scripts/kube-bootstrap.cjs rbac        RBAC for the viewer, prober and webhook identities; the kubeconfigs
//   node scripts/kube-bootstrap.cjs webhook     wait for the pod identity webhook at KUBE_WEBHOOK_URL, then register it
//                                               as a MutatingWebhookConfiguration, as EKS does
//   node scripts/kube-bootstrap.cjs env         write env.json
const https = require('node:https');
const net = require('node:net');
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

function fail(message) {
  process.stderr.write(`kube-bootstrap: ${message}\n`);
  process.exit(1);
}

function need(name) {
  const value = process.env[name];
  if (!value) fail(`${name} is not set`);
  return value;
}

async function freePorts(count) {
  const servers = [];
  for (let i = 0; i < count; i++) {
    const server = net.createServer();
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    servers.push(server);
  }
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** One HTTPS request to the API server with real TLS verification against the local CA. */
function request(method, path, body, base = need('KUBE_SERVER')) {
  const server = new URL(base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: server.hostname,
        port: server.port,
        path,
        method,
        ca: readFileSync(need('KUBE_CA')),
        agent: false,
        timeout: 10000,
        headers: {
          authorization: `Bearer ${need('KUBE_TOKEN')}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls base+path until 200, while the processes in KUBE_PIDS live, for at most KUBE_TIMEOUT seconds. */
async function waitFor(path, base) {
  const pids = need('KUBE_PIDS').split(/\s+/).filter(Boolean).map(Number);
  const timeoutMs = Number(process.env.KUBE_TIMEOUT || '180') * 1000;
  const started = Date.now();
  let last = 'no answer yet';
  for (;;) {
    const dead = pids.filter((pid) => !alive(pid));
    if (dead.length > 0) fail(`process ${dead.join(', ')} exited before ${path} answered 200 (${last})`);
    try {
      const res = await request('GET', path, undefined, base);
      if (res.status === 200) return;
      const failed = res.body.split('\n').filter((line) => line.includes('failed'));
      last = `${path} ${res.status}: ${failed.join('; ')}`;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() - started > timeoutMs) fail(`${path} not 200 within ${timeoutMs / 1000}s (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const VIEW_ROLE = 'irsa-doctor-view';
const PROBE_ROLE = 'irsa-doctor-probe';
const WEBHOOK_ROLE = 'irsa-doctor-pod-identity-webhook';
const WEBHOOK_USER = 'pod-identity-webhook';
const WEBHOOK_CONFIG = 'pod-identity-webhook';

function rbacObjects() {
  const read = ['get', 'list', 'watch'];
  const role = (name, rules) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name },
    rules,
  });
  const binding = (name, user) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  });
  return [
    role(VIEW_ROLE, [
      { apiGroups: [''], resources: ['serviceaccounts', 'pods'], verbs: read },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: read },
    ]),
    binding(VIEW_ROLE, 'viewer'),
    role(PROBE_ROLE, [
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] },
      { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
    ]),
    binding(PROBE_ROLE, 'prober'),
    role(WEBHOOK_ROLE, [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: read }]),
    binding(WEBHOOK_ROLE, WEBHOOK_USER),
  ];
}

function yamlString(value) {
  return JSON.stringify(value);
}

const CLUSTER = 'irsa-doctor-local';

function kubeconfig(server, caData, entries, current) {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${CLUSTER}`,
    '  cluster:',
    `    server: ${yamlString(server)}`,
    `    certificate-authority-data: ${caData}`,
    'users:',
  ];
  for (const { name, token } of entries) lines.push(`- name: ${name}`, '  user:', `    token: ${yamlString(token)}`);
  lines.push('contexts:');
  for (const { name } of entries) {
    lines.push(`- name: ${CLUSTER}-${name}`, '  context:', `    cluster: ${CLUSTER}`, `    user: ${name}`);
  }
  lines.push(`current-context: ${CLUSTER}-${current}`, '');
  return lines.join('\n');
}

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function tokens() {
  return Object.fromEntries(
    need('KUBE_TOKENS')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split('=')),
  );
}

async function rbac() {
  const state = need('KUBE_STATE');
  const server = need('KUBE_SERVER');
  for (const object of rbacObjects()) {
    const plural = object.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings';
    const res = await request('POST', `/apis/rbac.authorization.k8s.io/v1/${plural}`, object);
    if (res.status !== 201) fail(`creating ${object.kind} ${object.metadata.name}: ${res.status} ${res.body}`);
  }
  const caData = readFileSync(need('KUBE_CA')).toString('base64');
  const entries = Object.entries(tokens()).map(([name, token]) => ({ name, token }));
  for (const entry of entries) {
    writeAtomic(join(state, `${entry.name}.kubeconfig`), kubeconfig(server, caData, [entry], entry.name));
  }
  writeAtomic(join(state, 'kubeconfig'), kubeconfig(server, caData, entries, 'viewer'));
  const webhook = { name: WEBHOOK_USER, token: need('KUBE_WEBHOOK_TOKEN') };
  writeAtomic(join(state, `${WEBHOOK_USER}.kubeconfig`), kubeconfig(server, caData, [webhook], WEBHOOK_USER));
}

/** The webhook as the EKS control plane registers it (name, selector, failure policy, review version). */
function webhookConfiguration(url) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: WEBHOOK_CONFIG },
    webhooks: [
      {
        name: 'iam-for-pods.amazonaws.com',
        clientConfig: { url: `${url}/mutate`, caBundle: readFileSync(need('KUBE_CA')).toString('base64') },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' }],
        failurePolicy: 'Ignore',
        matchPolicy: 'Equivalent',
        objectSelector: {
          matchExpressions: [{ key: 'eks.amazonaws.com/skip-pod-identity-webhook', operator: 'DoesNotExist' }],
        },
        reinvocationPolicy: 'IfNeeded',
        sideEffects: 'None',
        timeoutSeconds: 10,
        admissionReviewVersions: ['v1beta1'],
      },
    ],
  };
}

async function webhook() {
  const url = need('KUBE_WEBHOOK_URL');
  await waitFor('/healthz', url);
  const res = await request(
    'POST',
    '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    webhookConfiguration(url),
  );
  if (res.status !== 201) fail(`registering the webhook: ${res.status} ${res.body}`);
  writeAtomic(join(need('KUBE_STATE'), 'webhook.url'), `${url}\n`);
}

function envJson() {
  const state = need('KUBE_STATE');
  const identities = {};
  for (const [name, token] of Object.entries(tokens())) {
    identities[name] = { user: name, token, kubeconfig: join(state, `${name}.kubeconfig`) };
  }
  const pids = { etcd: Number(need('KUBE_ETCD_PID')), apiserver: Number(need('KUBE_APISERVER_PID')) };
  const logs = { etcd: join(state, 'etcd.log'), apiserver: join(state, 'apiserver.log') };
  let podIdentityWebhook = null;
  if (process.env.KUBE_WEBHOOK_PID) {
    pids.podIdentityWebhook = Number(process.env.KUBE_WEBHOOK_PID);
    logs.podIdentityWebhook = join(state, 'webhook.log');
    podIdentityWebhook = {
      version: need('KUBE_WEBHOOK_VERSION'),
      url: readFileSync(join(state, 'webhook.url'), 'utf8').trim(),
      configuration: WEBHOOK_CONFIG,
      region: need('KUBE_WEBHOOK_REGION'),
      user: WEBHOOK_USER,
      kubeconfig: join(state, `${WEBHOOK_USER}.kubeconfig`),
    };
  }
  const env = {
    server: need('KUBE_SERVER'),
    caFile: need('KUBE_CA'),
    version: need('KUBE_VERSION'),
    issuer: need('KUBE_ISSUER'),
    apiAudiences: need('KUBE_API_AUDIENCES').split(','),
    serviceClusterIpRange: need('KUBE_SERVICE_CIDR'),
    serviceAccountPublicKeyFile: join(state, 'pki', 'sa.pub'),
    cluster: CLUSTER,
    identities,
    kubeconfig: join(state, 'kubeconfig'),
    roles: { viewer: VIEW_ROLE, prober: PROBE_ROLE },
    podIdentityWebhook,
    pids,
    logs,
  };
  writeAtomic(join(state, 'env.json'), `${JSON.stringify(env, null, 2)}\n`);
}

async function main() {
  const [command, arg] = process.argv.slice(2);
  if (command === 'ports') process.stdout.write(`${(await freePorts(Number(arg || '1'))).join(' ')}\n`);
  else if (command === 'wait-ready') await waitFor('/readyz', need('KUBE_SERVER'));
  else if (command === 'rbac') await rbac();
  else if (command === 'webhook') await webhook();
  else if (command === 'env') envJson();
  else fail('usage: kube-bootstrap.cjs ports N | wait-ready | rbac | webhook | env');
}

main().catch((error) => fail(error.stack || String(error)));
