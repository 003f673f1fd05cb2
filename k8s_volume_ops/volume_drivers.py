"""Docker volume drivers and `driver_opts`: what storage a named volume really is.

The `local` driver with `type: nfs` is an NFS export; with `o: bind` and a `device`
it is a host path; with `type: tmpfs` it is memory. Any other driver has no generic
Kubernetes equivalent and needs a `drivers` rule mapping it to a StorageClass.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._redact import redact_quoted
from .errors import NeedsPolicyError, SpecError
from .models import VolumeMountSpec
from .policy import DriverRule, NfsServer, StoragePolicy
from .quantity import docker_bytes

__all__ = ["DriverTarget", "parse_nfs_opts", "resolve_driver"]


@dataclass(frozen=True)
class DriverTarget:
    """Where a named volume's data lives, per its driver."""

    nfs: NfsServer | None = None
    memory: bool = False
    size_bytes: int | None = None
    host_source: str | None = None
    driver_rule: DriverRule | None = None


def _options(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in text.split(","):
        key, _, value = word.strip().partition("=")
        if key:
            out[key] = value
    return out


def parse_nfs_opts(opts: dict[str, str]) -> NfsServer | None:
    """`{type: nfs, o: addr=H,rw, device: :/export}` -> NfsServer(H, /export); else None."""
    if opts.get("type", "").lower() not in ("nfs", "nfs4"):
        return None
    o = _options(opts.get("o", ""))
    device = opts.get("device", "")
    host, _, path = device.rpartition(":")
    server = o.get("addr") or host
    if not server or not path.startswith("/"):
        return None
    options = tuple(
        f"{key}={value}" if value else key
        for key, value in o.items()
        if key not in ("addr", "ro", "rw")
    )
    return NfsServer(server=server, path=path, read_only="ro" in o, mount_options=options)


def resolve_driver(spec: VolumeMountSpec, policy: StoragePolicy) -> DriverTarget:
    """Classify a named volume by its declared driver and options."""
    decl = spec.declaration
    if decl is None or (decl.driver in (None, "local") and not decl.driver_opts):
        return DriverTarget()
    driver = decl.driver or "local"
    if driver == "local":
        return _local(spec, decl.driver_opts, policy)
    rule = policy.drivers.get(driver)
    if rule is None:
        raise NeedsPolicyError(
            f"volume driver {driver!r} has no Kubernetes equivalent without a rule",
            spec=spec.raw,
            origin=spec.origin,
            hint=f"add to the storage policy:  drivers: {{{driver}: {{storageClassName: ...}}}}",
        )
    return DriverTarget(driver_rule=rule)


def _local(spec: VolumeMountSpec, opts: dict[str, str], policy: StoragePolicy) -> DriverTarget:
    nfs = parse_nfs_opts(opts)
    if nfs is not None:
        return DriverTarget(nfs=nfs)
    kind = opts.get("type", "").lower()
    if kind in ("nfs", "nfs4"):
        raise SpecError(
            f"NFS volume options {redact_quoted(opts)!r} name no server or no absolute export path",
            spec=spec.raw,
            origin=spec.origin,
            hint="set o: addr=<server>,... and device: :/<export>",
        )
    o = _options(opts.get("o", ""))
    if kind == "tmpfs":
        size = o.get("size")
        try:
            size_bytes = docker_bytes(size) if size else None
        except ValueError as exc:
            raise SpecError(f"tmpfs size: {exc}", spec=spec.raw, origin=spec.origin) from exc
        return DriverTarget(memory=True, size_bytes=size_bytes)
    if "bind" in o and opts.get("device", "").startswith("/"):
        return DriverTarget(host_source=opts["device"])
    rule = policy.drivers.get("local")
    if rule is not None:
        return DriverTarget(driver_rule=rule)
    raise NeedsPolicyError(
        f"local volume options {redact_quoted(opts)!r} (a device or filesystem the Docker "
        "host mounts) have no Kubernetes equivalent",
        spec=spec.raw,
        origin=spec.origin,
        hint="add a drivers rule for 'local' mapping it to a StorageClass, or use type nfs",
    )
