"""/api/meetings/<id>/documents/: a meeting's documents for presentations (PDF, PowerPoint, pictures, video clips).

The same rules as the pages (meetings.views):
- the list and an upload, as the meeting's page (MeetingDetailView, DocumentUploadView): the schedulers and
  administrators of the meeting's province. An upload is checked by the same service (type by name and content,
  size, the meeting still open): a refused file is a 400 that names what is wrong, and nothing is kept.
- one document's file, as the page's download link (DocumentDownloadView, selectors.document_for): those
  schedulers and administrators, and the clerks of the sites taking part in the meeting (they present from it).
The pages offer no way to remove a document, so neither does the API.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from districts.access import HasRole, Role
from foundation.api_errors import FORBIDDEN, NOT_FOUND, FileOrJSONErrors, bad_request, service_errors
from join.links import portal_url

from . import selectors, services
from .models import Document
from .views import SCHEDULING_ROLES, document_file_response

MEETING_ID = OpenApiParameter("meeting_id", OpenApiTypes.INT, OpenApiParameter.PATH)
DOCUMENT_ID = OpenApiParameter("document_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class DocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", default=None, allow_null=True, read_only=True, help_text="ผู้แนบเอกสาร"
    )
    download_url = serializers.SerializerMethodField(help_text="ดาวน์โหลดไฟล์ (ด้วย token หรือการเข้าสู่ระบบเดียวกับ API นี้)")

    class Meta:
        model = Document
        fields = ["id", "name", "kind", "kind_display", "size", "uploaded_at", "uploaded_by", "download_url"]
        read_only_fields = fields
        extra_kwargs = {"size": {"help_text": "ขนาด (ไบต์)"}}

    def get_download_url(self, document: Document) -> str:
        path = reverse("meeting-document", kwargs={"meeting_id": document.meeting_id, "document_id": document.pk})
        return portal_url(path)


class DocumentUploadSerializer(serializers.Serializer):
    """Only parses the upload: the service checks the file (an empty one too, with its Thai message)."""

    file = serializers.FileField(
        allow_empty_file=True,
        help_text="PDF, PowerPoint (.ppt/.pptx/.ppsx), รูปภาพ (.jpg/.png/.gif/.webp) หรือคลิปวิดีโอ (.mp4/.m4v/.mov/.webm)",
        error_messages={
            "required": "เลือกไฟล์ที่จะแนบ (ช่อง file แบบ multipart/form-data)",
            "null": "เลือกไฟล์ที่จะแนบ (ช่อง file แบบ multipart/form-data)",
            "invalid": "ไม่พบไฟล์ในคำขอ: ส่งไฟล์ในช่อง file แบบ multipart/form-data",
            "no_name": "ไฟล์ไม่มีชื่อ: ส่งชื่อไฟล์พร้อมนามสกุล เช่น รายงาน.pdf",
        },
    )


UPLOAD_REFUSED = bad_request(
    'แนบไม่ได้: {"file": [ข้อความ]} เช่น ชนิดไฟล์ที่ไม่รองรับ ไฟล์ใหญ่เกินกำหนด ไฟล์ว่าง หรือการประชุมยกเลิก/จบแล้ว'
)


class MeetingDocumentsView(GenericAPIView):
    """A meeting's documents, in the order they were attached, and a new one (multipart/form-data, field `file`)."""

    permission_classes = [HasRole]
    allowed_roles = SCHEDULING_ROLES
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser]
    pagination_class = None

    def get_meeting(self):
        meeting = selectors.meeting_for_documents(user=self.request.user, meeting_id=self.kwargs["meeting_id"])
        if meeting is None:
            raise Http404("ไม่พบการประชุมนี้ในจังหวัดของท่าน")
        return meeting

    @extend_schema(
        operation_id="meeting_documents_list",
        parameters=[MEETING_ID],
        responses={200: DocumentSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, meeting_id: int):
        documents = selectors.meeting_documents(meeting=self.get_meeting())
        return Response(self.get_serializer(documents, many=True).data)

    @extend_schema(
        operation_id="meeting_documents_create",
        parameters=[MEETING_ID],
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, 400: UPLOAD_REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, meeting_id: int):
        meeting = self.get_meeting()
        incoming = DocumentUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            document = services.document_attach(
                meeting=meeting, file=incoming.validated_data["file"], uploaded_by=request.user
            )
        except DjangoValidationError as error:
            raise service_errors(error) from error  # DRF's handler rolls the request back: nothing is kept
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)


class MeetingDocumentFileView(GenericAPIView):
    """One document's file, as an attachment under its own name (`Content-Disposition`)."""

    permission_classes = [HasRole]
    allowed_roles = (Role.CLERK, *SCHEDULING_ROLES)
    content_negotiation_class = FileOrJSONErrors
    pagination_class = None

    @extend_schema(
        operation_id="meeting_document_file",
        parameters=[MEETING_ID, DOCUMENT_ID],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description="404 also for a document the caller may not open (a meeting of another province; for a clerk, "
        "one whose site does not take part).",
    )
    def get(self, request, meeting_id: int, document_id: int):
        document = selectors.document_for(user=request.user, meeting_id=meeting_id, document_id=document_id)
        if document is None:
            raise Http404("ไม่พบเอกสารนี้ หรือท่านไม่มีสิทธิ์เปิด")
        return document_file_response(document, content_type="application/octet-stream")
