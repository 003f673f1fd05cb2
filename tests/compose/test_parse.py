"""The compose mount grammar (compose-spec 05-services.md, 07-volumes.md), entry by entry."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8s_volume_ops.errors import SpecError, UnsupportedError
from k8s_volume_ops.models import BindMountSpec, TmpfsMountSpec, VolumeMountSpec
from k8s_volume_ops.parsing.compose import (
    FileSource,
    labels_dict,
    parse_compose_volume,
    parse_file_mount,
    parse_service_tmpfs,
    parse_volume_declaration,
    parse_volumes_from,
)

SHORT = [
    ("data:/d", VolumeMountSpec, {"source": "data", "target": "/d", "read_only": False}),
    ("data:/d:ro", VolumeMountSpec, {"read_only": True}),
    ("data:/d:rw", VolumeMountSpec, {"read_only": False}),
    ("data:/d:nocopy", VolumeMountSpec, {"no_copy": True}),
    ("data:/d:ro,z", VolumeMountSpec, {"read_only": True, "ignored": ("selinux=z",)}),
    ("data:/d:Z", VolumeMountSpec, {"ignored": ("selinux=Z",)}),
    ("/host:/d:cached", BindMountSpec, {"ignored": ("consistency=cached",)}),
    ("/host:/d:delegated", BindMountSpec, {"ignored": ("consistency=delegated",)}),
    ("/host:/d:consistent", BindMountSpec, {"ignored": ("consistency=consistent",)}),
    ("/host:/d", BindMountSpec, {"source": "/host", "create_host_path": True}),
    ("/host:/d:ro,rslave", BindMountSpec, {"read_only": True, "propagation": "rslave"}),
    ("./rel:/d", BindMountSpec, {"source": "./rel"}),
    ("~/rel:/d", BindMountSpec, {"source": "~/rel"}),
    ("/anon", VolumeMountSpec, {"source": None, "target": "/anon"}),
    ("Cache:/c", VolumeMountSpec, {"source": "Cache"}),
    ("data:/d/", VolumeMountSpec, {"target": "/d"}),
]


@pytest.mark.parametrize(("raw", "kind", "fields"), SHORT, ids=[s[0] for s in SHORT])
def test_short_syntax(raw: str, kind: type, fields: dict[str, Any]) -> None:
    spec = parse_compose_volume(raw, origin="services.a.volumes[0]")
    assert isinstance(spec, kind)
    for key, value in fields.items():
        assert getattr(spec, key) == value
    assert spec.raw == raw and spec.origin == "services.a.volumes[0]"


SHORT_ERRORS = [
    ("data:/d:bogus", "invalid mode 'bogus'"),
    ("data:d", "the target must be absolute"),
    ("a:b:c:d", "expected SOURCE:TARGET"),
    ("/h:/d:nocopy", "nocopy applies to named volumes"),
    ("data:/d:rshared", "propagation mode applies to host paths"),
    ("C:\\data:/d", "drive C: cannot be mounted into a Linux pod"),
    ("data:/d:ro,rw", "access given twice"),
]


@pytest.mark.parametrize(("raw", "message"), SHORT_ERRORS, ids=[s[0] for s in SHORT_ERRORS])
def test_short_syntax_errors(raw: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_compose_volume(raw, origin="o")


LONG = [
    ({"type": "volume", "source": "v", "target": "/d"}, VolumeMountSpec, {"source": "v"}),
    ({"type": "volume", "target": "/d"}, VolumeMountSpec, {"source": None}),
    (
        {"type": "volume", "source": "v", "target": "/d", "volume": {"nocopy": True}},
        VolumeMountSpec,
        {"no_copy": True},
    ),
    (
        {"type": "volume", "source": "v", "target": "/d", "volume": {"subpath": "pg"}},
        VolumeMountSpec,
        {"subpath": "pg"},
    ),
    (
        {"type": "volume", "source": "v", "target": "/d", "read_only": "true"},
        VolumeMountSpec,
        {"read_only": True},
    ),
    (
        {"type": "bind", "source": "/h", "target": "/d"},
        BindMountSpec,
        {"create_host_path": True, "propagation": None},
    ),
    (
        {"type": "bind", "source": "/h", "target": "/d", "bind": {"create_host_path": False}},
        BindMountSpec,
        {"create_host_path": False},
    ),
    (
        {"type": "bind", "source": "/h", "target": "/d", "bind": {"propagation": "rshared"}},
        BindMountSpec,
        {"propagation": "rshared"},
    ),
    (
        {"type": "bind", "source": "/h", "target": "/d", "bind": {"selinux": "z"}},
        BindMountSpec,
        {"ignored": ("selinux=z",)},
    ),
    (
        {"type": "bind", "source": "/h", "target": "/d", "consistency": "cached"},
        BindMountSpec,
        {"ignored": ("consistency=cached",)},
    ),
    (
        {"type": "tmpfs", "target": "/t", "tmpfs": {"size": "64m", "mode": 0o1777}},
        TmpfsMountSpec,
        {"size_bytes": 64 * 2**20, "mode": 0o1777},
    ),
    (
        {"type": "tmpfs", "target": "/t", "tmpfs": {"size": 1024, "mode": "1777"}},
        TmpfsMountSpec,
        {"size_bytes": 1024, "mode": 0o1777},
    ),
]


@pytest.mark.parametrize(("entry", "kind", "fields"), LONG, ids=[str(e[0]) for e in LONG])
def test_long_syntax(entry: dict[str, Any], kind: type, fields: dict[str, Any]) -> None:
    spec = parse_compose_volume(entry, origin="o")
    assert isinstance(spec, kind)
    for key, value in fields.items():
        assert getattr(spec, key) == value


LONG_ERRORS = [
    ({"type": "image", "source": "alpine:3", "target": "/m"}, UnsupportedError, "type 'image'"),
    ({"type": "npipe", "source": "//./pipe/x", "target": "/m"}, UnsupportedError, "named pipe"),
    ({"type": "cluster", "source": "c", "target": "/m"}, UnsupportedError, "Swarm cluster"),
    ({"type": "weird", "target": "/m"}, SpecError, "not a mount type"),
    ({"source": "v", "target": "/m"}, SpecError, "type None is not a mount type"),
    ({"type": "volume", "source": "v"}, SpecError, "target None must be an absolute path"),
    ({"type": "volume", "source": "v", "target": "rel"}, SpecError, "must be an absolute"),
    ({"type": "volume", "source": "./x", "target": "/m"}, SpecError, "not a volume name"),
    ({"type": "volume", "target": "/m", "volume": {"subpath": "a"}}, SpecError, "needs a named"),
    ({"type": "volume", "source": "v", "target": "/m", "volume": {"x": 1}}, SpecError, "unknown"),
    ({"type": "volume", "source": "v", "target": "/m", "bind": {"x": 1}}, SpecError, "apply"),
    ({"type": "bind", "target": "/m"}, SpecError, "needs a source"),
    (
        {"type": "bind", "source": "/h", "target": "/m", "bind": {"propagation": "up"}},
        SpecError,
        "bind.propagation 'up'",
    ),
    (
        {"type": "bind", "source": "/h", "target": "/m", "bind": {"selinux": "q"}},
        SpecError,
        "must be z or Z",
    ),
    ({"type": "tmpfs", "source": "x", "target": "/m"}, SpecError, "takes no source"),
    ({"type": "tmpfs", "target": "/m", "tmpfs": {"size": "64Mi"}}, SpecError, "not a Docker size"),
    ({"type": "tmpfs", "target": "/m", "tmpfs": {"mode": "rwx"}}, SpecError, "not an octal"),
    (
        {"type": "volume", "source": "v", "target": "/m", "read_only": "yes"},
        SpecError,
        "true or false",
    ),
    ({"type": "volume", "target": "/m", "extra": 1}, SpecError, r"unknown volume keys \['extra'\]"),
    (42, SpecError, "a string or a mapping"),
]


@pytest.mark.parametrize(
    ("entry", "error", "message"), LONG_ERRORS, ids=[m for *_, m in LONG_ERRORS]
)
def test_long_syntax_errors(entry: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as caught:
        parse_compose_volume(entry, origin="services.a.volumes[3]")
    assert "services.a.volumes[3]" in str(caught.value)


TMPFS = [
    ("/tmp", [{"target": "/tmp", "size_bytes": None, "mode": None}]),
    ("/t:size=64m,mode=1777", [{"size_bytes": 64 * 2**20, "mode": 0o1777}]),
    (["/a:ro", "/b:uid=1000,noexec"], [{"read_only": True}, {"ignored": ("uid=1000", "noexec")}]),
    ("/tmp:rw,noexec,nosuid", [{"ignored": ("noexec", "nosuid")}]),
]


@pytest.mark.parametrize(("value", "expected"), TMPFS, ids=[str(t[0]) for t in TMPFS])
def test_service_tmpfs(value: Any, expected: list[dict[str, Any]]) -> None:
    specs = parse_service_tmpfs(value, origin="services.a.tmpfs")
    assert len(specs) == len(expected)
    for spec, fields in zip(specs, expected, strict=True):
        for key, wanted in fields.items():
            assert getattr(spec, key) == wanted


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tmp", "must be absolute"),
        ("/t:size=lots", "not a Docker size"),
        ("/t:color=red", "unknown"),
        ({"a": 1}, "string or a list"),
        ([1], "must be a string"),
    ],
)
def test_service_tmpfs_errors(value: Any, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_service_tmpfs(value, origin="o")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [("web", ("web", None)), ("web:ro", ("web", True)), ("web:rw", ("web", False))],
)
def test_volumes_from(entry: str, expected: tuple[str, bool | None]) -> None:
    assert parse_volumes_from(entry, origin="o") == expected


def test_volumes_from_container_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedError, match="container outside the compose file") as caught:
        parse_volumes_from("container:legacy_db:ro", origin="services.a.volumes_from[0]")
    assert "container:legacy_db:ro" in str(caught.value)


def test_volumes_from_bad_mode() -> None:
    with pytest.raises(SpecError, match="mode 'rx' must be ro or rw"):
        parse_volumes_from("web:rx", origin="o")


SOURCES = {
    "s": FileSource(content=b"x"),
    "ext": FileSource(external=True),
    "gone": FileSource(error="cannot read '/p/missing.txt': No such file or directory"),
}
FILES = [
    ("secret", "s", {"target": "/run/secrets/s", "key": "s", "read_only": True}),
    ("secret", {"source": "s", "target": "App.yaml"}, {"target": "/run/secrets/App.yaml"}),
    ("secret", {"source": "s", "target": "/etc/App.yaml"}, {"target": "/etc/App.yaml"}),
    ("secret", {"source": "s", "mode": 0o440}, {"mode": 0o440}),
    ("secret", {"source": "s", "mode": "0440"}, {"mode": 0o440}),
    ("config", "s", {"target": "/s", "type": "config"}),
    ("config", {"source": "s", "target": "/etc/My.conf"}, {"target": "/etc/My.conf"}),
    ("config", {"source": "s", "target": "rel.conf"}, {"target": "/rel.conf"}),
    ("secret", "ext", {"external": True, "content": None}),
    ("config", {"source": "s", "uid": "103", "gid": "103"}, {"ignored": ("uid=103", "gid=103")}),
]


@pytest.mark.parametrize(("kind", "entry", "fields"), FILES, ids=[str(f[1]) for f in FILES])
def test_configs_and_secrets(kind: str, entry: Any, fields: dict[str, Any]) -> None:
    spec = parse_file_mount(kind, entry, SOURCES, origin="o")
    for key, value in fields.items():
        assert getattr(spec, key) == value


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("nope", "secret 'nope' is not defined at the top level"),
        ("gone", "cannot read '/p/missing.txt'"),
        ({"source": "s", "colour": 1}, r"unknown keys \['colour'\]"),
        ({"target": "/x"}, "needs a source name"),
    ],
)
def test_secret_errors(entry: Any, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_file_mount("secret", entry, SOURCES, origin="o")


def test_top_level_volume_declaration() -> None:
    decl = parse_volume_declaration(
        "db_data",
        {
            "driver": "local",
            "driver_opts": {"type": "nfs", "o": "addr=1.2.3.4", "device": ":/x"},
            "labels": ["team=a", "kompose.volume.size=2Gi"],
            "name": "prod_db",
        },
        origin="volumes.db_data",
    )
    assert decl.driver_opts["type"] == "nfs" and decl.claim_name == "prod_db"
    assert decl.labels == {"team": "a", "kompose.volume.size": "2Gi"}


@pytest.mark.parametrize(
    ("entry", "external", "claim_name"),
    [
        (None, False, None),
        ({"external": True}, True, None),
        ({"external": {"name": "legacy"}}, True, "legacy"),
        ({"external": "true", "name": "n"}, True, "n"),
    ],
)
def test_external_volumes(entry: Any, external: bool, claim_name: str | None) -> None:
    decl = parse_volume_declaration("v", entry, origin="o")
    assert (decl.external, decl.claim_name) == (external, claim_name)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ([1], "must be a mapping"),
        ({"drivr": "x"}, r"unknown volume keys \['drivr'\]"),
        ({"driver_opts": "x"}, "driver_opts must be a mapping"),
    ],
)
def test_top_level_volume_errors(entry: Any, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_volume_declaration("v", entry, origin="o")


def test_labels_forms() -> None:
    assert labels_dict({"a": 1, "b": None}) == {"a": "1", "b": ""}
    assert labels_dict(["a=1", "b"]) == {"a": "1", "b": ""}
    with pytest.raises(SpecError, match="labels must be"):
        labels_dict("a=1")


_WORDS = st.sampled_from(
    ["ro", "rw", "z", "Z", "nocopy", "cached", "delegated", "consistent", "rshared", "slave", "x"]
)
_PARTS = st.one_of(
    st.text(alphabet="abcAB09_.-/~:\\ ,", max_size=12),
    st.sampled_from(["/data", "./rel", "vol", "Cache", "~/h", "", "/", ".", "..", "C:\\x"]),
)


@given(
    st.one_of(
        st.text(max_size=30),
        st.builds(
            lambda a, b, words: ":".join(p for p in (a, b, ",".join(words)) if p),
            _PARTS,
            _PARTS,
            st.lists(_WORDS, max_size=3),
        ),
    )
)
def test_short_syntax_never_fails_with_another_error(raw: str) -> None:
    """Any string either parses or is refused with a SpecError that quotes it."""
    try:
        spec = parse_compose_volume(raw, origin="o")
    except SpecError as exc:
        assert repr(raw) in str(exc)
    else:
        assert spec.raw == raw
