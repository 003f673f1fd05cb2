"""Service keys besides mounts: translated, noted or refused, never dropped silently."""

from __future__ import annotations

from typing import Any

import pytest
from composecheck import Render, pod

from k8s_volume_ops.compose.service_keys import (
    _BY_VALUE,
    _NOTES,
    _QUIET,
    _REFUSED,
    TRANSLATED_ELSEWHERE,
)
from k8s_volume_ops.errors import SpecError, UnsupportedError

# Every service key of the compose specification (compose-spec 05-services.md).
COMPOSE_SPEC_KEYS = """
annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs
container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime
cpu_shares cpus cpuset credential_spec depends_on deploy develop device_cgroup_rules devices
dns dns_opt dns_search domainname entrypoint env_file environment expose extends
external_links extra_hosts gpus group_add healthcheck hostname image init ipc isolation
label_file labels links logging mac_address mem_limit mem_reservation mem_swappiness
memswap_limit models network_mode networks oom_kill_disable oom_score_adj pid pids_limit
platform ports post_start pre_stop privileged profiles provider pull_policy read_only restart
runtime scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal
storage_opt sysctls tmpfs tty ulimits use_api_socket user userns_mode uts volumes
volumes_from working_dir volume_driver
""".split()


def test_every_compose_key_has_exactly_one_rule() -> None:
    tables = [TRANSLATED_ELSEWHERE, _QUIET, set(_NOTES), set(_REFUSED), set(_BY_VALUE)]
    for key in COMPOSE_SPEC_KEYS:
        assert sum(key in table for table in tables) == 1, key


def _render_service(render: Render, **service: Any) -> Any:
    return render({"services": {"app": {"image": "x", **service}, "db": {"image": "pg"}}})


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ({"network_mode": "host"}, {"hostNetwork": True, "dnsPolicy": "ClusterFirstWithHostNet"}),
        ({"ipc": "host"}, {"hostIPC": True}),
        ({"pid": "host"}, {"hostPID": True}),
        ({"network_mode": "bridge", "ipc": "private", "pid": ""}, {}),
    ],
    ids=["network-host", "ipc-host", "pid-host", "defaults"],
)
def test_host_namespaces(render: Render, service: dict[str, Any], expected: dict[str, Any]) -> None:
    result = _render_service(render, **service)
    assert not result.problems and not [n for n in result.notes if "services.app" in n]
    spec = pod(result, "app")["spec"]
    assert {
        k: spec[k] for k in ("hostNetwork", "hostIPC", "hostPID", "dnsPolicy") if k in spec
    } == (expected)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("network_mode", "service:db"),
        ("network_mode", "container:db_1"),
        ("network_mode", "none"),
        ("ipc", "service:db"),
        ("pid", "container:abc"),
    ],
)
def test_sharing_another_containers_namespace_is_refused(
    render: Render, key: str, value: str
) -> None:
    result = _render_service(render, **{key: value})
    (problem,) = result.problems
    assert isinstance(problem, UnsupportedError)
    assert problem.origin == f"services.app.{key}" and problem.spec == value
    assert f"services.app.{key}: {value!r}: " in str(problem) and "fix: drop" in str(problem)


def test_capabilities_tty_and_stdin_are_translated(render: Render) -> None:
    result = _render_service(
        render,
        cap_add=["net_admin", "CAP_SYS_TIME"],
        cap_drop=["ALL"],
        tty=True,
        stdin_open="true",  # what `${VAR}` gives
        privileged="false",
        user="1000",
    )
    assert not result.problems
    container = pod(result, "app")["spec"]["containers"][0]
    assert container["securityContext"] == {
        "runAsUser": 1000,
        "capabilities": {"add": ["NET_ADMIN", "SYS_TIME"], "drop": ["ALL"]},
    }
    assert container["tty"] is True and container["stdin"] is True


@pytest.mark.parametrize(
    ("service", "note"),
    [
        ({"ports": ["8080:80"]}, "services.app.ports: [8080:80]: not translated: published"),
        ({"network_mode": "backend"}, "services.app.network_mode: 'backend': not translated"),
        ({"networks": ["front", "back"]}, "services.app.networks: [front, back]: the pod"),
        (
            {"restart": "always"},
            "services.app.restart: 'always': not translated: the pod runs once",
        ),
        ({"depends_on": {"db": {"condition": "service_healthy"}}}, "start order"),
        ({"shm_size": "1g"}, "services.app.shm_size: '1g': not translated: /dev/shm"),
        ({"build": "."}, "services.app.build: not run; the pod pulls `image:`"),
        ({"cpus": 0.5, "mem_limit": "1g"}, "services.app.mem_limit: '1g': not translated"),
        ({"sysctls": {"net.core.somaxconn": 1024}}, "securityContext.sysctls"),
        ({"ipc": "shareable", "healthcheck": {"test": ["CMD", "true"]}}, "not rendered as a probe"),
        ({"frobnicate": 1}, "services.app.frobnicate: not a compose service key"),
    ],
)
def test_untranslated_keys_are_noted(render: Render, service: dict[str, Any], note: str) -> None:
    result = _render_service(render, **service)
    assert not result.problems
    assert any(note in n for n in result.notes), result.notes
    assert pod(result, "app")


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("ulimits", {"nofile": 65536}, "a pod cannot set ulimits"),
        ("devices", ["/dev/ttyUSB0:/dev/ttyUSB0"], "cannot map host devices"),
        ("gpus", "all", "device plugin resource"),
        ("extends", {"service": "base"}, "extends is not resolved"),
        ("use_api_socket", True, "Docker API socket"),
    ],
)
def test_keys_that_change_behaviour_are_refused(
    render: Render, key: str, value: object, reason: str
) -> None:
    result = _render_service(render, **{key: value})
    (problem,) = result.problems
    assert isinstance(problem, UnsupportedError) and problem.origin == f"services.app.{key}"
    assert reason in str(problem) and "fix: " in str(problem)


def test_quiet_empty_and_extension_keys_say_nothing(render: Render) -> None:
    result = _render_service(
        render, expose=["80"], attach=False, ports=[], dns=None, **{"x-team": "data"}
    )
    assert not result.problems
    assert not [n for n in result.notes if "services.app" in n]


@pytest.mark.parametrize(
    ("service", "origin"),
    [
        ({"cap_add": "NET_ADMIN"}, "services.app.cap_add"),
        ({"tty": "yes"}, "services.app.tty"),
        ({"privileged": 1}, "services.app.privileged"),
    ],
)
def test_malformed_values_are_problems(
    render: Render, service: dict[str, Any], origin: str
) -> None:
    result = _render_service(render, **service)
    (problem,) = result.problems
    assert isinstance(problem, SpecError) and problem.origin == origin


def test_privileged_from_a_variable_allows_bidirectional_propagation(render: Render) -> None:
    mount = {"type": "bind", "source": "/srv/m", "target": "/m", "bind": {"propagation": "rshared"}}
    result = render(
        {"services": {"a": {"image": "x", "privileged": "${PRIV}", "volumes": [mount]}}},
        {"binds": [{"source": "/srv", "hostPath": True}]},
        environ={"PRIV": "true"},
    )
    assert not result.problems
    assert pod(result, "a")["spec"]["containers"][0]["securityContext"] == {"privileged": True}
