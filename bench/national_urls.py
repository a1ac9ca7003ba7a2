"""The national benchmark's URLconf: the project's URLs plus the floor views, and a middleware counting queries.

A floor returns the rows a measured page shows the plainest fast way: `list(queryset.values(...)[a:b])` in a
JsonResponse, with the same filter, order and offset (or keyset cursor), no count and no serializer
(shared/BENCHMARKS.md). Orders are named in the request, so that the benchmark can pick the one the real list
uses today (the benchmark asserts that real and floor return the same rows before it prints a ratio).
"""

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from villages.models import AnnualReport, Assessment, OnlineShop, TaobaoTown, Village
from villages.selectors.jurisdiction import code_prefix_q
from villages.selectors.visibility import certified_village_q

QUERY_COUNT_HEADER = "X-Bench-Queries"

VILLAGE_FIELDS = ("id", "code", "name", "township_id", "committee_type", "households", "latitude", "longitude")
ORDERS = {
    "code": ("code",),
    "id": ("id",),
    "newest": ("-id",),
    "village_code": ("village__code", "platform", "platform_shop_id"),
    "village": ("village_id", "platform", "platform_shop_id"),
    "year_village": ("-year", "village_id"),
    "year_village_code": ("-year", "village__code"),
    "year_village_code_id": ("-year", "village__code", "id"),
    "submitted": ("submitted_at", "id"),
}


class QueryCountMiddleware:
    """Adds the number of SQL queries the request ran as a response header, for the benchmark's table."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counted(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(count[0])
        return response


def _window(request, queryset, fields):
    """The page of `queryset` the request names: `order`, then `after` (keyset on code) or `offset`, `limit`."""
    order = ORDERS[request.GET.get("order", "code")]
    queryset = queryset.order_by(*order)
    if request.GET.get("after"):
        queryset = queryset.filter(code__gt=request.GET["after"])
    offset = int(request.GET.get("offset", 0))
    limit = int(request.GET.get("limit", 50))
    return JsonResponse({"rows": list(queryset.values(*fields)[offset : offset + limit])})


def _code_filters(request, queryset, path=""):
    # Code prefixes as the range a B-tree serves in any collation (LIKE 'prefix%' needs the C collation).
    county = request.GET.get("county")
    if county:
        queryset = queryset.filter(code_prefix_q(f"{path}code", county))
    term = request.GET.get("search")
    if term:
        # The rows the API's search returns (villages.filters.name_or_code_search): digits are a code prefix,
        # one character starts a name, longer text is part of a name.
        if term.isdigit():
            queryset = queryset.filter(code_prefix_q(f"{path}code", term))
        elif len(term) == 1:
            queryset = queryset.filter(**{f"{path}name__startswith": term})
        else:
            queryset = queryset.filter(**{f"{path}name__contains": term})
    return queryset


def villages_floor(request):
    villages = _code_filters(request, Village.objects.all())
    if request.GET.get("scope") == "public":
        # Certified villages, by the registry's own condition (selectors.visibility).
        villages = villages.filter(certified_village_q())
    elif request.GET.get("scope", "").startswith("official:"):
        # An official's villages: the jurisdiction's (a code range) and the certified ones anywhere.
        certified = Exists(Assessment.objects.filter(village_id=OuterRef("pk"), qualified=True))
        villages = villages.filter(code_prefix_q("code", request.GET["scope"].removeprefix("official:")) | Q(certified))
    return _window(request, villages, VILLAGE_FIELDS)


def shops_floor(request):
    return _window(request, OnlineShop.objects.all(), ("id", "village_id", "platform", "platform_shop_id", "name"))


def assessments_floor(request):
    assessments = Assessment.objects.filter(year=int(request.GET["year"]))
    return _window(request, assessments, ("id", "village__code", "year", "qualified", "score", "status_change"))


def reports_floor(request):
    reports = _code_filters(request, AnnualReport.objects.all(), "village__")
    if request.GET.get("status"):
        reports = reports.filter(status=request.GET["status"])
    return _window(request, reports, ("id", "village_id", "year", "status", "ecommerce_sales", "active_shops"))


def dashboard_floor(request):
    """What the dashboard shows: Taobao villages and towns by year, and the newest certified villages."""
    year = int(request.GET["year"])
    villages_by_year = Assessment.objects.filter(qualified=True).values("year").annotate(n=Count("id")).order_by()
    towns_by_year = TaobaoTown.objects.values("year").annotate(n=Count("id")).order_by()
    certified = Assessment.objects.filter(year=year, qualified=True).order_by("village__code")
    return JsonResponse(
        {
            "villages": list(villages_by_year),
            "towns": list(towns_by_year),
            "certified": list(certified.values("village__code", "village__name")[:20]),
        }
    )


def village_floor(request, code):
    """A village page's rows: the village, its shops and its reports."""
    village = Village.objects.values(*VILLAGE_FIELDS).get(code=code)
    return JsonResponse(
        {
            "village": village,
            "shops": list(OnlineShop.objects.filter(village_id=village["id"]).values("id", "platform", "name")),
            "reports": list(AnnualReport.objects.filter(village_id=village["id"]).values("id", "year", "status")),
        }
    )


@csrf_exempt
@require_POST
def approval_floor(request, report_id):
    """The least an approval must write: the report's new status, and its village marked changed."""
    now = timezone.now()
    with transaction.atomic():
        report = AnnualReport.objects.filter(pk=report_id, status=AnnualReport.Status.SUBMITTED)
        updated = report.update(status=AnnualReport.Status.APPROVED, reviewed_at=now, updated_at=now)
        Village.objects.filter(reports__pk=report_id).update(updated_at=now)
    return JsonResponse({"updated": updated})


urlpatterns = [
    path("bench-floor/villages/", villages_floor),
    path("bench-floor/shops/", shops_floor),
    path("bench-floor/assessments/", assessments_floor),
    path("bench-floor/reports/", reports_floor),
    path("bench-floor/dashboard/", dashboard_floor),
    path("bench-floor/village/<str:code>/", village_floor),
    path("bench-floor/approve/<int:report_id>/", approval_floor),
    path("", include("taobao_site.urls")),
]
