"""The context `render` and `scan` render a task's templates with, without a run.

A real run has a DagRun, validated params, XComs and Variables; offline there is
none of that, so the context stands in for each, and says where it did:

* params are the DAG's and the task's defaults as written. They are not validated:
  a run's trigger supplies and validates the real values, and a default that breaks
  its own schema (`Param(5, minimum=10)`) still says what the author meant. A param
  with no default has no value at all; a template that uses it gets a problem
  naming the param, and the task's other fields (and other tasks) still render.
* `ti.xcom_pull`, `dag_run.conf.get` and `var.value.get` / `var.json.get` return
  None (or the default given) as an empty run would, and every call is recorded, so
  the field it rendered can carry a note that the value is a stand-in known only at
  run time (a `{{ ti.xcom_pull(...) }}` mount source renders as a claim `none`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import jinja2

from ..errors import SpecError

__all__ = ["NoDefaultError", "RuntimeReads", "offline_context", "param_defaults"]


class RuntimeReads:
    """The reads of run-time-only values (XCom, run conf, Variables) made so far."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def xcom_pull(self, *args: Any, **kwargs: Any) -> None:
        """`ti.xcom_pull(...)`: no task has run, so there is no XCom."""
        self.calls.append(f"ti.xcom_pull({_arguments(args, kwargs)})")

    def since(self, start: int) -> list[str]:
        """Distinct calls recorded after the first `start` ones, in order."""
        return list(dict.fromkeys(self.calls[start:]))


def _arguments(args: Iterable[Any], kwargs: dict[str, Any]) -> str:
    return ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])


class _Recorded(dict[str, Any]):
    """An empty mapping whose `.get` is recorded as a run-time-only read."""

    def __init__(self, label: str, reads: RuntimeReads) -> None:
        super().__init__()
        self._label, self._reads = label, reads

    def get(self, key: str, default: Any = None) -> Any:
        self._reads.calls.append(f"{self._label}.get({_arguments([key], {})})")
        return default


class NoDefaultError(SpecError, jinja2.UndefinedError):
    """A template used a param that has no default (so no value outside a real run).

    Also a jinja UndefinedError, the type jinja raises for a misused Undefined.
    """

    def __init__(
        self,
        reason: str,
        *,
        spec: object = None,
        origin: str = "",
        hint: str = "give the Param a default (render and scan use the defaults)",
    ) -> None:
        super().__init__(reason, spec=spec, origin=origin, hint=hint)


class _NoDefault(jinja2.StrictUndefined):
    """The value of a param without a default: any use of it in a template (printing,
    a filter, a test of its truth) raises `NoDefaultError` naming the param. Being a
    jinja Undefined, not a missing key, keeps `params` a plain dict, so every other
    template error reads exactly as it does in a run."""

    __slots__ = ()


def _no_default(key: str) -> _NoDefault:
    return _NoDefault(
        hint=f"param {key!r} has no default value: only a triggered run supplies one, "
        "so this cannot be rendered offline",
        name=key,
        exc=NoDefaultError,
    )


def param_defaults(*sources: Any) -> dict[str, Any]:
    """The params of the DAG, then the task's (as a run merges them), unvalidated.

    "No default" is what `Param.resolve` itself tests (the NOTSET sentinel's type; a
    task's copy of a DAG param holds a copy of the sentinel). `Param.has_value` is not
    used: it also calls a None default missing, and None is a default like any other.
    """
    from airflow.sdk.definitions._internal.types import is_arg_set

    values: dict[str, Any] = {}
    for params in sources:
        for key, param in (params or {}).items():
            value = getattr(param, "value", param)
            values[key] = value if is_arg_set(value) else _no_default(key)
    return values


def offline_context(dag: Any, task: Any, when: datetime) -> tuple[dict[str, Any], RuntimeReads]:
    """A context for rendering: a manual run at `when`, the param defaults, and the
    recorder of run-time-only reads made while rendering with it."""
    reads = RuntimeReads()
    run_id = f"manual__{when.isoformat()}"
    ti = SimpleNamespace(
        dag_id=dag.dag_id,
        task_id=task.task_id,
        run_id=run_id,
        try_number=1,
        map_index=-1,
        xcom_pull=reads.xcom_pull,
        xcom_push=lambda *a, **k: None,
    )
    conf = _Recorded("dag_run.conf", reads)
    context = {
        "dag": dag,
        "task": task,
        "ti": ti,
        "task_instance": ti,
        "run_id": run_id,
        "params": param_defaults(dag.params, getattr(task, "params", None)),
        "logical_date": when,
        "data_interval_start": when,
        "data_interval_end": when,
        "ds": when.strftime("%Y-%m-%d"),
        "ds_nodash": when.strftime("%Y%m%d"),
        "ts": when.isoformat(),
        "ts_nodash": when.strftime("%Y%m%dT%H%M%S"),
        "conf": {},
        "dag_run": SimpleNamespace(run_id=run_id, conf=conf, logical_date=when),
        "var": {
            "value": _Recorded("var.value", reads),
            "json": _Recorded("var.json", reads),
        },
        "inlets": [],
        "outlets": [],
    }
    return context, reads
