"""Certificates and keys for the local test cluster.

The control plane runs with real authentication (x509 client certs and
ServiceAccount tokens), so every component needs its own identity, all signed
by one throw-away CA. Files are generated once per cluster directory and reused
by later `up` calls so that kubeconfigs stay valid across restarts.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVICE_IP = "10.0.0.1"
APISERVER_DNS = (
    "localhost",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
)

# name -> (common name, organisations); all are client certificates.
CLIENT_IDENTITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin": ("kubernetes-admin", ("system:masters",)),
    "controller-manager": ("system:kube-controller-manager", ()),
    "scheduler": ("system:kube-scheduler", ()),
    "apiserver-kubelet-client": ("kube-apiserver-kubelet-client", ("system:masters",)),
}


@dataclass(frozen=True)
class Pki:
    """Paths of the generated material inside ``<workdir>/pki``."""

    root: Path

    def crt(self, name: str) -> Path:
        return self.root / f"{name}.crt"

    def key(self, name: str) -> Path:
        return self.root / f"{name}.key"

    @property
    def ca_crt(self) -> Path:
        return self.crt("ca")

    @property
    def ca_key(self) -> Path:
        return self.key("ca")

    @property
    def sa_pub(self) -> Path:
        return self.root / "sa.pub"

    @property
    def sa_key(self) -> Path:
        return self.root / "sa.key"

    @property
    def token_file(self) -> Path:
        return self.root / "tokens.csv"

    @property
    def admin_token(self) -> str:
        return self.token_file.read_text().split(",", 1)[0]


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def _write_crt(path: Path, crt: x509.Certificate) -> None:
    path.write_bytes(crt.public_bytes(serialization.Encoding.PEM))


def _name(cn: str, orgs: tuple[str, ...] = ()) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _builder(subject: x509.Name, issuer: x509.Name, public_key: object) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
    )


def _load_ca(pki: Pki) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    crt = x509.load_pem_x509_certificate(pki.ca_crt.read_bytes())
    key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return crt, key


def _make_ca(pki: Pki) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("k8s-volume-ops-local-ca")
    crt = (
        _builder(name, name, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    _write_key(pki.ca_key, key)
    _write_crt(pki.ca_crt, crt)


def issue(
    pki: Pki,
    name: str,
    cn: str,
    orgs: tuple[str, ...] = (),
    *,
    server: bool = False,
    dns: tuple[str, ...] = (),
    ips: tuple[str, ...] = (),
) -> None:
    """Issue ``<name>.crt/.key`` signed by the cluster CA."""
    ca_crt, ca_key = _load_ca(pki)
    key = ec.generate_private_key(ec.SECP256R1())
    usages = [ExtendedKeyUsageOID.SERVER_AUTH] if server else [ExtendedKeyUsageOID.CLIENT_AUTH]
    builder = (
        _builder(_name(cn, orgs), ca_crt.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    )
    if dns or ips:
        sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
        sans += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    _write_key(pki.key(name), key)
    _write_crt(pki.crt(name), builder.sign(ca_key, hashes.SHA256()))


def ensure_pki(root: Path) -> Pki:
    """Create (once) the CA, serving/client certs, SA key pair and token file."""
    pki = Pki(root)
    root.mkdir(parents=True, exist_ok=True)
    if not (pki.ca_crt.exists() and pki.ca_key.exists()):
        _make_ca(pki)
    if not pki.crt("apiserver").exists():
        issue(
            pki,
            "apiserver",
            "kube-apiserver",
            server=True,
            dns=APISERVER_DNS,
            ips=("127.0.0.1", SERVICE_IP),
        )
    if not pki.crt("node-agent").exists():
        # The apiserver verifies this via --kubelet-certificate-authority.
        issue(
            pki,
            "node-agent",
            "local-node",
            server=True,
            dns=("local-node", "localhost"),
            ips=("127.0.0.1",),
        )
    for name, (cn, orgs) in CLIENT_IDENTITIES.items():
        if not pki.crt(name).exists():
            issue(pki, name, cn, orgs)
    if not pki.sa_key.exists():
        sa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_key(pki.sa_key, sa)
        pki.sa_pub.write_bytes(
            sa.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    if not pki.token_file.exists():
        import secrets

        pki.token_file.write_text(
            f"{secrets.token_hex(16)},static-admin,static-admin-uid,system:masters\n"
        )
        pki.token_file.chmod(0o600)
    return pki


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def write_kubeconfig(path: Path, pki: Pki, server: str, user: str) -> None:
    """Kubeconfig with embedded client cert, usable from any working directory."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "local",
                "cluster": {"server": server, "certificate-authority-data": _b64(pki.ca_crt)},
            }
        ],
        "users": [
            {
                "name": user,
                "user": {
                    "client-certificate-data": _b64(pki.crt(user)),
                    "client-key-data": _b64(pki.key(user)),
                },
            }
        ],
        "contexts": [{"name": "local", "context": {"cluster": "local", "user": user}}],
        "current-context": "local",
    }
    path.write_text(json.dumps(config, indent=2))
    path.chmod(0o600)
