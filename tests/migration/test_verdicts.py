"""Verdict rules, import-error rows, the table and the summary line, without Airflow."""

from __future__ import annotations

import sysconfig
from dataclasses import dataclass, field

import pytest

from k8s_volume_ops.errors import (
    NeedsPolicyError,
    SpecError,
    UnsupportedError,
    VolumeOpsError,
)
from k8s_volume_ops.migrate import import_error_row, summary_line, table, task_row
from k8s_volume_ops.migrate.verdicts import error_location, exception_text, verdict_of


@dataclass
class _Task:
    dag_id: str = "d"
    task_id: str = "t"
    stock: bool = True
    problems: list[VolumeOpsError] = field(default_factory=list)


NEEDS = NeedsPolicyError("no rule", spec="/srv", hint="add binds: [{source: /srv, claim: srv}]")


def test_verdicts() -> None:
    assert verdict_of([]) == "ok"
    assert verdict_of([NEEDS, NEEDS]) == "needs-policy"
    assert verdict_of([NEEDS, UnsupportedError("no")]) == "refused"
    assert verdict_of([SpecError("bad")]) == "refused"


def test_task_row_keeps_the_fix_hint_on_one_line() -> None:
    row = task_row("f.py", _Task(problems=[NEEDS]))
    assert row.verdict == "needs-policy"
    assert row.problems == ["'/srv': no rule fix: add binds: [{source: /srv, claim: srv}]"]
    assert row.as_json() == {
        "file": "f.py",
        "dag_id": "d",
        "task_id": "t",
        "verdict": "needs-policy",
        "problems": row.problems,
    }


SITE = sysconfig.get_path("purelib")
TRACEBACK = f"""Traceback (most recent call last):
  File "/dags/x.py", line 9, in <module>
    DockerOperator(task_id="t", image="alpine", volumes=["/a:/b"])
  File "{SITE}/airflow/sdk/bases/operator.py", line 1121, in __init__
    raise TypeError(
TypeError: Invalid arguments were passed to DockerOperator (task_id: t). Invalid arguments were:
**kwargs: {{'volumes': ['/a:/b']}}
"""


def test_import_error_row_names_the_exception_and_the_migrate_fix() -> None:
    row = import_error_row("x.py", TRACEBACK, loaded="/dags/x.py")
    assert row.verdict == "refused" and row.task_id is None and row.dag_id is None
    (problem,) = row.problems
    assert problem.startswith(
        "import error at x.py:9: TypeError: Invalid arguments were passed to DockerOperator "
        "(task_id: t). Invalid arguments were: **kwargs: {'volumes': ['/a:/b']}"
    )
    assert "fix: run `k8s-volume-ops migrate`" in problem


def test_the_location_is_the_deepest_frame_of_the_users_code() -> None:
    """Library and `<frozen>` frames are skipped; another file keeps its full path."""
    assert error_location(TRACEBACK, "x.py", "/dags/x.py") == "x.py:9"
    assert error_location(TRACEBACK, "x.py", "/elsewhere/x.py") == "/dags/x.py:9"
    assert error_location(SYNTAX_TRACEBACK, "syn.py", "/dags/syn.py") == "syn.py:2"
    helper = SYNTAX_TRACEBACK.replace('"/dags/syn.py", line 2', '"/dags/lib/helper.py", line 7')
    assert error_location(helper, "syn.py", "/dags/syn.py") == "/dags/lib/helper.py:7"
    assert error_location("ValueError: boom\n", "b.py", "/dags/b.py") is None
    only_library = f'Traceback (most recent call last):\n  File "{SITE}/m.py", line 1\nE: x\n'
    assert error_location(only_library, "b.py", "/dags/b.py") is None


def test_import_error_without_known_fix() -> None:
    row = import_error_row("x.py", 'Traceback (most recent call last):\n  File "x"\nNameError: y\n')
    assert row.problems == ["import error: NameError: y"]
    assert exception_text("plain message") == "plain message"


PYDANTIC_TRACEBACK = """Traceback (most recent call last):
  File "/dags/pyd.py", line 5, in <module>
    M(a="x")
  File "/venv/pydantic/main.py", line 280, in __init__
    validated_self = self.__pydantic_validator__.validate_python(data, self_instance=self)
                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
pydantic_core._pydantic_core.ValidationError: 1 validation error for M
a
  Input should be a valid integer [type=int_parsing, input_value='x', input_type=str]
    For further information visit https://errors.pydantic.dev/2.14/v/int_parsing
"""

CHAINED_TRACEBACK = """Traceback (most recent call last):
  File "/dags/a.py", line 2, in <module>
    import missing
ModuleNotFoundError: No module named 'missing'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/dags/a.py", line 4, in <module>
    raise ValueError("first line\\n  indented second\\nthird")
ValueError: first line
  indented second
third
"""

SYNTAX_TRACEBACK = """Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed
  File "/dags/syn.py", line 2
    x = (
        ^
SyntaxError: '(' was never closed
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            PYDANTIC_TRACEBACK,
            "pydantic_core._pydantic_core.ValidationError: 1 validation error for M a Input "
            "should be a valid integer [type=int_parsing, input_value='x', input_type=str] For "
            "further information visit https://errors.pydantic.dev/2.14/v/int_parsing",
        ),
        (CHAINED_TRACEBACK, "ValueError: first line indented second third"),
        (SYNTAX_TRACEBACK, "SyntaxError: '(' was never closed"),
        ("ValueError: boom\n", "ValueError: boom"),
    ],
    ids=["indented-message", "chained", "syntax-error", "no-traceback"],
)
def test_exception_text_is_the_whole_last_exception_on_one_line(text: str, expected: str) -> None:
    assert exception_text(text) == expected


def test_table_and_summary() -> None:
    rows = [
        task_row("a.py", _Task(task_id="one")),
        task_row("a.py", _Task(task_id="two", stock=False, problems=[NEEDS])),
        import_error_row("b.py", "ValueError: boom"),
    ]
    lines = table(rows).splitlines()
    assert lines[0].split() == ["FILE", "TASK", "OPERATOR", "VERDICT"]
    assert lines[1].split() == ["a.py", "d.one", "stock", "ok"]
    assert lines[2].split() == ["a.py", "d.two", "ours", "needs-policy"]
    assert lines[3].startswith("    - '/srv': no rule")
    assert lines[4].split() == ["b.py", "-", "-", "refused"]
    assert lines[5] == "    - import error: ValueError: boom"
    assert summary_line(rows, 2) == (
        "2 files scanned, 2 Docker tasks: 1 ok, 1 needs policy rules, 0 refused; "
        "1 file failed to import (exit 1)"
    )
    assert "exit 0: nothing is refused" in summary_line(rows[:2], 1)
    assert (
        summary_line(rows[:1], 1)
        == "1 file scanned, 1 Docker task: 1 ok, 0 need policy rules, 0 refused"
    )
