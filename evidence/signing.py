"""The pack's manifest signed with the province's certificate: a detached CMS (PKCS#7) signature, DER, SHA-256,
with the signer's certificate (and its configured chain) inside.

The certificate and key are those that sign the minutes, read by minutes/signing.py from the same environment
(`PRACHUM_MINUTES_SIGNING_*`, a province's own first): nothing about secrets is handled here.
"""

from __future__ import annotations

import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from minutes.signing import SigningFailed, SigningNotConfigured, _signer, configuration_problem, signing_files

__all__ = ["SigningFailed", "SigningNotConfigured", "sign_detached"]


def sign_detached(data: bytes, *, province_code: str = "") -> tuple[bytes, str]:
    """The detached CMS signature of `data` (DER) and the signer's name (the certificate's subject).
    SigningNotConfigured when the province has no certificate, SigningFailed when it cannot be used."""
    problem = configuration_problem(province_code=province_code)
    if problem:
        if signing_files(province_code=province_code) is None:
            raise SigningNotConfigured(problem)
        raise SigningFailed(problem)
    loaded = _signer(signing_files(province_code=province_code))
    try:
        certificate = x509.load_der_x509_certificate(loaded.signing_cert.dump())
        key = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)
        chain = [x509.load_der_x509_certificate(cert.dump()) for cert in loaded.cert_registry
                 if cert.dump() != loaded.signing_cert.dump()]
        builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(certificate, key, hashes.SHA256())
        for extra in chain:
            builder = builder.add_certificate(extra)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signature = builder.sign(serialization.Encoding.DER,
                                     [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    except Exception as error:  # only the kind of error: its text could quote the material
        raise SigningFailed(f"the evidence manifest could not be signed ({type(error).__name__}): check the "
                            "certificate and key named by PRACHUM_MINUTES_SIGNING_*") from error
    return signature, loaded.signing_cert.subject.human_friendly[:300]
