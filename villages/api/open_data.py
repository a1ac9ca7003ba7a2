"""`GET /api/v1/open-data/`: where the open data files of each year are (stable URLs), with their licence."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from taobao_site.api_errors import NOT_LOGGED_IN, THROTTLED
from villages.selectors.open_data import OPEN_TABLES, open_data_years

OPEN_DATA_YEAR = inline_serializer(
    "OpenDataYear",
    {
        "year": serializers.IntegerField(),
        "taobao_villages": serializers.IntegerField(),
        "datapackage": serializers.URLField(
            help_text="Frictionless Data Package descriptor (table schemas, licence, sources)"
        ),
        "files": serializers.DictField(
            child=serializers.DictField(child=serializers.URLField()),
            help_text="table (villages, towns, clusters) → format (csv, xlsx) → URL",
        ),
    },
)


class OpenDataIndex(APIView):
    """The open data: per year with certified villages, its data package and its CSV and XLSX files (public).

    The files themselves are served at `/open-data/<year>/datapackage.json` and `/open-data/<year>/<table>.csv`
    or `.xlsx` (tables: villages, towns, clusters), outside the API's JSON envelope.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("Open data: the stable URLs of each year's data package and files"),
        tags=["open data"],
        responses={
            200: inline_serializer(
                "OpenDataIndex",
                {
                    "licence": inline_serializer(
                        "OpenDataLicence",
                        {
                            "name": serializers.CharField(),
                            "title": serializers.CharField(),
                            "path": serializers.URLField(),
                        },
                    ),
                    "years": serializers.ListField(child=OPEN_DATA_YEAR),
                },
            ),
            401: NOT_LOGGED_IN,
            429: THROTTLED,
        },
    )
    def get(self, request):
        def url(name, *args):
            return request.build_absolute_uri(reverse(name, args=args))

        years = [
            {
                **row,
                "datapackage": url("villages:data_package", row["year"]),
                "files": {
                    table: {
                        extension: url("villages:open_data_file", row["year"], table, extension)
                        for extension in ("csv", "xlsx")
                    }
                    for table in OPEN_TABLES
                },
            }
            for row in open_data_years()
        ]
        return Response({"licence": settings.OPEN_DATA_LICENSE, "years": years})
