#!/usr/bin/env python3
"""Check a prachum evidence pack offline: needs only Python 3.11+ and the `cryptography` package.

    python3 verify_evidence_pack.py PACK.zip --ca PROVINCE-CA.pem [--ca ANOTHER.pem]

PACK is the archive (.zip) or the directory it was unpacked into. The check, in order:
1. `manifest.json.p7s` is a detached CMS (PKCS#7) signature of `manifest.json` whose signer's certificate chains
   (through the certificates inside the signature) to one of the trust roots given with --ca, and the signature
   verifies (the signed attributes' message digest is the manifest's, the signature over them is the signer's);
2. every file the manifest lists is in the pack with the listed size and SHA-256;
3. no file is missing and none is extra.
It prints what it checked, and ends with VERIFIED (exit 0) or FAILED naming each file that does not match (exit 1);
exit 2 when the pack or a trust root cannot be read at all.

This file is self-contained on purpose (the portal's `manage.py evidence_verify` runs the same code): copy it
next to the pack and run it on any machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.p7s"
FORMAT = "prachum-evidence-pack/1"

# DER object identifiers (their encoded content bytes)
OID_SIGNED_DATA = bytes.fromhex("2a864886f70d010702")  # 1.2.840.113549.1.7.2
OID_MESSAGE_DIGEST = bytes.fromhex("2a864886f70d010904")  # 1.2.840.113549.1.9.4
OID_SIGNING_TIME = bytes.fromhex("2a864886f70d010905")  # 1.2.840.113549.1.9.5
OID_RSA_PSS = bytes.fromhex("2a864886f70d01010a")  # 1.2.840.113549.1.1.10
DIGESTS = {
    bytes.fromhex("608648016503040201"): hashes.SHA256,
    bytes.fromhex("608648016503040202"): hashes.SHA384,
    bytes.fromhex("608648016503040203"): hashes.SHA512,
}


class Invalid(Exception):
    """The signature does not check; the message says why, `name` which file is at fault (the signature file,
    unless the manifest is not the file that was signed)."""

    def __init__(self, message: str, name: str = SIGNATURE):
        super().__init__(message)
        self.name = name


# --- a minimal DER reader (what a CMS signature needs, nothing more) -------------------------------------------


@dataclass(frozen=True)
class Tlv:
    tag: int
    start: int  # where the TLV starts (tag byte)
    body: int  # where its content starts
    end: int  # where it ends

    def raw(self, data: bytes) -> bytes:
        return data[self.start:self.end]

    def content(self, data: bytes) -> bytes:
        return data[self.body:self.end]


def _tlv(data: bytes, pos: int, limit: int) -> Tlv:
    if pos + 2 > limit:
        raise Invalid("the signature is truncated (not DER)")
    tag, length = data[pos], data[pos + 1]
    body = pos + 2
    if tag & 0x1F == 0x1F:
        raise Invalid("the signature uses a DER tag this checker does not read")
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or body + count > limit:
            raise Invalid("the signature is not DER (bad length)")
        length = int.from_bytes(data[body:body + count], "big")
        body += count
    if body + length > limit:
        raise Invalid("the signature is truncated (not DER)")
    return Tlv(tag, pos, body, body + length)


def _children(data: bytes, parent: Tlv) -> list[Tlv]:
    items, pos = [], parent.body
    while pos < parent.end:
        item = _tlv(data, pos, parent.end)
        items.append(item)
        pos = item.end
    return items


def _expect(item: Tlv, tag: int, what: str) -> Tlv:
    if item.tag != tag:
        raise Invalid(f"the signature is not a CMS signature ({what})")
    return item


@dataclass
class SignatureCheck:
    signer: str
    root: str
    signed_at: str
    chain: list[str]


def _parse_signed_data(der: bytes):
    top = _expect(_tlv(der, 0, len(der)), 0x30, "ContentInfo")
    content_type, explicit = _children(der, top)[:2]
    if _expect(content_type, 0x06, "content type").content(der) != OID_SIGNED_DATA:
        raise Invalid("the signature is not CMS SignedData")
    signed_data = _expect(_children(der, _expect(explicit, 0xA0, "content"))[0], 0x30, "SignedData")
    parts = _children(der, signed_data)
    certificates = []
    signer_infos = None
    for part in parts[3:]:
        if part.tag == 0xA0:
            certificates = [x509.load_der_x509_certificate(c.raw(der)) for c in _children(der, part)]
        elif part.tag == 0x31:
            signer_infos = part
    if signer_infos is None:
        raise Invalid("the signature has no signer")
    infos = _children(der, signer_infos)
    if len(infos) != 1:
        raise Invalid(f"the signature has {len(infos)} signers: one was expected")
    return certificates, _children(der, _expect(infos[0], 0x30, "SignerInfo"))


def _attributes(der: bytes, signed_attrs: Tlv) -> dict[bytes, list[Tlv]]:
    found: dict[bytes, list[Tlv]] = {}
    for attribute in _children(der, signed_attrs):
        oid, values = _children(der, _expect(attribute, 0x30, "attribute"))[:2]
        found[oid.content(der)] = _children(der, values)
    return found


def _signer_certificate(der: bytes, sid: Tlv, certificates: list[x509.Certificate]) -> x509.Certificate:
    if sid.tag == 0x30:  # issuerAndSerialNumber
        issuer, serial = _children(der, sid)[:2]
        number = int.from_bytes(serial.content(der), "big", signed=True)
        for certificate in certificates:
            if certificate.serial_number == number and certificate.issuer.public_bytes() == issuer.raw(der):
                return certificate
    elif sid.tag == 0x80:  # subjectKeyIdentifier
        wanted = sid.content(der)
        for certificate in certificates:
            try:
                ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                continue
            if ski == wanted:
                return certificate
    raise Invalid("the signer's certificate is not inside the signature")


def _verify_with(public_key, signature: bytes, signed: bytes, digest, pss: bool) -> None:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, signed, ec.ECDSA(digest()))
    elif isinstance(public_key, rsa.RSAPublicKey):
        pad = (padding.PSS(mgf=padding.MGF1(digest()), salt_length=padding.PSS.AUTO) if pss
               else padding.PKCS1v15())
        public_key.verify(signature, signed, pad, digest())
    elif isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        public_key.verify(signature, signed)
    else:
        raise Invalid("the signer's key is of a kind this checker does not know")


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _name(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()


def verify_signature(manifest: bytes, signature: bytes, roots: list[x509.Certificate]) -> SignatureCheck:
    """Check the detached CMS signature of the manifest against the trust roots; Invalid says why it fails."""
    try:
        certificates, info = _parse_signed_data(signature)
    except (IndexError, ValueError) as error:
        raise Invalid(f"the signature cannot be read ({type(error).__name__})") from error
    sid, digest_algorithm = info[1], info[2]
    rest = info[3:]
    signed_attrs = rest[0] if rest and rest[0].tag == 0xA0 else None
    if signed_attrs is None:
        raise Invalid("the signature has no signed attributes (a manifest signature always has them)")
    signature_algorithm, value = rest[1], _expect(rest[2], 0x04, "signature value")
    digest = DIGESTS.get(_children(signature, digest_algorithm)[0].content(signature))
    if digest is None:
        raise Invalid("the signature's digest algorithm is not SHA-256/384/512")
    attributes = _attributes(signature, signed_attrs)
    digests = attributes.get(OID_MESSAGE_DIGEST)
    if not digests:
        raise Invalid("the signature has no message digest")
    hasher = hashes.Hash(digest())
    hasher.update(manifest)
    if digests[0].content(signature) != hasher.finalize():
        raise Invalid("manifest.json is not the file that was signed (its digest differs from the signed one)",
                      MANIFEST)
    # What was signed: the signed attributes as a SET OF (tag 0x31 instead of the [0] they are stored under)
    signed = b"\x31" + signature[signed_attrs.start + 1:signed_attrs.end]
    signer = _signer_certificate(signature, sid, certificates)
    pss = _children(signature, signature_algorithm)[0].content(signature) == OID_RSA_PSS
    try:
        _verify_with(signer.public_key(), value.content(signature), signed, digest, pss)
    except InvalidSignature as error:
        raise Invalid("the signature does not verify with the signer's certificate") from error
    signed_at = ""
    times = attributes.get(OID_SIGNING_TIME)
    if times:
        signed_at = times[0].content(signature).decode("ascii", "replace")
    # The chain: from the signer, through certificates in the signature, to one of the trust roots
    chain, current = [_name(signer)], signer
    for _step in range(8):
        for root in roots:
            if current.fingerprint(hashes.SHA256()) == root.fingerprint(hashes.SHA256()) or _issued_by(current, root):
                return SignatureCheck(signer=_name(signer), root=_name(root), signed_at=signed_at, chain=chain)
        parent = next((c for c in certificates if c is not current and _is_ca(c) and _issued_by(current, c)), None)
        if parent is None:
            break
        chain.append(_name(parent))
        current = parent
    raise Invalid(f"the signer ({_name(signer)}) does not chain to the given trust root(s)")


# --- the pack ----------------------------------------------------------------------------------------------------


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def say(self, line: str) -> None:
        self.lines.append(line)

    def fail(self, name: str, why: str) -> None:
        self.failures.append(name)
        self.lines.append(f"FAILED {name}: {why}")


class _Pack:
    """The pack's files, from a zip archive or a directory."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = None if path.is_dir() else zipfile.ZipFile(path)

    def names(self) -> list[str]:
        if self.zip is not None:
            return [info.filename for info in self.zip.infolist() if not info.is_dir()]
        return sorted(p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file())

    def read(self, name: str) -> bytes:
        if self.zip is not None:
            return self.zip.read(name)
        return (self.path / name).read_bytes()

    def digest(self, name: str) -> tuple[int, str]:
        hasher, size = hashlib.sha256(), 0
        handle = self.zip.open(name) if self.zip is not None else (self.path / name).open("rb")
        with handle:
            while chunk := handle.read(1 << 20):
                hasher.update(chunk)
                size += len(chunk)
        return size, hasher.hexdigest()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def load_roots(paths: list[Path]) -> list[x509.Certificate]:
    roots = []
    for path in paths:
        data = path.read_bytes()
        roots.extend(x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                     else [x509.load_der_x509_certificate(data)])
    return roots


def verify_pack(pack: Path, roots: list[x509.Certificate]) -> Report:  # noqa: PLR0912, PLR0915 - one check after another
    """Every check of the pack; the report's lines say what was checked, its failures name the files."""
    report = Report()
    opened = _Pack(pack)
    try:
        names = opened.names()
        report.say(f"pack: {pack} ({len(names)} files)")
        duplicates = sorted({name for name in names if names.count(name) > 1})
        for name in duplicates:
            report.fail(name, "appears more than once in the archive")
        if MANIFEST not in names or SIGNATURE not in names:
            for name in (MANIFEST, SIGNATURE):
                if name not in names:
                    report.fail(name, "missing")
            return report
        manifest_bytes, signature = opened.read(MANIFEST), opened.read(SIGNATURE)
        try:
            check = verify_signature(manifest_bytes, signature, roots)
        except Invalid as error:
            report.fail(error.name, f"signature: {error}")
        except (ValueError, IndexError, TypeError) as error:  # not DER at all, or a certificate that is not one
            report.fail(SIGNATURE, f"signature: cannot be read ({type(error).__name__})")
        else:
            report.say(f"OK signature of {MANIFEST}: signed by {check.signer}"
                       + (f" at {check.signed_at}" if check.signed_at else "")
                       + f"; chains to the trust root {check.root}")
        try:
            manifest = json.loads(manifest_bytes)
            listed = manifest["files"]
            if manifest.get("format") != FORMAT:
                raise ValueError(manifest.get("format"))
        except (ValueError, KeyError, TypeError):
            report.fail(MANIFEST, f"not a manifest of the format {FORMAT}")
            return report
        report.say(f"manifest: meeting {manifest.get('meeting', {}).get('id', '?')}, {len(listed)} files listed")
        present = set(names) - {MANIFEST, SIGNATURE}
        expected = set()
        for item in listed:
            name = str(item.get("path", ""))
            if not _safe(name):
                report.fail(name or "?", "an unsafe path in the manifest")
                continue
            expected.add(name)
            if name not in present:
                report.fail(name, "missing from the pack")
                continue
            try:
                size, sha256 = opened.digest(name)
            except (zipfile.BadZipFile, OSError) as error:  # a changed byte breaks the archive's own CRC
                report.fail(name, f"cannot be read intact ({error})")
                continue
            if size != item.get("size"):
                report.fail(name, f"size {size} bytes, the manifest says {item.get('size')}")
            elif sha256 != item.get("sha256"):
                report.fail(name, f"SHA-256 {sha256}, the manifest says {item.get('sha256')}")
            else:
                report.say(f"OK {name} ({size} bytes, SHA-256 {sha256})")
        for name in sorted(present - expected):
            report.fail(name, "in the pack but not in the manifest (extra file)")
    except (zipfile.BadZipFile, OSError) as error:
        report.fail(str(pack), f"cannot be read ({error})")
    finally:
        opened.close()
    report.say(f"VERIFIED: the signature and {len(expected)} files" if report.ok
               else f"FAILED: {', '.join(dict.fromkeys(report.failures))}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a prachum evidence pack offline.")
    parser.add_argument("pack", type=Path, help="the pack (.zip) or the directory it was unpacked into")
    parser.add_argument("--ca", type=Path, action="append", required=True,
                        help="a trust root (PEM or DER certificate of the province's CA); may be repeated")
    args = parser.parse_args(argv)
    try:
        roots = load_roots(args.ca)
    except (OSError, ValueError) as error:
        print(f"cannot read a trust root: {error}", file=sys.stderr)
        return 2
    if not args.pack.exists():
        print(f"no such pack: {args.pack}", file=sys.stderr)
        return 2
    print(f"checked at {datetime.now(UTC).isoformat(timespec='seconds')}")
    report = verify_pack(args.pack, roots)
    for line in report.lines:
        print(line)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
