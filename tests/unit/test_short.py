"""The `-v` grammar, with the Docker daemon's rules (not docker-py's)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8s_volume_ops.errors import SpecError, UnsupportedError, VolumeOpsError
from k8s_volume_ops.models import BindMountSpec, VolumeMountSpec
from k8s_volume_ops.parsing import parse_short


@pytest.mark.parametrize(
    ("raw", "kind", "source", "target", "read_only"),
    [
        ("/data", VolumeMountSpec, None, "/data", False),
        ("vol:/data", VolumeMountSpec, "vol", "/data", False),
        ("vol:/data:ro", VolumeMountSpec, "vol", "/data", True),
        ("vol:/data:rw", VolumeMountSpec, "vol", "/data", False),
        ("/host/dir:/data", BindMountSpec, "/host/dir", "/data", False),
        ("/host/dir:/data:ro", BindMountSpec, "/host/dir", "/data", True),
        # the daemon keeps :z and :nocopy writable (docker-py would make them read-only)
        ("/host:/data:z", BindMountSpec, "/host", "/data", False),
        ("vol:/data:nocopy", VolumeMountSpec, "vol", "/data", False),
        ("/host:/data:ro,Z", BindMountSpec, "/host", "/data", True),
        ("my_docker_volume:/app/data", VolumeMountSpec, "my_docker_volume", "/app/data", False),
        ("vol:/data/", VolumeMountSpec, "vol", "/data", False),
    ],
)
def test_parses(raw: str, kind: type, source: str | None, target: str, read_only: bool) -> None:
    spec = parse_short(raw, origin="volumes[0]")
    assert isinstance(spec, kind)
    assert (spec.source, spec.target, spec.read_only) == (source, target, read_only)
    assert spec.raw == raw and spec.origin == "volumes[0]"


def test_legacy_bind_creates_missing_host_path() -> None:
    spec = parse_short("/srv/out:/out")
    assert isinstance(spec, BindMountSpec) and spec.create_host_path


def test_options_are_kept_or_noted() -> None:
    bind = parse_short("/h:/d:rslave,z,cached")
    assert isinstance(bind, BindMountSpec)
    assert bind.propagation == "rslave"
    assert bind.ignored == ("selinux=z", "consistency=cached")
    volume = parse_short("v:/d:nocopy")
    assert isinstance(volume, VolumeMountSpec) and volume.no_copy


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("./out:/files", r"'./out' is neither an absolute host path nor a volume name"),
        ("a:b:c:d", r"invalid volume specification"),
        ("vol:/x:zz", r"invalid mode 'zz'"),
        ("vol:/x:ro,rw", r"access given twice"),
        ("vol:relative", r"the target must be absolute"),
        ("/h:/d:nocopy", r"nocopy applies to named volumes"),
        ("vol:/d:rshared", r"propagation mode applies to host paths"),
        ("C:\\data:/data", r"drive C: cannot be mounted into a Linux pod"),
        ("C:/data:/data", r"drive C: cannot be mounted into a Linux pod"),
        ("d:\\x", r"drive d: cannot be mounted"),
        ("//server/share:/s", r"a Windows path cannot be mounted"),
        ("vol::/d", r"invalid volume specification"),
    ],
)
def test_refusals_quote_the_input(raw: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as info:
        parse_short(raw, origin="volumes[3]")
    assert str(info.value).startswith(f"volumes[3]: {raw!r}")


@pytest.mark.parametrize("raw", ["//./pipe/docker_engine:/pipe", "\\\\.\\pipe\\docker_engine:/p"])
def test_named_pipes_are_refused_as_such(raw: str) -> None:
    with pytest.raises(UnsupportedError) as info:
        parse_short(raw, origin="volumes[0]")
    assert str(info.value) == (
        f"volumes[0]: {raw!r}: named pipes (npipe) exist only on Windows hosts; a Linux pod "
        "has nothing to mount"
    )


def test_single_letter_volume_is_not_a_drive() -> None:
    volume = parse_short("c:/data")
    assert isinstance(volume, VolumeMountSpec) and volume.source == "c"


def test_relative_source_shows_the_fix() -> None:
    with pytest.raises(SpecError) as info:
        parse_short("./out:/files")
    assert "fix: use an absolute path" in str(info.value)


@given(st.text(alphabet="/:abcZz.,-_rowsh~ \\", max_size=30))
def test_any_string_parses_or_raises_spec_error(raw: str) -> None:
    try:
        parse_short(raw)
    except VolumeOpsError as exc:
        assert isinstance(exc, SpecError)
