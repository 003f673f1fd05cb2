"""docker-py Mounts, their keyword dicts and their rendered Engine-API dicts."""

from __future__ import annotations

import pytest
from docker.types import DriverConfig, Mount

from k8s_volume_ops.errors import SpecError, UnsupportedError
from k8s_volume_ops.models import BindMountSpec, TmpfsMountSpec, VolumeMountSpec
from k8s_volume_ops.parsing import parse_docker_mount, parse_docker_mounts


def test_three_spellings_of_one_mount_agree() -> None:
    """Mount object, kwargs dict, and the API-cased dict Airflow's renderer returns."""
    obj = Mount(target="/data", source="vol", read_only=True, subpath="sub")
    kwargs = {"target": "/data", "source": "vol", "read_only": True, "subpath": "sub"}
    api = dict(obj)  # what the SDK templater returns for a Mount
    parsed = [parse_docker_mount(x) for x in (obj, kwargs, api)]
    for spec in parsed:
        assert isinstance(spec, VolumeMountSpec)
        assert (spec.source, spec.target, spec.read_only, spec.subpath) == (
            "vol",
            "/data",
            True,
            "sub",
        )


def test_bind_with_propagation() -> None:
    spec = parse_docker_mount(
        Mount("/d", "/srv/d", "bind", propagation="rslave", consistency="cached")
    )
    assert isinstance(spec, BindMountSpec)
    assert spec.propagation == "rslave" and spec.ignored == ("consistency=cached",)


def test_tmpfs_size_and_mode() -> None:
    spec = parse_docker_mount(Mount("/scratch", None, "tmpfs", tmpfs_size="64m", tmpfs_mode=0o1777))
    assert isinstance(spec, TmpfsMountSpec)
    assert spec.size_bytes == 64 * 1024 * 1024 and spec.mode == 0o1777


def test_labels_and_driver_become_a_declaration() -> None:
    driver = DriverConfig("local", {"type": "nfs", "o": "addr=10.0.0.5", "device": ":/x"})
    spec = parse_docker_mount(Mount("/d", "shared", labels={"team": "etl"}, driver_config=driver))
    assert isinstance(spec, VolumeMountSpec) and spec.declaration is not None
    assert spec.declaration.driver == "local"
    assert spec.declaration.driver_opts["type"] == "nfs"
    assert spec.declaration.labels == {"team": "etl"}


def test_anonymous_volume_and_default_type() -> None:
    spec = parse_docker_mount({"target": "/cache"})
    assert isinstance(spec, VolumeMountSpec) and spec.source is None


def test_string_uses_the_v_grammar() -> None:
    spec = parse_docker_mount("vol:/data:ro")
    assert isinstance(spec, VolumeMountSpec) and spec.read_only


@pytest.mark.parametrize(
    ("item", "error", "message"),
    [
        ({"Target": "/x", "Type": "npipe", "Source": "p"}, UnsupportedError, "only on Windows"),
        (
            {"target": "/x", "type": "image", "source": "alpine"},
            SpecError,
            'unsupported mount type "image"',
        ),
        (
            {"target": "/x", "source": "v", "propagation": "rshared"},
            SpecError,
            "'propagation' is not allowed on a volume",
        ),
        (
            {"target": "/x", "source": "/h", "type": "bind", "no_copy": True},
            SpecError,
            "'no_copy' is not allowed on a bind",
        ),
        ({"target": "/x", "type": "bind"}, SpecError, "needs a source path"),
        ({"target": "x", "source": "v"}, SpecError, "must be absolute"),
        ({"source": "v"}, SpecError, "needs a target"),
        ({"target": "/x", "sourse": "v"}, SpecError, r"unknown mount keys \['sourse'\]"),
        ({"Target": "/x", "source": "v"}, SpecError, "mixes Engine-API keys"),
        (
            {"target": "/x", "type": "tmpfs", "tmpfs_mode": "1777"},
            SpecError,
            "tmpfs_mode must be an integer",
        ),
        ({"target": "/x", "type": "tmpfs", "tmpfs_size": "2t"}, SpecError, "not a Docker size"),
        (42, SpecError, "must be a docker.types.Mount, a dict or a string"),
    ],
)
def test_refusals(item: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        parse_docker_mount(item, origin="mounts[1]")


def test_list_origins_are_indexed() -> None:
    with pytest.raises(SpecError, match=r"^mounts\[1\]: "):
        parse_docker_mounts([Mount("/a", "v"), {"target": "/b", "type": "nope"}])
