"""/api/meetings/<id>/minutes/...: the same rules as the minutes pages (minutes.views).

- read (the minutes, one version, its PDF): the secretary (schedulers and administrators of the meeting's
  province) every version; the clerks of the invited sites the versions that were sent; anyone else 404;
- draft, edit, send, correct, approve: the secretary only. A refusal is a 400 in Thai that says what is wrong and
  what to do, and nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from districts.access import HasRole
from foundation.api_errors import FORBIDDEN, NOT_FOUND, FileOrJSONErrors, bad_request, service_errors

from . import selectors, services
from .models import MinutesApproval, MinutesVersion
from .views import READER_ROLES, SECRETARY_ROLES, minutes_pdf_response

MEETING_ID = OpenApiParameter("meeting_id", OpenApiTypes.INT, OpenApiParameter.PATH)
NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="ฉบับที่ (1, 2, ...)")
REFUSED = bad_request('ทำไม่ได้: {"non_field_errors": [ข้อความ]} หรือ {ชื่อช่อง: [ข้อความ]} พร้อมวิธีแก้')


class ApprovalSerializer(serializers.ModelSerializer):
    by_meeting = serializers.IntegerField(source="by_meeting_id", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", default=None, allow_null=True,
                                        read_only=True)
    vote = serializers.JSONField(
        read_only=True, help_text="ผลการลงมติในวาระที่ 2 ตามที่อ่านได้เมื่อบันทึก ({} เมื่อเห็นชอบโดยไม่มีผู้คัดค้าน)"
    )

    class Meta:
        model = MinutesApproval
        fields = ["by_meeting", "decision", "method", "corrections", "vote", "recorded_by", "recorded_at"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    approval = serializers.SerializerMethodField()
    signed = serializers.SerializerMethodField()
    content = serializers.JSONField(read_only=True, help_text="เนื้อหาตามแบบรายงานการประชุม (ดู minutes/content.py)")
    # Text, not an enum: drf-spectacular would name it "StateEnum" beside the rooms' and warn of the collision.
    state = serializers.CharField(
        read_only=True,
        help_text="draft (ร่าง) | sent (ส่งแล้ว รอรับรอง) | approved (รับรองแล้ว) | superseded (มีฉบับแก้ไขแทนแล้ว)",
    )

    class Meta:
        model = MinutesVersion
        fields = ["number", "state", "content", "digest", "correction_note", "edited_at", "sent_at", "pdf_digest",
                  "signed", "signed_digest", "signed_at", "signer", "approval"]
        read_only_fields = fields

    @extend_schema_field(ApprovalSerializer(allow_null=True))
    def get_approval(self, version) -> dict | None:
        approval = getattr(version, "approval", None)
        return ApprovalSerializer(approval).data if approval is not None else None

    def get_signed(self, version) -> bool:
        return bool(version.signed_pdf)


class MinutesSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    versions = VersionSerializer(many=True, help_text="ทุกฉบับที่ท่านอ่านได้ เรียงจากฉบับแรก")


class ContentSerializer(serializers.Serializer):
    content = serializers.JSONField(help_text="เนื้อหาทั้งฉบับตามแบบรายงานการประชุม (แทนที่ร่างเดิมทั้งหมด)")


class CorrectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="เหตุที่ต้องแก้ไข")


class ApproveSerializer(serializers.Serializer):
    by_meeting = serializers.IntegerField(help_text="การประชุมที่รับรอง (ครั้งถัดไปของชุดเดียวกัน) ในระเบียบวาระที่ 2")
    decision = serializers.ChoiceField(choices=MinutesApproval.Decision.choices)
    method = serializers.ChoiceField(choices=MinutesApproval.Method.choices)
    corrections = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    content = serializers.JSONField(required=False, help_text="เนื้อหาที่แก้ไขแล้ว (เฉพาะเมื่อรับรองโดยมีการแก้ไข)")


def _payload(minutes) -> dict:
    return {"meeting": minutes.meeting_id, "versions": VersionSerializer(minutes.readable, many=True).data}


class MinutesBase(GenericAPIView):
    permission_classes = [HasRole]
    pagination_class = None
    serializer_class = MinutesSerializer

    def minutes(self):
        minutes = selectors.minutes_for(user=self.request.user, meeting_id=self.kwargs["meeting_id"])
        if minutes is None:
            raise Http404(_("ไม่พบรายงานการประชุมของการประชุมนี้ หรือท่านไม่มีสิทธิ์อ่าน"))
        return minutes

    def fresh(self, status_code=status.HTTP_200_OK) -> Response:
        return Response(_payload(self.minutes()), status=status_code)


class MinutesView(MinutesBase):
    """A meeting's minutes (every version the caller may read); a first draft (POST); the draft's text (PATCH)."""

    allowed_roles = READER_ROLES

    def check_permissions(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self.allowed_roles = SECRETARY_ROLES
        super().check_permissions(request)

    @extend_schema(operation_id="meeting_minutes_get", parameters=[MEETING_ID],
                   responses={200: MinutesSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int):
        return self.fresh()

    @extend_schema(operation_id="meeting_minutes_draft", parameters=[MEETING_ID], request=None,
                   responses={201: MinutesSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, meeting_id: int):
        meeting = selectors.meeting_for_secretary(user=request.user, meeting_id=meeting_id)
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ในจังหวัดของท่าน"))
        try:
            services.minutes_draft(meeting=meeting, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self.fresh(status.HTTP_201_CREATED)

    @extend_schema(operation_id="meeting_minutes_edit", parameters=[MEETING_ID], request=ContentSerializer,
                   responses={200: MinutesSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def patch(self, request, meeting_id: int):
        minutes = self.minutes()
        incoming = ContentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.minutes_edit(minutes=minutes, content=incoming.validated_data["content"], by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self.fresh()


class MinutesSendView(MinutesBase):
    """Send the draft to the invited sites."""

    allowed_roles = SECRETARY_ROLES

    @extend_schema(operation_id="meeting_minutes_send", parameters=[MEETING_ID], request=None,
                   responses={200: MinutesSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, meeting_id: int):
        try:
            services.minutes_send(minutes=self.minutes(), by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self.fresh()


class MinutesCorrectView(MinutesBase):
    """A correction of approved minutes: a new draft version; the approved one stays."""

    allowed_roles = SECRETARY_ROLES

    @extend_schema(operation_id="meeting_minutes_correct", parameters=[MEETING_ID], request=CorrectSerializer,
                   responses={201: MinutesSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, meeting_id: int):
        minutes = self.minutes()
        incoming = CorrectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.minutes_correct(minutes=minutes, note=incoming.validated_data["note"], by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self.fresh(status.HTTP_201_CREATED)


class MinutesApproveView(MinutesBase):
    """Record the approval under agenda item 2 of the next meeting of the same series."""

    allowed_roles = SECRETARY_ROLES

    @extend_schema(operation_id="meeting_minutes_approve", parameters=[MEETING_ID], request=ApproveSerializer,
                   responses={200: MinutesSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, meeting_id: int):
        minutes = self.minutes()
        incoming = ApproveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        by_meeting = selectors.meeting_for_secretary(user=request.user, meeting_id=data["by_meeting"])
        if by_meeting is None:
            raise serializers.ValidationError({"by_meeting": [_("ไม่พบการประชุมนี้ในจังหวัดของท่าน: ระบุการประชุมครั้งถัดไป"
                                                                "ของชุดเดียวกัน")]})
        try:
            services.minutes_approve(minutes=minutes, by_meeting=by_meeting, decision=data["decision"],
                                     method=data["method"], corrections=data.get("corrections", ""),
                                     content=data.get("content"), by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self.fresh()


class MinutesVersionView(MinutesBase):
    allowed_roles = READER_ROLES
    serializer_class = VersionSerializer

    @extend_schema(operation_id="meeting_minutes_version", parameters=[MEETING_ID, NUMBER],
                   responses={200: VersionSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int, number: int):
        version = selectors.version_for(user=request.user, meeting_id=meeting_id, number=number)
        if version is None:
            raise Http404(_("ไม่พบรายงานการประชุมฉบับนี้ หรือท่านไม่มีสิทธิ์อ่าน"))
        return Response(VersionSerializer(version).data)


class MinutesPdfView(MinutesBase):
    """The PDF of a version (the signed one once approved and signed), as an attachment."""

    allowed_roles = READER_ROLES
    content_negotiation_class = FileOrJSONErrors

    @extend_schema(operation_id="meeting_minutes_pdf", parameters=[MEETING_ID, NUMBER],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int, number: int):
        version = selectors.version_for(user=request.user, meeting_id=meeting_id, number=number)
        if version is None:
            raise Http404(_("ไม่พบรายงานการประชุมฉบับนี้ หรือท่านไม่มีสิทธิ์อ่าน"))
        return minutes_pdf_response(version)

