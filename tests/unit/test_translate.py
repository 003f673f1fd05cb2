"""Mount specs + storage policy -> pod volumes, mounts and claims."""

from __future__ import annotations

from typing import Any

import pytest
from docker.types import DriverConfig, Mount

from k8s_volume_ops.errors import ConflictError, NeedsPolicyError, SpecError, UnsupportedError
from k8s_volume_ops.parsing import parse_docker_mount, parse_short
from k8s_volume_ops.policy import StoragePolicy
from k8s_volume_ops.translate import Translation, translate_mounts

SHARED = StoragePolicy.model_validate(
    {
        "binds": [
            {"source": "/data", "claim": "data"},
            {"source": "/data/raw", "claim": "raw"},
            {"source": "/srv/nfs", "nfs": {"server": "10.0.0.5", "path": "/exports"}},
            {"source": "/mnt/host", "hostPath": True},
        ]
    }
)


def tr(*items: Any, policy: StoragePolicy = SHARED, **kw: Any) -> Translation:
    return translate_mounts(
        [parse_docker_mount(i, origin=f"mounts[{n}]") for n, i in enumerate(items)], policy, **kw
    )


def test_named_volume_becomes_a_claim() -> None:
    t = tr("my_docker_volume:/app/data")
    assert t.volumes == [
        {"name": "my-docker-volume", "persistentVolumeClaim": {"claimName": "my-docker-volume"}}
    ]
    assert t.volume_mounts == [{"name": "my-docker-volume", "mountPath": "/app/data"}]
    (claim,) = t.claims
    assert claim.manifest == {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": "my-docker-volume",
            "labels": {"app.kubernetes.io/managed-by": "k8s-volume-ops"},
            "annotations": {"k8s-volume-ops/docker-volume": "my_docker_volume"},
        },
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    assert claim.create_missing and not claim.external


def test_same_docker_name_same_claim_and_one_volume_for_two_targets() -> None:
    t = tr("Vol_A:/a", "Vol_A:/b:ro")
    assert [v["name"] for v in t.volumes] == ["vol-a"]
    assert [m["mountPath"] for m in t.volume_mounts] == ["/a", "/b"]
    assert t.volume_mounts[1]["readOnly"] is True
    assert len(t.claims) == 1


def test_long_names_are_cut_with_a_stable_hash() -> None:
    name = "x" * 80
    first, second = tr(f"{name}:/a"), tr(f"{name}:/a")
    claim = first.claims[0].name
    assert len(claim) <= 63 and claim == second.claims[0].name
    assert claim != tr(f"{name}y:/a").claims[0].name


def test_policy_overrides_and_defaults() -> None:
    policy = StoragePolicy.model_validate(
        {
            "claims": {
                "size": "5Gi",
                "storageClassName": "fast",
                "labels": {"team": "etl"},
                "overrides": {
                    "big": {
                        "size": "10Gi",
                        "accessModes": ["ReadWriteMany"],
                        "claimName": "big-one",
                    }
                },
            }
        }
    )
    t = tr("big:/big", "small:/small", policy=policy)
    big, small = (c.manifest for c in t.claims)
    assert big["metadata"]["name"] == "big-one"
    assert big["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "10Gi"}},
        "storageClassName": "fast",
    }
    assert small["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert small["metadata"]["labels"]["team"] == "etl"


def test_create_missing_false_and_ephemeral() -> None:
    policy = StoragePolicy.model_validate(
        {"claims": {"createMissing": False, "overrides": {"scratch": {"ephemeral": True}}}}
    )
    t = tr("keep:/k", "scratch:/s", policy=policy)
    assert [c.name for c in t.claims] == ["keep"] and not t.claims[0].create_missing
    ephemeral = t.volumes[1]["ephemeral"]["volumeClaimTemplate"]
    assert ephemeral["spec"]["resources"]["requests"]["storage"] == "1Gi"


def test_anonymous_volume_and_tmpfs() -> None:
    t = tr("/cache", Mount("/scratch", None, "tmpfs", tmpfs_size="512m"))
    assert t.volumes == [
        {"name": "anon-cache", "emptyDir": {}},
        {"name": "tmpfs-scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "512Mi"}},
    ]
    assert not t.claims


def test_tmpfs_mode_is_noted_not_dropped() -> None:
    t = tr(Mount("/t", None, "tmpfs", tmpfs_mode=0o700))
    assert t.notes == [
        "mounts[0] \"{'Target': '/t', 'Source': None, 'Type': 'tmpfs', 'ReadOnly': False, "
        "'TmpfsOptions': {'Mode': 448}}\": tmpfs mode 0o700 has no Kubernetes "
        "equivalent; the emptyDir is world-writable (0777)"
    ]


@pytest.mark.parametrize(
    ("source", "claim", "sub_path"),
    [
        ("/data", "data", None),
        ("/data/reports", "data", "reports"),
        ("/data/raw/2024", "raw", "2024"),
        ("/data/rawness", "data", "rawness"),
    ],
)
def test_binds_longest_prefix_wins(source: str, claim: str, sub_path: str | None) -> None:
    t = tr(Mount("/in", source, "bind", read_only=True))
    assert t.volumes[0]["persistentVolumeClaim"]["claimName"] == claim
    assert t.volume_mounts[0].get("subPath") == sub_path
    assert t.volume_mounts[0]["readOnly"] is True


def test_bind_rule_claim_is_used_by_its_exact_name() -> None:
    """A rule names an existing claim: `data.v1` stays `data.v1`, not `data-v1`."""
    policy = StoragePolicy.model_validate({"binds": [{"source": "/d", "claim": "data.v1"}]})
    t = tr(Mount("/in", "/d/x", "bind"), policy=policy)
    assert t.volumes == [{"name": "data-v1", "persistentVolumeClaim": {"claimName": "data.v1"}}]
    assert [c.name for c in t.claims] == ["data.v1"]


def test_bind_claim_and_volume_of_one_name_are_kept_apart() -> None:
    """Host path /data (rule claim `data`) and Docker volume `data` are two things."""
    policy = StoragePolicy.model_validate({"binds": [{"source": "/data", "claim": "data"}]})
    with pytest.raises(ConflictError) as info:
        tr("data:/a", "/data/x:/b", policy=policy)
    assert str(info.value) == (
        "mounts[1]: '/data/x:/b': claim 'data' is both the binds rule for '/data' and Docker "
        "volume 'data'; Docker keeps them apart\n"
        "  fix: give the volume its own claim in claims.overrides"
    )
    (claim,) = tr("/data/x:/b", policy=policy).claims
    assert claim.manifest["metadata"]["annotations"] == {
        "k8s-volume-ops/docker-volume": "bind:/data"
    }


def test_bind_to_nfs_and_hostpath() -> None:
    t = tr(Mount("/a", "/srv/nfs/x", "bind"), Mount("/b", "/mnt/host/y", "bind"))
    assert t.volumes[0]["nfs"] == {"server": "10.0.0.5", "path": "/exports/x"}
    assert t.volumes[1]["hostPath"] == {"path": "/mnt/host/y"}
    legacy = tr("/mnt/host/z:/z")
    assert legacy.volumes[0]["hostPath"] == {"path": "/mnt/host/z", "type": "DirectoryOrCreate"}


def test_nfs_persistent_volume_mode_binds_pv_and_claim_by_name() -> None:
    policy = SHARED.model_copy(
        update={"nfs": SHARED.nfs.model_copy(update={"mode": "persistentVolume"})}
    )
    t = tr(Mount("/a", "/srv/nfs/x", "bind"), policy=policy)
    (pv,) = t.persistent_volumes
    (claim,) = t.claims
    assert pv["spec"]["nfs"]["path"] == "/exports/x"
    assert claim.manifest["spec"]["volumeName"] == pv["metadata"]["name"]
    assert pv["spec"]["claimRef"]["name"] == claim.name
    placed = t.for_namespace("airflow")
    (pv_there,) = placed.persistent_volumes
    assert pv_there["metadata"]["name"] == f"airflow-{pv['metadata']['name']}"
    assert pv_there["spec"]["claimRef"] == {"name": claim.name, "namespace": "airflow"}
    assert placed.claims[0].manifest["spec"]["volumeName"] == pv_there["metadata"]["name"]
    assert placed.for_namespace("airflow") is placed
    assert t.objects("airflow")[0] == pv_there
    assert "claimRef" not in t.objects()[0]["spec"]


def test_nfs_from_a_docker_driver_config() -> None:
    driver = DriverConfig(
        "local", {"type": "nfs", "o": "addr=10.20.30.40,ro,nfsvers=4", "device": ":/exports/data"}
    )
    t = tr(Mount("/shared", "exports", driver_config=driver))
    assert t.volumes[0]["nfs"] == {
        "server": "10.20.30.40",
        "path": "/exports/data",
        "readOnly": True,
    }
    assert t.volume_mounts[0]["readOnly"] is True


def test_other_drivers_need_a_rule() -> None:
    with pytest.raises(
        NeedsPolicyError, match=r"volume driver 'rexray/ebs'.*\n  fix: .*drivers: \{rexray/ebs"
    ):
        tr(Mount("/d", "v", driver_config=DriverConfig("rexray/ebs")))
    policy = StoragePolicy.model_validate({"drivers": {"rexray/ebs": {"storageClassName": "gp3"}}})
    t = tr(Mount("/d", "v", driver_config=DriverConfig("rexray/ebs")), policy=policy)
    assert t.claims[0].manifest["spec"]["storageClassName"] == "gp3"


def test_unmapped_bind_names_source_and_fix() -> None:
    with pytest.raises(NeedsPolicyError) as info:
        tr(Mount("/shared", "/shared", type="bind"), policy=StoragePolicy())
    text = str(info.value)
    assert text.startswith("mounts[0]: ")
    assert "host path '/shared' has no binds rule" in text
    assert "binds: [{source: /shared, claim: shared}]" in text


@pytest.mark.parametrize("sock", ["/var/run/docker.sock", "/run/docker.sock"])
def test_docker_socket_is_refused_even_with_a_catch_all_rule(sock: str) -> None:
    catch_all = StoragePolicy.model_validate({"binds": [{"source": "/", "claim": "host"}]})
    with pytest.raises(UnsupportedError, match="Docker daemon's socket"):
        tr(f"{sock}:{sock}", policy=catch_all)


def test_propagation() -> None:
    t = tr(Mount("/a", "/mnt/host/a", "bind", propagation="rslave"))
    assert t.volume_mounts[0]["mountPropagation"] == "HostToContainer"
    with pytest.raises(UnsupportedError, match="only in privileged containers"):
        tr(Mount("/a", "/mnt/host/a", "bind", propagation="rshared"))
    ok = tr(Mount("/a", "/mnt/host/a", "bind", propagation="rshared"), privileged=True)
    assert ok.volume_mounts[0]["mountPropagation"] == "Bidirectional"


def test_a_refusal_no_rule_fixes_comes_before_asking_for_a_rule() -> None:
    with pytest.raises(UnsupportedError, match="only in privileged containers"):
        tr(Mount("/a", "/unmapped/a", "bind", propagation="rshared"))


def test_hostpath_refused_under_baseline() -> None:
    policy = SHARED.model_copy(update={"pod_security": "baseline"})
    with pytest.raises(UnsupportedError, match="forbidden by PodSecurity level 'baseline'"):
        tr(Mount("/b", "/mnt/host/y", "bind"), policy=policy)


def test_target_checks() -> None:
    with pytest.raises(SpecError, match=r"contains ':'.*run_id") as info:
        tr(Mount("/out/manual__2025-01-01T00:00:00+00:00", "v"))
    assert "replace(':', '-')" in str(info.value)
    with pytest.raises(
        ConflictError, match=r"duplicate mount point '/d' \(also used by mounts\[0\]\)"
    ):
        tr("a:/d", "b:/d/")
    with pytest.raises(  # not a clash of the volume names both would get from the target
        ConflictError, match=r"duplicate mount point '/dev/shm' \(also used by mounts\[0\]\)"
    ):
        tr(Mount("/dev/shm", None, "tmpfs"), Mount("/dev/shm", None, "tmpfs", tmpfs_size="1m"))


def test_subpath_checks() -> None:
    assert tr(Mount("/d", "v", subpath="x/y")).volume_mounts[0]["subPath"] == "x/y"
    with pytest.raises(SpecError, match="must be relative and must not contain"):
        tr(Mount("/d", "v", subpath="../etc"))


def test_two_docker_volumes_never_merge_silently() -> None:
    """Docker keeps My_Vol and my-vol apart; a silent merge would mix their data."""
    with pytest.raises(
        ConflictError, match="'My_Vol' and 'my-vol' would both become claim 'my-vol'"
    ):
        tr("My_Vol:/a", "my-vol:/b")


def test_claim_names_given_by_the_user_may_share_a_claim() -> None:
    shared = {"claimName": "common"}
    policy = StoragePolicy.model_validate({"claims": {"overrides": {"a": shared, "b": shared}}})
    t = tr("a:/x", "b:/y", policy=policy)
    assert [c.name for c in t.claims] == ["common"]
    sized = StoragePolicy.model_validate(
        {"claims": {"overrides": {"a": {**shared, "size": "2Gi"}, "b": shared}}}
    )
    with pytest.raises(ConflictError, match="both map to claim 'common' with different settings"):
        tr("a:/x", "b:/y", policy=sized)


def test_problems_are_collected_when_asked() -> None:
    problems: list = []
    specs = [parse_short("ok:/ok"), parse_docker_mount(Mount("/x", "/nope", "bind"))]
    t = translate_mounts(specs, StoragePolicy(), problems=problems)
    assert [m["mountPath"] for m in t.volume_mounts] == ["/ok"]
    assert len(problems) == 1 and isinstance(problems[0], NeedsPolicyError)


def test_nfs_mount_options_are_kept_or_noted() -> None:
    driver = DriverConfig(
        "local", {"type": "nfs", "o": "addr=10.1.1.1,nfsvers=3,soft", "device": ":/e"}
    )
    inline = tr(Mount("/n", "exports", driver_config=driver))
    assert inline.volumes[0]["nfs"] == {"server": "10.1.1.1", "path": "/e"}
    assert any("['nfsvers=3', 'soft'] are not applied" in n for n in inline.notes)
    policy = StoragePolicy.model_validate(
        {"nfs": {"mode": "persistentVolume", "mountOptions": ["nfsvers=4.1", "hard"]}}
    )
    paired = tr(Mount("/n", "exports", driver_config=driver), policy=policy)
    assert paired.persistent_volumes[0]["spec"]["mountOptions"] == ["hard", "nfsvers=3", "soft"]


def test_nfs_options_without_a_server_say_so() -> None:
    driver = DriverConfig("local", {"type": "nfs", "o": "rw", "device": ":/exp"})
    with pytest.raises(SpecError, match="name no server or no absolute export path"):
        tr(Mount("/n", "exports", driver_config=driver))
