"""Odd but possible argument shapes: accepted where Docker takes them, else refused by name.

Each refusal is a VolumeOpsError that names the argument and quotes the value, never a
bare TypeError/ValueError: `render` and `scan` turn those into per-task problems.
"""

from __future__ import annotations

from typing import Any

import pytest

from k8s_volume_ops.errors import PolicyError, SpecError, VolumeOpsError
from k8s_volume_ops.podplan import DockerArgs, PodPlan, plan_pod
from k8s_volume_ops.policy import load_policy


def plan(**kw: Any) -> PodPlan:
    kw.setdefault("image", "alpine:3.20")
    kw.setdefault("mount_tmp_dir", False)
    return plan_pod(DockerArgs(**kw))


def ok(**kw: Any) -> PodPlan:
    result = plan(**kw)
    assert result.problems == [], [str(p) for p in result.problems]
    return result


def refused(**kw: Any) -> str:
    (problem,) = plan(**kw).problems
    assert isinstance(problem, SpecError)
    return str(problem)


@pytest.mark.parametrize("argument", ["command", "entrypoint"])
def test_an_unterminated_quote_is_refused_quoting_it(argument: str) -> None:
    assert refused(**{argument: "echo 'unterminated"}) == (
        f'{argument}: "echo \'unterminated": cannot be split into words as a shell would: '
        "No closing quotation\n  fix: close the quote, or pass a list of words"
    )


def test_extra_hosts_as_a_list_of_host_ip_strings() -> None:
    p = ok(extra_hosts=["h:1.2.3.4", "db:10.0.0.1", "v6:::1", "g:10.0.0.1"])
    assert p.pod["hostAliases"] == [
        {"ip": "1.2.3.4", "hostnames": ["h"]},
        {"ip": "10.0.0.1", "hostnames": ["db", "g"]},
        {"ip": "::1", "hostnames": ["v6"]},
    ]
    assert ok(extra_hosts={"h": "1.2.3.4"}).pod["hostAliases"] == [
        {"ip": "1.2.3.4", "hostnames": ["h"]}
    ]


@pytest.mark.parametrize(
    ("extra_hosts", "message"),
    [
        (
            ["h=1.2.3.4"],
            "extra_hosts: ['h=1.2.3.4']: a list item must be a 'host:ip' string, not 'h=1.2.3.4'",
        ),
        (
            {"h": "not-an-ip"},
            "extra_hosts: {'h': 'not-an-ip'}: 'not-an-ip' is not an IP address (Docker and "
            "Kubernetes both need one)",
        ),
        (
            "h:1.2.3.4",
            "extra_hosts: 'h:1.2.3.4': must be a dict {host: ip} or a list of 'host:ip' strings",
        ),
    ],
)
def test_extra_hosts_refusals(extra_hosts: Any, message: str) -> None:
    assert refused(extra_hosts=extra_hosts) == message


def test_cpus_as_a_numeric_string() -> None:
    assert ok(cpus="0.5").container["resources"] == {"requests": {"cpu": "0.5"}}
    assert "resources" not in ok(cpus="0").container
    assert refused(cpus="half") == "cpus: 'half': must be a number of CPUs, such as 0.5"
    assert refused(cpus=-1) == "cpus: -1: must be a finite number of CPUs, not negative"


def test_environment_as_a_list_of_key_value_strings() -> None:
    p = ok(environment=["A=1", "B", "C=x=y"], private_environment=["P=s"])
    assert p.plain_env == [{"name": "A", "value": "1"}, {"name": "C", "value": "x=y"}]
    assert p.private_env == {"P": "s"}
    assert p.notes == ["environment 'B' has no value; Docker unsets it, so it is left out"]
    assert refused(environment="A=1") == (
        "environment: 'A=1': must be a dict or a list of 'KEY=value' strings"
    )
    assert refused(environment=["=1"]) == (
        "environment: ['=1']: a list item must be a 'KEY=value' string, not '=1'"
    )


def test_container_name_follows_dockers_rule_and_kpos_sanitising() -> None:
    assert ok(container_name="My.Job_1").pod_name == "my-job-1"
    assert ok(container_name="/named").pod_name == "named"
    assert ok().pod_name is None
    assert refused(container_name="!!!") == (
        "container_name: '!!!': Docker container names match [a-zA-Z0-9][a-zA-Z0-9_.-]+ "
        "(at least two characters); the pod name is derived from it"
    )


def test_a_single_string_is_one_item_not_one_per_character() -> None:
    p = ok(dns="8.8.8.8", dns_search="corp.example", cap_add="NET_ADMIN")
    assert p.pod["dnsConfig"] == {"nameservers": ["8.8.8.8"], "searches": ["corp.example"]}
    assert p.container["securityContext"] == {"capabilities": {"add": ["NET_ADMIN"]}}
    assert refused(dns=["8.8.8.8", 53]) == (
        "dns: ['8.8.8.8', 53]: every item must be a string, not 53"
    )


def test_an_empty_image_is_refused() -> None:
    assert refused(image="") == "image: '': an image name is required"
    assert refused(image="  ") == "image: '  ': an image name is required"


def test_device_requests_as_docker_py_keyword_dicts() -> None:
    """docker-py builds a DeviceRequest from a plain dict of its keyword names."""
    p = ok(device_requests=[{"count": 1, "capabilities": [["gpu"]]}])
    assert p.container["resources"] == {"limits": {"nvidia.com/gpu": "1"}}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"port_bindings": {"http": 80}},
            "port_bindings: {'http': 80}: cannot be translated: ValueError: invalid literal "
            "for int() with base 10: 'http'",
        ),
        (
            {"labels": 5},
            "labels: 5: cannot be translated: TypeError: 'int' object is not iterable",
        ),
    ],
)
def test_an_unforeseen_shape_names_the_argument_and_quotes_the_value(
    kwargs: dict[str, Any], message: str
) -> None:
    """No specific check covers these: the raw error is still located and quoted."""
    assert refused(**kwargs) == message


def test_one_bad_argument_does_not_hide_the_others() -> None:
    p = plan(cpus="x", command="echo 'x", labels={"team": "etl"}, dns="1.1.1.1")
    assert [p.origin for p in p.problems] == ["command", "cpus"]
    assert p.labels == {"team": "etl"} and p.pod["dnsConfig"] == {"nameservers": ["1.1.1.1"]}


def test_a_storage_policy_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(42)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "storage_policy: 42: must be a dict, a StoragePolicy or the path of a YAML file, not int"
    )
    assert isinstance(caught.value, VolumeOpsError)
