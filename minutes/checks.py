"""A deploy system check: the approved minutes are signed with the province's certificate from the environment;
without one the portal says so at deploy time (approval still records; the PDF waits unsigned and is signed by
`manage.py sign_minutes` once a certificate is configured)."""

from __future__ import annotations

from django.core import checks

from .signing import configuration_problem


def minutes_signing_certificate(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problem = configuration_problem()
    if not problem:
        return []
    return [
        checks.Warning(
            f"the approved minutes will not be signed: {problem}",
            hint="set PRACHUM_MINUTES_SIGNING_CERT and PRACHUM_MINUTES_SIGNING_KEY (and "
            "PRACHUM_MINUTES_SIGNING_KEY_PASSPHRASE) or PRACHUM_MINUTES_SIGNING_PKCS12 (and its _PASSPHRASE), "
            "then run `manage.py sign_minutes` for the minutes approved meanwhile (docs/operations.md)",
            id="prachum.minutes.W001",
        )
    ]
