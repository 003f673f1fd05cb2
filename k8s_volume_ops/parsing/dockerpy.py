"""docker-py `Mount` objects and their dict forms.

DockerOperator's `mounts` may hold `docker.types.Mount` objects (dict subclasses with
Engine-API keys), plain dicts of Mount keyword arguments (`source`, `target`, ...),
or, after Airflow renders the templated field, plain dicts with Engine-API keys
(`Source`, `Target`, `VolumeOptions`, ...). All three are read here by shape; docker
itself is never imported. A string is read with the `-v` grammar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._redact import redact_quoted
from ..errors import SpecError, UnsupportedError
from ..models import BindMountSpec, TmpfsMountSpec, VolumeDecl, VolumeMountSpec
from ..quantity import docker_bytes
from .short import parse_short

__all__ = ["parse_docker_mount", "parse_docker_mounts"]

ParsedMount = BindMountSpec | VolumeMountSpec | TmpfsMountSpec

_KWARGS = {
    "target",
    "source",
    "type",
    "read_only",
    "consistency",
    "propagation",
    "no_copy",
    "labels",
    "driver_config",
    "tmpfs_size",
    "tmpfs_mode",
    "subpath",
}
_API = {
    "Target",
    "Source",
    "Type",
    "ReadOnly",
    "Consistency",
    "BindOptions",
    "VolumeOptions",
    "TmpfsOptions",
}
_PROPAGATIONS = {"private", "rprivate", "slave", "rslave", "shared", "rshared"}


def _kwargs_from_api(item: Mapping[str, Any], raw: str, origin: str) -> dict[str, Any]:
    """Flatten Engine-API keys into Mount keyword arguments."""
    unknown = set(item) - _API
    if unknown:
        raise SpecError(f"unknown mount keys {sorted(unknown)}", spec=raw, origin=origin)
    bind = item.get("BindOptions") or {}
    volume = item.get("VolumeOptions") or {}
    tmpfs = item.get("TmpfsOptions") or {}
    out: dict[str, Any] = {
        "target": item.get("Target"),
        "source": item.get("Source"),
        "type": item.get("Type", "volume"),
        "read_only": item.get("ReadOnly", False),
        "consistency": item.get("Consistency"),
        "propagation": bind.get("Propagation"),
        "no_copy": volume.get("NoCopy", False),
        "labels": volume.get("Labels"),
        "driver_config": volume.get("DriverConfig"),
        "subpath": volume.get("Subpath"),
        "tmpfs_size": tmpfs.get("SizeBytes"),
        "tmpfs_mode": tmpfs.get("Mode"),
    }
    if bind.get("CreateMountpoint"):
        out["create_host_path"] = True
    return out


def _driver(config: Any, raw: str, origin: str) -> tuple[str | None, dict[str, str]]:
    if not config:
        return None, {}
    if not isinstance(config, Mapping):
        raise SpecError(
            "driver_config must be a DriverConfig or a mapping", spec=raw, origin=origin
        )
    name = config.get("Name", config.get("name"))
    options = config.get("Options", config.get("options")) or {}
    return (str(name) if name else None), {str(k): str(v) for k, v in options.items()}


def _only_for(kind: str, given: dict[str, Any], keys: Iterable[str], raw: str, origin: str) -> None:
    for key in keys:
        if given.get(key) not in (None, False, {}, ""):
            raise SpecError(
                f"option {key!r} is not allowed on a {kind} mount "
                "(docker-py: Incompatible options)",
                spec=raw,
                origin=origin,
            )


def _volume(kw: dict[str, Any], base: dict[str, Any], raw: str, origin: str) -> VolumeMountSpec:
    _only_for("volume", kw, ("propagation", "tmpfs_size", "tmpfs_mode"), raw, origin)
    driver, opts = _driver(kw.get("driver_config"), raw, origin)
    labels = {str(k): str(v) for k, v in (kw.get("labels") or {}).items()}
    source = kw.get("source") or None
    decl = None
    if source and (driver or labels):
        decl = VolumeDecl(name=source, driver=driver, driver_opts=opts, labels=labels)
    elif not source and (driver or labels):
        raise SpecError(
            "labels and driver_config need a named volume (source is empty)",
            spec=raw,
            origin=origin,
        )
    if kw.get("subpath") and not source:
        raise SpecError("subpath needs a named volume (source is empty)", spec=raw, origin=origin)
    return VolumeMountSpec(
        source=source,
        no_copy=bool(kw.get("no_copy")),
        subpath=kw.get("subpath") or None,
        declaration=decl,
        **base,
    )


def _bind(kw: dict[str, Any], base: dict[str, Any], raw: str, origin: str) -> BindMountSpec:
    _only_for(
        "bind",
        kw,
        ("no_copy", "labels", "driver_config", "subpath", "tmpfs_size", "tmpfs_mode"),
        raw,
        origin,
    )
    source = kw.get("source")
    if not source:
        raise SpecError("a bind mount needs a source path", spec=raw, origin=origin)
    propagation = kw.get("propagation")
    if propagation is not None and propagation not in _PROPAGATIONS:
        raise SpecError(f"unknown propagation {propagation!r}", spec=raw, origin=origin)
    return BindMountSpec(
        source=str(source),
        propagation=propagation,
        create_host_path=bool(kw.get("create_host_path")),
        **base,
    )


def _tmpfs(kw: dict[str, Any], base: dict[str, Any], raw: str, origin: str) -> TmpfsMountSpec:
    _only_for("tmpfs", kw, ("propagation", "no_copy", "labels", "driver_config"), raw, origin)
    if kw.get("source"):
        raise SpecError("a tmpfs mount takes no source", spec=raw, origin=origin)
    mode = kw.get("tmpfs_mode")
    if mode is not None and (isinstance(mode, bool) or not isinstance(mode, int)):
        raise SpecError("tmpfs_mode must be an integer such as 0o1777", spec=raw, origin=origin)
    size = kw.get("tmpfs_size")
    try:
        size_bytes = docker_bytes(size) if size not in (None, "") else None
    except ValueError as exc:
        raise SpecError(f"tmpfs_size: {exc}", spec=raw, origin=origin) from exc
    return TmpfsMountSpec(size_bytes=size_bytes, mode=mode, **base)


def _from_kwargs(kw: dict[str, Any], raw: str, origin: str) -> ParsedMount:
    target = kw.get("target")
    if not isinstance(target, str) or not target:
        raise SpecError("a mount needs a target path", spec=raw, origin=origin)
    if not target.startswith("/"):
        raise SpecError(
            f"invalid mount path {target!r}: mount path must be absolute", spec=raw, origin=origin
        )
    kind = kw.get("type") or "volume"
    ignored = ("consistency=" + str(kw["consistency"]),) if kw.get("consistency") else ()
    base: dict[str, Any] = {
        "target": target,
        "read_only": bool(kw.get("read_only")),
        "raw": raw,
        "origin": origin,
        "ignored": ignored,
    }
    if kind == "volume":
        return _volume(kw, base, raw, origin)
    if kind == "bind":
        return _bind(kw, base, raw, origin)
    if kind == "tmpfs":
        return _tmpfs(kw, base, raw, origin)
    if kind == "npipe":
        raise UnsupportedError(
            "named pipes (npipe) exist only on Windows hosts; a Linux pod has nothing to mount",
            spec=raw,
            origin=origin,
        )
    raise SpecError(
        f'unsupported mount type "{kind}": expected volume, bind or tmpfs', spec=raw, origin=origin
    )


def parse_docker_mount(item: object, *, origin: str = "") -> ParsedMount:
    """Parse one entry of DockerOperator's `mounts` (Mount, kwargs dict, API dict or `-v` str)."""
    if isinstance(item, str):
        return parse_short(item, origin=origin)
    if not isinstance(item, Mapping):
        raise SpecError(
            f"a mount must be a docker.types.Mount, a dict or a string, not {type(item).__name__}",
            spec=item,
            origin=origin,
        )
    raw = repr(redact_quoted(dict(item)))
    keys = set(item)
    if keys & _API and keys & _KWARGS:
        raise SpecError(
            "mixes Engine-API keys (Target, ...) with keyword keys (target, ...)",
            spec=raw,
            origin=origin,
        )
    if keys & _API:
        kwargs = _kwargs_from_api(item, raw, origin)
    else:
        unknown = keys - _KWARGS
        if unknown:
            raise SpecError(
                f"unknown mount keys {sorted(unknown)}; docker.types.Mount takes "
                f"{', '.join(sorted(_KWARGS))}",
                spec=raw,
                origin=origin,
            )
        kwargs = dict(item)
    return _from_kwargs(kwargs, raw, origin)


def parse_docker_mounts(
    items: Iterable[object] | None, *, field: str = "mounts"
) -> list[ParsedMount]:
    """Parse a whole `mounts`/`volumes` list; each origin is `field[index]`."""
    if items is None:
        return []
    if isinstance(items, str | bytes | Mapping):
        raise SpecError(f"{field} must be a list", spec=items, origin=field)
    return [parse_docker_mount(item, origin=f"{field}[{i}]") for i, item in enumerate(items)]
