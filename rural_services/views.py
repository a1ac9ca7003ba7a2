"""Web pages of the service network: centres, points and monthly activity, the public map and its data."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rural_services.filters import ServicePointFilter
from rural_services.forms import CountyCenterForm, ServiceActivityForm, ServicePointForm
from rural_services.models import CountyOperationCenter, PointStatus, ServiceActivity, ServicePoint
from rural_services.selectors import (
    activities_in_scope_of,
    county_centers_in_scope_of,
    may_see_partner_details,
    service_points_in_scope_of,
    service_points_visible_to,
)
from rural_services.services import (
    county_center_create,
    county_center_update,
    service_activity_create,
    service_activity_update,
    service_point_create,
    service_point_update,
)
from villages.models import ADMINISTRATORS, COUNTY_OFFICIALS, Division
from villages.selectors.jurisdiction import may_edit_registry, scope_q, user_role
from villages.selectors.visibility import certified_village_q, villages_visible_to
from villages.views.editing import run_service
from villages.views.exports import list_download

PAGE_SIZE = 25


def _require_data_entry(user):
    if user_role(user) not in (COUNTY_OFFICIALS, ADMINISTRATORS):
        raise PermissionDenied


@login_required
def point_list(request):
    points = (
        service_points_in_scope_of(request.user)
        .select_related("village__township__parent", "county_center")
        .prefetch_related("services")
        .order_by("code")
    )
    point_filter = ServicePointFilter(request.GET, queryset=points, request=request)
    filtered = point_filter.qs if point_filter.is_valid() else points.none()
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rural_services/point_list.html",
        {
            "page": page,
            "filter": point_filter,
            "query": query.urlencode(),
            "statuses": PointStatus.choices,
            "centers": county_centers_in_scope_of(request.user).select_related("county").order_by("county", "name"),
            "may_add": user_role(request.user) in (COUNTY_OFFICIALS, ADMINISTRATORS),
        },
    )


@login_required
def point_list_export(request, extension):
    return list_download(
        request, "service_points", extension,
        queryset=service_points_in_scope_of(request.user), list_url=reverse("rural_services:point_list"),
    )


def point_detail(request, code):
    point = get_object_or_404(
        service_points_visible_to(request.user).select_related("village__township__parent", "county_center"),
        code=code,
    )
    return render(
        request,
        "rural_services/point_detail.html",
        {
            "point": point,
            "show_partner": may_see_partner_details(request.user, point),
            "activities": activities_in_scope_of(request.user).filter(point=point).order_by("-month")[:24],
            "may_edit": may_edit_registry(request.user, point.village.code),
        },
    )


def _centers_for(user):
    return county_centers_in_scope_of(user).select_related("county").order_by("county", "name")


@login_required
def point_create_view(request):
    _require_data_entry(request.user)
    form = ServicePointForm(request.POST or None, user=request.user, centers=_centers_for(request.user))
    if request.method == "POST" and form.is_valid():
        fields = form.changes()
        point, _conflict = run_service(form, lambda: service_point_create(by=request.user, **fields))
        if point is not None:
            messages.success(request, _("Service point %(name)s saved.") % {"name": point.name})
            return redirect("rural_services:point_detail", code=point.code)
    return render(request, "rural_services/point_form.html", {"form": form, "title": _("Add a service point")})


@login_required
def point_edit_view(request, code):
    point = get_object_or_404(service_points_in_scope_of(request.user).select_related("village"), code=code)
    if not may_edit_registry(request.user, point.village.code):
        raise PermissionDenied
    form = ServicePointForm(
        request.POST or None, instance=point, user=request.user, centers=_centers_for(request.user)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        saved, conflict = run_service(
            form,
            lambda: service_point_update(
                point=point, by=request.user, version=form.cleaned_data["version"], **changes
            ),
            current_of=lambda: ServicePoint.objects.filter(pk=point.pk).first(),
        )
        if saved is not None:
            messages.success(request, _("Service point %(name)s saved.") % {"name": saved.name})
            return redirect("rural_services:point_detail", code=saved.code)
    return render(
        request,
        "rural_services/point_form.html",
        {
            "form": form,
            "point": point,
            "conflict": conflict,
            "title": _("Edit service point %(name)s") % {"name": point.name},
        },
    )


@login_required
def activity_create_view(request, code):
    point = get_object_or_404(service_points_in_scope_of(request.user).select_related("village"), code=code)
    if not may_edit_registry(request.user, point.village.code):
        raise PermissionDenied
    form = ServiceActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.changes()
        activity, _conflict = run_service(
            form, lambda: service_activity_create(by=request.user, point=point, **fields)
        )
        if activity is not None:
            messages.success(request, _("Monthly activity saved."))
            return redirect("rural_services:point_detail", code=point.code)
    return render(
        request,
        "rural_services/activity_form.html",
        {"form": form, "point": point, "title": _("Monthly activity of %(name)s") % {"name": point.name}},
    )


@login_required
def activity_edit_view(request, activity_id):
    activity = get_object_or_404(
        activities_in_scope_of(request.user).select_related("point__village"), pk=activity_id
    )
    point = activity.point
    if not may_edit_registry(request.user, point.village.code):
        raise PermissionDenied
    form = ServiceActivityForm(request.POST or None, instance=activity)
    conflict = None
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        saved, conflict = run_service(
            form,
            lambda: service_activity_update(
                activity=activity, by=request.user, version=form.cleaned_data["version"], **changes
            ),
            current_of=lambda: ServiceActivity.objects.filter(pk=activity.pk).first(),
        )
        if saved is not None:
            messages.success(request, _("Monthly activity saved."))
            return redirect("rural_services:point_detail", code=point.code)
    return render(
        request,
        "rural_services/activity_form.html",
        {
            "form": form,
            "point": point,
            "conflict": conflict,
            "title": _("Monthly activity of %(name)s") % {"name": point.name},
        },
    )


@login_required
def center_list(request):
    centers = county_centers_in_scope_of(request.user).select_related("county").order_by("county", "name")
    page = Paginator(centers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "rural_services/center_list.html",
        {"page": page, "may_add": user_role(request.user) in (COUNTY_OFFICIALS, ADMINISTRATORS)},
    )


def _county_options(user):
    return Division.objects.filter(level="county").filter(scope_q(user, "code")).order_by("code")[:50]


@login_required
def center_create_view(request):
    _require_data_entry(request.user)
    form = CountyCenterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.changes()
        center, _conflict = run_service(form, lambda: county_center_create(by=request.user, **fields))
        if center is not None:
            messages.success(request, _("County operation centre %(name)s saved.") % {"name": center.name})
            return redirect("rural_services:center_list")
    return render(
        request,
        "rural_services/center_form.html",
        {"form": form, "county_options": _county_options(request.user), "title": _("Add a county operation centre")},
    )


@login_required
def center_edit_view(request, center_id):
    center = get_object_or_404(county_centers_in_scope_of(request.user), pk=center_id)
    if not may_edit_registry(request.user, center.county_id):
        raise PermissionDenied
    form = CountyCenterForm(request.POST or None, instance=center)
    conflict = None
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        saved, conflict = run_service(
            form,
            lambda: county_center_update(
                center=center, by=request.user, version=form.cleaned_data["version"], **changes
            ),
            current_of=lambda: CountyOperationCenter.objects.filter(pk=center.pk).first(),
        )
        if saved is not None:
            messages.success(request, _("County operation centre %(name)s saved.") % {"name": saved.name})
            return redirect("rural_services:center_list")
    return render(
        request,
        "rural_services/center_form.html",
        {
            "form": form,
            "conflict": conflict,
            "county_options": _county_options(request.user),
            "title": _("Edit county operation centre %(name)s") % {"name": center.name},
        },
    )


def public_map(request):
    return render(
        request,
        "rural_services/map.html",
        {"tile_url": settings.MAP_TILE_URL, "data_url": reverse("rural_services:map_data")},
    )


def map_data(request):
    """GeoJSON of certified villages and open service points with coordinates; public, no personal data."""
    anonymous = AnonymousUser()
    villages = (
        villages_visible_to(anonymous)
        .filter(certified_village_q(), latitude__isnull=False)
        .values_list("code", "name", "latitude", "longitude")
    )
    points = (
        service_points_visible_to(anonymous)
        .filter(status=PointStatus.OPEN, latitude__isnull=False)
        .values_list("code", "name", "latitude", "longitude")
    )
    features = [
        _feature(kind, code, name, latitude, longitude, url)
        for kind, rows, route in (
            ("village", villages, "villages:village_detail"),
            ("service_point", points, "rural_services:point_detail"),
        )
        for code, name, latitude, longitude in rows
        for url in (reverse(route, args=[code]),)
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _feature(kind, code, name, latitude, longitude, url):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
        "properties": {"kind": kind, "code": code, "name": name, "url": url},
    }
