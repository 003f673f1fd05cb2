"""Build, without a cluster, the pods a DAG file's Docker tasks would submit.

`render` and `scan` load a DAG file, find every task made with our DockerOperator
or with the stock one (including `@task.docker`), render its templates with a
synthetic context (a manual run id and the param defaults: see `offline_context`),
one field at a time so that each problem names its argument, and build the pod
exactly as `execute()` would, minus the objects only the cluster knows (the chart's
ConfigMap policy, the namespace's PodSecurity label).

A `@task.docker` task is found but not rendered: the decorator writes its command
(a script that unpickles and runs the Python callable) only inside its own
`execute()`, and k8s-volume-ops has no decorator that would do the same in a pod,
so rendering it would show a pod with the decorator's placeholder command. It is
reported as a problem instead, which makes `scan` say `refused`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..claims import ClaimPlan
from ..errors import ConflictError, SpecError, UnsupportedError, VolumeOpsError
from ..podsecurity import check_pod_security
from ..policy import StoragePolicy, load_policy
from ..translation import in_namespace
from ._k8s import to_dict
from .docker import REDACTED, DockerOperator
from .offline_context import RuntimeReads, offline_context

__all__ = ["TaskRender", "from_stock", "load_dag_file", "render_dag_file", "render_task"]

_STOCK_ATTRS = (
    "image",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "mounts",
    "container_name",
    "auto_remove",
    "xcom_all",
    "retrieve_output",
    "retrieve_output_path",
    "docker_conn_id",
    "cpus",
    "mem_limit",
    "shm_size",
    "network_mode",
    "dns",
    "dns_search",
    "extra_hosts",
    "hostname",
    "privileged",
    "cap_add",
    "tty",
    "labels",
    "ipc_mode",
    "device_requests",
    "force_pull",
    "port_bindings",
    "ulimits",
    "user",
    "working_dir",
    "mount_tmp_dir",
    "tmp_dir",
    "skip_on_exit_code",
    "do_xcom_push",
)  # not docker_url: the stock operator fills it in itself, so it says nothing about the task


@dataclass
class TaskRender:
    """One task's objects (Pod last) or the problems that stop it from running."""

    file: str
    dag_id: str
    task_id: str
    stock: bool
    objects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[VolumeOpsError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    runtime_notes: list[str] = field(default_factory=list)  # values known only in a run
    claims: list[tuple[str, ClaimPlan]] = field(default_factory=list)  # (namespace, plan)


_TRACEBACK_DEPTH = "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH"


@contextlib.contextmanager
def _deep_import_tracebacks() -> Iterator[None]:
    """Airflow keeps the last 2 frames of an import error, which for an error raised
    inside Airflow (bad operator arguments) leaves out the DAG line that caused it;
    while a file loads here, the depth is raised so the problem can name that line."""
    saved = os.environ.get(_TRACEBACK_DEPTH)
    os.environ[_TRACEBACK_DEPTH] = "64"
    try:
        yield
    finally:
        if saved is None:
            del os.environ[_TRACEBACK_DEPTH]
        else:
            os.environ[_TRACEBACK_DEPTH] = saved


def load_dag_file(path: Path) -> tuple[list[Any], dict[str, str]]:
    """The DAGs in one file and its import errors; Airflow's chatter goes to stderr."""
    from airflow.dag_processing.dagbag import DagBag

    with contextlib.redirect_stdout(sys.stderr), _deep_import_tracebacks():
        bag = DagBag(dag_folder=str(path))
    return list(bag.dags.values()), dict(bag.import_errors)


def _is_stock(task: Any) -> bool:
    try:
        from airflow.providers.docker.operators.docker import DockerOperator as Stock
    except ImportError:  # the docker provider is optional
        return False
    return isinstance(task, Stock)


def _is_task_docker(task: Any) -> bool:
    """A stock `@task.docker` task (the provider's `_DockerDecoratedOperator`)."""
    if getattr(task, "custom_operator_name", None) == "@task.docker":
        return True
    try:
        from airflow.sdk.bases.decorator import DecoratedOperator
    except ImportError:  # pragma: no cover - Airflow 3 always has it
        return False
    return isinstance(task, DecoratedOperator)


def task_docker_problem(task: Any) -> UnsupportedError:
    """Why a `@task.docker` task is not rendered, and what to write instead."""
    callable_name = getattr(getattr(task, "python_callable", None), "__name__", task.task_id)
    return UnsupportedError(
        "@task.docker builds its command (a script that runs the pickled Python callable) "
        "only inside its own execute(), with the Docker daemon; k8s-volume-ops has no "
        "decorator that does the same in a pod, so no pod is rendered",
        spec=f"@task.docker def {callable_name}()",
        hint="use @task.kubernetes (apache-airflow-providers-cncf-kubernetes) to run the "
        "function in a pod, or a DockerOperator with an explicit command",
    )


def from_stock(task: Any) -> DockerOperator:
    """Our operator with the same arguments as a stock DockerOperator task."""
    kwargs = {name: getattr(task, name) for name in _STOCK_ATTRS if hasattr(task, name)}
    kwargs["private_environment"] = getattr(task, "_private_environment", None)
    if kwargs.get("cpus") == 1.0:
        kwargs["cpus"] = None  # Docker's default CPU weight sets nothing
    op = DockerOperator(task_id=task.task_id, **kwargs)
    op.template_fields = tuple(f for f in op.template_fields if hasattr(task, f) or f in kwargs)
    return op


def synthetic_context(dag: Any, task: Any, when: datetime) -> dict[str, Any]:
    """A context for rendering: a manual run at `when`, the param defaults."""
    return offline_context(dag, task, when)[0]


# The template field that holds an argument, where the user wrote another name.
_ARGUMENT_OF_FIELD = {"docker_volumes": "volumes"}


def _render_templates(
    op: DockerOperator, task: Any, context: dict[str, Any], reads: RuntimeReads
) -> tuple[list[VolumeOpsError], list[str]]:
    """Render field by field, so a problem names its argument and the other fields still
    render; a field that read a run-time-only value gets a note saying so."""
    env = task.dag.get_template_env()
    seen: set[int] = set()  # one set for all fields, as render_template_fields keeps it
    problems: list[VolumeOpsError] = []
    notes: list[str] = []
    for field_name in op.template_fields:
        argument = _ARGUMENT_OF_FIELD.get(field_name, field_name)
        start = len(reads.calls)
        try:  # the per-field hook Airflow's render_template_fields itself calls
            op._do_render_template_fields(op, [field_name], context, env, seen)  # type: ignore[arg-type]
        except VolumeOpsError as exc:
            problems.append(exc.located(argument))
        except Exception as exc:  # Jinja errors: missing template files, undefined names
            problems.append(
                SpecError(
                    f"rendering templates failed: {type(exc).__name__}: {exc}", origin=argument
                )
            )
        calls = reads.since(start)
        if calls:
            notes.append(
                f"{argument}: rendered offline with {', '.join(calls)} giving None (or its "
                "default): that value exists only in a run, so what this renders here is a "
                "stand-in (a claim named 'none', a 'None' argument)"
            )
    return problems, notes


def render_task(
    task: Any, policy: StoragePolicy, namespace: str | None, when: datetime | None = None
) -> TaskRender:
    """Render one task; problems are collected, never raised (an unexpected error
    becomes this task's problem, so the file's other tasks still render)."""
    stock = not isinstance(task, DockerOperator)
    result = TaskRender(
        file=str(task.dag.fileloc), dag_id=task.dag.dag_id, task_id=task.task_id, stock=stock
    )
    try:
        _render_into(result, task, policy, namespace, when)
    except Exception as exc:
        if os.environ.get("K8S_VOLUME_OPS_DEBUG"):
            raise
        result.objects = []
        result.problems.append(
            VolumeOpsError(
                f"internal error while rendering this task: {type(exc).__name__}: {exc} "
                "(a k8s-volume-ops bug; K8S_VOLUME_OPS_DEBUG=1 shows the traceback)"
            )
        )
    return result


def _render_into(
    result: TaskRender,
    task: Any,
    policy: StoragePolicy,
    namespace: str | None,
    when: datetime | None,
) -> None:
    if result.stock and _is_task_docker(task):
        result.problems.append(task_docker_problem(task))
        return
    op = from_stock(task) if result.stock else task
    context, reads = offline_context(
        task.dag, task, when or datetime.now(UTC).replace(microsecond=0)
    )
    result.problems, result.runtime_notes = _render_templates(op, task, context, reads)
    if result.problems:
        return
    op.namespace = namespace or op.namespace or "default"
    try:
        if op.storage_policy is not None:  # the operator's own argument comes first
            policy = load_policy(op.storage_policy)
    except VolumeOpsError as exc:
        result.problems.append(exc)
        return
    plan = op.plan(policy)
    result.notes, result.problems = plan.notes, plan.problems
    if plan.problems:
        return
    pod = _build(op, context)
    result.problems += [
        SpecError(p, origin="podSecurity") for p in check_pod_security(pod, policy.pod_security)
    ]
    objects = [*plan.translation.objects(op.namespace), *_secrets(op)]
    result.objects = [*in_namespace(objects, pod["metadata"]["namespace"]), pod]
    result.claims = [(pod["metadata"]["namespace"], claim) for claim in plan.translation.claims]


def _build(op: DockerOperator, context: dict[str, Any]) -> dict[str, Any]:
    push = op.do_xcom_push
    op.do_xcom_push = False  # as in execute(): no exec-based XCom sidecar
    try:
        return to_dict(op.build_pod_request_obj(context, dry_run=True))
    finally:
        op.do_xcom_push = push


def _secrets(op: DockerOperator) -> list[dict[str, Any]]:
    """The task's own Secrets, values redacted (no connection is looked up offline)."""
    secrets = []
    if op.private_secret_name:
        body = op.private_secret_body()
        body["stringData"] = dict.fromkeys(body["stringData"], REDACTED)
        secrets.append(body)
    if op.docker_conn_id:
        secrets.append(op.registry_secret_body(redacted=True))
    return secrets


def render_dag_file(
    path: Path, policy: StoragePolicy, namespace: str | None, when: datetime | None = None
) -> tuple[list[TaskRender], dict[str, str]]:
    """Every Docker task of a DAG file, rendered; plus the file's import errors."""
    dags, errors = load_dag_file(path)
    renders = [
        render_task(task, policy, namespace, when)
        for dag in dags
        for task in dag.tasks
        if isinstance(task, DockerOperator) or _is_stock(task)
    ]
    _refuse_shared_claims(renders)
    return renders, errors


def _refuse_shared_claims(renders: list[TaskRender]) -> None:
    """Two tasks whose Docker volumes differ (`my_vol`, `my-vol`) but map to one claim
    would share its data, where Docker keeps them apart; the operator refuses the
    second at run time, so render and scan say so now (names given by the user are
    meant to be shared)."""
    holders: dict[tuple[str, str], tuple[str, TaskRender]] = {}
    for render in renders:
        for namespace, claim in render.claims:
            if claim.named:
                continue
            docker_name, first = holders.setdefault(
                (namespace, claim.name), (claim.docker_name, render)
            )
            if docker_name != claim.docker_name:
                render.problems.append(
                    ConflictError(
                        f"claim {claim.name!r} already holds Docker volume {docker_name!r} of "
                        f"task {first.dag_id}.{first.task_id}; Docker keeps the two apart",
                        spec=claim.docker_name,
                        hint=f"give one of them its own claim: "
                        f"claims.overrides.{claim.docker_name}.claimName",
                    )
                )
