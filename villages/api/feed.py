"""API v1 for the platform data feed (`/api/v1/feed/`): post shop and village figures, read back one's batches.

Only a caller with `Authorization: Feed <secret>` reaches these views (`IsDataFeedCaller`); every other role
gets 403 here, and a feed token gets 403 everywhere else (`taobao_site.feed_authentication`). The body is
JSON lines (`application/x-ndjson`) or CSV (`text/csv`: UTF-8, UTF-8 with BOM or GB18030), read as a stream
into a spooled file, never beyond FEED_MAX_BODY_BYTES (413).
"""

import tempfile

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from taobao_site.api_errors import DETAIL_ERROR, FORBIDDEN, NOT_FOUND, NOT_LOGGED_IN, THROTTLED, TOO_LARGE
from taobao_site.feed_authentication import FeedTokenAuthentication, IsDataFeedCaller
from taobao_site.token_authentication import RegistryTokenAuthentication
from villages import stored_messages
from villages.api.imports import ImportErrorSerializer
from villages.feed.rows import CSV, NDJSON
from villages.models import FeedBatch
from villages.services.feed import feed_batch_post
from villages.validators import FIRST_YEAR, LAST_YEAR_BOUND

SPOOL_BYTES = 8 * 1024 * 1024


class _FeedBodyParser(BaseParser):
    """The raw body as a spooled file (in memory up to 8 MB, then on disk), refused beyond the size limit."""

    file_format = ""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.FEED_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge
        # Lives as long as the request: the view reads it to the end, then it is closed with the request.
        body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        size = 0
        while stream is not None and (chunk := stream.read(1 << 20)):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            body.write(chunk)
        body.seek(0)
        return {"body": body, "file_format": self.file_format}


class NdjsonParser(_FeedBodyParser):
    media_type = "application/x-ndjson"
    file_format = NDJSON


class CsvParser(_FeedBodyParser):
    media_type = "text/csv"
    file_format = CSV


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        super().__init__(_("The request body is larger than %(limit)s MB.") % {
            "limit": round(settings.FEED_MAX_BODY_BYTES / 1048576, 1)})


class FeedBatchSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    class Meta:
        model = FeedBatch
        fields = [
            "id", "url", "kind", "year", "file_format", "status", "message", "created_at", "started_at",
            "heartbeat_at", "finished_at", "row_count", "created_count", "updated_count", "unchanged_count",
            "invalid_count", "errors",
        ]
        read_only_fields = fields

    def get_url(self, batch) -> str:
        return reverse("api:feed-batch-detail", args=[batch.pk])

    def get_message(self, batch) -> str:
        """What happened, in the request's language."""
        if batch.status == FeedBatch.Status.APPLIED:
            return _("Applied: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
                "created": batch.created_count, "updated": batch.updated_count,
                "unchanged": batch.unchanged_count}
        if batch.status == FeedBatch.Status.REJECTED and batch.invalid_count:
            return _("%(count)s invalid rows: nothing was changed.") % {"count": batch.invalid_count}
        if batch.status in (FeedBatch.Status.PENDING, FeedBatch.Status.RUNNING) and not batch.message:
            return _("The batch is waiting for a worker or running; poll its url.")
        return batch.message or str(batch.get_status_display())

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, batch) -> list[dict]:
        """The invalid rows (the first 1,000), each problem in the request's language."""
        return [
            {"row": error.get("row"), "column": error.get("column", ""), "value": error.get("value", ""),
             "message": stored_messages.render(error.get("text"), error.get("message", ""))}
            for error in batch.errors
        ]


class FeedBatchSummarySerializer(FeedBatchSerializer):
    class Meta(FeedBatchSerializer.Meta):
        fields = [name for name in FeedBatchSerializer.Meta.fields if name != "errors"]
        read_only_fields = fields


FEED_REJECTED = OpenApiResponse(
    FeedBatchSerializer,
    description="Invalid rows (listed in `errors`, nothing was changed) or a body that cannot be read (`message`).",
)
FEED_BAD_PARAMETER = OpenApiResponse(DETAIL_ERROR, description="A bad `year` parameter or a body that is no feed.")
UNSUPPORTED = OpenApiResponse(DETAIL_ERROR, description="Content-Type other than application/x-ndjson or text/csv.")
YEAR_PARAMETER = OpenApiParameter(
    "year", int, description=f"The year of every row ({FIRST_YEAR}–{LAST_YEAR_BOUND}); rows may instead carry "
    "a `year` column.", required=False,
)
# Ordinary tokens and sessions authenticate here only to be refused with 403 (not a 401 that invites a login);
# the schema names the feed token alone.
FEED_AUTHENTICATION = [FeedTokenAuthentication, RegistryTokenAuthentication, SessionAuthentication]
FEED_SECURITY = [{"feedToken": []}]


class _FeedView:
    """The feed's views: only a feed token authenticates them; ordinary tokens and sessions reach 403."""

    feed_view = True
    authentication_classes = FEED_AUTHENTICATION
    permission_classes = [IsDataFeedCaller]


def _year(request) -> int | None:
    raw = request.query_params.get("year")
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR_BOUND):
        raise exceptions.ValidationError(
            {"year": [_("The year must be between %(first)s and %(last)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR_BOUND}]})
    return int(raw)


def _post_batch(request, kind: str) -> Response:
    year = _year(request)
    data = request.data
    if not isinstance(data, dict) or "body" not in data:
        raise exceptions.UnsupportedMediaType(request.content_type)
    batch = feed_batch_post(token=request.auth, kind=kind, body=data["body"], file_format=data["file_format"],
                            year=year)
    answer = {
        FeedBatch.Status.APPLIED: status.HTTP_201_CREATED,
        FeedBatch.Status.PENDING: status.HTTP_202_ACCEPTED,
        FeedBatch.Status.RUNNING: status.HTTP_202_ACCEPTED,
    }.get(batch.status, status.HTTP_400_BAD_REQUEST)
    headers = {"Location": reverse("api:feed-batch-detail", args=[batch.pk])}
    return Response(FeedBatchSerializer(batch).data, status=answer, headers=headers)


def _post_schema(kind_text: str, columns: str):
    return extend_schema(
        tags=["feed"],
        auth=FEED_SECURITY,
        description=f"{kind_text} Columns: {columns}. All-or-nothing; idempotent by natural key. A batch over "
        "FEED_BACKGROUND_ROWS rows runs in the background: 202 with the batch `url` to poll.",
        parameters=[YEAR_PARAMETER],
        request={"application/x-ndjson": OpenApiTypes.BINARY, "text/csv": OpenApiTypes.BINARY},
        responses={
            201: FeedBatchSerializer, 202: FeedBatchSerializer, 400: FEED_REJECTED, 401: NOT_LOGGED_IN,
            403: FORBIDDEN, 413: TOO_LARGE, 415: UNSUPPORTED, 429: THROTTLED,
        },
    )


class FeedShopYears(_FeedView, APIView):
    parser_classes = [NdjsonParser, CsvParser]

    @_post_schema("Per-shop yearly figures as the platform sees them.",
                  "platform, platform_shop_id, village_code, year, sales, orders_last_3_months, days_open, "
                  "shop_name (optional)")
    def post(self, request):
        return _post_batch(request, FeedBatch.Kind.SHOP_YEARS)


class FeedVillageYears(_FeedView, APIView):
    parser_classes = [NdjsonParser, CsvParser]

    @_post_schema("Per-village yearly totals of one platform.",
                  "village_code, year, platform, sales, active_shops")
    def post(self, request):
        return _post_batch(request, FeedBatch.Kind.VILLAGE_YEARS)


class FeedBatchList(_FeedView, generics.ListAPIView):
    """The caller's own batches, newest first."""

    serializer_class = FeedBatchSummarySerializer
    queryset = FeedBatch.objects.none()  # the schema's model; get_queryset scopes every real request

    def get_queryset(self):
        return FeedBatch.objects.filter(posted_by=self.request.user).defer("errors")

    @extend_schema(tags=["feed"], auth=FEED_SECURITY, responses={
        200: FeedBatchSummarySerializer(many=True), 401: NOT_LOGGED_IN, 403: FORBIDDEN, 429: THROTTLED})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FeedBatchDetail(_FeedView, APIView):
    @extend_schema(tags=["feed"], auth=FEED_SECURITY, responses={
        200: FeedBatchSerializer, 401: NOT_LOGGED_IN, 403: FORBIDDEN, 404: NOT_FOUND, 429: THROTTLED})
    def get(self, request, pk):
        batch = FeedBatch.objects.filter(posted_by=request.user, pk=pk).first()
        if batch is None:
            raise Http404
        return Response(FeedBatchSerializer(batch).data)



