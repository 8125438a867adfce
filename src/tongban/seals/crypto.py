"""Keys and certificates of the seal CA (EC P-256), and the encryption of private keys at rest.

Private keys are stored as AES-256-GCM ciphertext. The key-encryption key comes from
``TONGBAN_SEAL_KEY`` (environment) or ``var/seal_key`` (created 0600 on first use), in the same way
settings.py keeps ``TONGBAN_AUDIT_KEY`` out of the database: a database dump alone does not give away
any unit's seal. Back the key up with the database."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID
from django.conf import settings

_VERSION = b"v1"


def _master_secret() -> bytes:
    value = os.environ.get("TONGBAN_SEAL_KEY", "")
    if not value:
        var_dir = Path(getattr(settings, "VAR_DIR", "var"))
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file = var_dir / "seal_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        value = key_file.read_text().strip()
    return value.encode("utf-8")


def _kek() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tongban-seals", info=b"seal-private-key").derive(
        _master_secret()
    )


def encrypt_key(key: ec.EllipticCurvePrivateKey, *, aad: bytes) -> bytes:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    nonce = os.urandom(12)
    return _VERSION + nonce + AESGCM(_kek()).encrypt(nonce, der, aad)


def decrypt_key_der(blob: bytes, *, aad: bytes) -> bytes:
    """The PKCS#8 DER of a stored key. Raises ``cryptography.exceptions.InvalidTag`` with a wrong key."""
    blob = bytes(blob)
    if blob[:2] != _VERSION:
        raise ValueError("unknown key blob version")
    return AESGCM(_kek()).decrypt(blob[2:14], blob[14:], aad)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def make_ca(
    *, common_name: str, organisation: str, years: int = 20
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = new_key()
    now = dt.datetime.now(dt.UTC)
    name = _name(common_name, organisation)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def make_seal_cert(
    *,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    common_name: str,
    organisation: str,
    years: int = 5,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = new_key()
    now = dt.datetime.now(dt.UTC)
    not_after = min(now + dt.timedelta(days=365 * years), ca_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: a seal commits the unit
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,  # type: ignore[arg-type]
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_pem(text: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(text.encode("ascii"))


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")
