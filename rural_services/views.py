"""Web pages of the service network: centres, points and monthly activity, the public map and its data."""

from functools import partial
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rural_services.filters import ServicePointFilter
from rural_services.forms import CountyCenterForm, ServiceActivityForm, ServicePointForm
from rural_services.models import FacilityStatus
from rural_services.selectors import (
    activity_for_deleting,
    activity_for_editing,
    counties_of_area,
    county_center_for_deleting,
    county_center_for_editing,
    county_centers_of_area,
    may_see_partner_details,
    recent_activities,
    service_point_for_deleting,
    service_point_for_editing,
    service_point_for_page,
    service_points_for_list_page,
    service_points_in_scope_of,
    service_points_visible_to,
)
from rural_services.services import (
    county_center_create,
    county_center_delete,
    county_center_update,
    service_activity_create,
    service_activity_delete,
    service_activity_update,
    service_point_create,
    service_point_delete,
    service_point_update,
)
from villages.public_filters import AREA_LEVELS, NATION, public_filter_from
from villages.selectors.certification import certified_in_year_q, certified_years
from villages.selectors.data_version import cached_for_version, published_data_version
from villages.selectors.jurisdiction import code_prefix_q, is_administrator, may_edit_registry, may_enter_data
from villages.selectors.public_options import filter_options
from villages.selectors.visibility import villages_visible_to
from villages.views.editing import delete_page, form_page
from villages.views.exports import list_download
from villages.views.listing import filtered_list_context

PAGE_SIZE = 25
ACTIVITY_MONTHS_SHOWN = 24


def _require_data_entry(user):
    if not may_enter_data(user):
        raise PermissionDenied


@login_required
def point_list(request):
    points = service_points_for_list_page(request.user)
    point_filter = ServicePointFilter(request.GET, queryset=points, request=request)
    return render(
        request,
        "rural_services/point_list.html",
        {
            **filtered_list_context(request, point_filter, PAGE_SIZE),
            "statuses": FacilityStatus.choices,
            "centers": county_centers_of_area(request.user),
            "may_add": may_enter_data(request.user),
        },
    )


@login_required
def point_list_export(request, extension):
    return list_download(
        request,
        "service_points",
        extension,
        queryset=service_points_in_scope_of(request.user),
        list_url=reverse("rural_services:point_list"),
    )


def point_detail(request, code):
    point = service_point_for_page(request.user, code)
    return render(
        request,
        "rural_services/point_detail.html",
        {
            "point": point,
            "show_partner": may_see_partner_details(request.user, point),
            "activities": recent_activities(request.user, point, ACTIVITY_MONTHS_SHOWN),
            "may_edit": may_edit_registry(request.user, point.village.code),
            "may_delete": is_administrator(request.user),
        },
    )


def _point_saved(request, point):
    messages.success(request, _("Service point %(name)s saved.") % {"name": point.name})
    return redirect("rural_services:point_detail", code=point.code)


@login_required
def point_create_view(request):
    _require_data_entry(request.user)
    return form_page(
        request,
        ServicePointForm(request.POST or None, user=request.user, centers=county_centers_of_area(request.user)),
        service=partial(service_point_create, by=request.user),
        done=partial(_point_saved, request),
        template="rural_services/point_form.html",
        context={"title": _("Add a service point")},
    )


@login_required
def point_edit_view(request, code):
    point = service_point_for_editing(request.user, code)
    return form_page(
        request,
        ServicePointForm(
            request.POST or None, instance=point, user=request.user, centers=county_centers_of_area(request.user)
        ),
        service=partial(service_point_update, point=point, by=request.user),
        record=point,
        done=partial(_point_saved, request),
        template="rural_services/point_form.html",
        context={"point": point, "title": _("Edit service point %(name)s") % {"name": point.name}},
    )


def _activity_saved(request, activity):
    messages.success(request, _("Monthly activity saved."))
    return redirect("rural_services:point_detail", code=activity.point.code)


@login_required
def activity_create_view(request, code):
    point = service_point_for_editing(request.user, code)
    return form_page(
        request,
        ServiceActivityForm(request.POST or None),
        service=partial(service_activity_create, by=request.user, point=point),
        done=partial(_activity_saved, request),
        template="rural_services/activity_form.html",
        context={"point": point, "title": _("Monthly activity of %(name)s") % {"name": point.name}},
    )


@login_required
def activity_edit_view(request, activity_id):
    activity = activity_for_editing(request.user, activity_id)
    point = activity.point
    return form_page(
        request,
        ServiceActivityForm(request.POST or None, instance=activity),
        service=partial(service_activity_update, activity=activity, by=request.user),
        record=activity,
        done=partial(_activity_saved, request),
        template="rural_services/activity_form.html",
        context={"point": point, "title": _("Monthly activity of %(name)s") % {"name": point.name}},
    )


@login_required
def center_list(request):
    page = Paginator(county_centers_of_area(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "rural_services/center_list.html",
        {
            "page": page,
            "may_add": may_enter_data(request.user),
            "may_delete": is_administrator(request.user),
        },
    )


def _center_saved(request, center):
    messages.success(request, _("County operation centre %(name)s saved.") % {"name": center.name})
    return redirect("rural_services:center_list")


@login_required
def center_create_view(request):
    _require_data_entry(request.user)
    return form_page(
        request,
        CountyCenterForm(request.POST or None),
        service=partial(county_center_create, by=request.user),
        done=partial(_center_saved, request),
        template="rural_services/center_form.html",
        context={"county_options": counties_of_area(request.user), "title": _("Add a county operation centre")},
    )


@login_required
def center_edit_view(request, center_id):
    center = county_center_for_editing(request.user, center_id)
    return form_page(
        request,
        CountyCenterForm(request.POST or None, instance=center),
        service=partial(county_center_update, center=center, by=request.user),
        record=center,
        done=partial(_center_saved, request),
        template="rural_services/center_form.html",
        context={
            "county_options": counties_of_area(request.user),
            "title": _("Edit county operation centre %(name)s") % {"name": center.name},
        },
    )


# Tianditu (天地图), the national base map service: Web Mercator ("_w") WMTS tiles, vector map and its Chinese
# labels as a second layer, served from t0 … t7. Its coordinates (CGCS2000) match the registry's, unlike the
# offset GCJ-02 of commercial maps.
TIANDITU_TILES = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
TIANDITU_SUBDOMAINS = "01234567"


def _map_tiles():
    """The map's background: MAP_TILE_URL if set, else Tianditu when TIANDITU_KEY is set, else none (offline)."""
    if settings.MAP_TILE_URL:
        return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}
    if settings.TIANDITU_KEY:
        key = quote(settings.TIANDITU_KEY, safe="")
        return {
            "tile_url": TIANDITU_TILES.format(layer="vec", key=key),
            "tile_labels_url": TIANDITU_TILES.format(layer="cva", key=key),
            "tile_subdomains": TIANDITU_SUBDOMAINS,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION or _("Base map: Tianditu (tianditu.gov.cn)"),
        }
    return {}


def map_year(request, years: list[int]) -> tuple[int | None, str]:
    """The year the map shows and, when `?year=` was not one of the certified years, why it was not used.

    Without `?year=` the map shows the latest year with certified villages: a village is drawn as certified
    only for a year in which it is, never for having been certified once.
    """
    asked = request.GET.get("year", "")
    latest = years[0] if years else None
    if not asked:
        return latest, ""
    if asked.isdigit() and int(asked) in years:
        return int(asked), ""
    return latest, _("No village is certified for the year %(year)s; choose one of the years listed.") % {
        "year": asked[:10]}


def map_area(request):
    """The area the map is narrowed to (`province`, `prefecture`, `county` codes, as on every public page), or a
    ValidationError; the year has its own rule here (`map_year`: one of the certified years)."""
    return public_filter_from({level: request.GET.get(level, "") for level in AREA_LEVELS})


def public_map(request):
    years = certified_years()
    year, problem = map_year(request, years)
    try:
        area = map_area(request)
        area_errors = []
    except ValidationError as error:
        area, area_errors = NATION, error.messages
    query = area.query(year=year)
    return render(
        request,
        "rural_services/map.html",
        {
            **_map_tiles(),
            "years": years,
            "year": year,
            "year_problem": problem,
            "filters": area,
            "filter_errors": area_errors,
            "filter_options": filter_options(area, published_data_version()),
            "data_url": reverse("rural_services:map_data") + (f"?{query}" if query else ""),
        },
        status=400 if problem or area_errors else 200,
    )


def map_data(request):
    """GeoJSON of the villages certified in `?year=` (default: the latest such year) and of the open service
    points with coordinates, inside the area asked for (default: China); public, no personal data.

    The villages' half changes only with the published data (approve, reopen, rescore), so it is built once
    per data version, year and area; the service points are read on every request. Each feature carries what
    its popup shows: code, name, township or village, and the year it is certified in.
    """
    years = certified_years()
    year, problem = map_year(request, years)
    if problem:
        return JsonResponse({"year": [problem]}, status=400)
    try:
        area = map_area(request)
    except ValidationError as error:
        return JsonResponse(error.message_dict, status=400)
    village_features = (
        cached_for_version(published_data_version(), "map-villages",
                           partial(_certified_village_features, year, area.prefix), key_parts=[year, area.prefix])
        if year else []
    )
    points = service_points_visible_to(AnonymousUser()).filter(status=FacilityStatus.OPEN, latitude__isnull=False)
    if area.prefix:
        points = points.filter(code_prefix_q("village__code", area.prefix))
    point_features = _features(
        "service_point", points.values_list("code", "name", "latitude", "longitude", "village__name"),
        "rural_services:point_detail", extra=("village",),
    )
    return JsonResponse({"type": "FeatureCollection", "year": year,
                         "features": village_features + point_features})


def _certified_village_features(year: int, prefix: str = "") -> list[dict]:
    villages = villages_visible_to(AnonymousUser()).filter(certified_in_year_q(year), latitude__isnull=False)
    if prefix:
        villages = villages.filter(code_prefix_q("code", prefix))
    villages = villages.values_list("code", "name", "latitude", "longitude", "township__name")
    features = _features("village", villages, "villages:village_detail", extra=("township",))
    for feature in features:
        feature["properties"]["certified_in"] = year
    return features


# A code that needs no quoting in a path: where it lands in the reversed URL, each feature's code goes.
_CODE_MARKER = "CODE"
# The characters `reverse()` leaves unquoted in a path.
_PATH_SAFE = "!$&'()*+,;=/~:@"


def _features(kind, rows, route, extra=()) -> list[dict]:
    """GeoJSON points of (code, name, latitude, longitude, *extra) rows, `extra` naming the properties that follow;
    the detail URL is reversed once, not per row."""
    before, _marker, after = reverse(route, args=[_CODE_MARKER]).partition(_CODE_MARKER)
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
            "properties": {
                "kind": kind,
                "code": code,
                "name": name,
                "url": f"{before}{quote(code, safe=_PATH_SAFE)}{after}",
                **dict(zip(extra, more, strict=True)),
            },
        }
        for code, name, latitude, longitude, *more in rows
    ]


@login_required
def point_delete_view(request, code):
    """Administrators only: a confirmation page; the POST deletes the point with its monthly activity."""
    point = service_point_for_deleting(request.user, code)
    months = point.activities.count()
    return delete_page(
        request,
        delete=partial(service_point_delete, point=point, by=request.user),
        title=_("Delete service point %(name)s") % {"name": point.name},
        question=ngettext(
            "Delete service point %(point)s and its activity of %(count)s month?",
            "Delete service point %(point)s and its activity of %(count)s months?",
            months,
        )
        % {"point": point, "count": months},
        button=_("Yes, delete the service point"),
        back_url=reverse("rural_services:point_detail", args=[point.code]),
        done_url=reverse("rural_services:point_list"),
        done_message=_("Service point %(name)s deleted.") % {"name": point.name},
    )


@login_required
def activity_delete_view(request, activity_id):
    """Administrators only: a confirmation page; the POST deletes one month of a point's activity."""
    activity = activity_for_deleting(request.user, activity_id)
    names = {"name": activity.point.name, "month": f"{activity.month:%Y-%m}"}
    back_url = reverse("rural_services:point_detail", args=[activity.point.code])
    return delete_page(
        request,
        delete=partial(service_activity_delete, activity=activity, by=request.user),
        title=_("Delete the activity of %(name)s for %(month)s") % names,
        question=_("Delete the figures of service point %(name)s for %(month)s?") % names,
        button=_("Yes, delete these figures"),
        back_url=back_url,
        done_url=back_url,
        done_message=_("The activity of %(name)s for %(month)s was deleted.") % names,
    )


@login_required
def center_delete_view(request, center_id):
    """Administrators only: a confirmation page naming the points that still belong to the centre."""
    center = county_center_for_deleting(request.user, center_id)
    points = center.service_points.count()
    blockers = []
    if points:
        blockers = [
            ngettext(
                "It still has %(count)s service point.", "It still has %(count)s service points.", points
            )
            % {"count": points},
            _("Delete or move them first."),
        ]
    return delete_page(
        request,
        delete=partial(county_center_delete, center=center, by=request.user),
        title=_("Delete county operation centre %(name)s") % {"name": center.name},
        question=_("Delete county operation centre %(name)s?") % {"name": center.name},
        button=_("Yes, delete the centre"),
        back_url=reverse("rural_services:center_list"),
        done_url=reverse("rural_services:center_list"),
        done_message=_("County operation centre %(name)s deleted.") % {"name": center.name},
        blockers=blockers,
    )
