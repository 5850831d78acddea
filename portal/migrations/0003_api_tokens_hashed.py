"""DRF's API tokens (authtoken_token, keys in clear) move to django-rest-knox's hashed store, then are gone.

Each existing key is hashed the way knox checks it (knox.crypto.hash_token: SHA-512 of the key) into knox_authtoken,
with its owner, its creation date and no expiry, so an integrator's script keeps working with the same
`Authorization: Token <key>`. Then nothing usable is left behind: the authtoken_token table is dropped, the Django
admin's history of those tokens (whose object id and text were the keys themselves) is deleted with their content
types and permissions, and the authtoken app's migration records are forgotten (the app is no longer installed; were
it installed again, it would start with a new, empty table).

It cannot be reversed: the clear keys are gone for good. Going back leaves the hashed tokens where they are.
A database made after the change has no authtoken_token table and the migration only tidies up.
"""

from datetime import UTC

from django.db import migrations
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token
from knox.settings import CONSTANTS

OLD_TABLE = "authtoken_token"


def tokens_hash(apps, schema_editor) -> None:
    connection = schema_editor.connection
    AuthToken = apps.get_model("knox", "AuthToken")
    with connection.cursor() as cursor:
        if OLD_TABLE in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT key, user_id, created FROM {schema_editor.quote_name(OLD_TABLE)}")  # noqa: S608 - a constant
            old = cursor.fetchall()
        else:
            old = None
    for key, user_id, made in old or ():
        created = parse_datetime(made) if isinstance(made, str) else made
        if created.tzinfo is None:  # SQLite (the embedded mode) keeps UTC without saying so
            created = created.replace(tzinfo=UTC)
        digest = hash_token(key)
        AuthToken.objects.create(
            digest=digest, token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=None
        )
        AuthToken.objects.filter(digest=digest).update(created=created)  # auto_now_add set it to now
    if old is not None:
        if connection.vendor == "sqlite":  # overwrite the freed pages: the keys must not stay in the file
            schema_editor.execute("PRAGMA secure_delete = ON")
        schema_editor.execute(f"DELETE FROM {schema_editor.quote_name(OLD_TABLE)}")  # noqa: S608 - a constant
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(OLD_TABLE)}")

    # The admin's history of DRF tokens: its object_id and object_repr were the keys.
    apps.get_model("admin", "LogEntry").objects.filter(content_type__app_label="authtoken").delete()
    apps.get_model("auth", "Permission").objects.filter(content_type__app_label="authtoken").delete()
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="authtoken").delete()
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0002_auditentry_to_foundation"),
        ("knox", "0009_extend_authtoken_field"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(tokens_hash, migrations.RunPython.noop, elidable=False),
    ]
