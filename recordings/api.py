"""/api/meetings/<id>/recording/...: the same rules as the recording pages (recordings.views).

- the recording (state, files, retention), start and stop: the province's schedulers and administrators; another
  province's meeting 404; a refusal is a 400 in Thai that says what is wrong and what to do;
- a file: as the page's download (selectors.file_for_download: a clerk only a meeting of their own site, and of it
  the mixed file and their site's own), every download in the audit log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from districts.access import HasRole
from foundation.api_errors import FORBIDDEN, NOT_FOUND, FileOrJSONErrors, bad_request, service_errors

from . import selectors, services
from .models import MeetingRecording, RecordingFile
from .views import recording_file_response

MEETING_ID = OpenApiParameter("meeting_id", OpenApiTypes.INT, OpenApiParameter.PATH)
FILE_ID = OpenApiParameter("file_id", OpenApiTypes.INT, OpenApiParameter.PATH)
REFUSED = bad_request('ทำไม่ได้: {"non_field_errors": [ข้อความ]} พร้อมวิธีแก้')


class FileSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", default=None, allow_null=True, read_only=True)

    class Meta:
        model = RecordingFile
        fields = ["id", "kind", "site", "label", "size", "duration_seconds", "offset_seconds", "sha256"]
        read_only_fields = fields


class RecordingSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    enabled = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=MeetingRecording.Kind.choices)
    state = serializers.ChoiceField(choices=MeetingRecording.State.choices)
    started_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    recorded_seconds = serializers.IntegerField()
    attempts = serializers.IntegerField()
    last_error = serializers.CharField(allow_blank=True)
    processed_at = serializers.DateTimeField(allow_null=True)
    retention_days = serializers.IntegerField()
    retained_until = serializers.DateTimeField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    deleted_by_rule = serializers.CharField(allow_blank=True)
    files = FileSerializer(many=True)


def _payload(meeting) -> dict:
    recording = selectors.recording_of(meeting)
    kind = recording.kind if recording else selectors.default_kind(meeting)
    return {
        "meeting": meeting.pk,
        "enabled": recording.enabled if recording else True,
        "kind": kind,
        "state": recording.state if recording else MeetingRecording.State.IDLE,
        "started_at": recording.started_at if recording else None,
        "stopped_at": recording.stopped_at if recording else None,
        "recorded_seconds": recording.recorded_seconds if recording else 0,
        "attempts": recording.attempts if recording else 0,
        "last_error": recording.last_error if recording else "",
        "processed_at": recording.processed_at if recording else None,
        "retention_days": selectors.retention_days(kind),
        "retained_until": (recording.expires_at if recording and recording.expires_at
                           else selectors.retained_until(meeting, kind)),
        "deleted_at": recording.deleted_at if recording else None,
        "deleted_by_rule": recording.deleted_by_rule if recording else "",
        "files": FileSerializer(recording.files.all() if recording else [], many=True).data,
    }


class RecordingBase(GenericAPIView):
    permission_classes = [HasRole]
    allowed_roles = selectors.PROVINCE_ROLES
    pagination_class = None
    serializer_class = RecordingSerializer

    def meeting(self):
        meeting = selectors.meeting_for_recording(user=self.request.user, pk=self.kwargs["meeting_id"])
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ในจังหวัดของท่าน"))
        return meeting


class RecordingView(RecordingBase):
    """A meeting's recording: state, files (sizes, durations, SHA-256), retention."""

    @extend_schema(operation_id="meeting_recording_get", parameters=[MEETING_ID],
                   responses={200: RecordingSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int):
        return Response(RecordingSerializer(_payload(self.meeting())).data)


class RecordingStartView(RecordingBase):
    """The chair switches the room's recording on (Janus VideoRoom)."""

    @extend_schema(operation_id="meeting_recording_start", parameters=[MEETING_ID], request=None,
                   responses={200: RecordingSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, meeting_id: int):
        meeting = self.meeting()
        try:
            services.recording_start(meeting=meeting, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(RecordingSerializer(_payload(meeting)).data)


class RecordingStopView(RecordingBase):
    """Switch the recording off; the files are made in the background (state `processing`, then `ready`)."""

    @extend_schema(operation_id="meeting_recording_stop", parameters=[MEETING_ID], request=None,
                   responses={200: RecordingSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, meeting_id: int):
        meeting = self.meeting()
        try:
            services.recording_stop(meeting=meeting, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(RecordingSerializer(_payload(meeting)).data)


class RecordingFileView(RecordingBase):
    """One file of the recording (WebM), as an attachment; the download is in the audit log."""

    allowed_roles = selectors.DOWNLOAD_ROLES
    content_negotiation_class = FileOrJSONErrors

    @extend_schema(operation_id="meeting_recording_file", parameters=[MEETING_ID, FILE_ID],
                   responses={(200, "video/webm"): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int, file_id: int):
        file = selectors.file_for_download(user=request.user, meeting_id=meeting_id, file_id=file_id)
        if file is None:
            raise Http404(_("ไม่พบไฟล์บันทึกการประชุมนี้ หรือท่านไม่มีสิทธิ์ดาวน์โหลด"))
        try:
            path = services.recording_file_download(file=file, user=request.user)
        except DjangoValidationError as error:
            raise Http404(" ".join(error.messages)) from error
        return recording_file_response(file, path)
