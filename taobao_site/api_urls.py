"""The JSON API v1: its root, both apps' routes, the OpenAPI schema, the Swagger UI, and JSON 404s for unknown paths."""

from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from taobao_site.api_errors import api_not_found
from taobao_site.api_root import ApiRoot

app_name = "api"

urlpatterns = [
    path("", ApiRoot.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own, and the template drops the
    # inline <style>: the Content-Security-Policy allows neither inline scripts nor inline styles.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html", title=_("Taobao Village Registry API")),
        name="docs",
    ),
    path("", include("villages.api.urls")),
    path("", include("rural_services.api.urls")),
    # Only paths ending in a slash, so that APPEND_SLASH still redirects "villages" to "villages/".
    re_path(r"^.*/$", api_not_found),
]
