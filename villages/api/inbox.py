"""API v1 for the in-app inbox: `notifications/` (the caller's own, `?unread=true`) and `notifications/{id}/read/`.

Each caller sees only their own notifications, administrators included; another user's entry answers 404, as
one that does not exist. `text` is the entry's sentence in the request's language.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from taobao_site.api_errors import NOT_FOUND, NOT_LOGGED_IN, READ_ERRORS, THROTTLED
from villages.api.lookups import NUMERIC_ID
from villages.models import Notification
from villages.selectors.inbox import inbox_of, notification_of, notification_text, notification_url
from villages.services.inbox import notification_mark_read

NOTIFICATION_ID = OpenApiParameter(
    "notification_id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH,
    description=_("The notification's id."),
)
UNREAD = OpenApiParameter(
    "unread", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description=_("true: only the unread notifications.")
)


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "report", "township_report", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_text(self, notification) -> str:
        return notification_text(notification)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, notification) -> str:
        """The page the notification leads to (its report's), or empty."""
        path = notification_url(notification)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if path and request is not None else path

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class InboxQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


class NotificationList(generics.ListAPIView):
    """The caller's notifications, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the schema's model; every request lists the caller's own rows

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        query = InboxQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return inbox_of(self.request.user, unread_only=query.validated_data["unread"])

    @extend_schema(
        tags=["inbox"],
        summary=_("The caller's notifications, newest first"),
        parameters=[UNREAD],
        responses={200: NotificationSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationRead(APIView):
    """Mark one of the caller's notifications read (again: it keeps the time it was first read)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["inbox"],
        summary=_("Mark one of the caller's notifications read"),
        parameters=[NOTIFICATION_ID],
        request=None,
        responses={200: NotificationSerializer, 401: NOT_LOGGED_IN, 404: NOT_FOUND, 429: THROTTLED},
    )
    def post(self, request, notification_id):
        if not NUMERIC_ID.match(notification_id):
            raise Http404
        notification = notification_mark_read(
            notification=notification_of(request.user, int(notification_id)), by=request.user
        )
        return Response(NotificationSerializer(notification, context={"request": request}).data)
