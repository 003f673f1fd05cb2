"""Every DAG case in ../shared/cases renders as its expect file says (real user reports)."""

from __future__ import annotations

from pathlib import Path

import pytest
from casecheck import CASES, check_case, load_expect, run_render

DAG_CASES = sorted(CASES.glob("*.py")) if CASES.is_dir() else []


@pytest.mark.skipif(not DAG_CASES, reason=f"no cases at {CASES}")
@pytest.mark.parametrize("case", DAG_CASES, ids=lambda p: p.stem)
def test_dag_case(case: Path, tmp_path: Path) -> None:
    expect = load_expect(case)
    policy = CASES / "policies" / expect["policy"] if expect.get("policy") else None
    run = run_render(case, policy, home=tmp_path)
    check_case(run, expect)


@pytest.mark.skipif(not DAG_CASES, reason=f"no cases at {CASES}")
def test_unmapped_bind_names_the_fix(tmp_path: Path) -> None:
    """Without its policy, the shared-bind case is refused with the rule that would fix it."""
    run = run_render(CASES / "r3-shared-bind.py", None, home=tmp_path)
    assert run.exit == 2
    assert "task shared_bind.test" in run.stderr
    assert "'/shared'" in run.stderr and "binds: [{source: /shared, claim: shared}]" in run.stderr
    assert "Traceback" not in run.stderr
