"""One compose service as one Pod: image, command, environment, user and its mounts.

The service's other keys go through the table of `service_keys`: translated,
noted or refused, never dropped silently.

Compose's `entrypoint` replaces the image's ENTRYPOINT, which Kubernetes calls
`command`; compose's `command` replaces CMD, which Kubernetes calls `args`.
Strings are split like a shell would (compose does the same). `restartPolicy`
is `Never`: a rendered pod runs once, as a compose `run` would.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from .._names import dns1123_label, label_value
from ..claims import MANAGED_BY
from ..errors import SpecError, UnsupportedError, VolumeOpsError
from ..expansion import literal
from .service_keys import flag, service_options

__all__ = ["SERVICE_ANNOTATION", "environment_dict", "pod_for_service"]

SERVICE_ANNOTATION = "k8s-volume-ops/compose-service"


def environment_dict(value: object) -> dict[str, str | None]:
    """Compose `environment` (a mapping or a `KEY=value` list); None = take from the shell."""
    if isinstance(value, Mapping):
        return {str(k): None if v is None else _scalar(v) for k, v in value.items()}
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {key: (val if eq else None) for key, eq, val in pairs}
    return {}


def _scalar(value: object) -> str:
    """YAML scalars as compose writes them into the environment (`true`, not `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _argv(value: object, key: str, origin: str) -> list[str] | None:
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, str):
        try:
            words = shlex.split(value)
        except ValueError as exc:
            raise SpecError(f"{key}: {exc}", spec=value, origin=origin) from exc
    elif isinstance(value, list):
        words = [_scalar(item) for item in value]
    else:
        raise SpecError(f"{key} must be a string or a list", spec=value, origin=origin)
    return [literal(word) for word in words]


def _env(body: Mapping[str, Any], environ: Mapping[str, str]) -> list[dict[str, str]]:
    out = []
    for name, value in environment_dict(body.get("environment")).items():
        resolved = environ.get(name) if value is None else value
        if resolved is not None:
            out.append({"name": name, "value": literal(resolved)})
    return out


def _security(
    body: Mapping[str, Any], origin: str, problems: list[VolumeOpsError]
) -> dict[str, Any]:
    context: dict[str, Any] = {}
    user = body.get("user")
    if user is not None:
        uid, _, gid = str(user).partition(":")
        if uid.isdigit() and (gid == "" or gid.isdigit()):
            context["runAsUser"] = int(uid)
            if gid:
                context["runAsGroup"] = int(gid)
        else:
            problems.append(
                UnsupportedError(
                    "user names are resolved inside the image by Docker; Kubernetes needs "
                    "numeric ids (runAsUser/runAsGroup)",
                    spec=user,
                    origin=f"{origin}.user",
                    hint="write the numeric uid[:gid], e.g. user: '999:999'",
                )
            )
    for key, k8s_key in (("privileged", "privileged"), ("read_only", "readOnlyRootFilesystem")):
        if body.get(key) is None:
            continue
        try:
            if flag(body[key], f"{origin}.{key}"):
                context[k8s_key] = True
        except VolumeOpsError as exc:
            problems.append(exc)
    return context


def pod_for_service(
    name: str,
    body: Mapping[str, Any],
    *,
    volumes: list[dict[str, Any]],
    mounts: list[dict[str, Any]],
    environ: Mapping[str, str],
    origin: str,
    problems: list[VolumeOpsError],
    fsgroup: int | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The Pod manifest. Raises SpecError when the service cannot run (no image);
    adds the other problems (a user name, `ulimits`) to `problems`, and a note for
    each key that is not translated (see `service_keys`) to `notes`."""
    image = body.get("image")
    if not isinstance(image, str) or not image:
        what = "only `build:`" if body.get("build") is not None else "no `image:`"
        raise SpecError(
            f"service has {what}; a pod needs an image from a registry",
            spec=name,
            origin=origin,
            hint="build and push the image, then set `image:`",
        )
    container: dict[str, Any] = {"name": dns1123_label(name), "image": image}
    for compose_key, k8s_key in (("entrypoint", "command"), ("command", "args")):
        argv = _argv(body.get(compose_key), compose_key, origin)
        if argv is not None:
            container[k8s_key] = argv
    env = _env(body, environ)
    if env:
        container["env"] = env
    if body.get("working_dir"):
        container["workingDir"] = str(body["working_dir"])
    if mounts:
        container["volumeMounts"] = mounts
    options = service_options(body, origin, [] if notes is None else notes, problems)
    container.update(options.container)
    security = {**_security(body, origin, problems), **options.security}
    if security:
        container["securityContext"] = security
    spec: dict[str, Any] = {"restartPolicy": "Never", "containers": [container]}
    spec.update(options.pod)
    if volumes:
        spec["volumes"] = volumes
    if fsgroup is not None:
        spec["securityContext"] = {"fsGroup": fsgroup}
    metadata = {
        "name": dns1123_label(name),
        "labels": {**MANAGED_BY, SERVICE_ANNOTATION: label_value(name)},
        "annotations": {SERVICE_ANNOTATION: name},
    }
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
