"""The chart and the Python package describe the same storage the same way.

Two implementations name and size claims: the chart's claims[] (pre-provisioned
with Helm) and `claim_for_volume` (what the operator creates for a Docker named
volume). A claim the chart made must be exactly the one the operator would have
made, or the operator's create gets a 409 for a claim with a different spec.
Likewise `values.policy` is the policy file: same keys, same defaults, and what
the ConfigMap stores must load into the same `StoragePolicy`.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from k8s_volume_ops.policy import StoragePolicy, load_policy
from k8s_volume_ops.translate import claim_for_volume

from .conftest import by_kind, one, render_chart

pytestmark = pytest.mark.chart

# (Docker volume name, policy, override of that volume or None)
CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = [
    ("data", {}, None),
    ("data", {"claims": {"size": "5Gi", "accessModes": ["ReadWriteMany"]}}, None),
    ("data", {"claims": {"storageClassName": "fast"}}, None),
    ("data", {"claims": {"storageClassName": ""}}, None),
    ("data", {"claims": {"storageClassName": "-"}}, None),
    ("data", {}, {"size": "10Gi"}),
    ("data", {"claims": {"storageClassName": "fast"}}, {"storageClassName": "-"}),
    ("data", {"claims": {"storageClassName": "fast"}}, {"storageClassName": "slow"}),
    ("data", {"claims": {"storageClassName": "fast"}}, {"storageClassName": ""}),
    (
        "my_docker_volume",
        {},
        {"size": "10Gi", "accessModes": ["ReadWriteMany"], "claimName": "shared-data"},
    ),
    (
        "cache",
        {"claims": {"size": "2Gi", "storageClassName": "fast"}},
        {"accessModes": ["ReadWriteOncePod"], "claimName": "task-cache"},
    ),
]
CASE_IDS = [
    "defaults",
    "policy-size-and-modes",
    "policy-class",
    "policy-empty-class",
    "policy-dash-class",
    "override-size",
    "override-dash-beats-policy",
    "override-class-beats-policy",
    "override-empty-class-falls-back",
    "claim-name-for-invalid-docker-name",
    "claim-name-and-policy-defaults",
]


def _chart_entry(docker_name: str, override: dict[str, Any] | None) -> dict[str, Any]:
    """The claims[] entry that describes the same volume as the policy override."""
    override = override or {}
    entry: dict[str, Any] = {"name": override.get("claimName") or docker_name}
    for key in ("size", "accessModes", "storageClassName"):
        if key in override:
            entry[key] = override[key]
    return entry


def _with_override(
    policy: dict[str, Any], docker_name: str, override: dict[str, Any] | None
) -> dict[str, Any]:
    if override is None:
        return policy
    claims = {**policy.get("claims", {}), "overrides": {docker_name: override}}
    return {**policy, "claims": claims}


@pytest.mark.parametrize(("docker_name", "policy", "override"), CASES, ids=CASE_IDS)
def test_chart_claim_equals_the_operators_claim(
    docker_name: str, policy: dict[str, Any], override: dict[str, Any] | None
) -> None:
    full_policy = _with_override(policy, docker_name, override)
    values = {"policy": full_policy, "claims": [_chart_entry(docker_name, override)]}
    chart_claim = one(
        render_chart(values, ["templates/persistentvolumeclaim.yaml"]), "PersistentVolumeClaim"
    )
    operator_claim = claim_for_volume(docker_name, StoragePolicy.model_validate(full_policy))
    assert chart_claim["metadata"]["name"] == operator_claim["metadata"]["name"]
    assert chart_claim["spec"] == operator_claim["spec"]


@pytest.mark.parametrize(
    "policy",
    [
        {},
        {
            "claims": {
                "size": "5Gi",
                "accessModes": ["ReadWriteMany"],
                "sharedAccessModes": ["ReadWriteMany", "ReadOnlyMany"],
                "storageClassName": "nfs-client",
                "createMissing": False,
                "labels": {"team": "data"},
                "annotations": {"backup": "daily"},
                "overrides": {
                    "my_docker_volume": {"size": "10Gi", "claimName": "shared-data"},
                    "scratch": {"ephemeral": True, "labels": {"tmp": "yes"}},
                },
            },
            "binds": [
                {"source": "/data", "claim": "data", "readOnly": True},
                {"source": "/srv/nfs", "nfs": {"server": "10.0.0.5", "path": "/exports"}},
                {"source": "/mnt/host", "hostPath": True, "hostPathType": "Directory"},
            ],
            "nfs": {"mode": "persistentVolume", "size": "2Gi", "mountOptions": ["nfsvers=4.1"]},
            "drivers": {"rexray/ebs": {"storageClassName": "gp3", "size": "20Gi"}},
            "podSecurity": "privileged",
        },
    ],
    ids=["defaults", "everything-set"],
)
def test_policy_configmap_round_trips_into_storage_policy(
    policy: dict[str, Any], tmp_path: Any
) -> None:
    configmap = one(render_chart({"policy": policy}, ["templates/configmap.yaml"]), "ConfigMap")
    stored = configmap["data"]["policy.yaml"]
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(stored)
    loaded = load_policy(policy_file)
    assert loaded == StoragePolicy.model_validate(policy)
    assert StoragePolicy.model_validate(yaml.safe_load(stored)) == loaded


def test_values_policy_defaults_are_the_built_in_policy(chart_values: dict[str, Any]) -> None:
    assert chart_values["policy"] == StoragePolicy().model_dump(by_alias=True, mode="json")


def test_values_policy_schema_mirrors_storage_policy(chart_schema: dict[str, Any]) -> None:
    """Same keys at every level, same enums: the chart refuses what the operator would."""
    model = StoragePolicy.model_json_schema(by_alias=True)
    defs = model.get("$defs", {})
    chart_policy = chart_schema["properties"]["policy"]
    assert _shape(chart_policy, {}) == _shape(model, defs)


def test_chart_claims_are_not_refused_by_the_policy_model() -> None:
    """Claims rendered by the chart use only names the operator accepts as claim names."""
    objects = render_chart({"claims": [{"name": "shared-data"}, {"name": "a-1"}]})
    for claim in by_kind(objects, "PersistentVolumeClaim"):
        name = claim["metadata"]["name"]
        policy = StoragePolicy.model_validate({"claims": {"overrides": {"v": {"claimName": name}}}})
        assert claim_for_volume("v", policy)["metadata"]["name"] == name


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` and unwrap `X | None`, so pydantic's and the chart's forms compare."""
    if "$ref" in node:
        return _resolve(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option.get("type") != "null"]
        if len(options) == 1:
            return _resolve(options[0], defs)
    return node


def _shape(node: dict[str, Any], defs: dict[str, Any]) -> Any:
    """The keys, nesting and enums of a schema, without types or wording."""
    node = _resolve(node, defs)
    if "properties" in node:
        return {key: _shape(sub, defs) for key, sub in node["properties"].items()}
    if isinstance(node.get("items"), dict):
        return [_shape(node["items"], defs)]
    if isinstance(node.get("additionalProperties"), dict):
        return {"<key>": _shape(node["additionalProperties"], defs)}
    if "enum" in node:
        return sorted(str(value) for value in node["enum"] if value is not None)
    return "value"
