"""The compose cases of ../shared/cases (real user reports), through the CLI and in-process.

The checker is the suite's shared `casecheck` (the rules of shared/cases/README.md:
mounts resolve to a volume type and fields, claims rendered with accessModesInclude,
size and count, every name valid, every used claim rendered or existing, quantities
compared by value).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from casecheck import RenderRun, check_case, load_expect, run_render
from composecheck import SHARED, validate_objects

from k8s_volume_ops.compose import render_compose
from k8s_volume_ops.policy import load_policy

CASES = SHARED / "cases"
COMPOSE_CASES = sorted(CASES.glob("*.yml")) if CASES.is_dir() else []
pytestmark = pytest.mark.skipif(
    not COMPOSE_CASES, reason=f"the shared cases are not beside the clone ({CASES} is missing)"
)


def _policy(expect: dict[str, object]) -> Path | None:
    name = expect.get("policy")
    return CASES / "policies" / str(name) if name else None


@pytest.mark.parametrize("case", COMPOSE_CASES, ids=lambda p: p.stem)
def test_case_in_process(case: Path) -> None:
    expect = load_expect(case)
    objects, problems = render_compose(case, load_policy(_policy(expect)), None)
    validate_objects(objects)
    stderr = "\n".join(str(p) for p in problems)
    check_case(RenderRun(2 if problems else 0, objects, stderr), expect)


@pytest.mark.parametrize("case", COMPOSE_CASES, ids=lambda p: p.stem)
def test_case_through_the_cli(case: Path) -> None:
    expect = load_expect(case)
    check_case(run_render(case, _policy(expect)), expect)


@pytest.mark.parametrize("case", COMPOSE_CASES, ids=lambda p: p.stem)
def test_case_in_a_namespace(case: Path) -> None:
    """A namespace lands on every namespaced object and the output stays valid."""
    expect = load_expect(case)
    objects, _ = render_compose(case, load_policy(_policy(expect)), "team-a")
    validate_objects(objects)
    for obj in objects:
        namespaced = obj["kind"] != "PersistentVolume"
        assert (obj["metadata"].get("namespace") == "team-a") == namespaced, obj["metadata"]
