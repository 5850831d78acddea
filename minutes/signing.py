"""PAdES signatures of the approved minutes (pyHanko), with the province's certificate and key from the environment.

The environment names files, never holds the secret itself in a setting that a page could show:
- `PRACHUM_MINUTES_SIGNING_CERT` and `PRACHUM_MINUTES_SIGNING_KEY`: PEM (or DER) certificate and private key files;
  `PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE`: the key's passphrase, if it has one;
- or `PRACHUM_MINUTES_SIGNING_PKCS12` (a .p12/.pfx file) and `PRACHUM_MINUTES_SIGNING_PKCS12_PASSPHRASE`;
- `PRACHUM_MINUTES_SIGNING_CHAIN`: optional intermediate certificates (PEM files, separated by ":").
A province of a shared installation may have its own: the same names ending in `_<province code>`
(`PRACHUM_MINUTES_SIGNING_CERT_41`) are read first.
Errors name the variable and the file, never the passphrase nor the key's content.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

PREFIX = "PRACHUM_MINUTES_SIGNING_"
FIELD_NAME = "MinutesSignature"


class SigningNotConfigured(Exception):
    """No certificate for the province: the approved minutes wait unsigned until one is configured."""


class SigningFailed(Exception):
    """The configured certificate or key could not be used (a message safe to show and log)."""


def _pyhanko():
    """pyHanko, imported once, without the deprecation warning its import of DSA gives with recent cryptography."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            from cryptography.utils import CryptographyDeprecationWarning  # noqa: PLC0415

            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        except ImportError:  # pragma: no cover
            pass
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415
        from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415
        from pyhanko.sign import fields, signers, validation  # noqa: PLC0415
        from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415
    return IncrementalPdfFileWriter, PdfFileReader, fields, signers, validation, ValidationContext


@dataclass(frozen=True)
class SigningFiles:
    cert: str = ""
    key: str = ""
    pkcs12: str = ""
    passphrase_variable: str = ""
    chain: tuple[str, ...] = ()


def _env(name: str, province_code: str) -> tuple[str, str]:
    """(value, variable name): the province's own variable first."""
    for variable in ((f"{PREFIX}{name}_{province_code}",) if province_code else ()) + (f"{PREFIX}{name}",):
        value = os.environ.get(variable, "")
        if value:
            return value, variable
    return "", ""


def signing_files(*, province_code: str = "") -> SigningFiles | None:
    """The configured files for a province, or None when nothing is configured."""
    pkcs12, variable = _env("PKCS12", province_code)
    chain_value, _chain_variable = _env("CHAIN", province_code)
    chain = tuple(path for path in chain_value.split(":") if path)
    if pkcs12:
        passphrase = f"{variable}_PASSPHRASE"
        return SigningFiles(pkcs12=pkcs12, passphrase_variable=passphrase, chain=chain)
    cert, _cert_variable = _env("CERT", province_code)
    key, key_variable = _env("KEY", province_code)
    if not cert and not key:
        return None
    return SigningFiles(cert=cert, key=key, passphrase_variable=f"{key_variable or PREFIX + 'KEY'}_PASSPHRASE",
                        chain=chain)


def configuration_problem(*, province_code: str = "") -> str:
    """What is wrong with the configuration ("" when it can sign), for the system check and the pages."""
    files = signing_files(province_code=province_code)
    if files is None:
        return (f"no certificate to sign the approved minutes: set {PREFIX}CERT and {PREFIX}KEY (or {PREFIX}PKCS12) "
                "to the province's certificate and key files")
    if not files.pkcs12 and not (files.cert and files.key):
        return f"set both {PREFIX}CERT and {PREFIX}KEY (one of them is missing)"
    for path in (files.pkcs12, files.cert, files.key, *files.chain):
        if path and not os.access(path, os.R_OK):
            return f"cannot read {path}: check the path and that the portal's user may read it"
    return ""


def _signer(files: SigningFiles):
    _w, _r, _fields, signers, _validation, _vc = _pyhanko()
    passphrase = os.environ.get(files.passphrase_variable, "")
    secret = passphrase.encode("utf-8") if passphrase else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if files.pkcs12:
            signer = signers.SimpleSigner.load_pkcs12(files.pkcs12, ca_chain_files=files.chain or None,
                                                      passphrase=secret)
        else:
            signer = signers.SimpleSigner.load(files.key, files.cert, ca_chain_files=files.chain or None,
                                               key_passphrase=secret)
    if signer is None:  # pyHanko logs and answers None on a wrong passphrase or an unreadable file
        raise SigningFailed(
            "the signing certificate or key could not be loaded (wrong file, format or passphrase): "
            f"check {PREFIX}CERT/{PREFIX}KEY or {PREFIX}PKCS12 and {files.passphrase_variable}"
        )
    return signer


def sign_pdf(pdf: bytes, *, province_code: str = "", reason: str = "", location: str = "") -> tuple[bytes, str]:
    """The PDF signed PAdES (B-B) with the province's certificate, and the signer's name (the certificate's
    subject). SigningNotConfigured when there is no certificate, SigningFailed when it cannot be used."""
    problem = configuration_problem(province_code=province_code)
    if problem:
        if signing_files(province_code=province_code) is None:
            raise SigningNotConfigured(problem)
        raise SigningFailed(problem)
    writer_class, _reader, fields, signers, _validation, _vc = _pyhanko()
    signer = _signer(signing_files(province_code=province_code))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, reason=reason or None,
        location=location or None, md_algorithm="sha256",
    )
    output = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            writer = writer_class(io.BytesIO(pdf), strict=False)
            signers.sign_pdf(writer, metadata, signer=signer, output=output)
    except Exception as error:  # only the kind of error: its text could quote the material
        raise SigningFailed(f"the PDF could not be signed ({type(error).__name__}): check the certificate and key "
                            f"named by {PREFIX}CERT/{PREFIX}KEY or {PREFIX}PKCS12") from error
    return output.getvalue(), signer.signing_cert.subject.human_friendly[:300]


@dataclass(frozen=True)
class Verification:
    intact: bool  # the signed bytes are those that were signed
    trusted: bool  # the certificate chains to one of the trust roots
    valid: bool  # both, and the signature itself checks
    signer: str
    covers_whole_file: bool


def verify_pdf(pdf: bytes, *, trust_roots_pem: list[bytes]) -> list[Verification]:
    """Each embedded signature of a PDF checked against the given trust roots (PEM certificates)."""
    _writer, reader_class, _fields, _signers, validation, validation_context = _pyhanko()
    from asn1crypto import pem, x509  # noqa: PLC0415

    roots = []
    for given in trust_roots_pem:
        der = pem.unarmor(given)[2] if pem.detect(given) else given
        roots.append(x509.Certificate.load(der))
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = reader_class(io.BytesIO(pdf), strict=False)
        for embedded in reader.embedded_signatures:
            status = validation.validate_pdf_signature(embedded, validation_context(trust_roots=roots))
            results.append(Verification(
                intact=bool(status.intact), trusted=bool(status.trusted), valid=bool(status.bottom_line),
                signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
                covers_whole_file=status.coverage.name == "ENTIRE_FILE" if status.coverage else False,
            ))
    return results
