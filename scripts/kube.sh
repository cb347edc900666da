#!/bin/sh
# Local Kubernetes API server (real kube-apiserver v1.34.4 + etcd + the EKS pod identity webhook) for integration
# tests and the demo. README: "The local Kubernetes API server".
#   scripts/kube.sh install   etcd from Debian when missing; kube-apiserver (kube/apiserver) and the pod identity
#                             webhook (kube/pod-identity-webhook) built with Go and cached by version in
#                             ${IRSA_DOCTOR_CACHE:-$HOME/.cache/irsa-doctor}/kube/ (once per machine: about 4 and 7
#                             minutes on 2 cores; then skipped)
#   scripts/kube.sh start     etcd + kube-apiserver on 127.0.0.1 (free ports, real TLS from a fresh CA, RBAC, an
#                             EKS-style service-account issuer, token identities admin/viewer/prober/nobody) and the
#                             webhook, registered as on EKS (IRSA_DOCTOR_KUBE_WEBHOOK=off: without it); writes
#                             .tmp/kube/env.json and .tmp/kube/*.kubeconfig; prints the server URL
#   scripts/kube.sh stop      stop them all and remove .tmp/kube (no-op when not running)
#   scripts/kube.sh env       print .tmp/kube/env.json (fails when not running)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KUBE_VERSION=v1.34.4
KUBE_MINOR=34
CACHE_ROOT="${IRSA_DOCTOR_CACHE:-$HOME/.cache/irsa-doctor}/kube"
CACHE="$CACHE_ROOT/$KUBE_VERSION"
APISERVER="$CACHE/kube-apiserver"
MODULE="$ROOT/kube/apiserver"
WEBHOOK_VERSION=$(sed -n 's/^require github.com\/aws\/amazon-eks-pod-identity-webhook \(v[^ ]*\)$/\1/p' "$ROOT/kube/pod-identity-webhook/go.mod")
WEBHOOK_CACHE="$CACHE_ROOT/pod-identity-webhook/$WEBHOOK_VERSION"
WEBHOOK="$WEBHOOK_CACHE/pod-identity-webhook"
WEBHOOK_MODULE="$ROOT/kube/pod-identity-webhook"
STATE="$ROOT/.tmp/kube"
ENV_FILE="$STATE/env.json"
ETCD_PID="$STATE/etcd.pid"
API_PID="$STATE/apiserver.pid"
START_TIMEOUT="${IRSA_DOCTOR_KUBE_START_TIMEOUT:-180}"
SERVICE_CIDR=10.100.0.0/16
WEBHOOK_REGION=us-east-1
NODE="${NODE:-node}"
HELPER="$ROOT/scripts/kube-bootstrap.cjs"

die() { echo "kube: $*" >&2; exit 1; }
say() { echo "kube: $*" >&2; }

etcd_bin() { command -v etcd 2>/dev/null || { [ -x /usr/bin/etcd ] && echo /usr/bin/etcd; } || return 1; }

apiserver_current() {
  [ -x "$APISERVER" ] && [ "$("$APISERVER" --version 2>/dev/null)" = "Kubernetes $KUBE_VERSION" ]
}

webhook_current() {
  [ -x "$WEBHOOK" ] && [ "$("$WEBHOOK" --version 2>/dev/null)" = "$WEBHOOK_VERSION" ]
}

install_etcd() {
  if etcd_bin >/dev/null; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "no etcd on PATH and no apt-get: install etcd 3.4 or newer"
  if [ "$(id -u)" = 0 ]; then as_root=""; elif sudo -n true 2>/dev/null; then as_root="sudo -n"; else
    die "no etcd on PATH: run 'apt-get install -y --no-install-recommends etcd-server' as root"
  fi
  say "installing Debian's etcd-server (once per machine)"
  export DEBIAN_FRONTEND=noninteractive
  $as_root apt-get install -y -q --no-install-recommends etcd-server >/dev/null 2>&1 ||
    { $as_root apt-get update -q >/dev/null && $as_root apt-get install -y -q --no-install-recommends etcd-server >/dev/null; } ||
    die "apt-get install etcd-server failed"
  etcd_bin >/dev/null || die "etcd-server installed but no etcd binary found"
}

# build NAME MODULE_DIR PACKAGE OUT VERSION_LINE LDFLAGS: go build into a temporary name, check that the binary prints
# VERSION_LINE for --version, then rename, so a killed or broken build never leaves a binary that looks installed.
build() {
  name=$1 module=$2 package=$3 out=$4 want=$5 ldflags=$6
  command -v go >/dev/null 2>&1 || die "Go is needed once to build $name (https://go.dev/dl, Go 1.26 or newer)"
  tmp="$out.tmp.$$"
  log="$out.build.log"
  started=$(date +%s)
  (cd "$module" && exec go build -trimpath -ldflags "$ldflags" -o "$tmp" "$package") >"$log" 2>&1 &
  build=$!
  trap 'kill "$build" 2>/dev/null; rm -f "$tmp"' INT TERM HUP
  ticks=0
  while kill -0 "$build" 2>/dev/null; do
    sleep 1
    ticks=$((ticks + 1))
    if [ $((ticks % 30)) -eq 0 ]; then say "still building $name ($(($(date +%s) - started)) s)"; fi
  done
  if ! wait "$build"; then
    rm -f "$tmp"
    cat "$log" >&2
    die "go build of $name failed (log above)"
  fi
  trap - INT TERM HUP
  [ "$("$tmp" --version 2>/dev/null)" = "$want" ] || { rm -f "$tmp"; die "built $name does not print '$want' for --version"; }
  mv -f "$tmp" "$out"
  say "built $name in $(($(date +%s) - started)) s: $out"
}

build_apiserver() {
  say "building kube-apiserver $KUBE_VERSION from kube/apiserver with $(go version 2>/dev/null | cut -d' ' -f3) (once per machine: 4 to 8 minutes on 2 cores, 2 GB memory)"
  build kube-apiserver "$MODULE" k8s.io/kubernetes/cmd/kube-apiserver "$APISERVER" "Kubernetes $KUBE_VERSION" \
    "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$KUBE_MINOR"
}

build_webhook() {
  say "building the EKS pod identity webhook $WEBHOOK_VERSION from kube/pod-identity-webhook (once per machine: 2 to 7 minutes on 2 cores)"
  build pod-identity-webhook "$WEBHOOK_MODULE" github.com/aws/amazon-eks-pod-identity-webhook "$WEBHOOK" \
    "$WEBHOOK_VERSION" "-s -w -X main.webhookVersion=$WEBHOOK_VERSION"
}

install() {
  install_etcd
  if apiserver_current && webhook_current; then return 0; fi
  mkdir -p "$CACHE" "$WEBHOOK_CACHE"
  # One build per machine even when two checkouts install at once: the second waits, then finds the binaries.
  exec 9>"$CACHE/.install.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -n 9 || { say "another install is building; waiting for it"; flock 9; }
  fi
  apiserver_current || build_apiserver
  webhook_current || build_webhook
}

# True when PID is alive and its command line names this checkout's state directory (never kill a stranger).
ours() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/cmdline" ] || return 0
  tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$STATE"
}

# stop_all PIDFILE...: SIGTERM to each of ours at once, then wait for each (SIGKILL after 15 s); removes the files.
stop_all() {
  pids=""
  for file in "$@"; do
    [ -f "$file" ] || continue
    pid=$(cat "$file")
    if ours "$pid"; then kill "$pid" 2>/dev/null || true; pids="$pids $pid"; fi
  done
  for pid in $pids; do
    i=0
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$i" -ge 150 ]; then kill -9 "$pid" 2>/dev/null || true; break; fi
      sleep 0.1
      i=$((i + 1))
    done
  done
  rm -f "$@"
}

stop() {
  stop_all "$STATE/webhook.pid" "$API_PID" "$ETCD_PID"
  rm -rf "$STATE"
}

# sign_serving NAME: a serving certificate for 127.0.0.1/localhost signed by the local CA (run inside the pki dir).
sign_serving() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
  openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 7 -extfile "$1.ext" \
    -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext" ca.srl
}

# A CA, serving certificates for the API server and the webhook signed by it, the service-account signing key pair.
make_pki() {
  pki="$STATE/pki"
  mkdir -p "$pki"
  (
    set -e
    cd "$pki"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -sha256 -days 7 -subj "/CN=irsa-doctor local kube CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
    sign_serving serving
    sign_serving webhook
    # RS256, as EKS signs its service-account tokens.
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub
  ) || die "openssl failed to make the certificates"
}

new_issuer() {
  if [ -n "${IRSA_DOCTOR_KUBE_ISSUER:-}" ]; then echo "$IRSA_DOCTOR_KUBE_ISSUER"; return; fi
  echo "https://oidc.eks.us-east-1.amazonaws.com/id/$(openssl rand -hex 16 | tr 'a-f' 'A-F')"
}

start_once() {
  ports=$("$NODE" "$HELPER" ports 3) || die "could not find free ports"
  set -- $ports
  etcd_port=$1 peer_port=$2 api_port=$3
  "$(etcd_bin)" --name irsa-doctor --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "irsa-doctor=http://127.0.0.1:$peer_port" --log-level warn --logger zap \
    </dev/null >"$STATE/etcd.log" 2>&1 &
  echo $! >"$ETCD_PID"
  pki="$STATE/pki"
  "$APISERVER" --etcd-servers "http://127.0.0.1:$etcd_port" --etcd-prefix /registry \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/serving.crt" --tls-private-key-file "$pki/serving.key" \
    --service-account-issuer "$ISSUER" --api-audiences "$API_AUDIENCES" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --token-auth-file "$STATE/tokens.csv" --authorization-mode RBAC \
    --service-cluster-ip-range "$SERVICE_CIDR" --endpoint-reconciler-type none --allow-privileged=true \
    --enable-priority-and-fairness=false --profiling=false --cert-dir "$STATE/certs" \
    </dev/null >"$STATE/apiserver.log" 2>&1 &
  echo $! >"$API_PID"
  KUBE_SERVER="https://127.0.0.1:$api_port" KUBE_CA="$pki/ca.crt" KUBE_TOKEN="$ADMIN_TOKEN" \
    KUBE_PIDS="$(cat "$ETCD_PID") $(cat "$API_PID")" KUBE_TIMEOUT="$START_TIMEOUT" \
    "$NODE" "$HELPER" wait-ready || return 1
  echo "https://127.0.0.1:$api_port"
}

# The EKS pod identity webhook, out of cluster: it watches service accounts as its own identity and mutates pods
# created after their service account's eks.amazonaws.com/role-arn annotation, registered as EKS registers it.
start_webhook() {
  ports=$("$NODE" "$HELPER" ports 2) || die "could not find free ports"
  set -- $ports
  "$WEBHOOK" --in-cluster=false --kubeconfig "$STATE/pod-identity-webhook.kubeconfig" \
    --tls-cert "$STATE/pki/webhook.crt" --tls-key "$STATE/pki/webhook.key" --port "$1" --metrics-port "$2" \
    --token-audience sts.amazonaws.com --aws-default-region "$WEBHOOK_REGION" --sts-regional-endpoint=true \
    --service-account-lookup-grace-period "${IRSA_DOCTOR_KUBE_WEBHOOK_GRACE:-5s}" \
    </dev/null >"$STATE/webhook.log" 2>&1 &
  echo $! >"$STATE/webhook.pid"
  KUBE_WEBHOOK_URL="https://127.0.0.1:$1" KUBE_PIDS="$(cat "$STATE/webhook.pid")" "$NODE" "$HELPER" webhook || {
    echo "---- $STATE/webhook.log (last 40 lines)" >&2
    tail -n 40 "$STATE/webhook.log" >&2 || true
    stop
    die "the pod identity webhook did not start"
  }
}

start() {
  if [ -f "$API_PID" ] && ours "$(cat "$API_PID")"; then die "already running ($(cat "$STATE/server" 2>/dev/null))"; fi
  apiserver_current || die "not installed; run scripts/kube.sh install"
  etcd_bin >/dev/null || die "no etcd; run scripts/kube.sh install"
  stop
  mkdir -p "$STATE"
  make_pki
  ISSUER=$(new_issuer)
  API_AUDIENCES="https://kubernetes.default.svc,sts.amazonaws.com"
  echo "$ISSUER" >"$STATE/issuer"
  ADMIN_TOKEN=$(openssl rand -hex 24)
  VIEWER_TOKEN=$(openssl rand -hex 24)
  PROBER_TOKEN=$(openssl rand -hex 24)
  NOBODY_TOKEN=$(openssl rand -hex 24)
  WEBHOOK_TOKEN=$(openssl rand -hex 24)
  {
    echo "$ADMIN_TOKEN,admin,uid-admin,\"system:masters\""
    echo "$VIEWER_TOKEN,viewer,uid-viewer"
    echo "$PROBER_TOKEN,prober,uid-prober"
    echo "$NOBODY_TOKEN,nobody,uid-nobody"
    echo "$WEBHOOK_TOKEN,pod-identity-webhook,uid-pod-identity-webhook"
  } >"$STATE/tokens.csv"
  chmod 600 "$STATE/tokens.csv"
  # A port found free can be taken before etcd or the API server binds it: try again on fresh ports.
  attempt=1
  until server=$(start_once); do
    for log in etcd apiserver; do
      echo "---- $STATE/$log.log (last 40 lines)" >&2
      tail -n 40 "$STATE/$log.log" >&2 || true
    done
    stop_all "$API_PID" "$ETCD_PID"
    rm -rf "$STATE/etcd"
    [ "$attempt" -lt 3 ] || die "kube-apiserver did not become ready (3 attempts; logs above)"
    attempt=$((attempt + 1))
    say "retrying start (attempt $attempt)"
  done
  echo "$server" >"$STATE/server"
  export KUBE_SERVER="$server" KUBE_CA="$STATE/pki/ca.crt" KUBE_STATE="$STATE" KUBE_ISSUER="$ISSUER" \
    KUBE_API_AUDIENCES="$API_AUDIENCES" KUBE_VERSION="$KUBE_VERSION" KUBE_SERVICE_CIDR="$SERVICE_CIDR" \
    KUBE_TOKENS="admin=$ADMIN_TOKEN viewer=$VIEWER_TOKEN prober=$PROBER_TOKEN nobody=$NOBODY_TOKEN" \
    KUBE_WEBHOOK_TOKEN="$WEBHOOK_TOKEN" KUBE_TOKEN="$ADMIN_TOKEN" \
    KUBE_ETCD_PID="$(cat "$ETCD_PID")" KUBE_APISERVER_PID="$(cat "$API_PID")"
  "$NODE" "$HELPER" rbac || { stop; die "RBAC bootstrap failed"; }
  if [ "${IRSA_DOCTOR_KUBE_WEBHOOK:-on}" != off ]; then
    [ -x "$WEBHOOK" ] || { stop; die "no pod identity webhook; run scripts/kube.sh install"; }
    start_webhook
    export KUBE_WEBHOOK_PID="$(cat "$STATE/webhook.pid")" KUBE_WEBHOOK_VERSION="$WEBHOOK_VERSION" \
      KUBE_WEBHOOK_REGION="$WEBHOOK_REGION"
  fi
  "$NODE" "$HELPER" env || { stop; die "writing env.json failed"; }
  echo "$server"
}

env_json() {
  [ -f "$ENV_FILE" ] && [ -f "$API_PID" ] && ours "$(cat "$API_PID")" || die "not running; run scripts/kube.sh start"
  cat "$ENV_FILE"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) env_json ;;
  *) die "usage: scripts/kube.sh install|start|stop|env" ;;
esac
