"""Pre-provisioned claims, NFS PersistentVolume/claim pairs and the StorageClass."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import NAMESPACE, by_kind, one, render_chart

pytestmark = pytest.mark.chart

KEEP = {"helm.sh/resource-policy": "keep"}


def _claims(values: dict[str, Any]) -> list[dict[str, Any]]:
    objects = render_chart(values, ["templates/persistentvolumeclaim.yaml"])
    return by_kind(objects, "PersistentVolumeClaim")


def test_no_storage_objects_by_default() -> None:
    objects = render_chart()
    for kind in ("PersistentVolumeClaim", "PersistentVolume", "StorageClass"):
        assert by_kind(objects, kind) == []


def test_claim_defaults_come_from_the_policy() -> None:
    (claim,) = _claims({"claims": [{"name": "shared-data"}]})
    assert claim["metadata"]["name"] == "shared-data"
    assert claim["metadata"]["namespace"] == NAMESPACE
    assert claim["metadata"]["annotations"] == KEEP
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}},
    }


def test_claim_fields_and_policy_metadata() -> None:
    values = {
        "policy": {"claims": {"labels": {"team": "data"}, "annotations": {"backup": "daily"}}},
        "claims": [
            {
                "name": "shared-data",
                "size": "10Gi",
                "accessModes": ["ReadWriteMany"],
                "storageClassName": "nfs-client",
                "labels": {"tier": "gold", "team": "ml"},
                "annotations": {"backup": "weekly", "helm.sh/resource-policy": "delete"},
            }
        ],
    }
    (claim,) = _claims(values)
    assert claim["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "10Gi"}},
        "storageClassName": "nfs-client",
    }
    labels = claim["metadata"]["labels"]
    assert labels["tier"] == "gold"
    assert labels["team"] == "ml"
    assert labels["app.kubernetes.io/component"] == "storage"
    # keep cannot be switched off per claim: uninstall never deletes data.
    assert claim["metadata"]["annotations"] == {**KEEP, "backup": "weekly"}


@pytest.mark.parametrize(
    ("claim_class", "policy_class", "expected"),
    [
        ("-", None, ""),
        ("-", "fast", ""),
        ("fast", None, "fast"),
        (None, "fast", "fast"),
        ("", "fast", "fast"),
        (None, "-", ""),
        (None, "", ""),
        (None, None, None),
        ("", None, None),
    ],
    ids=[
        "dash-is-empty",
        "dash-beats-policy",
        "named",
        "policy-default",
        "empty-is-unset",
        "policy-dash",
        "policy-empty-string",
        "cluster-default",
        "empty-and-no-policy",
    ],
)
def test_storage_class_conventions(
    claim_class: str | None, policy_class: str | None, expected: str | None
) -> None:
    claim: dict[str, Any] = {"name": "data"}
    if claim_class is not None:
        claim["storageClassName"] = claim_class
    values: dict[str, Any] = {"claims": [claim]}
    if policy_class is not None:
        values["policy"] = {"claims": {"storageClassName": policy_class}}
    (rendered,) = _claims(values)
    assert rendered["spec"].get("storageClassName") == expected


def test_every_claim_is_kept_on_uninstall() -> None:
    values = {
        "commonAnnotations": {"owner": "platform"},
        "claims": [{"name": "a"}, {"name": "b"}],
        "nfs": [{"name": "c", "server": "10.0.0.5", "path": "/exports/c"}],
    }
    objects = render_chart(values)
    kept = by_kind(objects, "PersistentVolumeClaim") + by_kind(objects, "PersistentVolume")
    assert len(kept) == 4
    for obj in kept:
        assert obj["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
        assert obj["metadata"]["annotations"]["owner"] == "platform"


def test_nfs_pair_is_bound_by_name() -> None:
    values = {
        "nfs": [
            {
                "name": "media",
                "server": "10.0.0.5",
                "path": "/exports/media",
                "size": "100Gi",
                "mountOptions": ["nfsvers=4.1", "hard"],
            }
        ]
    }
    objects = render_chart(values)
    volume = one(objects, "PersistentVolume")
    claim = one(objects, "PersistentVolumeClaim")
    assert volume["metadata"]["name"] == f"{NAMESPACE}-media"
    assert "namespace" not in volume["metadata"]
    assert volume["spec"] == {
        "capacity": {"storage": "100Gi"},
        "accessModes": ["ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": "",
        "mountOptions": ["nfsvers=4.1", "hard"],
        "nfs": {"server": "10.0.0.5", "path": "/exports/media", "readOnly": False},
        "claimRef": {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "namespace": NAMESPACE,
            "name": "media",
        },
    }
    assert claim["metadata"]["name"] == "media"
    assert claim["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "100Gi"}},
        "storageClassName": "",
        "volumeName": f"{NAMESPACE}-media",
    }


def test_nfs_defaults_come_from_the_policy_and_read_only_is_rox() -> None:
    values = {
        "policy": {"nfs": {"size": "3Gi", "mountOptions": ["nfsvers=3"]}},
        "nfs": [{"name": "ro", "server": "nfs.example.com", "path": "/ro", "readOnly": True}],
    }
    objects = render_chart(values)
    volume = one(objects, "PersistentVolume")
    claim = one(objects, "PersistentVolumeClaim")
    assert volume["spec"]["capacity"] == {"storage": "3Gi"}
    assert volume["spec"]["mountOptions"] == ["nfsvers=3"]
    assert volume["spec"]["nfs"]["readOnly"] is True
    assert volume["spec"]["accessModes"] == ["ReadOnlyMany"]
    assert claim["spec"]["accessModes"] == ["ReadOnlyMany"]
    assert claim["spec"]["resources"] == {"requests": {"storage": "3Gi"}}


def test_nfs_volume_names_differ_between_namespaces() -> None:
    values = {"nfs": [{"name": "media", "server": "s", "path": "/m"}]}
    names = {
        one(render_chart(values, namespace=ns), "PersistentVolume")["metadata"]["name"]
        for ns in ("team-a", "team-b")
    }
    assert names == {"team-a-media", "team-b-media"}


def test_storage_class() -> None:
    values = {
        "storageClass": {
            "create": True,
            "provisioner": "nfs.csi.k8s.io",
            "parameters": {"server": "10.0.0.5", "share": "/exports"},
        }
    }
    storage_class = one(render_chart(values), "StorageClass")
    assert storage_class["metadata"]["name"] == "k8s-volume-ops"
    assert "namespace" not in storage_class["metadata"]
    settings = {
        k: v for k, v in storage_class.items() if k not in ("apiVersion", "kind", "metadata")
    }
    assert settings == {
        "provisioner": "nfs.csi.k8s.io",
        "parameters": {"server": "10.0.0.5", "share": "/exports"},
        "reclaimPolicy": "Retain",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def test_storage_class_settings() -> None:
    values = {
        "storageClass": {
            "create": True,
            "name": "volume-ops-fast",
            "provisioner": "ebs.csi.aws.com",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate",
            "allowVolumeExpansion": False,
        }
    }
    storage_class = one(render_chart(values), "StorageClass")
    assert storage_class["metadata"]["name"] == "volume-ops-fast"
    assert "parameters" not in storage_class
    assert storage_class["reclaimPolicy"] == "Delete"
    assert storage_class["volumeBindingMode"] == "Immediate"
    assert storage_class["allowVolumeExpansion"] is False
