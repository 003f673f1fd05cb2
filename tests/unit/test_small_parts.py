"""Sizes, names, XCom splitting, PodSecurity and errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8s_volume_ops._names import distinct_labels, dns1123_label, is_dns1123_label, label_value
from k8s_volume_ops.errors import NeedsPolicyError, PolicyError, SpecError, VolumeOpsError
from k8s_volume_ops.podsecurity import check_pod_security, harden
from k8s_volume_ops.policy import load_policy
from k8s_volume_ops.quantity import bytes_to_quantity, docker_bytes, quantity_to_decimal
from k8s_volume_ops.xcom import log_lines, output_file_bytes, xcom_value


@pytest.mark.parametrize(
    ("docker", "size"),
    [
        ("512m", 536870912),
        ("512mb", 536870912),
        ("1.5g", 1610612736),
        ("64K", 65536),
        ("10", 10),
        (1024, 1024),
        ("1G", 1073741824),
    ],
)
def test_docker_sizes_are_binary(docker: str | int, size: int) -> None:
    assert docker_bytes(docker) == size


@pytest.mark.parametrize("bad", ["2t", "512Mi", "-1", "", "m", True])
def test_bad_docker_sizes(bad: object) -> None:
    with pytest.raises(ValueError):
        docker_bytes(bad)  # type: ignore[arg-type]


def test_quantities() -> None:
    assert bytes_to_quantity(536870912) == "512Mi"
    assert bytes_to_quantity(1000) == "1000"
    assert quantity_to_decimal("512Mi") == quantity_to_decimal("536870912")
    assert quantity_to_decimal("500m") * 2 == 1
    with pytest.raises(ValueError):
        quantity_to_decimal("12XB")


@given(st.integers(min_value=1, max_value=2**62))
def test_quantity_round_trip(size: int) -> None:
    assert quantity_to_decimal(bytes_to_quantity(size)) == size


@given(st.text(max_size=100))
def test_any_name_maps_to_a_valid_stable_label(name: str) -> None:
    label = dns1123_label(name)
    assert is_dns1123_label(label) and label == dns1123_label(name)


def test_name_examples() -> None:
    assert dns1123_label("My_Docker.Volume") == "my-docker-volume"
    assert label_value("ok-value") == "ok-value"
    assert len(label_value("v" * 80)) <= 63


def _h(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:8]


def test_distinct_labels_suffix_only_names_that_clash() -> None:
    long = ["x" * 70 + "." + c for c in "ab"]
    assert distinct_labels(["cfg.one", "cfg_one", "cfg-one", "Other", *long]) == {
        "cfg-one": "cfg-one",  # unchanged by sanitising: keeps its name
        "cfg.one": f"cfg-one-{_h('cfg.one')}",
        "cfg_one": f"cfg-one-{_h('cfg_one')}",
        "Other": "other",  # changed, but clashes with nothing
        long[0]: dns1123_label(long[0]),  # cut names already differ by their hash
        long[1]: dns1123_label(long[1]),
    }
    full = ["a" * 61 + "_b", "a" * 61 + ".b"]  # both become the 63-character "aaa...a-b"
    clashing = distinct_labels(full)
    assert clashing == {name: f"{'a' * 54}-{_h(name)}" for name in full}
    assert all(len(name) <= 63 and is_dns1123_label(name) for name in clashing.values())


@pytest.mark.parametrize(
    ("log", "last", "all_lines"),
    [
        ("a\nb\n", "b", ["a", "b"]),
        ("a\n\n", "", ["a", ""]),
        ("partial\nlast", "last", ["partial", "last"]),
        ("x  \r\n", "x", ["x"]),
        ("", None, None),
    ],
)
def test_xcom_like_docker(log: str, last: str | None, all_lines: list[str] | None) -> None:
    assert xcom_value(log, xcom_all=False) == last
    assert xcom_value(log, xcom_all=True) == all_lines


def test_retrieved_output_between_markers() -> None:
    log = (
        "noise\nk8s-volume-ops:retrieve-output:begin\naGVs\nbG8=\n"
        "k8s-volume-ops:retrieve-output:end\n"
    )
    assert output_file_bytes(log) == b"hello"
    assert output_file_bytes("nothing\n") is None
    assert log_lines("a\nb") == ["a", "b"]


def test_pod_security_levels() -> None:
    pod = {
        "spec": {
            "hostNetwork": True,
            "volumes": [
                {"name": "h", "hostPath": {"path": "/x"}},
                {"name": "n", "nfs": {"server": "s", "path": "/"}},
            ],
            "containers": [
                {
                    "name": "base",
                    "securityContext": {"privileged": True, "capabilities": {"add": ["NET_ADMIN"]}},
                }
            ],
        }
    }
    baseline = check_pod_security(pod, "baseline")
    assert len(baseline) == 4 and all("'baseline'" in p for p in baseline)
    restricted = check_pod_security(pod, "restricted")
    assert any("'nfs'" in p and "restricted" in p for p in restricted)
    assert check_pod_security(pod, "privileged") == [] and check_pod_security(pod, None) == []


def test_restricted_fields_are_added_when_unset_and_checked_when_set() -> None:
    def pod(context: dict | None = None, pod_context: dict | None = None) -> dict:
        container = {"name": "base", **({"securityContext": context} if context else {})}
        spec = {"containers": [container], "initContainers": [{"name": "init"}]}
        return {"spec": {**spec, **({"securityContext": pod_context} if pod_context else {})}}

    plain = pod()
    assert len(check_pod_security(plain, "restricted")) == 8  # 4 fields x 2 containers
    assert check_pod_security(plain, "restricted", hardening=False) == []
    assert check_pod_security(harden(plain), "restricted") == []
    assert plain["spec"]["securityContext"] == {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert plain["spec"]["containers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    chosen = harden(pod({"allowPrivilegeEscalation": True, "capabilities": {"drop": ["NET_RAW"]}}))
    assert check_pod_security(chosen, "restricted") == [
        "container 'base': allowPrivilegeEscalation must be false under PodSecurity level "
        "'restricted' (podSecurity: restricted in the storage policy sets what is unset)",
        "container 'base': capabilities must drop ALL under PodSecurity level 'restricted' "
        "(podSecurity: restricted in the storage policy sets what is unset)",
    ]
    root = harden(pod({"runAsUser": 0, "capabilities": {"add": ["CHOWN", "SYS_ADMIN"]}}))
    assert check_pod_security(root, "restricted") == [
        "cap_add ['SYS_ADMIN'] is forbidden by PodSecurity level 'restricted'",
        "cap_add ['CHOWN'] is forbidden by PodSecurity level 'restricted' (only "
        "NET_BIND_SERVICE may be added)",
        "user 0 (root) is forbidden by PodSecurity level 'restricted'",
    ]


def test_error_hierarchy_and_format() -> None:
    exc = NeedsPolicyError("no rule", spec="/a:/b", origin="mounts[2]", hint="add one")
    assert (
        isinstance(exc, PolicyError)
        and isinstance(exc, ValueError)
        and isinstance(exc, VolumeOpsError)
    )
    assert str(exc) == "mounts[2]: '/a:/b': no rule\n  fix: add one"
    assert str(exc.located("task 't'")) == "task 't' mounts[2]: '/a:/b': no rule\n  fix: add one"
    assert issubclass(SpecError, ValueError)


def test_policy_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text("binds:\n  - source: relative\n    claim: x\n")
    with pytest.raises(PolicyError, match=r"p.yaml: invalid storage policy: binds.0.source"):
        load_policy(bad)
    with pytest.raises(PolicyError, match="exactly one of claim, nfs or hostPath"):
        load_policy({"binds": [{"source": "/a", "claim": "c", "hostPath": True}]})
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "missing.yaml")


def test_policy_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.yaml"
    path.write_text("claims: {size: 3Gi}\n")
    monkeypatch.setenv("K8S_VOLUME_OPS_POLICY", str(path))
    assert load_policy().claims.size == "3Gi"
    assert load_policy({"claims": {"size": "4Gi"}}).claims.size == "4Gi"


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (
            {"claims": {"labels": {"bad key": "x"}}},
            r"not valid Kubernetes label/annotation keys: \['bad key'\]",
        ),
        ({"claims": {"overrides": {"v": {"annotations": {"a/b/c": "x"}}}}}, "a/b/c"),
        (
            {"binds": [{"source": "/d", "hostPath": True, "hostPathType": "directory"}]},
            "hostPathType",
        ),
        (
            {"claims": {"size": "512m"}},
            r"claims.size: Value error, '512m' is 0.512 bytes in Kubernetes units \(m is milli\); "
            "Docker's 512m is 512Mi",
        ),
        ({"claims": {"overrides": {"v": {"size": "0.5"}}}}, "'0.5' is not a whole number of bytes"),
        ({"nfs": {"size": "10m"}}, r"nfs.size: .*'10m' is 0.01 bytes"),
        ({"drivers": {"rbd": {"storageClassName": "ceph", "size": "2m"}}}, "'2m' is 0.002 bytes"),
        (
            {"binds": [{"source": "/d", "claim": "Bad_Claim"}]},
            r"binds claim 'Bad_Claim' is not a valid claim name .*used by this exact name",
        ),
        (
            {"binds": [{"source": "/data/", "claim": "a"}, {"source": "/data", "claim": "b"}]},
            r"binds\[0\] and binds\[1\] both have source '/data' \(after normalising\)",
        ),
    ],
)
def test_policy_values_kubernetes_would_refuse_are_refused_early(
    policy: dict, message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy(policy)
