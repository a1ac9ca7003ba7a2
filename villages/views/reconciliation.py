"""Reconciliation pages: the reports of an area beside the platform's figures, and "register from the feed"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villages.filters import ReconciliationFilter
from villages.selectors.divisions import picker_choices
from villages.selectors.jurisdiction import code_in_scope
from villages.selectors.reconciliation import (
    attach_reconciliations,
    page_after_registering,
    platform_shop_year_for_registering,
    reconciliations_in_scope,
    tolerance_percent,
)
from villages.services.reconciliation import shop_register_from_feed

from .editing import refusal_as_messages
from .listing import filtered_list_context

PAGE_SIZE = 25


@login_required
def reconciliation_list(request):
    """The reports of the user's jurisdiction, the largest gaps to the platform's figures first."""
    filterset = ReconciliationFilter(request.GET, queryset=reconciliations_in_scope(request.user), request=request)
    context = filtered_list_context(request, filterset, PAGE_SIZE)
    context["page"].object_list = attach_reconciliations(context["page"].object_list)
    context.update(
        {
            "picker": picker_choices(request.GET),
            "picker_names": {"province": "province", "prefecture": "prefecture", "county": "county"},
            "tolerance": tolerance_percent(),
        }
    )
    return render(
        request, "villages/reconciliation_list.html", context, status=200 if filterset.is_valid() else 400
    )


@login_required
@require_POST
def register_from_feed(request, platform_shop_year_id):
    """One click of the county official: the shop the platform lists becomes a registered shop with its figures."""
    fed = platform_shop_year_for_registering(request.user, platform_shop_year_id)
    with refusal_as_messages(request):
        registration = shop_register_from_feed(by=request.user, platform_shop_year=fed)
        if registration.created:
            messages.success(
                request,
                _("%(shop)s is registered from the platform's data, with its figures for %(year)s.")
                % {"shop": registration.shop, "year": fed.year},
            )
        elif code_in_scope(request.user, registration.shop.village.code):
            messages.info(
                request,
                _("%(shop)s is already registered; nothing was changed.") % {"shop": registration.shop},
            )
        else:
            # Registered in a village outside the user's area: said without naming that village or shop.
            messages.info(request, _("This shop is already registered in another county; nothing was changed."))
    return redirect(page_after_registering(request.user, fed))
