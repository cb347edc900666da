"""Local AWS emulator for integration tests: moto server (pinned) plus patches for its known gaps.

Every moto internal touched below is asserted to exist first, so a moto upgrade fails loudly here
instead of silently serving unpatched behaviour. Usage:

    python emulator/launch.py [--port 0] [--pid-file PATH]

Prints `READY <port>` on stdout once the server is listening on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime
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
import moto.eks.exceptions as eks_exceptions  # noqa: E402
import moto.eks.responses as eks_responses  # noqa: E402
import moto.eks.urls as eks_urls  # noqa: E402
import moto.server as moto_server  # noqa: E402
import moto.sts.responses as sts_responses  # noqa: E402
import moto.utilities.utils as moto_utils  # noqa: E402
from moto.core import exceptions as core_exceptions  # noqa: E402
from moto.core import responses as core_responses  # noqa: E402
from moto.core import config as moto_config  # noqa: E402
from moto.core import utils as core_utils  # noqa: E402
from moto.moto_api._internal import mock_random  # noqa: E402

_require(moto_config, "default_user_config")
if "execute_state_machine" not in moto_config.default_user_config.get("stepfunctions", {}):
    raise _changed("default_user_config['stepfunctions']['execute_state_machine']")
_require(eks_models, "ISSUER_TEMPLATE", "Cluster")
_cluster_sig = _require_params(eks_models.Cluster.__init__, "region_name", "tags")
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
_require(core_responses, "EmptyResult", "ActionResult")
_require(core_exceptions, "AccessDeniedError")
_require(sts_responses, "TokenResponse")
_require(sts_responses.TokenResponse, "assume_role", "_get_param", "get_current_account")
_require(iam_models, "iam_backends")
_require(iam_models.IAMBackend, "get_role_by_arn", "get_account_authorization_details")
_require(iam_responses.IamResponse, "get_account_authorization_details", "_get_int_param")
_require(eks_urls, "url_paths", "url_bases")
_require(eks_responses, "EKSResponse")
_require(eks_responses.EKSResponse, "eks_backend", "_get_param", "_get_int_param", "dispatch")
_require(eks_models.EKSBackend, "describe_cluster")
_require(eks_exceptions, "ResourceNotFoundException", "InvalidParameterException", "ResourceInUseException")
_require(core_utils, "camelcase_to_underscores")
_require(moto_server, "ThreadedMotoServer")
_require(mock_random, "uuid4")
_require(moto_utils, "get_partition")
# Partitions: moto names ARNs by the partition of the signing region (cn-* aws-cn, us-gov-* aws-us-gov); the
# patches below build theirs from the cluster's ARN the same way and give issuers the partition's DNS suffix.
for _region, _partition in (("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("us-east-1", "aws")):
    if moto_utils.get_partition(_region) != _partition:
        raise _changed(f"get_partition({_region!r}) == {_partition!r}")

_EKS_NEW = (
    "create_addon",
    "describe_addon",
    "list_addons",
    "delete_addon",
    "describe_addon_configuration",
    "create_pod_identity_association",
    "describe_pod_identity_association",
    "list_pod_identity_associations",
    "delete_pod_identity_association",
)
for _method in _EKS_NEW:
    if hasattr(eks_responses.EKSResponse, _method):
        raise SystemExit(
            f"moto {moto.__version__} changed: EKSResponse.{_method} now exists upstream; "
            "re-check emulator/launch.py patches (drop ours if upstream is correct)"
        )

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
# Patch a: a unique, AWS-shaped OIDC issuer per EKS cluster (or the one its tag "emulator:oidc-issuer" names).
# ---------------------------------------------------------------------------------------------

ISSUER_TAG = "emulator:oidc-issuer"


def _dns_suffix(region: str) -> str:
    """The partition's DNS suffix: China's endpoints (and EKS issuers) are under amazonaws.com.cn."""
    return "amazonaws.com.cn" if moto_utils.get_partition(region) == "aws-cn" else "amazonaws.com"


def _arn_partition(arn: str) -> str:
    return arn.split(":")[1]

_orig_cluster_init = eks_models.Cluster.__init__


@functools.wraps(_orig_cluster_init)
def _cluster_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _orig_cluster_init(self, *args, **kwargs)
    bound = _cluster_sig.bind(self, *args, **kwargs).arguments
    region = bound["region_name"]
    issuer_id = mock_random.uuid4().hex.upper()
    self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.{_dns_suffix(region)}/id/{issuer_id}"}}
    # A test whose cluster is a real local kube-apiserver pins the issuer to the server's with this tag.
    pinned = (bound.get("tags") or {}).get(ISSUER_TAG)
    if isinstance(pinned, str) and pinned.startswith("https://"):
        self.identity = {"oidc": {"issuer": pinned}}


eks_models.Cluster.__init__ = _cluster_init  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Patch a2: a new cluster is CREATING for a while, as in EKS (moto makes it ACTIVE at once). A test sets how long
# with the tag "emulator:describes-until-active" = N: the first N DescribeCluster calls answer CREATING.
# ---------------------------------------------------------------------------------------------

CREATING_TAG = "emulator:describes-until-active"
_orig_describe_cluster = eks_models.EKSBackend.describe_cluster


@functools.wraps(_orig_describe_cluster)
def _describe_cluster(self: Any, *args: Any, **kwargs: Any) -> Any:
    cluster = _orig_describe_cluster(self, *args, **kwargs)
    remaining = getattr(cluster, "_irsa_doctor_creating", None)
    if remaining is None:
        tags = getattr(cluster, "tags", None) or {}
        raw = tags.get(CREATING_TAG)
        remaining = int(raw) if isinstance(raw, str) and raw.isdigit() else 0
    if remaining > 0:
        cluster.status = "CREATING"
        cluster._irsa_doctor_creating = remaining - 1
    else:
        cluster.status = "ACTIVE"
        cluster._irsa_doctor_creating = 0
    return cluster


eks_models.EKSBackend.describe_cluster = _describe_cluster  # type: ignore[method-assign]

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
# Patch e: STS AssumeRole into a role that does not exist is refused, as in AWS (moto hands out
# credentials for any role ARN, so an account without the scanner role could not be told apart).
# When the role's trust policy requires sts:ExternalId, the request must carry that value.
# ---------------------------------------------------------------------------------------------

_ROLE_ARN = re.compile(r"^arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):role/.+$")
_orig_assume_role = sts_responses.TokenResponse.assume_role


def _required_external_ids(document: str) -> list[str]:
    try:
        policy = json.loads(parse.unquote(document) if not document.lstrip().startswith("{") else document)
    except ValueError:
        return []
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    wanted: list[str] = []
    for st in statements:
        for operator, block in (st.get("Condition") or {}).items():
            if operator.lower() != "stringequals" or not isinstance(block, dict):
                continue
            for key, value in block.items():
                if key.lower() == "sts:externalid":
                    wanted.extend(value if isinstance(value, list) else [value])
    return wanted


@functools.wraps(_orig_assume_role)
def _assume_role(self: Any) -> Any:
    role_arn = self._get_param("RoleArn") or ""
    denied = core_exceptions.AccessDeniedError(
        user_arn=f"arn:{self.partition}:iam::{self.current_account}:user/emulator-caller",
        action=f"sts:AssumeRole on resource: {role_arn}",
    )
    match = _ROLE_ARN.match(role_arn)
    if not match:
        raise denied
    try:
        role = iam_models.iam_backends[match["account"]][match["partition"]].get_role_by_arn(role_arn)
    except iam_exceptions.NotFoundException:
        raise denied from None
    wanted = _required_external_ids(role.assume_role_policy_document)
    if wanted and self._get_param("ExternalId") not in wanted:
        raise denied
    return _orig_assume_role(self)


sts_responses.TokenResponse.assume_role = _assume_role  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Patch f: GetAccountAuthorizationDetails honours MaxItems (default 100, at most 1000) and Marker,
# as IAM does; moto returns everything in one page, which would hide the pagination cost.
# ---------------------------------------------------------------------------------------------

_GAAD_KINDS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def _gaad(self: Any) -> Any:
    filter_param = self._get_param("Filter", [])
    max_items = self._get_int_param("MaxItems", 100)
    if not 1 <= max_items <= 1000:
        raise iam_exceptions.ValidationError(
            f"1 validation error detected: Value '{max_items}' at 'maxItems' failed to satisfy constraint: "
            "Member must have value less than or equal to 1000"
        )
    marker = self._get_param("Marker")
    start = int(marker) if marker and marker.isdigit() else 0
    details = self.backend.get_account_authorization_details(filter_param)
    everything = [
        (kind, item)
        for kind, key in zip(_GAAD_KINDS, ("users", "groups", "roles", "managed_policies"))
        for item in details[key]
    ]
    page = everything[start : start + max_items]
    result: dict[str, Any] = {kind: [item for k, item in page if k == kind] for kind in _GAAD_KINDS}
    truncated = start + max_items < len(everything)
    result["IsTruncated"] = truncated
    if truncated:
        result["Marker"] = str(start + max_items)
    return core_responses.ActionResult(result)


iam_responses.IamResponse.get_account_authorization_details = _gaad  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Patch g: EKS add-ons (Create/Describe/List/DeleteAddon, DescribeAddonConfiguration) and Pod Identity
# associations (Create/Describe/List/DeletePodIdentityAssociation), absent from moto 5.2.5. Shapes follow the
# EKS API reference; the add-on catalogue below is the part of DescribeAddonConfiguration that matters here
# (which service accounts an add-on runs as), from the EKS user guide's add-on pages.
# ---------------------------------------------------------------------------------------------

_ADDON_SERVICE_ACCOUNTS = {
    "vpc-cni": [("aws-node", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy")],
    "aws-ebs-csi-driver": [("ebs-csi-controller-sa", "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy")],
    "aws-efs-csi-driver": [("efs-csi-controller-sa", "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy")],
    "aws-mountpoint-s3-csi-driver": [("s3-csi-driver-sa", None)],
    "amazon-cloudwatch-observability": [("cloudwatch-agent", "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")],
    "coredns": [],
    "kube-proxy": [],
    "eks-pod-identity-agent": [],
}


def _eks_state(backend: Any) -> dict[str, dict[str, dict[str, Any]]]:
    state = getattr(backend, "_irsa_doctor_state", None)
    if state is None:
        state = {"addons": {}, "associations": {}}
        backend._irsa_doctor_state = state
    return state


def _cluster(self: Any) -> Any:
    return self.eks_backend.describe_cluster(name=self._get_param("name"))  # ResourceNotFoundException


def _not_found(message: str, **names: Any) -> Exception:
    return eks_exceptions.ResourceNotFoundException(
        clusterName=names.get("clusterName"),
        nodegroupName=None,
        fargateProfileName=None,
        addonName=names.get("addonName"),
        message=message,
    )


def _page(items: list[Any], self: Any) -> tuple[list[Any], str | None]:
    max_results = self._get_int_param("maxResults", 100)
    token = self._get_param("nextToken")
    start = int(token) if token and str(token).isdigit() else 0
    end = start + max_results
    return items[start:end], (str(end) if end < len(items) else None)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _new_association(self: Any, cluster: Any, spec: dict[str, Any], owner: str | None) -> dict[str, Any]:
    for key in ("namespace", "serviceAccount", "roleArn"):
        if not spec.get(key):
            raise eks_exceptions.InvalidParameterException(
                clusterName=cluster.name, nodegroupName=None, fargateProfileName=None, message=f"{key} is required"
            )
    state = _eks_state(self.eks_backend)["associations"].setdefault(cluster.name, {})
    for existing in state.values():
        if existing["namespace"] == spec["namespace"] and existing["serviceAccount"] == spec["serviceAccount"]:
            raise eks_exceptions.ResourceInUseException(
                clusterName=cluster.name,
                nodegroupName=None,
                fargateProfileName=None,
                addonName=None,
                message="Association already exists for this service account",
            )
    association_id = "a-" + mock_random.uuid4().hex[:17]
    account = cluster.arn.split(":")[4]
    association = {
        "clusterName": cluster.name,
        "namespace": spec["namespace"],
        "serviceAccount": spec["serviceAccount"],
        "roleArn": spec["roleArn"],
        "associationArn": f"arn:{_arn_partition(cluster.arn)}:eks:{cluster.arn.split(':')[3]}:{account}:podidentityassociation/{cluster.name}/{association_id}",
        "associationId": association_id,
        "tags": spec.get("tags") or {},
        "createdAt": _now(),
        "modifiedAt": _now(),
        "disableSessionTags": bool(spec.get("disableSessionTags", False)),
        **({"targetRoleArn": spec["targetRoleArn"]} if spec.get("targetRoleArn") else {}),
        **({"ownerArn": owner} if owner else {}),
    }
    state[association_id] = association
    return association


def _create_addon(self: Any) -> Any:
    cluster = _cluster(self)
    name = self._get_param("addonName")
    addons = _eks_state(self.eks_backend)["addons"].setdefault(cluster.name, {})
    if name in addons:
        raise eks_exceptions.ResourceInUseException(
            clusterName=cluster.name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=name,
            message=f"Addon already exists: {name}",
        )
    account = cluster.arn.split(":")[4]
    addon_arn = f"arn:{_arn_partition(cluster.arn)}:eks:{cluster.arn.split(':')[3]}:{account}:addon/{cluster.name}/{name}/{mock_random.uuid4()}"
    namespace = (self._get_param("namespaceConfig") or {}).get("namespace")
    # An add-on's associations are made in the add-on's namespace (kube-system unless namespaceConfig says otherwise).
    associations = [
        _new_association(self, cluster, {"namespace": namespace or "kube-system", **spec}, addon_arn)["associationArn"]
        for spec in self._get_param("podIdentityAssociations") or []
    ]
    addon = {
        "addonName": name,
        "clusterName": cluster.name,
        "status": "ACTIVE",
        "addonVersion": self._get_param("addonVersion") or "v1.0.0-eksbuild.1",
        "health": {"issues": []},
        "addonArn": addon_arn,
        "createdAt": _now(),
        "modifiedAt": _now(),
        "tags": self._get_param("tags") or {},
        "podIdentityAssociations": associations,
        **({"serviceAccountRoleArn": self._get_param("serviceAccountRoleArn")} if self._get_param("serviceAccountRoleArn") else {}),
        **({"namespaceConfig": {"namespace": namespace}} if namespace else {}),
    }
    addons[name] = addon
    return core_responses.ActionResult({"addon": addon})


def _get_addon(self: Any) -> dict[str, Any]:
    cluster = _cluster(self)
    name = self._get_param("addonName")
    addon = _eks_state(self.eks_backend)["addons"].get(cluster.name, {}).get(name)
    if addon is None:
        raise _not_found(f"No addon: {name} found in cluster: {cluster.name}", clusterName=cluster.name, addonName=name)
    return addon


def _describe_addon(self: Any) -> Any:
    return core_responses.ActionResult({"addon": _get_addon(self)})


def _delete_addon(self: Any) -> Any:
    addon = _get_addon(self)
    del _eks_state(self.eks_backend)["addons"][addon["clusterName"]][addon["addonName"]]
    return core_responses.ActionResult({"addon": {**addon, "status": "DELETING"}})


def _list_addons(self: Any) -> Any:
    cluster = _cluster(self)
    names = sorted(_eks_state(self.eks_backend)["addons"].get(cluster.name, {}))
    page, token = _page(names, self)
    return core_responses.ActionResult({"addons": page, **({"nextToken": token} if token else {})})


def _describe_addon_configuration(self: Any) -> Any:
    name = self._get_param("addonName")
    if name not in _ADDON_SERVICE_ACCOUNTS:
        raise _not_found(f"Addon {name} not found", addonName=name)
    return core_responses.ActionResult(
        {
            "addonName": name,
            "addonVersion": self._get_param("addonVersion"),
            "configurationSchema": "{}",
            "podIdentityConfiguration": [
                {"serviceAccount": sa, "recommendedManagedPolicies": [p] if p else []}
                for sa, p in _ADDON_SERVICE_ACCOUNTS[name]
            ],
        }
    )


def _create_pod_identity_association(self: Any) -> Any:
    cluster = _cluster(self)
    spec = {
        key: self._get_param(key)
        for key in ("namespace", "serviceAccount", "roleArn", "targetRoleArn", "disableSessionTags", "tags")
    }
    return core_responses.ActionResult({"association": _new_association(self, cluster, spec, None)})


def _get_association(self: Any) -> dict[str, Any]:
    cluster = _cluster(self)
    association_id = self._get_param("associationId")
    association = _eks_state(self.eks_backend)["associations"].get(cluster.name, {}).get(association_id)
    if association is None:
        raise _not_found(f"Association {association_id} not found", clusterName=cluster.name)
    return association


def _describe_pod_identity_association(self: Any) -> Any:
    return core_responses.ActionResult({"association": _get_association(self)})


def _delete_pod_identity_association(self: Any) -> Any:
    association = _get_association(self)
    del _eks_state(self.eks_backend)["associations"][association["clusterName"]][association["associationId"]]
    return core_responses.ActionResult({"association": association})


_SUMMARY_KEYS = ("clusterName", "namespace", "serviceAccount", "associationArn", "associationId", "ownerArn")


def _list_pod_identity_associations(self: Any) -> Any:
    cluster = _cluster(self)
    namespace = self._get_param("namespace")
    service_account = self._get_param("serviceAccount")
    matching = [
        {k: a[k] for k in _SUMMARY_KEYS if k in a}
        for a in _eks_state(self.eks_backend)["associations"].get(cluster.name, {}).values()
        if (not namespace or a["namespace"] == namespace)
        and (not service_account or a["serviceAccount"] == service_account)
    ]
    page, token = _page(matching, self)
    return core_responses.ActionResult({"associations": page, **({"nextToken": token} if token else {})})


for _method, _impl in {
    "create_addon": _create_addon,
    "describe_addon": _describe_addon,
    "list_addons": _list_addons,
    "delete_addon": _delete_addon,
    "describe_addon_configuration": _describe_addon_configuration,
    "create_pod_identity_association": _create_pod_identity_association,
    "describe_pod_identity_association": _describe_pod_identity_association,
    "list_pod_identity_associations": _list_pod_identity_associations,
    "delete_pod_identity_association": _delete_pod_identity_association,
}.items():
    setattr(eks_responses.EKSResponse, _method, _impl)

_eks_dispatch = eks_urls.url_paths["{0}/clusters$"]
eks_urls.url_paths.update(
    {
        "{0}/clusters/(?P<name>[^/]+)/addons$": _eks_dispatch,
        "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$": _eks_dispatch,
        "{0}/addons/configuration-schemas$": _eks_dispatch,
        "{0}/clusters/(?P<name>[^/]+)/pod-identity-associations$": _eks_dispatch,
        "{0}/clusters/(?P<name>[^/]+)/pod-identity-associations/(?P<associationId>[^/]+)$": _eks_dispatch,
    }
)

# ---------------------------------------------------------------------------------------------
# Patch k: a presigned STS GET (the URL inside an EKS bearer token, which EKS's aws-iam-authenticator calls to learn
# the caller) reaches STS as the signer: moto routes a request without an Authorization header by its path (an
# unsigned GET / goes to S3) and takes the access key only from the Authorization header or AWSAccessKeyId.
# ---------------------------------------------------------------------------------------------

import moto.moto_server.werkzeug_app as werkzeug_app  # noqa: E402

_require(werkzeug_app, "DomainDispatcherApplication")
_require(werkzeug_app.DomainDispatcherApplication, "infer_service_region_host")
_require_params(werkzeug_app.DomainDispatcherApplication.infer_service_region_host, "environ", "path")
_require(core_responses.BaseResponse, "get_access_key")  # querystring is set per request (setup_class)

_orig_infer = werkzeug_app.DomainDispatcherApplication.infer_service_region_host


def _presigned_scope(query: str) -> list[str] | None:
    """The credential scope of a SigV4 presigned query: [key, date, region, service, aws4_request]."""
    values = parse.parse_qs(query).get("X-Amz-Credential")
    if not values:
        return None
    scope = values[0].split("/")
    return scope if len(scope) == 5 and scope[4] == "aws4_request" else None


@functools.wraps(_orig_infer)
def _infer_service_region_host(self: Any, environ: dict[str, Any], path: str) -> Any:
    if not environ.get("HTTP_AUTHORIZATION"):
        scope = _presigned_scope(environ.get("QUERY_STRING", ""))
        if scope and scope[3] == "sts":
            return f"sts.{scope[2]}.amazonaws.com"
    return _orig_infer(self, environ, path)


werkzeug_app.DomainDispatcherApplication.infer_service_region_host = _infer_service_region_host  # type: ignore[method-assign]

_orig_get_access_key = core_responses.BaseResponse.get_access_key


@functools.wraps(_orig_get_access_key)
def _get_access_key(self: Any) -> str:
    if "Authorization" not in self.headers:
        values = self.querystring.get("X-Amz-Credential")
        if values:
            return str(values[0]).split("/")[0]
    return _orig_get_access_key(self)


core_responses.BaseResponse.get_access_key = _get_access_key  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Patch l: EKS access config and access entries (absent from moto): CreateCluster keeps accessConfig (default
# authenticationMode API_AND_CONFIG_MAP) and DescribeCluster returns it; Create/Describe/List/DeleteAccessEntry,
# Associate/DisassociateAccessPolicy and ListAssociatedAccessPolicies, with the EKS API's shapes
# (@aws-sdk/client-eks). The principal and policy ARNs travel URL-encoded in the path.
# ---------------------------------------------------------------------------------------------

_EKS_ACCESS = (
    "create_access_entry",
    "describe_access_entry",
    "list_access_entries",
    "delete_access_entry",
    "associate_access_policy",
    "disassociate_access_policy",
    "list_associated_access_policies",
)
for _method in _EKS_ACCESS:
    if hasattr(eks_responses.EKSResponse, _method):
        raise SystemExit(
            f"moto {moto.__version__} changed: EKSResponse.{_method} now exists upstream; "
            "re-check emulator/launch.py patches (drop ours if upstream is correct)"
        )
_require(eks_responses.EKSResponse, "create_cluster")
if hasattr(eks_models.Cluster, "access_config"):
    raise _changed("Cluster.access_config now exists upstream: drop patch l's accessConfig")

_ACCESS_MODES = ("API", "API_AND_CONFIG_MAP", "CONFIG_MAP")
_orig_create_cluster_response = eks_responses.EKSResponse.create_cluster


def _invalid(cluster: Any, message: str) -> Exception:
    return eks_exceptions.InvalidParameterException(
        clusterName=cluster, nodegroupName=None, fargateProfileName=None, message=message
    )


@functools.wraps(_orig_create_cluster_response)
def _create_cluster_with_access(self: Any) -> Any:
    requested = self._get_param("accessConfig") or {}
    mode = requested.get("authenticationMode") or "API_AND_CONFIG_MAP"
    if mode not in _ACCESS_MODES:
        raise _invalid(self._get_param("name"), f"authenticationMode must be one of {', '.join(_ACCESS_MODES)}")
    result = _orig_create_cluster_response(self)
    cluster = self.eks_backend.clusters[self._get_param("name")]
    cluster.access_config = {
        "authenticationMode": mode,
        "bootstrapClusterCreatorAdminPermissions": bool(requested.get("bootstrapClusterCreatorAdminPermissions", True)),
    }
    return result


eks_responses.EKSResponse.create_cluster = _create_cluster_with_access  # type: ignore[method-assign]


def _access_entries(self: Any, cluster: Any) -> dict[str, dict[str, Any]]:
    return _eks_state(self.eks_backend).setdefault("access_entries", {}).setdefault(cluster.name, {})


def _principal(self: Any) -> str:
    return parse.unquote(self._get_param("principalArn") or "")


def _entry(self: Any) -> tuple[Any, dict[str, Any]]:
    cluster = _cluster(self)
    principal = _principal(self)
    entry = _access_entries(self, cluster).get(principal)
    if entry is None:
        raise _not_found(f"The specified principalArn could not be found: {principal}", clusterName=cluster.name)
    return cluster, entry


def _require_api_mode(cluster: Any) -> None:
    mode = (getattr(cluster, "access_config", None) or {}).get("authenticationMode", "CONFIG_MAP")
    if mode == "CONFIG_MAP":
        raise _invalid(cluster.name, "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP]")


def _create_access_entry(self: Any) -> Any:
    cluster = _cluster(self)
    _require_api_mode(cluster)
    principal = self._get_param("principalArn") or ""
    if not re.fullmatch(r"arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]+", principal):
        raise _invalid(cluster.name, f"principalArn is not a valid IAM principal ARN: {principal}")
    entries = _access_entries(self, cluster)
    if principal in entries:
        raise eks_exceptions.ResourceInUseException(
            clusterName=cluster.name,
            nodegroupName=None,
            fargateProfileName=None,
            addonName=None,
            message=f"The specified access entry resource is already in use on this cluster: {principal}",
        )
    kind = self._get_param("type") or "STANDARD"
    entry_id = mock_random.uuid4().hex[:36]
    account = cluster.arn.split(":")[4]
    region = cluster.arn.split(":")[3]
    entry = {
        "clusterName": cluster.name,
        "principalArn": principal,
        "kubernetesGroups": list(self._get_param("kubernetesGroups") or []),
        "accessEntryArn": f"arn:{_arn_partition(cluster.arn)}:eks:{region}:{account}:access-entry/{cluster.name}/role/{account}/{principal.rsplit('/', 1)[-1]}/{entry_id}",
        "createdAt": _now(),
        "modifiedAt": _now(),
        "tags": self._get_param("tags") or {},
        "username": self._get_param("username") or f"{principal}",
        "type": kind,
        "_policies": {},
    }
    entries[principal] = entry
    return core_responses.ActionResult({"accessEntry": _public(entry)})


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def _describe_access_entry(self: Any) -> Any:
    _, entry = _entry(self)
    return core_responses.ActionResult({"accessEntry": _public(entry)})


def _list_access_entries(self: Any) -> Any:
    cluster = _cluster(self)
    policy = self._get_param("associatedPolicyArn")
    principals = sorted(
        p for p, e in _access_entries(self, cluster).items() if not policy or policy in e["_policies"]
    )
    page, token = _page(principals, self)
    return core_responses.ActionResult({"accessEntries": page, **({"nextToken": token} if token else {})})


def _delete_access_entry(self: Any) -> Any:
    cluster, entry = _entry(self)
    del _access_entries(self, cluster)[entry["principalArn"]]
    return core_responses.ActionResult({})


def _associate_access_policy(self: Any) -> Any:
    cluster, entry = _entry(self)
    policy = self._get_param("policyArn") or ""
    if not policy.startswith(f"arn:{_arn_partition(cluster.arn)}:eks::aws:cluster-access-policy/"):
        raise _invalid(cluster.name, f"policyArn is not an EKS access policy: {policy}")
    scope = self._get_param("accessScope") or {}
    if scope.get("type") not in ("cluster", "namespace"):
        raise _invalid(cluster.name, "accessScope.type must be cluster or namespace")
    previous = entry["_policies"].get(policy)
    associated = {
        "policyArn": policy,
        "accessScope": {"type": scope["type"], "namespaces": list(scope.get("namespaces") or [])},
        "associatedAt": previous["associatedAt"] if previous else _now(),
        "modifiedAt": _now(),
    }
    entry["_policies"][policy] = associated
    return core_responses.ActionResult(
        {"clusterName": cluster.name, "principalArn": entry["principalArn"], "associatedAccessPolicy": associated}
    )


def _disassociate_access_policy(self: Any) -> Any:
    _, entry = _entry(self)
    entry["_policies"].pop(parse.unquote(self._get_param("policyArn") or ""), None)
    return core_responses.ActionResult({})


def _list_associated_access_policies(self: Any) -> Any:
    cluster, entry = _entry(self)
    page, token = _page(sorted(entry["_policies"].values(), key=lambda p: p["policyArn"]), self)
    return core_responses.ActionResult(
        {
            "clusterName": cluster.name,
            "principalArn": entry["principalArn"],
            "associatedAccessPolicies": page,
            **({"nextToken": token} if token else {}),
        }
    )


for _method, _impl in {
    "create_access_entry": _create_access_entry,
    "describe_access_entry": _describe_access_entry,
    "list_access_entries": _list_access_entries,
    "delete_access_entry": _delete_access_entry,
    "associate_access_policy": _associate_access_policy,
    "disassociate_access_policy": _disassociate_access_policy,
    "list_associated_access_policies": _list_associated_access_policies,
}.items():
    setattr(eks_responses.EKSResponse, _method, _impl)

eks_urls.url_paths.update(
    {
        "{0}/clusters/(?P<name>[^/]+)/access-entries$": _eks_dispatch,
        "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+?)/access-policies/(?P<policyArn>arn.+)$": _eks_dispatch,
        "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+?)/access-policies$": _eks_dispatch,
        "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$": _eks_dispatch,
    }
)

# ---------------------------------------------------------------------------------------------
# Patch m: IAM and STS requests are handled one at a time. moto's server is threaded (one thread per request) but
# its IAM backend is not thread-safe: CreateRole, GetRole, UpdateAssumeRolePolicy and STS AssumeRole walk an
# account's role dict in Python (IAMBackend.get_role, get_role_by_arn, the name check of create_role) and STS walks
# iam_backends, so a CreateRole in the same account (or a first request from a new account) changes the dict under
# them: "RuntimeError: dictionary changed size during iteration", answered as an HTML 500 the SDK cannot parse.
# One lock shared by IAM and STS around call_action (the action, its backend calls and its serialization), and around
# the per-request mark_account_as_visited below, closes it (test/integ/emulator-load.integ.ts). It is no wider than
# IAM's state: STS reads it, so the two share the lock; EKS has a lock of its own (below); services that block
# inside a request (SQS long polls) stay concurrent,
# which a lock around every backend call would stall. Throughput is not lost: the work is CPU-bound Python under the
# GIL (4,000 CreateRole, 32 in flight from 4 accounts: 13.3 s with the lock, 16.0 s without, same machine).
# ---------------------------------------------------------------------------------------------

_require(core_responses.BaseResponse, "call_action")
_require(sts_responses.TokenResponse, "call_action")
_require(eks_responses.EKSResponse, "call_action")
for _cls in (iam_responses.IamResponse, sts_responses.TokenResponse, eks_responses.EKSResponse):
    if "call_action" in vars(_cls):
        raise _changed(f"{_cls.__name__} now defines its own call_action: re-check patch m's lock")
if not callable(getattr(iam_models.IAMBackend, "get_roles", None)):
    raise _changed("IAMBackend.get_roles")

_IAM_LOCK = threading.RLock()  # re-entrant: a handler that dispatches another IAM/STS action in-thread keeps working
_orig_call_action = core_responses.BaseResponse.call_action


@functools.wraps(_orig_call_action)
def _serialized_call_action(self: Any) -> Any:
    with _IAM_LOCK:
        return _orig_call_action(self)


iam_responses.IamResponse.call_action = _serialized_call_action  # type: ignore[method-assign]
sts_responses.TokenResponse.call_action = _serialized_call_action  # type: ignore[method-assign]

# EKS too, under its own lock: ListClusters iterating a region's clusters while CreateCluster adds one gave the same
# HTML 500 under load (emulator-load.integ.ts, a CI run with both cores busy), although its reads looked atomic.
_EKS_LOCK = threading.RLock()


@functools.wraps(_orig_call_action)
def _serialized_eks_call_action(self: Any) -> Any:
    with _EKS_LOCK:
        return _orig_call_action(self)


eks_responses.EKSResponse.call_action = _serialized_eks_call_action  # type: ignore[method-assign]

# Every request of every service, before its action, marks its access key as used (BaseResponse.setup_class); for a key
# of an assumed role that walks the role's account for the role (get_role_by_arn): the same lock.
_require(iam_models, "mark_account_as_visited")
_require_params(iam_models.mark_account_as_visited, "account_id", "access_key", "service", "region")
if "from moto.iam.models import mark_account_as_visited" not in inspect.getsource(core_responses.BaseResponse.setup_class):
    raise _changed("BaseResponse.setup_class's call of iam.models.mark_account_as_visited")
_orig_mark_visited = iam_models.mark_account_as_visited


@functools.wraps(_orig_mark_visited)
def _mark_visited(*args: Any, **kwargs: Any) -> Any:
    with _IAM_LOCK:
        return _orig_mark_visited(*args, **kwargs)


iam_models.mark_account_as_visited = _mark_visited

# ---------------------------------------------------------------------------------------------
# Patch n: Step Functions on moto's own ASL interpreter (execute_state_machine, turned on in main()), with its Lambda
# tasks run by the real handlers and the gaps the project's state machines meet closed (toolchain facts, "Step
# Functions in the emulator").
#   n1: a Lambda invocation (every path: Invoke, the interpreter's tasks, event targets) is forwarded as an HTTP POST
#       (JSON) to the dispatcher the function's own environment names (IRSA_DOCTOR_DISPATCH_URL, set by the local
#       runtime when it creates the function); a thrown error comes back as {errorType, errorMessage, trace} with
#       errored=true, so a Catch matches on the error's name. Without the variable moto's own path (Docker) stays.
#   n2: the interpreter's Lambda task calls the function in-process (moto made a fresh boto3 client and an HTTP Invoke
#       to itself per task: about 50 ms each; 500 tasks went from about 27 s to about 4 s).
#   n3: SendTaskFailure keeps `cause` (moto dropped it: a Catch saw Cause null).
#   n4: GetExecutionHistory pages (maxResults, default 100 and at most 1000; nextToken; reverseOrder), as the API does.
#   n5: StartExecution without a name gets a UUID, as the API does (moto named it "None": a second one collided).
#   n6: an execution reuses the parsed program of its definition (moto parsed it with ANTLR for every execution:
#       45 ms of CPU per start of the remediation machine, so about 45 s of the 1,000 starts a run can make). The parse
#       tree is only read while executions evaluate: their state lives in each execution's Environment, and the
#       workers and pools of Map and Parallel states are made per evaluation (checked over the pinned source: past
#       parsing, only those per-evaluation workers, pools and map-run records assign to themselves, and
#       EvalComponent's lazily computed heap key, the same value whichever thread computes it).
# ---------------------------------------------------------------------------------------------

import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

import botocore.exceptions  # noqa: E402
import moto.awslambda.models as lambda_models  # noqa: E402
import moto.stepfunctions.parser.models as sfn_parser_models  # noqa: E402
import moto.stepfunctions.exceptions as sfn_exceptions  # noqa: E402
import moto.stepfunctions.responses as sfn_responses  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.core.exceptions import JsonRESTError  # noqa: E402
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils  # noqa: E402

_require(lambda_models, "LambdaFunction", "lambda_backends")
_require(lambda_models.LambdaFunction, "_invoke_lambda", "invoke")
_require_params(lambda_models.LambdaFunction._invoke_lambda, "event")
if "self._invoke_lambda(event=body)" not in inspect.getsource(lambda_models.LambdaFunction.invoke):
    raise _changed("LambdaFunction.invoke's call of _invoke_lambda(event=body)")
_require(lambda_models.LambdaBackend, "get_function")
_require(lambda_eval_utils, "_invoke_lambda_function", "execute_lambda_function_integration", "_from_payload")
_require_params(lambda_eval_utils._invoke_lambda_function, "parameters", "region", "state_credentials")
if "_invoke_lambda_function(" not in inspect.getsource(lambda_eval_utils.execute_lambda_function_integration):
    raise _changed("execute_lambda_function_integration's call of _invoke_lambda_function")
_require(sfn_responses, "StepFunctionResponse")
_require(sfn_exceptions, "ValidationException", "InvalidToken")
_require(sfn_responses.StepFunctionResponse, "send_task_failure", "get_execution_history", "stepfunction_backend")
_require(sfn_parser_models, "StepFunctionsParserBackend")
_require(sfn_parser_models.StepFunctionsParserBackend, "send_task_failure", "get_execution_history", "start_execution")
_require_params(sfn_parser_models.StepFunctionsParserBackend.send_task_failure, "task_token", "error", "cause")
_sfn_start_sig = _require_params(sfn_parser_models.StepFunctionsParserBackend.start_execution, "state_machine_arn", "name")

import moto.stepfunctions.parser.backend.execution_worker as execution_worker  # noqa: E402

_require(execution_worker, "ExecutionWorker")
_require(execution_worker.ExecutionWorker, "_get_evaluation_entrypoint")
if "AmazonStateLanguageParser.parse(" not in inspect.getsource(execution_worker.ExecutionWorker._get_evaluation_entrypoint):
    raise _changed("ExecutionWorker._get_evaluation_entrypoint's parse of the definition")

DISPATCH_VARIABLE = "IRSA_DOCTOR_DISPATCH_URL"
_orig_invoke_lambda = lambda_models.LambdaFunction._invoke_lambda


def _lambda_error(error_type: str, message: str) -> tuple[str, bool, str]:
    return json.dumps({"errorType": error_type, "errorMessage": message, "trace": []}), True, ""


@functools.wraps(_orig_invoke_lambda)
def _dispatch_invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    url = (getattr(self, "environment_vars", None) or {}).get(DISPATCH_VARIABLE)
    if not url:
        return _orig_invoke_lambda(self, event)
    if event is None or event == "":
        event = {}
    body = event.encode("utf-8") if isinstance(event, str) else json.dumps(event).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"content-type": "application/json", "x-irsa-doctor-function": self.function_name},
    )
    try:
        with urllib.request.urlopen(request, timeout=float(self.timeout or 3) + 30) as response:
            answer = json.loads(response.read() or b"null")
    except (urllib.error.URLError, OSError, ValueError) as err:
        return _lambda_error("DispatcherUnreachable", f"{self.function_name}: dispatcher at {url}: {err}")
    if isinstance(answer, dict) and answer.get("errored"):
        return _lambda_error(str(answer.get("errorType") or "Error"), str(answer.get("errorMessage") or ""))
    payload = answer.get("payload") if isinstance(answer, dict) else None
    return json.dumps(payload), False, ""


lambda_models.LambdaFunction._invoke_lambda = _dispatch_invoke_lambda  # type: ignore[method-assign]

_LAMBDA_ARN = re.compile(r"^arn:[\w-]+:lambda:(?P<region>[\w-]+):(?P<account>\d{12}):function:(?P<name>[^:]+)(?::(?P<qualifier>.+))?$")


def _invoke_in_process(parameters: dict[str, Any], region: str, state_credentials: Any = None) -> dict[str, Any]:
    target = str(parameters.get("FunctionName") or "")
    account, qualifier = DEFAULT_ACCOUNT_ID, parameters.get("Qualifier")
    match = _LAMBDA_ARN.match(target)
    if match:
        region, account = match["region"], match["account"]
        qualifier = qualifier or match["qualifier"]
    raw = parameters.get("Payload")
    raw = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    try:
        function = lambda_models.lambda_backends[account][region].get_function(target, qualifier)
    except JsonRESTError as err:  # as the Invoke API answers: the interpreter turns a ClientError into the task's error
        raise botocore.exceptions.ClientError(
            {"Error": {"Code": err.error_type, "Message": err.message}}, "Invoke"
        ) from None
    result, errored, _logs = function._invoke_lambda(event=json.loads(raw) if raw else {})
    try:
        payload: Any = json.loads(result)
    except (TypeError, ValueError):
        payload = result
    response: dict[str, Any] = {"StatusCode": 200, "Payload": payload, "ExecutedVersion": "$LATEST"}
    if errored:
        response["FunctionError"] = "Unhandled"
    return response


lambda_eval_utils._invoke_lambda_function = _invoke_in_process


def _send_task_failure(self: Any) -> Any:
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return core_responses.EmptyResult()


sfn_responses.StepFunctionResponse.send_task_failure = _send_task_failure  # type: ignore[method-assign]

HISTORY_PAGE_DEFAULT = 100
HISTORY_PAGE_MAX = 1000


def _get_execution_history(self: Any) -> Any:
    max_results = self._get_param("maxResults") or HISTORY_PAGE_DEFAULT  # 0 means the default, as in the API
    if not isinstance(max_results, int) or not 0 < max_results <= HISTORY_PAGE_MAX:
        raise sfn_exceptions.ValidationException(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: "
            f"Member must have value less than or equal to {HISTORY_PAGE_MAX}"
        )
    token = self._get_param("nextToken")
    if token is not None and not (isinstance(token, str) and token.isdigit()):
        raise sfn_exceptions.InvalidToken("Invalid Token: 'nextToken' is not one this API returned")
    events = list(self.stepfunction_backend.get_execution_history(self._get_param("executionArn"))["events"])
    if self._get_param("reverseOrder"):
        events.reverse()
    start = int(token) if token else 0
    end = start + max_results
    result: dict[str, Any] = {"events": events[start:end]}
    if end < len(events):
        result["nextToken"] = str(end)
    return core_responses.ActionResult(result)


sfn_responses.StepFunctionResponse.get_execution_history = _get_execution_history  # type: ignore[method-assign]

_orig_sfn_start = sfn_parser_models.StepFunctionsParserBackend.start_execution


@functools.wraps(_orig_sfn_start)
def _start_execution(self: Any, *args: Any, **kwargs: Any) -> Any:
    bound = _sfn_start_sig.bind(self, *args, **kwargs)
    if not bound.arguments.get("name"):
        bound.arguments["name"] = str(mock_random.uuid4())
    return _orig_sfn_start(*bound.args, **bound.kwargs)


sfn_parser_models.StepFunctionsParserBackend.start_execution = _start_execution  # type: ignore[method-assign]

_PROGRAMS: dict[str, Any] = {}
_PROGRAMS_LOCK = threading.Lock()
_PROGRAMS_MAX = 64
_orig_entrypoint = execution_worker.ExecutionWorker._get_evaluation_entrypoint


@functools.wraps(_orig_entrypoint)
def _cached_entrypoint(self: Any) -> Any:
    definition = self._evaluation_details.state_machine_details.definition
    if not isinstance(definition, str):
        return _orig_entrypoint(self)
    with _PROGRAMS_LOCK:
        program = _PROGRAMS.get(definition)
    if program is None:
        program = _orig_entrypoint(self)
        with _PROGRAMS_LOCK:
            if len(_PROGRAMS) >= _PROGRAMS_MAX:
                _PROGRAMS.pop(next(iter(_PROGRAMS)))
            _PROGRAMS[definition] = program
    return program


execution_worker.ExecutionWorker._get_evaluation_entrypoint = _cached_entrypoint  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Patch o: an AWS::IAM::Role made by CloudFormation (a stack, or a StackSet instance) keeps its inline Policies as
# JSON, as IAM does. moto stores the template's parsed dict, so GetRolePolicy returned its Python repr ('{'Version':
# ...}'), which no client parses. The trust policy is already JSON-dumped there; the inline policies are not.
# ---------------------------------------------------------------------------------------------

_require(iam_models.Role, "create_from_cloudformation_json")
_orig_role_from_cfn = iam_models.Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
_role_from_cfn_src = inspect.getsource(_orig_role_from_cfn)
if "role.put_policy(policy_name, policy_json)" not in _role_from_cfn_src:
    raise _changed("Role.create_from_cloudformation_json's put_policy of the template's inline Policies")
if 'policy_json = json.dumps(policy["PolicyDocument"]' in _role_from_cfn_src:
    raise SystemExit(f"moto {moto.__version__} changed: Role inline Policies are JSON upstream; drop patch o")


def _role_from_cloudformation(
    cls: Any, resource_name: str, cloudformation_json: dict[str, Any], *args: Any, **kwargs: Any
) -> Any:
    properties = dict(cloudformation_json.get("Properties") or {})
    properties["Policies"] = [
        {**policy, "PolicyDocument": json.dumps(policy["PolicyDocument"])}
        if not isinstance(policy.get("PolicyDocument"), str)
        else policy
        for policy in properties.get("Policies") or []
    ]
    return _orig_role_from_cfn(cls, resource_name, {**cloudformation_json, "Properties": properties}, *args, **kwargs)


iam_models.Role.create_from_cloudformation_json = classmethod(_role_from_cloudformation)  # type: ignore[method-assign,assignment]

# Patch o2: a template parameter of an AWS::SSM::Parameter::Value type whose parameter does not exist in the account
# is refused with CloudFormation's ValidationError ("Unable to fetch parameters [<name>] from parameter store for this
# account."), as a CDK template's BootstrapVersion is in an account never bootstrapped. moto read .value of the None
# its SSM backend returned and answered 500.
import moto.cloudformation.exceptions as cfn_exceptions  # noqa: E402
import moto.cloudformation.parsing as cfn_parsing  # noqa: E402

_require(cfn_parsing, "ResourceMap", "ssm_backends")
_require(cfn_parsing.ResourceMap, "parse_ssm_parameter")
_require(cfn_exceptions, "ValidationError")
_orig_parse_ssm_parameter = cfn_parsing.ResourceMap.parse_ssm_parameter
if not all(
    part in inspect.getsource(_orig_parse_ssm_parameter)
    for part in ("ssm_backends[self._account_id][self._region_name]", "parameter.value")
):
    raise _changed("ResourceMap.parse_ssm_parameter's read of the account's SSM parameter")


@functools.wraps(_orig_parse_ssm_parameter)
def _parse_ssm_parameter(self: Any, value: str, value_type: str) -> Any:
    if cfn_parsing.ssm_backends[self._account_id][self._region_name].get_parameter(value) is None:
        raise cfn_exceptions.ValidationError(
            message=f"Unable to fetch parameters [{value}] from parameter store for this account."
        )
    return _orig_parse_ssm_parameter(self, value, value_type)


cfn_parsing.ResourceMap.parse_ssm_parameter = _parse_ssm_parameter  # type: ignore[method-assign]

# Patch o3: automatic deployment of service-managed StackSets (moto: "AutoDeployment not yet implemented"). A StackSet
# created with AutoDeployment Enabled deploys to an account moved into an OU it targets (or under one), in the regions
# of its instances there, and with RetainStacksOnAccountRemoval false removes them from an account moved out, as
# CloudFormation does when accounts join or leave a target OU.
import moto.cloudformation.models as cfn_models  # noqa: E402
import moto.cloudformation.responses as cfn_responses  # noqa: E402
import moto.organizations.models as org_models  # noqa: E402

_require(cfn_models, "StackSet", "cloudformation_backends")
_require(cfn_models.StackSet, "create_stack_instances")
_require(cfn_responses.CloudFormationResponse, "create_stack_set", "cloudformation_backend", "_get_params")
_require(org_models.OrganizationsBackend, "move_account", "get_account_by_id")
_require_params(cfn_models.StackSet.create_stack_instances, "accounts", "regions", "deployment_targets", "parameters")
if "AutoDeployment" not in (cfn_models.CloudFormationBackend.create_stack_set.__doc__ or ""):
    raise SystemExit(f"moto {moto.__version__} changed: StackSet AutoDeployment may exist upstream; re-check patch o3")

_orig_create_stack_set_response = cfn_responses.CloudFormationResponse.create_stack_set


@functools.wraps(_orig_create_stack_set_response)
def _create_stack_set_response(self: Any) -> Any:
    result = _orig_create_stack_set_response(self)
    auto = self._get_params().get("AutoDeployment") or {}
    name = self._get_param("StackSetName")
    for stackset in self.cloudformation_backend.stacksets.values():
        if stackset.name == name and stackset.status == "ACTIVE":
            stackset.emulator_auto_deployment = {
                "enabled": str(auto.get("Enabled", "false")).lower() == "true",
                "retain": str(auto.get("RetainStacksOnAccountRemoval", "false")).lower() == "true",
            }
            stackset.emulator_ou_targets = []
    return result


_orig_stack_set_create_instances = cfn_models.StackSet.create_stack_instances


@functools.wraps(_orig_stack_set_create_instances)
def _stack_set_create_instances(
    self: Any, accounts: Any, regions: Any, deployment_targets: Any, parameters: Any, *args: Any, **kwargs: Any
) -> Any:
    result = _orig_stack_set_create_instances(self, accounts, regions, deployment_targets, parameters, *args, **kwargs)
    if hasattr(self, "emulator_ou_targets") and self.permission_model == "SERVICE_MANAGED":
        for ou_id in (deployment_targets or {}).get("OrganizationalUnitIds", []):
            self.emulator_ou_targets.append((ou_id, list(regions), parameters))
    return result


def _ancestors(org: Any, parent_id: str) -> set[str]:
    """The parent and every OU above it, up to the root."""
    found: set[str] = set()
    while parent_id and parent_id not in found:
        found.add(parent_id)
        parent = next((ou for ou in org.ou if ou.id == parent_id), None)
        parent_id = getattr(parent, "parent_id", None)  # the root has none
    return found


def _auto_deploy(org: Any, account_id: str, old_parents: set[str], new_parents: set[str]) -> None:
    for backend in list(cfn_models.cloudformation_backends[org.account_id].values()):
        for stackset in list(backend.stacksets.values()):
            auto = getattr(stackset, "emulator_auto_deployment", None)
            if not auto or not auto["enabled"] or stackset.status != "ACTIVE":
                continue
            for ou_id, regions, parameters in stackset.emulator_ou_targets:
                if ou_id in new_parents and ou_id not in old_parents:
                    stackset.instances.create_instances([account_id], regions, parameters, {}, "SERVICE_MANAGED")
                elif ou_id in old_parents and ou_id not in new_parents and not auto["retain"]:
                    stackset.instances.delete([account_id], regions)


_orig_move_account = org_models.OrganizationsBackend.move_account


@functools.wraps(_orig_move_account)
def _move_account(self: Any, **kwargs: Any) -> Any:
    account_id = kwargs["AccountId"]
    account = next((a for a in self.accounts if a.id == account_id), None)
    before = _ancestors(self, account.parent_id) if account else set()
    result = _orig_move_account(self, **kwargs)  # refuses an unknown account or parent, as before
    _auto_deploy(self, account_id, before, _ancestors(self, self.get_account_by_id(account_id).parent_id))
    return result


cfn_responses.CloudFormationResponse.create_stack_set = _create_stack_set_response  # type: ignore[method-assign]
cfn_models.StackSet.create_stack_instances = _stack_set_create_instances  # type: ignore[method-assign]
org_models.OrganizationsBackend.move_account = _move_account  # type: ignore[method-assign]


# Security Hub: BatchImportFindings does not update a finding's investigation fields once it exists.
# AWS: "After a finding is created, BatchImportFindings cannot be used to update the following finding fields and
# objects, which Security Hub customers use to manage their investigation workflow: Note, UserDefinedFields,
# VerificationState, Workflow" (BatchImportFindings API reference). moto merges every field of the import into the
# stored finding; here the stored values of those four are kept, so a person's workflow status survives re-imports
# and an archived finding keeps its workflow, as in AWS.
# ---------------------------------------------------------------------------------------------

import moto.securityhub.models as securityhub_models  # noqa: E402

_require(securityhub_models, "SecurityHubBackend", "Finding")
_require(securityhub_models.SecurityHubBackend, "batch_import_findings")
_require_params(securityhub_models.SecurityHubBackend.batch_import_findings, "findings")
_orig_batch_import_findings = securityhub_models.SecurityHubBackend.batch_import_findings
_INVESTIGATION_FIELDS = ("Note", "UserDefinedFields", "VerificationState", "Workflow")


@functools.wraps(_orig_batch_import_findings)
def _batch_import_findings(self: Any, findings: list[dict[str, Any]]) -> Any:
    if not isinstance(getattr(self, "findings", None), list):
        raise _changed("SecurityHubBackend.findings (a list of Finding)")
    stored = {f.id: f for f in self.findings}
    kept = []
    for finding in findings:
        existing = stored.get(finding.get("Id")) if isinstance(finding, dict) else None
        if existing is None or not isinstance(getattr(existing, "data", None), dict):
            kept.append(finding)
            continue
        merged = {k: v for k, v in finding.items() if k not in _INVESTIGATION_FIELDS}
        merged.update({k: existing.data[k] for k in _INVESTIGATION_FIELDS if k in existing.data})
        kept.append(merged)
    return _orig_batch_import_findings(self, kept)


securityhub_models.SecurityHubBackend.batch_import_findings = _batch_import_findings  # type: ignore[method-assign]

# ---------------------------------------------------------------------------------------------
# Serve.
# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--pid-file", help="write this process's PID here")
    args = parser.parse_args()

    # Step Functions: run executions with moto's own ASL interpreter (toolchain facts), which calls the services a
    # state machine integrates with over HTTP at localhost:$MOTO_PORT. Set before any CreateStateMachine.
    moto_config.default_user_config["stepfunctions"]["execute_state_machine"] = True
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    os.environ["MOTO_PORT"] = str(port)

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
