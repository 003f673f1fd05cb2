"""`ComposeServiceOperator`: one docker-compose service as one Airflow task.

The "run compose from a task" way out of DockerOperator's mount trouble, done the
Kubernetes way: the service's image, command, environment and volumes come from
the compose file, translated as `k8s-volume-ops render` translates them, and the
pod runs with everything our DockerOperator gives (claims ensured before the pod,
XCom from the log, exit codes, PodSecurity checked first). Like
`docker compose run SERVICE [COMMAND]`, `command` and `environment` may be given to
override the service's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import docker_args as da
from ..errors import VolumeOpsError
from ..expansion import literal
from ..podplan import PodPlan
from ..policy import StoragePolicy
from .docker import _ARG_FIELDS, _IGNORED, DockerOperator

__all__ = ["ComposeServiceOperator"]

# Every Docker-shaped argument but these two belongs to the compose file (or, for
# the Docker client's own settings, to nothing on Kubernetes); giving one is refused.
_OVERRIDABLE = ("command", "environment")
_FROM_COMPOSE = tuple(
    sorted(
        (
            {*_ARG_FIELDS, *_IGNORED, "entrypoint", "mounts", "volumes", "env_file", "image"}
            | {"private_environment", "container_name", "retrieve_output", "retrieve_output_path"}
            | {"timeout", "tls_verify"}
        )
        - set(_OVERRIDABLE)
    )
)


class ComposeServiceOperator(DockerOperator):
    """Run `service` of `compose_file` as a Kubernetes pod.

    A relative `compose_file` is read from the DAG file's folder, as Airflow reads
    template files. `command` (string or list, DockerOperator's rules) replaces the
    service's command; `environment` is added to the service's, winning per name.
    Settings the compose file owns (image, mounts, user, ...) are refused here.
    """

    template_fields: Sequence[str] = (
        *DockerOperator.template_fields,
        "compose_file",
        "service",
    )

    def __init__(
        self,
        *,
        compose_file: str,
        service: str,
        command: str | list[str] | None = None,
        environment: dict[str, Any] | None = None,
        storage_policy: StoragePolicy | dict[str, Any] | str | None = None,
        **kwargs: Any,
    ) -> None:
        owned = sorted(key for key in _FROM_COMPOSE if key in kwargs)
        if owned:
            raise ValueError(
                f"ComposeServiceOperator takes {owned} from service {service!r} of "
                f"{compose_file!r}; set them in the compose file (Docker client settings have no "
                "meaning on Kubernetes)"
            )
        super().__init__(
            image="",
            command=command,
            environment=environment,
            storage_policy=storage_policy,
            **kwargs,
        )
        self.compose_file, self.service = compose_file, service

    def compose_path(self) -> Path:
        """The compose file; relative paths are read from the DAG file's folder."""
        path = Path(str(self.compose_file))
        fileloc = getattr(getattr(self, "_dag", None), "fileloc", None)
        if not path.is_absolute() and fileloc:
            path = Path(fileloc).parent / path
        return path

    def plan(self, policy: StoragePolicy) -> PodPlan:
        """The service's pod, with this task's command and environment on top."""
        from ..compose.task import service_task  # compose parsing only for compose tasks

        task = service_task(self.compose_path(), str(self.service), policy)
        plan = task.plan
        self.image = task.image
        try:
            command = da.format_command(self.command, origin="command")
        except VolumeOpsError as exc:
            plan.problems.append(exc)
            command = None
        if command:
            plan.container["args"] = [literal(word) for word in command]
        try:
            extra = da.environment_values(self.environment, origin="environment")
        except VolumeOpsError as exc:
            plan.problems.append(exc)
            extra = {}
        kept = [item for item in plan.plain_env if item["name"] not in extra]
        plan.plain_env = kept + [  # a None value unsets the name, as in Docker
            {"name": k, "value": literal(str(v))} for k, v in extra.items() if v is not None
        ]
        self._plan = plan
        self._policy_level = policy.pod_security
        return plan
