"""Values the chart refuses, and the messages that tell the user what to set."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import render_chart, render_error

pytestmark = pytest.mark.chart

NFS_OK = {"name": "media", "server": "10.0.0.5", "path": "/exports"}


@pytest.mark.parametrize(
    ("values", "messages"),
    [
        (
            {"nfs": [{"name": "media", "path": "/exports"}]},
            [
                "k8s-volume-ops: nfs[0].server",
                "An NFS volume needs the server's host name or IP address",
                "--set nfs[0].server=10.0.0.5",
            ],
        ),
        (
            {"nfs": [{"name": "media", "server": "10.0.0.5"}]},
            ["k8s-volume-ops: nfs[0].path", "An NFS volume needs the exported path"],
        ),
        (
            {"nfs": [{**NFS_OK, "path": "exports"}]},
            ['"exports" is not absolute; NFS export paths start with "/"'],
        ),
        (
            {"nfs": [NFS_OK, {"server": "s", "path": "/p"}]},
            ["k8s-volume-ops: nfs[1].name", "Each NFS entry needs the name of its claim"],
        ),
        (
            {"claims": [{"size": "1Gi"}]},
            ["k8s-volume-ops: claims[0].name", "Each claim needs a name"],
        ),
        (
            {"claims": [{"name": "Shared_Data"}]},
            ['"Shared_Data" is not a valid claim name'],
        ),
        (
            {"claims": [{"name": "a" * 64}]},
            ["is longer than 63 characters"],
        ),
        (
            {"claims": [{"name": "media"}], "nfs": [NFS_OK]},
            [
                "k8s-volume-ops: nfs[0].name",
                'The claim "media" is already defined by claims[0]',
            ],
        ),
        (
            {"rbac": {"serviceAccounts": []}},
            ["k8s-volume-ops: rbac.serviceAccounts", "The Role would be bound to no account"],
        ),
        (
            {"rbac": {"serviceAccounts": [{"namespace": "airflow"}]}},
            ["k8s-volume-ops: rbac.serviceAccounts[0].name"],
        ),
        (
            {"storageClass": {"create": True}},
            ["k8s-volume-ops: storageClass.provisioner", "A StorageClass needs a provisioner"],
        ),
        (
            {"policy": {"binds": [{"source": "data", "claim": "data"}]}},
            ["k8s-volume-ops: policy.binds[0].source", '"data" is not absolute'],
        ),
        (
            {"policy": {"binds": [{"source": "/data"}]}},
            ["k8s-volume-ops: policy.binds[0]\n", "needs exactly one of", "it has 0"],
        ),
        (
            {"policy": {"binds": [{"source": "/data", "claim": "data", "hostPath": True}]}},
            ["it has 2"],
        ),
        (
            {"policy": {"binds": [{"source": "/srv", "nfs": {"server": "10.0.0.5"}}]}},
            ["k8s-volume-ops: policy.binds[0].nfs", "needs both server and path"],
        ),
        (
            {
                "policy": {
                    "podSecurity": "baseline",
                    "binds": [{"source": "/mnt/host", "hostPath": True}],
                }
            },
            [
                "k8s-volume-ops: policy.binds[0].hostPath",
                'PodSecurity "baseline" (policy.podSecurity) rejects hostPath',
            ],
        ),
    ],
    ids=[
        "nfs-without-server",
        "nfs-without-path",
        "nfs-relative-path",
        "nfs-without-name",
        "claim-without-name",
        "claim-invalid-name",
        "claim-name-too-long",
        "duplicate-claim-name",
        "role-bound-to-nobody",
        "subject-without-name",
        "storage-class-without-provisioner",
        "bind-relative-source",
        "bind-without-target",
        "bind-with-two-targets",
        "bind-nfs-without-path",
        "hostpath-under-baseline",
    ],
)
def test_invalid_values_fail_with_a_clear_message(
    values: dict[str, Any], messages: list[str]
) -> None:
    error = render_error(values)
    assert "VALUES VALIDATION:" in error
    for message in messages:
        assert message in error


def test_all_problems_are_reported_at_once() -> None:
    error = render_error({"nfs": [{"name": "media"}], "storageClass": {"create": True}})
    assert "nfs[0].server" in error
    assert "nfs[0].path" in error
    assert "storageClass.provisioner" in error


def test_own_account_alone_is_a_valid_subject() -> None:
    objects = render_chart({"rbac": {"serviceAccounts": []}, "serviceAccount": {"create": True}})
    assert [o["kind"] for o in objects if o["kind"] == "RoleBinding"] == ["RoleBinding"]


def test_hostpath_is_accepted_when_the_namespace_is_privileged() -> None:
    values = {
        "policy": {"podSecurity": "privileged", "binds": [{"source": "/mnt", "hostPath": True}]}
    }
    assert render_chart(values)
