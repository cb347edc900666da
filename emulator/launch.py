"""Local AWS emulator for integration tests: moto server (pinned) plus patches for its known gaps.

Every moto internal touched below is asserted to exist first, so a moto upgrade fails loudly here
instead of silently serving unpatched behaviour. Usage:

    python emulator/launch.py [--port 0] [--pid-file PATH]

Prints `READY <port>` on stdout once the server is listening on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import os
import re
import signal
import sys
import threading
from typing import Any
from urllib import parse

PINNED_MOTO = "5.2.5"


def _changed(what: str) -> SystemExit:
    import moto

    return SystemExit(
        f"moto {getattr(moto, '__version__', '?')} changed: {what} is missing; re-check emulator/launch.py patches"
    )


def _require(obj: Any, *names: str) -> None:
    for name in names:
        if not hasattr(obj, name):
            raise _changed(f"{getattr(obj, '__name__', obj)}.{name}")


def _require_params(func: Any, *params: str) -> inspect.Signature:
    sig = inspect.signature(func)
    for param in params:
        if param not in sig.parameters:
            raise _changed(f"parameter '{param}' of {func.__qualname__}")
    return sig


# ---------------------------------------------------------------------------------------------
# Checks: everything patched or used below must exist in the pinned moto.
# ---------------------------------------------------------------------------------------------

import moto  # noqa: E402

if getattr(moto, "__version__", None) != PINNED_MOTO:
    raise SystemExit(
        f"moto {getattr(moto, '__version__', '?')} changed: version {PINNED_MOTO} is missing (pinned in "
        "emulator/requirements.txt); re-check emulator/launch.py patches"
    )

import moto.eks.models as eks_models  # noqa: E402
import moto.iam.exceptions as iam_exceptions  # noqa: E402
import moto.iam.models as iam_models  # noqa: E402
import moto.iam.responses as iam_responses  # noqa: E402
import moto.server as moto_server  # noqa: E402
from moto.core import responses as core_responses  # noqa: E402
from moto.core import utils as core_utils  # noqa: E402
from moto.moto_api._internal import mock_random  # noqa: E402

_require(eks_models, "ISSUER_TEMPLATE", "Cluster")
_cluster_sig = _require_params(eks_models.Cluster.__init__, "region_name")
_require(iam_models, "IAMBackend", "OpenIDConnectProvider")
_require(
    iam_models.IAMBackend,
    "get_open_id_connect_provider",
    "create_open_id_connect_provider",
    "update_open_id_connect_provider_thumbprint",
    "create_role",
    "update_assume_role_policy",
)
_require_params(iam_models.OpenIDConnectProvider.__init__, "client_id_list")
_create_oidc_sig = _require_params(
    iam_models.IAMBackend.create_open_id_connect_provider, "url", "thumbprint_list"
)
_update_thumb_sig = _require_params(
    iam_models.IAMBackend.update_open_id_connect_provider_thumbprint, "thumbprint_list"
)
_create_role_sig = _require_params(iam_models.IAMBackend.create_role, "assume_role_policy_document")
_update_arp_sig = _require_params(iam_models.IAMBackend.update_assume_role_policy, "policy_document")
_require(iam_responses, "IamResponse")
_require(
    iam_responses.IamResponse,
    "_get_param",
    "backend",
    "create_open_id_connect_provider",
    "update_open_id_connect_provider_thumbprint",
)
_require(
    iam_exceptions,
    "NotFoundException",
    "MalformedPolicyDocument",
    "LimitExceededException",
    "ValidationError",
    "InvalidInput",
)
_require(core_responses, "EmptyResult")
_require(core_utils, "camelcase_to_underscores")
_require(moto_server, "ThreadedMotoServer")
_require(mock_random, "uuid4")

# moto dispatches a query action to the IamResponse method named camelcase_to_underscores(Action).
_NEW_ACTIONS = {
    "AddClientIDToOpenIDConnectProvider": "add_client_id_to_open_id_connect_provider",
    "RemoveClientIDFromOpenIDConnectProvider": "remove_client_id_from_open_id_connect_provider",
}
for _action, _method in _NEW_ACTIONS.items():
    if core_utils.camelcase_to_underscores(_action) != _method:
        raise _changed(f"dispatch of {_action} to IamResponse.{_method}")
    if hasattr(iam_responses.IamResponse, _method) or hasattr(iam_models.IAMBackend, _method):
        raise SystemExit(
            f"moto {moto.__version__} changed: {_method} now exists upstream; "
            "re-check emulator/launch.py patches (drop ours if upstream is correct)"
        )

# ---------------------------------------------------------------------------------------------
# Patch a: a unique, AWS-shaped OIDC issuer per EKS cluster.
# ---------------------------------------------------------------------------------------------

_orig_cluster_init = eks_models.Cluster.__init__


@functools.wraps(_orig_cluster_init)
def _cluster_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _orig_cluster_init(self, *args, **kwargs)
    region = _cluster_sig.bind(self, *args, **kwargs).arguments["region_name"]
    issuer_id = mock_random.uuid4().hex.upper()
    self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{issuer_id}"}}


eks_models.Cluster.__init__ = _cluster_init  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Patch b: AddClientIDToOpenIDConnectProvider / RemoveClientIDFromOpenIDConnectProvider.
# ---------------------------------------------------------------------------------------------


def _validate_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= 255:
        raise iam_exceptions.ValidationError(
            f'1 validation error detected: Value "{client_id}" at "clientID" failed to satisfy constraint: '
            "Member must have length less than or equal to 255, Member must have length greater than or equal to 1"
        )
    return client_id


def _add_client_id(self: Any, arn: str, client_id: str) -> None:
    provider = self.get_open_id_connect_provider(arn)  # NoSuchEntity for an unknown provider
    _validate_client_id(client_id)
    if client_id in provider.client_id_list:
        return
    if len(provider.client_id_list) >= 100:
        raise iam_exceptions.LimitExceededException("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
    provider.client_id_list.append(client_id)


def _remove_client_id(self: Any, arn: str, client_id: str) -> None:
    provider = self.get_open_id_connect_provider(arn)
    _validate_client_id(client_id)
    provider.client_id_list = [c for c in provider.client_id_list if c != client_id]


def _resp_add_client_id(self: Any) -> Any:
    self.backend.add_client_id_to_open_id_connect_provider(
        self._get_param("OpenIDConnectProviderArn"), self._get_param("ClientID")
    )
    return core_responses.EmptyResult()


def _resp_remove_client_id(self: Any) -> Any:
    self.backend.remove_client_id_from_open_id_connect_provider(
        self._get_param("OpenIDConnectProviderArn"), self._get_param("ClientID")
    )
    return core_responses.EmptyResult()


iam_models.IAMBackend.add_client_id_to_open_id_connect_provider = _add_client_id  # type: ignore[attr-defined]
iam_models.IAMBackend.remove_client_id_from_open_id_connect_provider = _remove_client_id  # type: ignore[attr-defined]
iam_responses.IamResponse.add_client_id_to_open_id_connect_provider = _resp_add_client_id  # type: ignore[attr-defined]
iam_responses.IamResponse.remove_client_id_from_open_id_connect_provider = _resp_remove_client_id  # type: ignore[attr-defined]

# ---------------------------------------------------------------------------------------------
# Patch c: AWS-like OIDC provider input checks (IAM API reference, CreateOpenIDConnectProvider:
# "The URL must begin with https:// ... query parameters are not [allowed] ... should not contain a
# port number"; a thumbprint "is always a 40-character string" (hex SHA-1); "up to five thumbprints").
# ---------------------------------------------------------------------------------------------

_THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")


def _validate_thumbprints(thumbprints: Any) -> None:
    thumbprints = list(thumbprints or [])
    bad = [t for t in thumbprints if not isinstance(t, str) or not _THUMBPRINT.match(t)]
    if bad:
        raise iam_exceptions.ValidationError(
            f'1 validation error detected: Value "{bad}" at "thumbprintList" failed to satisfy constraint: '
            "Member must satisfy constraint: [Member must be a 40-character hexadecimal string]"
        )
    if len(thumbprints) > 5:
        raise iam_exceptions.InvalidInput("Thumbprint list must contain fewer than 5 entries.")


def _validate_provider_url(url: Any) -> None:
    if not isinstance(url, str) or not url.startswith("https://"):
        raise iam_exceptions.ValidationError("Invalid Open ID Connect Provider URL: the URL must begin with https://")
    parsed = parse.urlparse(url)
    if not parsed.hostname:
        raise iam_exceptions.ValidationError("Invalid Open ID Connect Provider URL")
    if parsed.query or parsed.fragment or "?" in url or "#" in url:
        raise iam_exceptions.ValidationError(
            "Invalid Open ID Connect Provider URL: query parameters are not allowed"
        )
    if parsed.port is not None or parsed.netloc.endswith(":"):
        raise iam_exceptions.ValidationError("Invalid Open ID Connect Provider URL: the URL must not contain a port")


_orig_create_oidc = iam_models.IAMBackend.create_open_id_connect_provider


@functools.wraps(_orig_create_oidc)
def _create_oidc(self: Any, *args: Any, **kwargs: Any) -> Any:
    bound = _create_oidc_sig.bind(self, *args, **kwargs).arguments
    _validate_provider_url(bound["url"])
    _validate_thumbprints(bound["thumbprint_list"])
    return _orig_create_oidc(self, *args, **kwargs)


_orig_update_thumb = iam_models.IAMBackend.update_open_id_connect_provider_thumbprint


@functools.wraps(_orig_update_thumb)
def _update_thumb(self: Any, *args: Any, **kwargs: Any) -> Any:
    _validate_thumbprints(_update_thumb_sig.bind(self, *args, **kwargs).arguments["thumbprint_list"])
    return _orig_update_thumb(self, *args, **kwargs)


iam_models.IAMBackend.create_open_id_connect_provider = _create_oidc  # type: ignore[method-assign]
iam_models.IAMBackend.update_open_id_connect_provider_thumbprint = _update_thumb  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Patch d: trust policies on CreateRole / UpdateAssumeRolePolicy must be JSON and, with whitespace
# removed, at most 2048 characters (IAM quota ACLSizePerRole).
# ---------------------------------------------------------------------------------------------

TRUST_POLICY_MAX = 2048


def _validate_trust_policy(document: Any) -> None:
    try:
        json.loads(document)
    except (TypeError, ValueError):
        raise iam_exceptions.MalformedPolicyDocument("This policy contains invalid Json") from None
    if len(re.sub(r"\s", "", document)) > TRUST_POLICY_MAX:
        raise iam_exceptions.LimitExceededException(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_MAX}")


_orig_create_role = iam_models.IAMBackend.create_role


@functools.wraps(_orig_create_role)
def _create_role(self: Any, *args: Any, **kwargs: Any) -> Any:
    _validate_trust_policy(_create_role_sig.bind(self, *args, **kwargs).arguments["assume_role_policy_document"])
    return _orig_create_role(self, *args, **kwargs)


_orig_update_arp = iam_models.IAMBackend.update_assume_role_policy


@functools.wraps(_orig_update_arp)
def _update_arp(self: Any, *args: Any, **kwargs: Any) -> Any:
    _validate_trust_policy(_update_arp_sig.bind(self, *args, **kwargs).arguments["policy_document"])
    return _orig_update_arp(self, *args, **kwargs)


iam_models.IAMBackend.create_role = _create_role  # type: ignore[method-assign]
iam_models.IAMBackend.update_assume_role_policy = _update_arp  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Serve.
# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--pid-file", help="write this process's PID here")
    args = parser.parse_args()

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()

    stop = threading.Event()

    def _on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    if args.pid_file:
        with open(args.pid_file, "w", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
    print(f"READY {port}", flush=True)

    while not stop.wait(1.0):
        pass
    server.stop()
    if args.pid_file and os.path.exists(args.pid_file):
        os.remove(args.pid_file)
    sys.exit(0)


if __name__ == "__main__":
    main()
