"""Network storage: NFS from compose driver_opts or a binds rule, other drivers, external claims."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from composecheck import Render, mount_at, objects_of

NFS_VOLUME = {
    "driver": "local",
    "driver_opts": {
        "type": "nfs",
        "o": "addr=10.20.30.40,rw,nfsvers=4",
        "device": ":/exports/data",
    },
}


def _nfs_compose(*services: str, mount: str = "exports:/shared") -> dict[str, Any]:
    return {
        "services": {name: {"image": "etl:2.1", "volumes": [mount]} for name in services},
        "volumes": {"exports": copy.deepcopy(NFS_VOLUME)},
    }


def test_driver_opts_nfs_is_an_inline_nfs_volume(render: Render) -> None:
    result = render(_nfs_compose("etl"))
    _, volume = mount_at(result, "etl", "/shared")
    assert volume["nfs"] == {"server": "10.20.30.40", "path": "/exports/data"}
    assert not objects_of(result, "PersistentVolumeClaim")
    assert any("NFS mount options ['nfsvers=4'] are not applied" in n for n in result.notes)


def test_read_only_nfs_option_and_subpath(render: Render) -> None:
    compose = _nfs_compose("etl", mount="x")
    compose["services"]["etl"]["volumes"] = [
        {"type": "volume", "source": "exports", "target": "/in", "volume": {"subpath": "in"}}
    ]
    compose["volumes"]["exports"]["driver_opts"]["o"] = "addr=10.20.30.40,ro"
    result = render(compose)
    mount, volume = mount_at(result, "etl", "/in")
    assert volume["nfs"] == {"server": "10.20.30.40", "path": "/exports/data/in", "readOnly": True}
    assert mount["readOnly"] is True


@pytest.mark.parametrize(
    "policy",
    [{"nfs": {"mode": "persistentVolume"}}, {"podSecurity": "restricted"}],
    ids=["nfs-mode", "restricted"],
)
def test_persistent_volume_pair_bound_by_name(render: Render, policy: dict[str, Any]) -> None:
    result = render(_nfs_compose("etl", "report"), policy, namespace="data")
    pvs = objects_of(result, "PersistentVolume")
    claims = objects_of(result, "PersistentVolumeClaim")
    assert len(pvs) == 1 and len(claims) == 1  # two services, one export: one pair
    (pv_name, pv), (claim_name, claim) = next(iter(pvs.items())), next(iter(claims.items()))
    assert pv["spec"]["nfs"] == {
        "server": "10.20.30.40",
        "path": "/exports/data",
        "readOnly": False,
    }
    assert pv["spec"]["accessModes"] == claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pv["spec"]["storageClassName"] == claim["spec"]["storageClassName"] == ""
    assert pv["spec"]["claimRef"] == {"name": claim_name, "namespace": "data"}
    assert claim["spec"]["volumeName"] == pv_name
    assert claim["metadata"]["namespace"] == "data" and "namespace" not in pv["metadata"]
    for service in ("etl", "report"):
        assert mount_at(result, service, "/shared")[1]["persistentVolumeClaim"] == {
            "claimName": claim_name
        }


def test_pair_without_a_namespace_binds_through_volume_name_only(render: Render) -> None:
    """A claimRef without a namespace matches no claim; the claim's volumeName still binds."""
    result = render(
        _nfs_compose("etl"), {"nfs": {"mode": "persistentVolume", "mountOptions": ["nfsvers=4.1"]}}
    )
    (pv,) = objects_of(result, "PersistentVolume").values()
    (claim,) = objects_of(result, "PersistentVolumeClaim").values()
    assert "claimRef" not in pv["spec"]
    assert claim["spec"]["volumeName"] == pv["metadata"]["name"]
    assert pv["spec"]["mountOptions"] == ["nfsvers=4"]  # the volume's own option wins


def test_binds_rule_to_nfs(render: Render) -> None:
    policy = {"binds": [{"source": "/mnt/share", "nfs": {"server": "filer", "path": "/vol1"}}]}
    result = render(
        {"services": {"a": {"image": "x", "volumes": ["/mnt/share/reports:/r:ro"]}}}, policy
    )
    mount, volume = mount_at(result, "a", "/r")
    assert volume["nfs"] == {"server": "filer", "path": "/vol1/reports"}
    assert mount["readOnly"] is True


def test_other_drivers_need_a_rule_and_are_refused_by_name(render: Render) -> None:
    compose = {
        "services": {"a": {"image": "x", "volumes": ["ebs:/d", "/scratch"]}},
        "volumes": {"ebs": {"driver": "rexray/ebs", "driver_opts": {"size": "20"}}},
    }
    refused = render(compose)
    assert len(refused.problems) == 1
    assert "volume driver 'rexray/ebs' has no Kubernetes equivalent" in str(refused.problems[0])
    assert "services.a.volumes[0]" in str(refused.problems[0])
    assert mount_at(refused, "a", "/scratch")
    policy = {"drivers": {"rexray/ebs": {"storageClassName": "gp3", "size": "20Gi"}}}
    mapped = render(compose, policy)
    spec = objects_of(mapped, "PersistentVolumeClaim")["ebs"]["spec"]
    assert spec["storageClassName"] == "gp3"
    assert spec["resources"]["requests"]["storage"] == "20Gi"


@pytest.mark.parametrize(
    ("opts", "kind", "fields"),
    [
        (
            {"type": "tmpfs", "device": "tmpfs", "o": "size=100m"},
            "emptyDir",
            {"medium": "Memory", "sizeLimit": "100Mi"},
        ),
        (
            {"type": "none", "o": "bind", "device": "./shared"},
            "persistentVolumeClaim",
            {"claimName": "project"},
        ),
    ],
    ids=["tmpfs", "bind-device"],
)
def test_local_driver_options(
    render: Render, tmp_path: Any, opts: dict[str, str], kind: str, fields: dict[str, str]
) -> None:
    result = render(
        {
            "services": {"a": {"image": "x", "volumes": ["v:/v"]}},
            "volumes": {"v": {"driver_opts": opts}},
        },
        {"binds": [{"source": str(tmp_path), "claim": "project"}]},
    )
    mount, volume = mount_at(result, "a", "/v")
    assert volume[kind] == fields
    if kind == "persistentVolumeClaim":
        assert mount["subPath"] == "shared"


def test_local_block_device_needs_a_rule(render: Render) -> None:
    result = render(
        {
            "services": {"a": {"image": "x", "volumes": ["v:/v"]}},
            "volumes": {"v": {"driver_opts": {"type": "ext4", "device": "/dev/sdb1"}}},
        }
    )
    assert "local volume options" in str(result.problems[0])
    assert "add a drivers rule for 'local'" in str(result.problems[0])


def test_external_and_named_volumes(render: Render) -> None:
    result = render(
        {
            "services": {"a": {"image": "x", "volumes": ["legacy:/l", "old:/o", "data:/d"]}},
            "volumes": {
                "legacy": {"external": True},
                "old": {"external": True, "name": "Old_Claim"},
                "data": {"name": "my_app_data"},
            },
        }
    )
    claims = objects_of(result, "PersistentVolumeClaim")
    assert sorted(claims) == ["my-app-data"]  # external claims are referenced, never created
    assert mount_at(result, "a", "/l")[1]["persistentVolumeClaim"]["claimName"] == "legacy"
    assert mount_at(result, "a", "/o")[1]["persistentVolumeClaim"]["claimName"] == "old-claim"
    assert mount_at(result, "a", "/d")[1]["persistentVolumeClaim"]["claimName"] == "my-app-data"


def test_cifs_password_is_never_quoted(render: Render) -> None:
    options = "addr=1.2.3.4,username=u,password=secretpw"
    smb = {"driver": "local", "driver_opts": {"type": "cifs", "o": options, "device": "//h/s"}}
    result = render(
        {"services": {"a": {"image": "x", "volumes": ["smb:/n"]}}, "volumes": {"smb": smb}}
    )
    (problem,) = result.problems
    assert str(problem).splitlines()[0] == (
        "services.a.volumes[0]: 'smb:/n': local volume options {'device': '//h/s', "
        "'o': 'addr=1.2.3.4,username=u,password=<redacted>', 'type': 'cifs'} (a device "
        "or filesystem the Docker host mounts) have no Kubernetes equivalent"
    )
    assert not any("secretpw" in note for note in result.notes)
