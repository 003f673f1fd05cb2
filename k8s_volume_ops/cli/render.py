"""`k8s-volume-ops render PATH`: print what a DAG or compose file becomes.

A DAG file gives, per Docker task, the objects it needs and the Pod exactly as the
operator would submit it; a compose file gives one Pod per service. Secret values
are redacted in both. Everything goes to stdout as one YAML stream. Inputs that
cannot be translated are listed on stderr, one line each, and the exit code is 2;
the Pod of a task or service with a problem is then left out, so that piping the
output to `kubectl apply -f -` never creates a pod that would not behave as the
original. A note that a rendered value is only a stand-in (an XCom, the run's conf)
goes to stderr as well as into the YAML, since a pipe would hide the comment. Every
namespaced object of a task carries its Pod's namespace.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..migrate.verdicts import import_error_row
from ..policy import StoragePolicy, load_policy
from ._output import guarded, one_line, quiet_airflow, yaml_stream
from .scan import as_given

__all__ = ["register"]

_COMPOSE_SUFFIXES = (".yml", ".yaml")


def register(subparsers: Any) -> None:
    """Add the `render` subcommand."""
    parser = subparsers.add_parser(
        "render", help="print the Kubernetes objects a DAG or compose file becomes"
    )
    parser.add_argument("path", type=Path, help="a DAG file (.py) or a compose file")
    parser.add_argument(
        "--policy",
        type=Path,
        help="storage policy YAML file (default: $K8S_VOLUME_OPS_POLICY, else built-in defaults)",
    )
    parser.add_argument("--namespace", help="namespace of the rendered objects")
    parser.add_argument(
        "--logical-date",
        type=datetime.fromisoformat,
        default=None,
        help="logical date of the synthetic manual run (default: now)",
    )
    parser.set_defaults(func=lambda args: guarded(lambda: run(args)))


def run(args: argparse.Namespace) -> int:
    """Render PATH; 0 when everything translates, 2 otherwise."""
    policy = load_policy(args.policy)
    path: Path = args.path
    if path.is_dir():
        raise SpecError(
            "is a directory; render takes one DAG file (.py) or compose file (.yml, .yaml)",
            spec=str(path),
            hint=f"render one of its files, or run `k8s-volume-ops scan {path}` for the folder",
        )
    if not path.is_file():
        raise SpecError("no such file", spec=str(path))
    if path.suffix in _COMPOSE_SUFFIXES:
        documents, problems = _compose(path, policy, args.namespace)
    elif path.suffix == ".py":
        documents, problems = _dag(path, policy, args.namespace, args.logical_date)
    else:
        raise SpecError("expected a DAG file (.py) or a compose file (.yml, .yaml)", spec=str(path))
    sys.stdout.write(yaml_stream(documents))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 2 if problems else 0


Documents = list[tuple[list[str], dict[str, Any]]]


def _compose(
    path: Path, policy: StoragePolicy, namespace: str | None
) -> tuple[Documents, list[str]]:
    """Every object of the compose file, Secret values redacted; with problems, the
    Pods of the services they name are left out (and stderr says so)."""
    from .._redact import redacted
    from ..compose import compose_result

    result = compose_result(path, policy, namespace)
    objects, left_out = result.without_problem_pods()
    header = [f"from {path}"] + [f"note: {note}" for note in result.notes]
    documents: Documents = []
    for i, obj in enumerate(objects):
        comments = header if i == 0 else [f"from {path}"]
        if obj["kind"] == "Secret":
            comments = [*comments, "values redacted (`k8s-volume-ops apply` uses the real ones)"]
        documents.append((comments, redacted(obj)))
    problems = [f"{path}: {one_line(p)}" for p in result.problems]
    if left_out:
        which = (
            f"the pod of service {left_out[0]!r} is"
            if len(left_out) == 1
            else f"the pods of services {', '.join(map(repr, left_out))} are"
        )
        problems.append(f"{path}: {which} left out because of the problems above")
    return documents, problems


def _dag(
    path: Path, policy: StoragePolicy, namespace: str | None, when: datetime | None
) -> tuple[Documents, list[str]]:
    from .._redact import redacted

    with quiet_airflow():
        from ..operators.offline import render_dag_file

        renders, errors = render_dag_file(path.resolve(), policy, namespace, when)
    problems = [
        f"{as_given(path, file)}: "
        f"{import_error_row(as_given(path, file), text, loaded=file).problems[0]}"
        for file, text in errors.items()
    ]
    documents: Documents = []
    seen: set[tuple[str, str, str]] = set()
    for task in renders:
        where = f"{path}: task {task.dag_id}.{task.task_id}"
        problems += [f"{where}: {one_line(p)}" for p in task.problems]
        for note in task.runtime_notes:  # on stderr too: a stand-in must not go unseen
            print(f"{where}: note: {note}", file=sys.stderr)
        comments = [
            f"task {task.dag_id}.{task.task_id}" + (" (stock DockerOperator)" if task.stock else "")
        ]
        comments += [f"note: {note}" for note in [*task.runtime_notes, *task.notes]]
        if task.problems and any(obj["kind"] == "Pod" for obj in task.objects):
            problems.append(f"{where}: its pod is left out because of the problems above")
        for obj in task.objects:
            if task.problems and obj["kind"] == "Pod":
                continue
            meta = obj["metadata"]
            key = (obj["kind"], meta.get("namespace", ""), meta["name"])
            if key in seen and obj["kind"] != "Pod":
                continue
            seen.add(key)
            documents.append((comments, redacted(obj)))  # a compose service's Secrets too
            comments = [f"task {task.dag_id}.{task.task_id}"]
    if not renders and not errors:
        print(f"{path}: no DockerOperator tasks found", file=sys.stderr)
    return documents, problems
