"""Create, change and delete county operation centres, village service points and their monthly activity.

The same rules as the villages registry: county officials write in their counties, administrators
everywhere, reviewers never; edits carry the version they were based on; deleting a centre, a point or a
month of activity is for administrators (as the role groups' permissions say). Every write goes through
`villages.services.recording`, so it is validated, versioned and recorded in the history with its author.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rural_services.models import CountyOperationCenter, ServiceActivity, ServiceKind, ServicePoint
from villages.selectors.jurisdiction import is_administrator, may_edit_registry
from villages.services.recording import (
    delete_recorded,
    edit_versioned,
    refuse_unknown_fields,
    require,
    save_validated,
)

# What a caller may set on each record: the web forms, the admin and the API write exactly these.
CENTER_FIELDS = ("county", "name", "address", "opened_on", "closed_on", "status")
# `services` is the point's list of kinds: the point functions take it apart from the columns.
POINT_FIELDS = (
    "code",
    "name",
    "village",
    "county_center",
    "services",
    "status",
    "opened_on",
    "closed_on",
    "latitude",
    "longitude",
    "partner_name",
    "partner_phone",
)
ACTIVITY_FIELDS = ("month", "assisted_purchases", "assisted_purchase_value", "produce_sales_value", "parcels")

NOT_YOUR_AREA = gettext_lazy("You may change the service network only in the counties assigned to you.")


def _require_editor(by, code: str) -> None:
    require(may_edit_registry(by, code), NOT_YOUR_AREA)


def _required(fields: dict, name: str, message) -> object:
    value = fields.get(name)
    if value is None:
        raise ValidationError({name: message})
    return value


def _service_kinds(services) -> list[ServiceKind]:
    """The ServiceKind rows for a list of kinds or their codes; unknown codes are a validation error."""
    codes = [service.pk if isinstance(service, ServiceKind) else service for service in services]
    found = ServiceKind.objects.in_bulk(codes)
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise ValidationError(
            {"services": _("Unknown services: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}}
        )
    return list(found.values())


@transaction.atomic
def county_center_create(*, by, **fields) -> CountyOperationCenter:
    refuse_unknown_fields(fields, CENTER_FIELDS)
    county = _required(fields, "county", _("Choose the county of the operation centre."))
    _require_editor(by, county.code)
    return save_validated(CountyOperationCenter(**fields), by=by)


@transaction.atomic
def county_center_update(*, center: CountyOperationCenter, by, version, **changes) -> CountyOperationCenter:
    _require_editor(by, center.county_id)
    if changes.get("county") is not None:
        _require_editor(by, changes["county"].code)
    return edit_versioned(center, by=by, version=version, changes=changes, editable=CENTER_FIELDS)


@transaction.atomic
def county_center_delete(*, center: CountyOperationCenter, by) -> None:
    require(is_administrator(by), _("Only an administrator may delete a county operation centre."))
    delete_recorded(center, by=by)


@transaction.atomic
def service_point_create(*, by, services=(), **fields) -> ServicePoint:
    refuse_unknown_fields(fields, POINT_FIELDS)
    village = _required(fields, "village", _("Choose the village of the service point."))
    _require_editor(by, village.code)
    kinds = _service_kinds(services)
    point = save_validated(ServicePoint(**fields), by=by)
    point.services.set(kinds)
    return point


@transaction.atomic
def service_point_update(*, point: ServicePoint, by, version, services=None, **changes) -> ServicePoint:
    """Change a point's fields and, when `services` is given, replace its list of services."""
    _require_editor(by, point.village.code)
    if changes.get("village") is not None:
        _require_editor(by, changes["village"].code)
    kinds = _service_kinds(services) if services is not None else None
    point = edit_versioned(point, by=by, version=version, changes=changes, editable=POINT_FIELDS)
    if kinds is not None:
        point._history_user = by
        point.services.set(kinds)
    return point


@transaction.atomic
def service_point_delete(*, point: ServicePoint, by) -> None:
    require(is_administrator(by), _("Only an administrator may delete a service point."))
    delete_recorded(point, by=by)


@transaction.atomic
def service_activity_create(*, by, point: ServicePoint, **fields) -> ServiceActivity:
    refuse_unknown_fields(fields, ACTIVITY_FIELDS)
    _require_editor(by, point.village.code)
    return save_validated(ServiceActivity(point=point, **fields), by=by)


@transaction.atomic
def service_activity_update(*, activity: ServiceActivity, by, version, **changes) -> ServiceActivity:
    _require_editor(by, activity.point.village.code)
    return edit_versioned(activity, by=by, version=version, changes=changes, editable=ACTIVITY_FIELDS)


@transaction.atomic
def service_activity_delete(*, activity: ServiceActivity, by) -> None:
    require(is_administrator(by), _("Only an administrator may delete a month of service activity."))
    delete_recorded(activity, by=by)
