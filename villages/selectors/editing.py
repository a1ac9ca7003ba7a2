"""The registry record a user is about to change: Http404 outside their area, PermissionDenied inside it.

A record outside the user's jurisdiction does not exist for them (404, as in the API), so nobody learns which
codes or ids are taken elsewhere. A record they can see but whose change their role does not allow (a reviewer
opening a shop's edit page, an official a delete page) is a 403. Web views call these before showing a form.
"""

from collections.abc import Callable
from operator import attrgetter

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from villages.models import AnnualReport, OnlineShop, ShopYear, Village

from .jurisdiction import is_administrator, may_edit_registry
from .visibility import reports_in_scope_of, shop_years_in_scope_of, shops_in_scope_of, villages_in_scope_of


def record_for_change(queryset, *, may_change: Callable[[object], bool], **lookup):
    """The record of the user's scoped `queryset` matching `lookup`, if `may_change(record)`; else 404 or 403."""
    record = get_object_or_404(queryset, **lookup)
    if not may_change(record):
        raise PermissionDenied
    return record


def record_for_editing(user, queryset, *, code_of: Callable[[object], str], **lookup):
    """A record the user may edit: its `code_of(record)` (its village's code, say) is one they edit the registry of."""
    return record_for_change(queryset, may_change=lambda record: may_edit_registry(user, code_of(record)), **lookup)


def record_for_deleting(user, queryset, **lookup):
    """A record of the user's scoped `queryset` to delete: only administrators delete registry records."""
    return record_for_change(queryset, may_change=lambda _record: is_administrator(user), **lookup)


def village_for_editing(user, code: str) -> Village:
    """A village the user may edit, or add shops and reports to."""
    return record_for_editing(user, villages_in_scope_of(user), code_of=attrgetter("code"), code=code)


def village_for_deleting(user, code: str) -> Village:
    return record_for_deleting(user, villages_in_scope_of(user), code=code)


def report_for_editing(user, report_id) -> AnnualReport:
    reports = reports_in_scope_of(user).select_related("village")
    return record_for_editing(user, reports, code_of=attrgetter("village.code"), pk=report_id)


def report_for_deleting(user, report_id) -> AnnualReport:
    return record_for_deleting(user, reports_in_scope_of(user).select_related("village"), pk=report_id)


def shop_for_editing(user, shop_id) -> OnlineShop:
    """A shop the user may edit, delete, or add yearly figures to."""
    shops = shops_in_scope_of(user).select_related("village")
    return record_for_editing(user, shops, code_of=attrgetter("village.code"), pk=shop_id)


def shop_year_for_editing(user, shop_year_id) -> ShopYear:
    """One year of a shop's figures that the user may edit or delete."""
    shop_years = shop_years_in_scope_of(user).select_related("shop__village")
    return record_for_editing(user, shop_years, code_of=attrgetter("shop.village.code"), pk=shop_year_id)
