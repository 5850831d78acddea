"""API tokens are stored hashed (django-rest-knox); the DRF tokens of before move there and are gone (issue 14).

What it must show: the database holds no usable token; an old token keeps working only if it was migrated.

The migration test takes the test database back to the schema that had landed before the change (no knox table,
portal at 0002) and gives it DRF's authtoken_token table as DRF's migrations made it, with old tokens in it and the
admin's history of one of them (whose object id and text were the key). Forward to the latest migrations: each old
key still signs an API request in, a DRF-style key that was never in the table does not, and no column of any table
holds any key, old or newly issued, whole or hex-encoded.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import re
import secrets
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from districts.models import Staff
from districts.services import province_sites_create
from portal.api_tokens import api_token_issue, api_token_revoke
from tests.factories.districts import StaffFactory

Role = Staff.Role
BEFORE = [("portal", "0002_auditentry_to_foundation"), ("knox", None)]
# DRF's authtoken_token as its migrations 0001-0004 made it on PostgreSQL.
DRF_TABLE = """
CREATE TABLE authtoken_token (
    key varchar(40) NOT NULL PRIMARY KEY,
    created timestamp with time zone NOT NULL,
    user_id integer NOT NULL UNIQUE REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED
)
"""


def drf_key() -> str:
    """A key as DRF's Token.generate_key makes one: 40 hexadecimal characters."""
    return binascii.hexlify(secrets.token_bytes(20)).decode()


REFUSED = 403  # the session comes first among the API's authentications: a refused token is a 403, as with DRF's


def answer(key: str) -> int:
    """What a scheduler's script sending `key` gets for the meetings list: 200 signed in, else REFUSED."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/meetings/").status_code


def columns_holding(keys: list[str]) -> list[str]:
    """Every table.column of the database (text, JSON, bytes) in which any of `keys` appears, as text or as the hex
    of its bytes."""
    needles = [*keys, *(key.encode().hex() for key in keys)]
    patterns = [f"%{needle}%" for needle in needles]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN "
            "('character varying', 'character', 'text', 'json', 'jsonb', 'bytea')"
        )
        found = []
        for table, column, data_type in cursor.fetchall():
            value = f"{connection.ops.quote_name(column)}"
            value = f"encode({value}, 'hex')" if data_type == "bytea" else f"{value}::text"
            cursor.execute(
                f"SELECT 1 FROM {connection.ops.quote_name(table)} WHERE {value} ILIKE ANY(%s) LIMIT 1",  # noqa: S608 - names from the catalogue
                [patterns],
            )
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def _executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


def _migrate_to_latest() -> None:
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_old_tokens_work_only_if_migrated_and_the_database_holds_no_usable_token():
    scheduler = StaffFactory.create(role=Role.SCHEDULER, site_code="41").user
    other = StaffFactory.create(role=Role.SCHEDULER, site_code="41").user
    made = timezone.now().replace(microsecond=0) - timedelta(days=400)
    old = {scheduler.pk: drf_key(), other.pk: drf_key()}
    try:
        # 1. The landed schema: DRF's tokens in clear, no knox table.
        _executor().migrate(BEFORE)
        assert "knox_authtoken" not in connection.introspection.table_names()
        with connection.cursor() as cursor:
            cursor.execute(DRF_TABLE)
            for user_id, key in old.items():
                cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, made, user_id])
        # An administrator once added the scheduler's token in the admin: the history held its key twice.
        drf_token = ContentType.objects.create(app_label="authtoken", model="token")
        LogEntry.objects.create(
            user=scheduler, content_type=drf_token, object_id=old[scheduler.pk], object_repr=old[scheduler.pk],
            action_flag=ADDITION, change_message="[]",
        )
        assert sorted(columns_holding(list(old.values()))) == [
            "authtoken_token.key", "django_admin_log.object_id", "django_admin_log.object_repr",
        ], "the test should start with the keys in clear where DRF and the admin kept them"

        # 2. Forward.
        _migrate_to_latest()
        executor = _executor()
        assert not executor.migration_plan(executor.loader.graph.leaf_nodes()), "everything should be applied"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS authtoken_token")
        _migrate_to_latest()
        ContentType.objects.clear_cache()

    # The old keys still sign their owners in, as before; a DRF-style key never migrated does not.
    assert answer(old[scheduler.pk]) == 200
    assert answer(old[other.pk]) == 200
    assert answer(drf_key()) == REFUSED
    migrated = AuthToken.objects.get(user=scheduler)
    assert (migrated.created, migrated.expiry) == (made, None)

    # The clear keys are gone, with the table, the admin's history of them and DRF's app records.
    assert "authtoken_token" not in connection.introspection.table_names()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone() == (0,)

    # A token issued today, and what the database keeps of every token: a digest, never the key.
    _token, new_key = api_token_issue(user=other, expires_in=timedelta(days=30))
    keys = [*old.values(), new_key]
    assert columns_holding(keys) == []
    stored = list(AuthToken.objects.values_list("digest", "token_key"))
    assert len(stored) == 3
    for key in keys:
        digest = hashlib.sha512(key.encode()).hexdigest()
        assert (digest, key[:15]) in stored, "each key kept as its SHA-512 digest and its first 15 characters"
    for digest, token_key in stored:
        assert answer(digest) == REFUSED
        assert answer(token_key) == REFUSED


@pytest.mark.integration
@pytest.mark.django_db
def test_a_person_has_several_tokens_each_with_its_expiry_and_revoked_one_by_one(time_machine):
    user = StaffFactory.create(role=Role.SCHEDULER, site_code="41").user
    _forever, kept = api_token_issue(user=user)
    _month, monthly = api_token_issue(user=user, expires_in=timedelta(days=30))
    _third, revoked = api_token_issue(user=user)
    assert [answer(key) for key in (kept, monthly, revoked)] == [200, 200, 200]

    assert api_token_revoke(user=user, key_start=revoked[:8]) == 1
    assert [answer(key) for key in (kept, monthly, revoked)] == [200, 200, REFUSED]

    time_machine.move_to(timezone.now() + timedelta(days=31))
    assert [answer(key) for key in (kept, monthly)] == [200, REFUSED]

    with pytest.raises(ValidationError):
        api_token_revoke(user=user, key_start=kept[:4])  # too short to say which
    with pytest.raises(ValidationError):
        api_token_issue(user=user, expires_in=timedelta(0))
    assert api_token_revoke(user=user) == 1
    assert answer(kept) == REFUSED


@pytest.mark.integration
@pytest.mark.django_db
def test_the_commands_print_the_key_once_and_revoke_it():
    user = StaffFactory.create(role=Role.SCHEDULER, site_code="41").user
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token_create", user.username, "--expires-days", "90", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", key), "the key alone on stdout, for scripts"
    assert "แสดงครั้งเดียว" in err.getvalue()
    assert answer(key) == 200
    token = AuthToken.objects.get(user=user)
    assert timedelta(days=89) < token.expiry - timezone.now() <= timedelta(days=90)

    listed = io.StringIO()
    call_command("api_token_revoke", user.username, stdout=listed)
    assert key[:8] in listed.getvalue()
    assert key not in listed.getvalue()
    assert token.token_key not in listed.getvalue()

    call_command("api_token_revoke", user.username, "--key", key[:8], stdout=io.StringIO())
    assert answer(key) == REFUSED
    with pytest.raises(CommandError, match="ไม่พบผู้ใช้"):
        call_command("api_token_create", "nobody-here", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.integration
@pytest.mark.django_db
def test_the_admin_shows_no_key_and_mints_none(admin_client):
    user = StaffFactory.create(role=Role.SCHEDULER, site_code="41").user
    token, key = api_token_issue(user=user)
    listing = admin_client.get("/admin/knox/authtoken/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert user.username in page
    assert key[:8] in page
    assert key not in page
    assert token.token_key not in page
    assert admin_client.get("/admin/knox/authtoken/add/").status_code == 403  # no token minted for someone else
    detail = admin_client.get(f"/admin/knox/authtoken/{token.digest}/change/")
    assert detail.status_code == 200
    assert key not in detail.content.decode()
    assert token.token_key not in detail.content.decode()
    assert admin_client.post(f"/admin/knox/authtoken/{token.digest}/delete/", {"post": "yes"}).status_code == 302
    assert answer(key) == REFUSED


@pytest.mark.integration
@pytest.mark.django_db
def test_a_province_administrator_sees_no_token_in_the_admin_of_either_province(client):
    """Tokens are the operators' in the admin: a province administrator (not a superuser) neither lists nor opens
    nor revokes anyone's, their own province's included; there is no key to read anyway."""
    province_sites_create(province_code="39")  # Nong Bua Lam Phu, beside Udon Thani
    ours = api_token_issue(user=StaffFactory.create(role=Role.SCHEDULER, site_code="41").user)[0]
    theirs = api_token_issue(user=StaffFactory.create(role=Role.SCHEDULER, site_code="39").user)[0]
    client.force_login(StaffFactory.create(role=Role.ADMINISTRATOR, site_code="41").user)
    assert client.get("/admin/").status_code == 200
    assert "knox/authtoken" not in client.get("/admin/").content.decode()
    assert client.get("/admin/knox/authtoken/").status_code == 403
    for token in (ours, theirs):
        assert client.get(f"/admin/knox/authtoken/{token.digest}/change/").status_code in {403, 404}
        assert client.post(f"/admin/knox/authtoken/{token.digest}/delete/", {"post": "yes"}).status_code in {403, 404}
    assert AuthToken.objects.count() == 2
