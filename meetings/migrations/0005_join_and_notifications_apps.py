"""Join passes, calendar feeds, test calls, attendance and notifications now belong to the join and notifications
apps (their 0001 migrations): forget them here without touching their tables."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0004_join_test_call_token_note'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='calendarfeed',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='joinpass',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='joinpass',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='testcall',
                    name='join_pass',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='agency',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='resend_of',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='staff',
                ),
                migrations.RemoveField(
                    model_name='testcall',
                    name='server',
                ),
                migrations.RemoveField(
                    model_name='testcall',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='testcall',
                    name='started_by',
                ),
                migrations.DeleteModel(
                    name='Attendance',
                ),
                migrations.DeleteModel(
                    name='CalendarFeed',
                ),
                migrations.DeleteModel(
                    name='JoinPass',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='TestCall',
                ),
            ],
            database_operations=[],
        ),
    ]
