"""One compose service as one task's pod plan, for `ComposeServiceOperator`.

`docker compose run SERVICE` starts one service with everything the file says about
it: its image, command, environment and volumes. Here the whole file is translated
as `render` translates it (so a volume two services share is the same claim in both
tasks), and the service's Pod becomes a `PodPlan`, the form our DockerOperator
merges into KubernetesPodOperator's pod. Problems of other services do not stop this
one; problems of the file itself, or of this service, do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SpecError, VolumeOpsError
from ..podplan import PodPlan
from ..policy import StoragePolicy
from .builder import build_compose
from .loader import load_compose
from .project import ComposeResult, service_of

__all__ = ["ServiceTask", "service_task"]


@dataclass(frozen=True)
class ServiceTask:
    """The service's image and the rest of its pod; `plan.problems` empty means it runs."""

    image: str
    plan: PodPlan


def service_task(path: Path, service: str, policy: StoragePolicy) -> ServiceTask:
    """Translate `path` and keep what `service` needs; never raises for bad input."""
    try:
        project = load_compose(path)
    except VolumeOpsError as exc:  # its message names the file already
        return ServiceTask(image="", plan=PodPlan(problems=[exc]))
    if service not in project.services:
        missing = SpecError(
            f"the compose file has no service {service!r}; it has {sorted(project.services)}",
            spec=service,
            origin=str(path),
        )
        return ServiceTask(image="", plan=PodPlan(problems=[missing]))
    result = build_compose(project, policy)
    own = _own(result.problems, service, list(project.services))
    problems = [problem.located(str(path)) for problem in own]
    output = result.services.get(service)
    if output is None:  # the Pod could not be made: the problems say why
        return ServiceTask(image="", plan=PodPlan(problems=problems))
    return ServiceTask(image=_image(output.pod), plan=_plan(result, service, problems))


def _own(problems: list[VolumeOpsError], service: str, services: list[str]) -> list[VolumeOpsError]:
    """This service's problems and the file's own (those no service is named in)."""
    return [p for p in problems if service_of(p.origin, services) in (service, None)]


def _image(pod: dict[str, Any]) -> str:
    return str(pod["spec"]["containers"][0]["image"])


def _plan(result: ComposeResult, service: str, problems: list[VolumeOpsError]) -> PodPlan:
    output = result.services[service]
    container = {
        key: value
        for key, value in output.pod["spec"]["containers"][0].items()
        if key not in ("name", "image", "env")
    }
    spec = {
        key: value
        for key, value in output.pod["spec"].items()
        if key not in ("containers", "restartPolicy")
    }
    metadata = output.pod["metadata"]
    return PodPlan(
        container=container,
        pod=spec,
        labels=dict(metadata.get("labels") or {}),
        annotations=dict(metadata.get("annotations") or {}),
        plain_env=list(output.pod["spec"]["containers"][0].get("env") or []),
        translation=output.translation,
        notes=[note for note in result.notes if _about(note, service)],
        problems=problems,
    )


def _about(note: str, service: str) -> bool:
    """Whether a note concerns `service` or the whole file (it names no service)."""
    return (
        "services." not in note
        or re.search(rf"services\.{re.escape(service)}[.\[ :]", note) is not None
    )
