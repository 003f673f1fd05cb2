"""The storage policy ConfigMap: where the operator finds it, and what it holds."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from .conftest import NAMESPACE, by_kind, one, render_chart

pytestmark = pytest.mark.chart

CONFIGMAP = ["templates/configmap.yaml"]


def _policy_configmap(values: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    return one(render_chart(values, CONFIGMAP, **kwargs), "ConfigMap")


def test_name_is_the_operators_default_for_the_default_release() -> None:
    configmap = _policy_configmap()
    assert configmap["metadata"]["name"] == "k8s-volume-ops-policy"
    assert configmap["metadata"]["namespace"] == NAMESPACE
    assert configmap["metadata"]["labels"]["app.kubernetes.io/component"] == "storage-policy"
    assert list(configmap["data"]) == ["policy.yaml"]


@pytest.mark.parametrize(
    ("release", "overrides", "name"),
    [
        ("storage", {}, "storage-k8s-volume-ops-policy"),
        ("k8s-volume-ops-prod", {}, "k8s-volume-ops-prod-policy"),
        ("storage", {"fullnameOverride": "k8s-volume-ops"}, "k8s-volume-ops-policy"),
        ("x", {"nameOverride": "vol"}, "x-vol-policy"),
    ],
)
def test_name_follows_the_full_name(release: str, overrides: dict[str, Any], name: str) -> None:
    assert _policy_configmap(overrides, release=release)["metadata"]["name"] == name


def test_full_name_is_cut_to_63_characters() -> None:
    release = "r" * 47 + "-abcde"  # 53 characters, helm's longest release name
    role = one(render_chart({}, ["templates/role.yaml"], release=release), "Role")
    assert role["metadata"]["name"] == (release + "-k8s-volume-ops")[:63].rstrip("-")
    assert len(role["metadata"]["name"]) == 63


def test_default_policy_is_the_values_policy(chart_values: dict[str, Any]) -> None:
    stored = yaml.safe_load(_policy_configmap()["data"]["policy.yaml"])
    # Helm drops null values; the policy's own defaults for them are null too.
    expected = _without_nulls(chart_values["policy"])
    assert stored == expected


def test_policy_values_are_stored_verbatim() -> None:
    policy: dict[str, Any] = {
        "claims": {
            "size": "5Gi",
            "accessModes": ["ReadWriteMany"],
            "storageClassName": "nfs-client",
            "createMissing": False,
            "labels": {"team": "data"},
            "annotations": {"backup": "daily"},
            "overrides": {
                "my_docker_volume": {
                    "size": "10Gi",
                    "accessModes": ["ReadWriteOnce"],
                    "claimName": "shared-data",
                    "ephemeral": False,
                },
                "scratch": {"ephemeral": True},
            },
        },
        "binds": [
            {"source": "/data", "claim": "data"},
            {"source": "/srv/nfs", "nfs": {"server": "10.0.0.5", "path": "/exports"}},
            {"source": "/mnt/host", "hostPath": True, "hostPathType": "Directory"},
        ],
        "nfs": {"mode": "persistentVolume", "size": "2Gi", "mountOptions": ["nfsvers=4.1"]},
        "drivers": {"rexray/ebs": {"storageClassName": "gp3"}},
        "podSecurity": "privileged",
    }
    stored = yaml.safe_load(_policy_configmap({"policy": policy})["data"]["policy.yaml"])
    assert stored["claims"] == {**policy["claims"], "sharedAccessModes": ["ReadWriteMany"]}
    assert stored["binds"] == policy["binds"]
    assert stored["nfs"] == policy["nfs"]
    assert stored["drivers"] == policy["drivers"]
    assert stored["podSecurity"] == "privileged"


def test_configmap_can_be_left_out() -> None:
    assert by_kind(render_chart({"policyConfigMap": {"create": False}}), "ConfigMap") == []


def test_configmap_annotations_merge_with_common_ones() -> None:
    values = {
        "commonAnnotations": {"owner": "platform", "note": "common"},
        "policyConfigMap": {"annotations": {"note": "specific"}},
    }
    annotations = _policy_configmap(values)["metadata"]["annotations"]
    assert annotations == {"owner": "platform", "note": "specific"}


def _without_nulls(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_nulls(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_nulls(v) for v in data]
    return data
