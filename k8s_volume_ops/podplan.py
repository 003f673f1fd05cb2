"""A whole DockerOperator task as the pieces of one pod, without touching a cluster.

`plan_pod` takes the rendered DockerOperator arguments and returns a `PodPlan`:
container and pod fields, the translated mounts and the objects they need, the
private environment (kept for a Secret, never put in the spec) and every problem
found. Problems are collected rather than raised one at a time, so that `render`
and `scan` can report all of a task's inputs that need changing in one go.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import docker_args as da
from .errors import SpecError, UnsupportedError, VolumeOpsError
from .expansion import literal
from .models import TmpfsMountSpec, VolumeMountSpec
from .parsing import parse_docker_mount, parse_short
from .policy import StoragePolicy
from .quantity import docker_bytes
from .translate import AnySpec, Translation, translate_mounts

__all__ = ["RETRIEVE_BEGIN", "RETRIEVE_END", "DockerArgs", "PodPlan", "plan_pod"]

RETRIEVE_BEGIN = "k8s-volume-ops:retrieve-output:begin"
RETRIEVE_END = "k8s-volume-ops:retrieve-output:end"
RETRIEVE_CONTAINER = "retrieve-output"
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


@dataclass(frozen=True)
class DockerArgs:
    """DockerOperator's arguments after Jinja rendering (only those that shape the pod)."""

    image: str
    command: Any = None
    entrypoint: Any = None
    environment: Mapping[str, Any] | None = None
    private_environment: Mapping[str, Any] | None = None
    env_file: str | None = None
    mounts: list[Any] | None = None
    volumes: list[Any] | None = None
    mount_tmp_dir: bool = True
    tmp_dir: str = "/tmp/airflow"
    user: str | int | None = None
    working_dir: str | None = None
    cpus: float | None = None
    mem_limit: float | str | None = None
    shm_size: int | str | None = None
    network_mode: str | None = None
    dns: list[str] | None = None
    dns_search: list[str] | None = None
    extra_hosts: Mapping[str, str] | None = None
    hostname: str | None = None
    privileged: bool = False
    cap_add: list[str] | None = None
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


def _attempt(plan: PodPlan, step: Callable[[], None]) -> None:
    try:
        step()
    except VolumeOpsError as exc:
        plan.problems.append(exc)


def plan_pod(args: DockerArgs, policy: StoragePolicy | None = None) -> PodPlan:
    """Translate every argument; collect problems instead of stopping at the first."""
    plan = PodPlan()
    policy = policy or StoragePolicy()
    for step in (_commands, _environment, _resources, _security, _networking, _metadata):
        _attempt(plan, lambda step=step: step(plan, args))  # type: ignore[misc]
    _attempt(plan, lambda: _storage(plan, args, policy))
    if args.retrieve_output:
        _attempt(plan, lambda: _retrieve_output(plan, args))
    return plan


def _commands(plan: PodPlan, args: DockerArgs) -> None:
    entrypoint = da.format_command(args.entrypoint, origin="entrypoint")
    command = da.format_command(args.command, origin="command")
    if entrypoint:
        plan.container["command"] = [literal(word) for word in entrypoint]
    if command:
        plan.container["args"] = [literal(word) for word in command]
    if args.working_dir:
        plan.container["workingDir"] = args.working_dir
    if args.tty:
        plan.container["tty"] = True
    plan.container["imagePullPolicy"] = "Always" if args.force_pull else "IfNotPresent"


def _environment(plan: PodPlan, args: DockerArgs) -> None:
    merged: dict[str, Any] = dict(da.env_file_values(args.env_file))
    merged.update(args.environment or {})
    if args.mount_tmp_dir:
        merged["AIRFLOW_TMP_DIR"] = args.tmp_dir
    else:
        merged.pop("AIRFLOW_TMP_DIR", None)
    private = {str(k): str(v) for k, v in (args.private_environment or {}).items()}
    for name, value in merged.items():
        if name in private:
            continue
        if value is None:
            plan.notes.append(
                f"environment {name!r} has no value; Docker unsets it, so it is left out"
            )
            continue
        plan.plain_env.append({"name": str(name), "value": literal(str(value))})
    plan.private_env = private


def _resources(plan: PodPlan, args: DockerArgs) -> None:
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    if args.cpus is not None and round(args.cpus * 1024) != 0:
        requests["cpu"] = f"{args.cpus:g}"
    memory = da.memory_limit(args.mem_limit)
    if memory:
        limits["memory"] = memory
    limits.update(da.device_limits(args.device_requests))
    resources = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    if resources:
        plan.container["resources"] = resources
    if args.ulimits:
        raise UnsupportedError(
            "a pod cannot set ulimits; they come from the node's container runtime",
            spec=args.ulimits,
            origin="ulimits",
            hint="remove ulimits, or set them on the nodes",
        )


def _security(plan: PodPlan, args: DockerArgs) -> None:
    context: dict[str, Any] = dict(da.run_as(args.user))
    if args.privileged:
        context["privileged"] = True
    caps = da.capabilities(args.cap_add)
    if caps:
        context["capabilities"] = {"add": caps}
    if context:
        plan.container["securityContext"] = context


def _networking(plan: PodPlan, args: DockerArgs) -> None:
    fields, notes = da.network_fields(args.network_mode)
    ipc, ipc_notes = da.ipc_fields(args.ipc_mode)
    dns, dns_notes = da.dns_config(args.dns, args.dns_search)
    if fields.get("hostNetwork") and dns.get("dnsPolicy"):
        fields.pop("dnsPolicy")
    plan.pod.update(fields | ipc | dns)
    plan.notes += notes + ipc_notes + dns_notes
    aliases = da.host_aliases(args.extra_hosts)
    if aliases:
        plan.pod["hostAliases"] = aliases
    ports = da.port_list(args.port_bindings)
    if ports:
        plan.container["ports"] = ports
    if args.hostname:
        _hostname(plan, args.hostname)


def _hostname(plan: PodPlan, hostname: str) -> None:
    from ._names import is_dns1123_label

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
            try:
                specs.append(parse(item, origin=f"{field_name}[{index}]"))
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


def _retrieve_output(plan: PodPlan, args: DockerArgs) -> None:
    """A native sidecar that prints the output file when the main container has ended.

    Kubernetes cannot copy a file out of a terminated container, and KPO's exec-based
    sidecar needs `pods/exec`; the sidecar is sent SIGTERM once the main container
    exits and writes the file, base64, to its log, which the operator reads. It sees
    the file through the volume the main container writes it to: an existing mount
    that holds the path, else an emptyDir on the file's folder.
    """
    path = args.retrieve_output_path
    if not path or not path.startswith("/") or path.endswith("/"):
        raise SpecError(
            "retrieve_output needs an absolute file path in retrieve_output_path",
            spec=path,
            origin="retrieve_output_path",
        )
    mount = _covering_mount(plan.container.get("volumeMounts") or [], path)
    if mount is None:
        mount = _output_folder(plan, path)
    script = (
        f'trap \'if [ -f "$OUTPUT" ]; then echo {RETRIEVE_BEGIN}; base64 "$OUTPUT"; '
        f"echo {RETRIEVE_END}; fi; exit 0' TERM; while true; do sleep 1; done"
    )
    plan.pod["initContainers"] = [
        {
            "name": RETRIEVE_CONTAINER,
            "image": args.retrieve_output_image,
            "restartPolicy": "Always",
            "command": ["sh", "-c", script],
            "env": [{"name": "OUTPUT", "value": path}],
            "volumeMounts": [{**mount, "readOnly": True}],
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
        }
    ]


def _covering_mount(mounts: list[dict[str, Any]], path: str) -> dict[str, Any] | None:
    """The main container's mount that holds `path` (the deepest one), if any."""
    holding = [m for m in mounts if path.startswith(m["mountPath"].rstrip("/") + "/")]
    return max(holding, key=lambda m: len(m["mountPath"]), default=None)


def _output_folder(plan: PodPlan, path: str) -> dict[str, Any]:
    folder = posixpath.dirname(path)
    if folder == "/":
        raise UnsupportedError(
            "the output file must be in a directory below /, which is shared with the "
            "sidecar that reads it",
            spec=path,
            origin="retrieve_output_path",
        )
    mount = {"name": RETRIEVE_CONTAINER, "mountPath": folder}
    plan.pod.setdefault("volumes", []).append({"name": RETRIEVE_CONTAINER, "emptyDir": {}})
    plan.container.setdefault("volumeMounts", []).append(mount)
    plan.notes.append(
        f"retrieve_output: {folder} becomes an emptyDir shared with the sidecar that reads "
        f"{path}; files the image has in {folder} are hidden (write the output below a "
        "mounted volume, e.g. tmp_dir, to avoid that)"
    )
    return mount
