"""The API's one exception handler, mapping service errors to HTTP answers, and the error shapes."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from taobao_site.api_parsers import too_deep_message
from taobao_site.middleware import RETRY_AFTER_SECONDS, busy_message, is_database_busy
from villages.services.errors import ConflictError


def api_exception_handler(exc, context):
    """DRF's handler, plus Django ValidationError → 400, ConflictError → 409 and a lost unique race → 409.

    Also: a body over DATA_UPLOAD_MAX_MEMORY_SIZE → 413, JSON too deep for the parser → 400, and a busy
    database → 503 with Retry-After (`taobao_site.middleware`), each as `{"detail": ...}`.
    """
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": str(_("The request body is larger than %(limit)s MB.") % {
                "limit": round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1048576, 1)})},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, RecursionError):
        # Views that pin a parser of their own (DRF's JSONParser) still meet deep input this way.
        return Response({"detail": too_deep_message()}, status=status.HTTP_400_BAD_REQUEST)
    if is_database_busy(exc):
        return Response(
            {"detail": busy_message()},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, ConflictError):
        body = {"detail": str(exc.message)}
        if exc.current_version is not None:
            body["current_version"] = exc.current_version
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        # A concurrent write won a uniqueness race after validation passed: a conflict, never a 500.
        return Response(
            {"detail": str(_("This conflicts with a record saved in the meantime; nothing was saved."))},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
    return exception_handler(exc, context)


DETAIL_ERROR = inline_serializer(
    name="ErrorDetail",
    fields={"detail": serializers.CharField()},
)
CONFLICT_ERROR = inline_serializer(
    name="ConflictError",
    fields={
        "detail": serializers.CharField(),
        "current_version": serializers.IntegerField(required=False),
    },
)
FIELD_ERRORS = inline_serializer(
    name="FieldErrors",
    fields={
        "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
    },
)

BAD_REQUEST = OpenApiResponse(
    FIELD_ERRORS,
    description=_('Invalid input: {"field": ["message", ...]} per field, or non_field_errors.'),
)
NOT_LOGGED_IN = OpenApiResponse(DETAIL_ERROR, description=_("Not logged in."))
FORBIDDEN = OpenApiResponse(DETAIL_ERROR, description=_("Logged in but not allowed."))
NOT_FOUND = OpenApiResponse(
    DETAIL_ERROR, description=_("Unknown, or outside what the caller may see; or a page beyond the end.")
)
CONFLICT = OpenApiResponse(
    CONFLICT_ERROR, description=_("An illegal workflow step, locked (approved) data, or a stale version.")
)
THROTTLED = OpenApiResponse(DETAIL_ERROR, description=_("Too many requests; retry later."))
TOO_LARGE = OpenApiResponse(DETAIL_ERROR, description=_("The request body is over the size limit."))
BUSY = OpenApiResponse(
    DETAIL_ERROR, description=_("The database is busy (a lock or a conflicting transaction); retry after Retry-After.")
)

READ_ERRORS = {400: BAD_REQUEST, 401: NOT_LOGGED_IN, 404: NOT_FOUND, 429: THROTTLED}
WRITE_ERRORS = {
    400: BAD_REQUEST,
    401: NOT_LOGGED_IN,
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: CONFLICT,
    413: TOO_LARGE,
    429: THROTTLED,
    503: BUSY,
}


def api_not_found(request, *args, **kwargs):
    """A JSON 404 for any path under /api/v1/ that no route matches (instead of the HTML error page)."""
    return JsonResponse({"detail": str(_("Not found."))}, status=status.HTTP_404_NOT_FOUND)
