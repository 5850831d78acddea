"""/api/meetings/<id>/notifications/: the notifications page as data (who was told what, when, its state and last
error) and its "send again", for the schedulers and administrators of the meeting's province (as the page)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from districts.access import HasRole, staff_of
from foundation.api_errors import FORBIDDEN, NOT_FOUND, bad_request, service_errors

from . import selectors, services
from .models import Notification
from .views import ROLES


class NotificationSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", default=None, allow_null=True, read_only=True)
    agency_name = serializers.CharField(source="agency.name", default=None, allow_null=True, read_only=True)
    requested_by = serializers.CharField(
        source="requested_by.username", default=None, allow_null=True, read_only=True,
        help_text="ผู้กดส่งอีกครั้ง (null: ระบบส่งเอง)",
    )
    resend_count = serializers.IntegerField(read_only=True, default=0, help_text="จำนวนครั้งที่ส่งแถวนี้อีกครั้ง")

    class Meta:
        model = Notification
        fields = [
            "id", "kind", "reminder_minutes", "channel", "audience", "address", "recipient_name", "site", "site_name",
            "agency_name", "state", "attempts", "last_error", "created_at", "sent_at", "next_attempt_at",
            "resend_of", "resend_count", "requested_by",
        ]
        read_only_fields = fields


class NotificationLogSerializer(serializers.Serializer):
    meeting_id = serializers.IntegerField(source="meeting.pk")
    meeting_title = serializers.CharField(source="meeting.title")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="จำนวนแถวตามสถานะ")
    in_progress = serializers.IntegerField(help_text="รอส่งและกำลังส่ง")
    notifications = NotificationSerializer(source="rows", many=True, help_text="ใหม่สุดก่อน")


class ResendSerializer(serializers.Serializer):
    resends = serializers.IntegerField(
        required=False, allow_null=True, min_value=0,
        help_text="จำนวนครั้งที่ส่งอีกครั้งแล้วตามที่ผู้เรียกเห็น: ถ้ามีผู้อื่นส่งไปก่อน คำขอนี้จะไม่ส่งซ้ำ (400)",
    )


MEETING_ID = OpenApiParameter("meeting_id", OpenApiTypes.INT, OpenApiParameter.PATH)
NOTIFICATION_ID = OpenApiParameter("notification_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _province_id(request) -> int:
    return staff_of(request.user).site.province_id


class MeetingNotificationsView(GenericAPIView):
    """Every notification about one meeting of the caller's province, newest first. A fixed number of queries."""

    permission_classes = [HasRole]
    allowed_roles = ROLES
    serializer_class = NotificationLogSerializer
    pagination_class = None

    @extend_schema(parameters=[MEETING_ID], responses={200: NotificationLogSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, meeting_id: int):
        log = selectors.meeting_notification_log(meeting_id=meeting_id, province_id=_province_id(request))
        if log is None:
            raise Http404("ไม่พบการประชุมนี้ในจังหวัดของท่าน")
        return Response(self.get_serializer(log).data)


class NotificationResendView(GenericAPIView):
    """Send one notification again: a new row (same recipient and kind, the meeting as it is now), as the page's
    "send again" button. 400 when it is still waiting to be sent, when someone sent it again first (`resends`),
    or when the meeting is cancelled and this is not the cancellation."""

    permission_classes = [HasRole]
    allowed_roles = ROLES
    serializer_class = NotificationSerializer
    pagination_class = None

    @extend_schema(
        parameters=[MEETING_ID, NOTIFICATION_ID],
        request=ResendSerializer,
        responses={
            201: NotificationSerializer,
            400: bad_request("ส่งอีกครั้งไม่ได้: {\"non_field_errors\": [ข้อความ]} หรือ {\"resends\": [ข้อความ]}"),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, meeting_id: int, notification_id: int):
        notification = selectors.notification_for_resend(
            meeting_id=meeting_id, notification_id=notification_id, province_id=_province_id(request)
        )
        if notification is None:
            raise Http404("ไม่พบการแจ้งเตือนนี้")
        incoming = ResendSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            row = services.notification_resend(
                notification=notification, by=request.user, expected_resends=incoming.validated_data.get("resends")
            )
        except DjangoValidationError as error:
            raise service_errors(error) from error
        fresh = Notification.objects.select_related("site", "agency", "requested_by").get(
            pk=row.pk
        )
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
