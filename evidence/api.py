"""/api/meetings/<id>/fault-reports/... and /api/meetings/<id>/evidence-packs/...: the same rules as the pages
(evidence.views): the province's schedulers and administrators; another province's meeting 404; a refusal is a 400
in Thai. A site reports a fault from its join page with its pass (`/evidence/p/<token>/faults/`, JSON): a pass is
not an API user.
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
from .models import EvidencePack, FaultReport
from .views import pack_response

MEETING_ID = OpenApiParameter("meeting_id", OpenApiTypes.INT, OpenApiParameter.PATH)
REPORT_ID = OpenApiParameter("report_id", OpenApiTypes.INT, OpenApiParameter.PATH)
PACK_ID = OpenApiParameter("pack_id", OpenApiTypes.INT, OpenApiParameter.PATH)
REFUSED = bad_request('ทำไม่ได้: {"non_field_errors": [ข้อความ]} พร้อมวิธีแก้')


class FaultReportSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="join_pass.holder_name", read_only=True)
    site = serializers.SerializerMethodField()
    agency = serializers.IntegerField(source="join_pass.agency_id", read_only=True, allow_null=True)

    class Meta:
        model = FaultReport
        fields = ["id", "kind", "note", "holder", "site", "agency", "reported_at", "resolved_at", "resolved_by_label"]
        read_only_fields = fields

    def get_site(self, report) -> str | None:
        return report.join_pass.site.code if report.join_pass.site_id else None


class EvidencePackSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidencePack
        fields = ["id", "state", "requested_at", "attempts", "finished_at", "size", "sha256", "file_count", "signer",
                  "error"]
        read_only_fields = fields


class MeetingBase(GenericAPIView):
    permission_classes = [HasRole]
    allowed_roles = selectors.PROVINCE_ROLES
    pagination_class = None

    def meeting(self):
        meeting = selectors.meeting_of_province(user=self.request.user, pk=self.kwargs["meeting_id"])
        if meeting is None:
            raise Http404(_("ไม่พบการประชุมนี้ในจังหวัดของท่าน"))
        return meeting


class FaultReportsView(MeetingBase):
    """A meeting's fault reports (open and resolved), oldest first."""

    serializer_class = FaultReportSerializer

    @extend_schema(operation_id="meeting_fault_reports", parameters=[MEETING_ID],
                   responses={200: FaultReportSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int):
        meeting = self.meeting()
        return Response(FaultReportSerializer(selectors.meeting_fault_reports(meeting_id=meeting.pk), many=True,
                                              context={"request": request}).data)


class FaultReportResolveView(MeetingBase):
    """Mark a fault report resolved (the database server's time, who did it; in the audit log)."""

    serializer_class = FaultReportSerializer

    @extend_schema(operation_id="meeting_fault_report_resolve", parameters=[MEETING_ID, REPORT_ID], request=None,
                   responses={200: FaultReportSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, meeting_id: int, report_id: int):
        report = selectors.fault_report_of_province(user=request.user, meeting_id=meeting_id, report_id=report_id)
        if report is None:
            raise Http404(_("ไม่พบรายการแจ้งปัญหานี้"))
        try:
            report = services.fault_report_resolve(report=report, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(FaultReportSerializer(report).data)


class EvidencePacksView(MeetingBase):
    """A meeting's evidence packs (newest first); POST asks for a new one, built in the background (`requested`,
    `building`, then `ready` or `failed`)."""

    serializer_class = EvidencePackSerializer

    @extend_schema(operation_id="meeting_evidence_packs", parameters=[MEETING_ID],
                   responses={200: EvidencePackSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int):
        meeting = self.meeting()
        return Response(EvidencePackSerializer(selectors.meeting_packs(meeting_id=meeting.pk), many=True).data)

    @extend_schema(operation_id="meeting_evidence_pack_request", parameters=[MEETING_ID], request=None,
                   responses={201: EvidencePackSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, meeting_id: int):
        meeting = self.meeting()
        try:
            pack = services.pack_request(meeting=meeting, by=request.user)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(EvidencePackSerializer(pack).data, status=201)


class EvidencePackFileView(MeetingBase):
    """A ready pack (zip), as an attachment; the download is in the audit log."""

    content_negotiation_class = FileOrJSONErrors
    serializer_class = EvidencePackSerializer

    @extend_schema(operation_id="meeting_evidence_pack_file", parameters=[MEETING_ID, PACK_ID],
                   responses={(200, "application/zip"): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int, pack_id: int):
        pack = selectors.pack_for_download(user=request.user, meeting_id=meeting_id, pack_id=pack_id)
        if pack is None:
            raise Http404(_("ไม่พบชุดหลักฐานนี้ หรือท่านไม่มีสิทธิ์ดาวน์โหลด"))
        try:
            path = services.pack_download(pack=pack, user=request.user)
        except DjangoValidationError as error:
            raise Http404(" ".join(error.messages)) from error
        return pack_response(pack, path)
