"""Credential mount options never reach a message: `o: ...,password=...` is redacted
wherever a mount or its options are quoted (DAG Mounts, compose driver_opts, notes)."""

from __future__ import annotations

import pytest
from docker.types import DriverConfig, Mount

from k8s_volume_ops._redact import redact_options, redact_quoted
from k8s_volume_ops.errors import NeedsPolicyError, SpecError
from k8s_volume_ops.parsing import parse_docker_mount
from k8s_volume_ops.parsing.compose import parse_volume_declaration
from k8s_volume_ops.policy import StoragePolicy
from k8s_volume_ops.translate import translate_mounts

CIFS = {"type": "cifs", "o": "addr=1.2.3.4,username=u,password=secretpw", "device": "//h/s"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("addr=h,username=u,password=pw", "addr=h,username=u,password=<redacted>"),
        ("pass=pw,vers=3.0", "pass=<redacted>,vers=3.0"),
        ("PASSWORD=pw", "PASSWORD=<redacted>"),
        ("password=old,password2=new", "password=<redacted>,password2=<redacted>"),
        ("name=admin,secret=AQBx==", "name=admin,secret=<redacted>"),
        ("user=dom/u%pw,sec=ntlmssp", "user=dom/u%<redacted>,sec=ntlmssp"),
        # cifs reads `,,` as a comma inside a value: the whole password goes
        ("password=a,,b,rw", "password=<redacted>,rw"),
        ("credentials=/etc/smb.cred,uid=1000", "credentials=/etc/smb.cred,uid=1000"),
        ("addr=1.2.3.4,ro,nfsvers=4", "addr=1.2.3.4,ro,nfsvers=4"),
        ("", ""),
    ],
)
def test_credential_options_are_redacted(options: str, expected: str) -> None:
    assert redact_options(options) == expected


def test_quoted_mounts_are_copies_with_options_and_credential_keys_redacted() -> None:
    mount = Mount("/n", "smb", driver_config=DriverConfig("local", dict(CIFS)))
    quoted = redact_quoted(dict(mount))
    assert quoted["VolumeOptions"]["DriverConfig"]["Options"] == {
        **CIFS,
        "o": "addr=1.2.3.4,username=u,password=<redacted>",
    }
    assert mount["VolumeOptions"]["DriverConfig"]["Options"]["o"] == CIFS["o"]  # untouched
    plugin = {"driver_opts": {"password": "pw", "host": "h"}, "labels": ["a"], "n": (1,)}
    assert redact_quoted(plugin) == {
        "driver_opts": {"password": "<redacted>", "host": "h"},
        "labels": ["a"],
        "n": (1,),
    }


def test_dag_mount_refusal_quotes_no_password() -> None:
    spec = parse_docker_mount(Mount("/n", "smb", driver_config=DriverConfig("local", CIFS)))
    with pytest.raises(NeedsPolicyError) as info:
        translate_mounts([spec], StoragePolicy())
    assert str(info.value).splitlines()[0] == (
        "\"{'Target': '/n', 'Source': 'smb', 'Type': 'volume', 'ReadOnly': False, "
        "'VolumeOptions': {'DriverConfig': {'Name': 'local', 'Options': {'type': 'cifs', "
        "'o': 'addr=1.2.3.4,username=u,password=<redacted>', 'device': '//h/s'}}}}\": "
        "local volume options {'type': 'cifs', 'o': 'addr=1.2.3.4,username=u,"
        "password=<redacted>', 'device': '//h/s'} (a device or filesystem the Docker host "
        "mounts) have no Kubernetes equivalent"
    )
    # the translation itself still has the real options
    assert spec.declaration is not None
    assert spec.declaration.driver_opts["o"] == CIFS["o"]


def test_nfs_without_a_server_quotes_no_password() -> None:
    driver = DriverConfig("local", {"type": "nfs", "o": "password=pw", "device": "exp"})
    with pytest.raises(SpecError) as info:
        translate_mounts(
            [parse_docker_mount(Mount("/n", "v", driver_config=driver))], StoragePolicy()
        )
    assert "pw'" not in str(info.value)
    assert "'o': 'password=<redacted>'" in str(info.value)


def test_inline_nfs_note_quotes_no_password() -> None:
    driver = DriverConfig(
        "local", {"type": "nfs", "o": "addr=h,password=pw,nfsvers=4", "device": ":/e"}
    )
    t = translate_mounts(
        [parse_docker_mount(Mount("/n", "v", driver_config=driver))], StoragePolicy()
    )
    assert t.notes[-1].endswith(
        "NFS mount options ['password=<redacted>', 'nfsvers=4'] are not applied: an inline "
        "nfs volume has none (set nfs.mode: persistentVolume to keep them)"
    )


def test_compose_declaration_refusal_quotes_no_password() -> None:
    with pytest.raises(SpecError) as info:
        parse_volume_declaration(
            "smb", {"driver_opts": dict(CIFS), "bogus": 1}, origin="volumes.smb"
        )
    assert str(info.value) == (
        "volumes.smb: {'driver_opts': {'type': 'cifs', 'o': 'addr=1.2.3.4,username=u,"
        "password=<redacted>', 'device': '//h/s'}, 'bogus': 1}: unknown volume keys ['bogus']"
    )
