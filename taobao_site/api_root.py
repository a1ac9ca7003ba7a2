"""`GET /api/v1/`: the API root, linking every list resource, the schema and the docs (API.md, additions)."""

from django.urls import NoReverseMatch, URLPattern, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from taobao_site.api_errors import NOT_LOGGED_IN, THROTTLED

API_PREFIX = "/api/v1/"


def resource_links(request) -> dict[str, str]:
    """{resource path: absolute URL} for every route of the API that takes no argument and lists something.

    Read from the API's own URL patterns, so that a resource added to a router is listed without editing this.
    """
    from rural_services.api.urls import urlpatterns as service_patterns
    from villages.api.urls import urlpatterns as village_patterns

    links = {}
    for pattern in [*village_patterns, *service_patterns]:
        if not isinstance(pattern, URLPattern) or not pattern.name or pattern.pattern.regex.groups:
            continue
        if pattern.name == "auth-token":
            continue
        try:
            path = reverse(f"api:{pattern.name}")
        except NoReverseMatch:
            continue
        links[path.removeprefix(API_PREFIX).strip("/")] = request.build_absolute_uri(path)
    return dict(sorted(links.items()))


class ApiRoot(APIView):
    """Where to start: a link to each resource of the API, to its OpenAPI schema, its docs and the token login.

    Public; a 401 answers only a request that sends an invalid token.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("API root: links to every resource, the schema and the docs"),
        tags=["root"],
        responses={200: inline_serializer("ApiRoot", {
            "resources": serializers.DictField(child=serializers.URLField(), help_text="resource path → its URL"),
            "schema": serializers.URLField(),
            "docs": serializers.URLField(),
            "token": serializers.URLField(),
        }), 401: NOT_LOGGED_IN, 429: THROTTLED},
        examples=[OpenApiExample("root", value={
            "resources": {"divisions": "https://registry.example.gov.cn/api/v1/divisions/",
                          "villages": "https://registry.example.gov.cn/api/v1/villages/"},
            "schema": "https://registry.example.gov.cn/api/v1/schema/",
            "docs": "https://registry.example.gov.cn/api/v1/docs/",
            "token": "https://registry.example.gov.cn/api/v1/auth/token/",
        })],
    )
    def get(self, request):
        return Response({
            "resources": resource_links(request),
            "schema": request.build_absolute_uri(reverse("api:schema")),
            "docs": request.build_absolute_uri(reverse("api:docs")),
            "token": request.build_absolute_uri(reverse("api:auth-token")),
        })
