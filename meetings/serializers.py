"""API shapes. Serializers only parse and render: the services check and write. No secret is ever rendered."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from .models import Meeting


class RoomSerializer(serializers.Serializer):
    state = serializers.CharField()
    state_display = serializers.CharField(source="get_state_display")
    server = serializers.CharField(source="server.name", default=None)
    number = serializers.IntegerField()
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    in_step = serializers.BooleanField()


class ParticipationSerializer(serializers.Serializer):
    site = serializers.IntegerField(source="site_id")
    code = serializers.CharField(source="site.code")
    name = serializers.CharField(source="site.name")
    role = serializers.CharField()


class MeetingSerializer(serializers.ModelSerializer):
    sites = ParticipationSerializer(source="participations", many=True, read_only=True)
    agencies = serializers.SerializerMethodField()
    room = RoomSerializer(read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id", "title", "agenda", "host_site", "start", "end", "status", "status_display", "sequence",
            "series", "occurrence", "sites", "agencies", "room", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_agencies(self, meeting: Meeting) -> list[int]:
        return [invitation.agency_id for invitation in meeting.agency_invitations.all()]


class MeetingWriteSerializer(serializers.Serializer):
    """What a client sends to create a meeting. Times are ISO 8601 with their offset (+07:00)."""

    title = serializers.CharField(max_length=200)
    host_site = serializers.IntegerField()
    sites = serializers.ListField(child=serializers.IntegerField(), allow_empty=True, default=list)
    agencies = serializers.ListField(child=serializers.IntegerField(), allow_empty=True, default=list)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    agenda = serializers.ListField(child=serializers.CharField(max_length=500), required=False, allow_null=True)
    record = serializers.BooleanField(
        default=True, help_text="Record the meeting as evidence (false: a secret meeting, which is never recorded)"
    )


class MeetingPatchSerializer(serializers.Serializer):
    """What a client may change: what the meeting is about, who takes part, and when (a reschedule).

    With `scope` (a meeting of a series): "one" this occurrence, "following" this and every later one, "all" every
    one not yet held; what is sent applies to each of them, and `start`/`end` then give the time of day and length
    (each occurrence keeps its own date, so `start` keeps this occurrence's date). `host_site` moves the chair."""

    scope = serializers.ChoiceField(choices=["one", "following", "all"], required=False)
    host_site = serializers.IntegerField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    sites = serializers.ListField(child=serializers.IntegerField(), required=False)
    agencies = serializers.ListField(child=serializers.IntegerField(), required=False)
    agenda = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)

    def validate(self, attrs):
        if ("start" in attrs) != ("end" in attrs):
            raise serializers.ValidationError({"end": [_("ส่ง start และ end พร้อมกันเมื่อเลื่อนเวลา")]})
        return attrs
