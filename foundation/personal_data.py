"""PDPA B.E. 2562: an administrator can export and erase a person's data.

Each app that keeps personal data registers a provider here (in its AppConfig.ready): `export(user) -> dict`
and `erase(user) -> int` (how many records it changed). Erasing anonymises rather than deletes where a record
must stay for the public task (a charge, an attendance row): the person's name, email and phone go, the fact
stays. Both are audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from .audit import Action, audit_pseudonymise, audit_record


@dataclass(frozen=True)
class PersonalDataProvider:
    export: Callable[[object], dict]
    erase: Callable[[object], int]


PROVIDERS: dict[str, PersonalDataProvider] = {}


def register(name: str, provider: PersonalDataProvider) -> None:
    PROVIDERS[name] = provider


@transaction.atomic
def personal_data_export(*, user, by) -> dict:
    data = {name: provider.export(user) for name, provider in sorted(PROVIDERS.items())}
    audit_record(actor=by, action=Action.PERSONAL_DATA_EXPORT, target=user, detail={"parts": sorted(data)})
    return data


@transaction.atomic
def personal_data_erase(*, user, by) -> dict[str, int]:
    # Record first: the audit entry keeps the user id, never the data that is erased.
    audit_record(actor=by, action=Action.PERSONAL_DATA_ERASE, target=user, detail={})
    erased = {name: provider.erase(user) for name, provider in sorted(PROVIDERS.items())}
    erased["audit"] = audit_pseudonymise(user=user)  # the entries stay; the person's name leaves them
    return erased
