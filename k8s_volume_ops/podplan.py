"""A whole DockerOperator task as the pieces of one pod, without touching a cluster.

`plan_pod` takes the rendered DockerOperator arguments and returns a `PodPlan`:
container and pod fields, the translated mounts and the objects they need, the
private environment (kept for a Secret, never put in the spec) and every problem
found. Problems are collected rather than raised one at a time, so that `render`
and `scan` can report all of a task's inputs that need changing in one go.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import docker_args as da
from .errors import SpecError, UnsupportedError, VolumeOpsError, converting
from .expansion import literal
from .models import TmpfsMountSpec, VolumeMountSpec
from .parsing import parse_docker_mount, parse_short
from .policy import StoragePolicy
from .quantity import docker_bytes
from .retrieve_output import sidecar
from .translate import AnySpec, Translation, translate_mounts

__all__ = ["DockerArgs", "PodPlan", "plan_pod"]

_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


@dataclass(frozen=True)
class DockerArgs:
    """DockerOperator's arguments after Jinja rendering (only those that shape the pod)."""

    image: str
    command: Any = None
    entrypoint: Any = None
    environment: Mapping[str, Any] | list[str] | None = None
    private_environment: Mapping[str, Any] | list[str] | None = None
    env_file: str | None = None
    mounts: list[Any] | None = None
    volumes: list[Any] | None = None
    mount_tmp_dir: bool = True
    tmp_dir: str = "/tmp/airflow"
    container_name: str | None = None
    user: str | int | None = None
    working_dir: str | None = None
    cpus: float | str | None = None
    mem_limit: float | str | None = None
    shm_size: int | str | None = None
    network_mode: str | None = None
    dns: list[str] | str | None = None
    dns_search: list[str] | str | None = None
    extra_hosts: Mapping[str, str] | list[str] | None = None
    hostname: str | None = None
    privileged: bool = False
    cap_add: list[str] | str | None = None
    tty: bool = False
    labels: Mapping[str, str] | list[str] | None = None
    ipc_mode: str | None = None
    device_requests: list[Any] | None = None
    force_pull: bool = False
    port_bindings: Mapping[Any, Any] | None = None
    ulimits: list[Any] | None = None
    retrieve_output: bool = False
    retrieve_output_path: str | None = None
    retrieve_output_image: str = "busybox:1.36"


@dataclass
class PodPlan:
    """The pod a DockerOperator task becomes; `problems` empty means it can run."""

    container: dict[str, Any] = field(default_factory=dict)
    pod: dict[str, Any] = field(default_factory=dict)
    pod_name: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    plain_env: list[dict[str, Any]] = field(default_factory=list)
    private_env: dict[str, str] = field(default_factory=dict)
    translation: Translation = field(default_factory=Translation)
    notes: list[str] = field(default_factory=list)
    problems: list[VolumeOpsError] = field(default_factory=list)

    def env(self, secret_name: str) -> list[dict[str, Any]]:
        """The container env; private values are references into `secret_name`."""
        refs = [
            {"name": name, "valueFrom": {"secretKeyRef": {"name": secret_name, "key": key}}}
            for name, key in ((n, secret_key(n)) for n in self.private_env)
        ]
        return self.plain_env + refs

    def secret_data(self) -> dict[str, str]:
        """The Secret's `stringData` for the private environment."""
        return {secret_key(name): value for name, value in self.private_env.items()}


def secret_key(env_name: str) -> str:
    """Env names are almost always valid Secret keys; the rare other one gets a hash."""
    if _SECRET_KEY.match(env_name):
        return env_name
    return "env-" + hashlib.sha256(env_name.encode()).hexdigest()[:16]


Step = Callable[[PodPlan, DockerArgs], None]


def _attempt(plan: PodPlan, origin: str, value: object, step: Callable[[], None]) -> None:
    """Run one argument's step; any refusal, or raw error from an input shape nobody
    foresaw, becomes a problem naming `origin` and the other arguments still run."""
    try:
        with converting(origin, value):
            step()
    except VolumeOpsError as exc:
        plan.problems.append(exc)


def plan_pod(args: DockerArgs, policy: StoragePolicy | None = None) -> PodPlan:
    """Translate every argument; collect problems instead of stopping at the first."""
    plan = PodPlan()
    policy = policy or StoragePolicy()
    for origin, step in _STEPS:
        _attempt(plan, origin, getattr(args, origin), lambda step=step: step(plan, args))  # type: ignore[misc]
    _attempt(plan, "mounts", args.mounts, lambda: _storage(plan, args, policy))
    if args.retrieve_output:
        path = args.retrieve_output_path
        _attempt(plan, "retrieve_output_path", path, lambda: sidecar(plan, args))
    return plan


def _image(plan: PodPlan, args: DockerArgs) -> None:
    da.image_name(args.image)


def _container_name(plan: PodPlan, args: DockerArgs) -> None:
    plan.pod_name = da.pod_name(args.container_name)


def _entrypoint(plan: PodPlan, args: DockerArgs) -> None:
    entrypoint = da.format_command(args.entrypoint, origin="entrypoint")
    if entrypoint:
        plan.container["command"] = [literal(word) for word in entrypoint]


def _command(plan: PodPlan, args: DockerArgs) -> None:
    command = da.format_command(args.command, origin="command")
    if command:
        plan.container["args"] = [literal(word) for word in command]


def _container_flags(plan: PodPlan, args: DockerArgs) -> None:
    if args.working_dir:
        plan.container["workingDir"] = str(args.working_dir)
    if args.tty:
        plan.container["tty"] = True
    plan.container["imagePullPolicy"] = "Always" if args.force_pull else "IfNotPresent"


def _environment(plan: PodPlan, args: DockerArgs) -> None:
    merged: dict[str, Any] = dict(da.env_file_values(args.env_file))
    merged.update(da.environment_values(args.environment, origin="environment"))
    if args.mount_tmp_dir:
        merged["AIRFLOW_TMP_DIR"] = args.tmp_dir
    else:
        merged.pop("AIRFLOW_TMP_DIR", None)
    private = da.environment_values(args.private_environment, origin="private_environment")
    for name, value in merged.items():
        if name in private:
            continue
        if value is None:
            plan.notes.append(
                f"environment {name!r} has no value; Docker unsets it, so it is left out"
            )
            continue
        plan.plain_env.append({"name": str(name), "value": literal(str(value))})
    plan.private_env = {name: str(value) for name, value in private.items() if value is not None}


def _resource(plan: PodPlan, kind: str, values: Mapping[str, str]) -> None:
    if values:
        resources = plan.container.setdefault("resources", {})
        resources.setdefault(kind, {}).update(values)


def _cpus(plan: PodPlan, args: DockerArgs) -> None:
    cpu = da.cpu_request(args.cpus)
    _resource(plan, "requests", {"cpu": cpu} if cpu else {})


def _memory(plan: PodPlan, args: DockerArgs) -> None:
    memory = da.memory_limit(args.mem_limit)
    _resource(plan, "limits", {"memory": memory} if memory else {})


def _devices(plan: PodPlan, args: DockerArgs) -> None:
    _resource(plan, "limits", da.device_limits(args.device_requests))


def _ulimits(plan: PodPlan, args: DockerArgs) -> None:
    if args.ulimits:
        raise UnsupportedError(
            "a pod cannot set ulimits; they come from the node's container runtime",
            spec=args.ulimits,
            origin="ulimits",
            hint="remove ulimits, or set them on the nodes",
        )


def _security_field(plan: PodPlan, fields: Mapping[str, Any]) -> None:
    if fields:
        plan.container.setdefault("securityContext", {}).update(fields)


def _user(plan: PodPlan, args: DockerArgs) -> None:
    _security_field(plan, da.run_as(args.user))


def _privileged(plan: PodPlan, args: DockerArgs) -> None:
    _security_field(plan, {"privileged": True} if args.privileged else {})


def _capabilities(plan: PodPlan, args: DockerArgs) -> None:
    caps = da.capabilities(args.cap_add)
    _security_field(plan, {"capabilities": {"add": caps}} if caps else {})


def _network(plan: PodPlan, args: DockerArgs) -> None:
    fields, notes = da.network_fields(args.network_mode)
    plan.pod.update(fields)
    plan.notes += notes


def _ipc(plan: PodPlan, args: DockerArgs) -> None:
    fields, notes = da.ipc_fields(args.ipc_mode)
    plan.pod.update(fields)
    plan.notes += notes


def _dns(plan: PodPlan, args: DockerArgs) -> None:
    """After `_network`: dnsPolicy None replaces hostNetwork's ClusterFirstWithHostNet."""
    fields, notes = da.dns_config(args.dns, args.dns_search)
    plan.pod.update(fields)
    plan.notes += notes


def _extra_hosts(plan: PodPlan, args: DockerArgs) -> None:
    aliases = da.host_aliases(args.extra_hosts)
    if aliases:
        plan.pod["hostAliases"] = aliases


def _ports(plan: PodPlan, args: DockerArgs) -> None:
    ports = da.port_list(args.port_bindings)
    if ports:
        plan.container["ports"] = ports


def _hostname(plan: PodPlan, args: DockerArgs) -> None:
    from ._names import is_dns1123_label

    if not args.hostname:
        return
    hostname = str(args.hostname)
    first, _, rest = hostname.partition(".")
    if not is_dns1123_label(first):
        raise SpecError(
            "a pod hostname must be a DNS-1123 label (lower case, digits, '-')",
            spec=hostname,
            origin="hostname",
        )
    plan.pod["hostname"] = first
    if rest:
        plan.notes.append(
            f"hostname {hostname!r}: only {first!r} is the pod's hostname; the "
            "domain comes from the cluster (set subdomain for a Service domain)"
        )


def _metadata(plan: PodPlan, args: DockerArgs) -> None:
    plan.labels, plan.annotations = da.container_labels(args.labels)


# One step per DockerOperator argument (named by the first field it reads), in the
# order a reader of the pod would look for them; `_attempt` reports each on its own.
_STEPS: tuple[tuple[str, Step], ...] = (
    ("image", _image),
    ("container_name", _container_name),
    ("entrypoint", _entrypoint),
    ("command", _command),
    ("working_dir", _container_flags),
    ("environment", _environment),
    ("cpus", _cpus),
    ("mem_limit", _memory),
    ("device_requests", _devices),
    ("ulimits", _ulimits),
    ("user", _user),
    ("privileged", _privileged),
    ("cap_add", _capabilities),
    ("network_mode", _network),
    ("ipc_mode", _ipc),
    ("dns", _dns),
    ("extra_hosts", _extra_hosts),
    ("port_bindings", _ports),
    ("hostname", _hostname),
    ("labels", _metadata),
)


def _scratch_specs(args: DockerArgs) -> list[AnySpec]:
    specs: list[AnySpec] = []
    if args.mount_tmp_dir:
        specs.append(
            VolumeMountSpec(target=args.tmp_dir, source=None, origin="tmp_dir", raw=args.tmp_dir)
        )
    if args.shm_size:
        try:
            size = docker_bytes(args.shm_size)
        except ValueError as exc:
            raise SpecError(str(exc), spec=args.shm_size, origin="shm_size") from exc
        specs.append(
            TmpfsMountSpec(
                target="/dev/shm", size_bytes=size, origin="shm_size", raw=str(args.shm_size)
            )
        )
    return specs


def _storage(plan: PodPlan, args: DockerArgs, policy: StoragePolicy) -> None:
    specs: list[AnySpec] = []
    for field_name, items, parse in (
        ("mounts", args.mounts, parse_docker_mount),
        ("volumes", args.volumes, lambda item, origin: _legacy_volume(item, origin)),
    ):
        for index, item in enumerate(items or []):
            origin = f"{field_name}[{index}]"
            try:
                with converting(origin, item):
                    specs.append(parse(item, origin=origin))
            except VolumeOpsError as exc:
                plan.problems.append(exc)
    specs += _scratch_specs(args)
    plan.translation = translate_mounts(
        specs, policy, privileged=args.privileged, problems=plan.problems
    )
    plan.notes += plan.translation.notes
    plan.pod["volumes"] = plan.translation.volumes
    plan.container["volumeMounts"] = plan.translation.volume_mounts


def _legacy_volume(item: Any, origin: str) -> AnySpec:
    if not isinstance(item, str):
        raise SpecError(
            "volumes= takes `-v` strings such as 'name:/path:ro'", spec=item, origin=origin
        )
    return parse_short(item, origin=origin)
