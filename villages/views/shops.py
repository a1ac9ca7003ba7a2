"""Online shops of a village and each shop's yearly figures: add and edit through the registry services."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from villages.forms import ShopForm, ShopYearForm
from villages.selectors.editing import shop_for_editing, shop_year_for_editing, village_for_editing
from villages.services.registry import (
    shop_create,
    shop_delete,
    shop_update,
    shop_year_create,
    shop_year_delete,
    shop_year_update,
)

from .editing import delete_page, form_page


@login_required
def shop_create_view(request, code):
    village = village_for_editing(request.user, code)

    def added(shop):
        messages.success(request, _("Shop %(name)s added.") % {"name": shop.name})
        return redirect("villages:shop_year_create", shop_id=shop.pk)

    return form_page(
        request,
        ShopForm(request.POST or None),
        service=partial(shop_create, by=request.user, village=village),
        done=added,
        template="villages/shop_form.html",
        context={"village": village, "title": _("Add an online shop")},
    )


@login_required
def shop_edit_view(request, shop_id):
    shop = shop_for_editing(request.user, shop_id)

    def saved(saved_shop):
        messages.success(request, _("Shop %(name)s saved.") % {"name": saved_shop.name})
        return redirect("villages:village_detail", code=shop.village.code)

    return form_page(
        request,
        ShopForm(request.POST or None, instance=shop),
        service=partial(shop_update, shop=shop, by=request.user),
        record=shop,
        done=saved,
        template="villages/shop_form.html",
        context={"village": shop.village, "shop": shop, "title": _("Edit shop %(name)s") % {"name": shop.name}},
    )


def _shop_year_saved(request, shop_year):
    """Say which year of which shop was saved."""
    messages.success(
        request, _("Figures of %(year)s saved for %(name)s.") % {"year": shop_year.year, "name": shop_year.shop.name}
    )


@login_required
def shop_year_create_view(request, shop_id):
    shop = shop_for_editing(request.user, shop_id)

    def saved(shop_year):
        _shop_year_saved(request, shop_year)
        if "add_another" in request.POST:
            return redirect("villages:shop_year_create", shop_id=shop.pk)
        return redirect("villages:village_detail", code=shop.village.code)

    return form_page(
        request,
        ShopYearForm(request.POST or None),
        service=partial(shop_year_create, by=request.user, shop=shop),
        done=saved,
        template="villages/shop_year_form.html",
        context={
            "shop": shop,
            "village": shop.village,
            "years": shop.years.order_by("-year"),
            "title": _("Figures of shop %(name)s for a year") % {"name": shop.name},
        },
    )


@login_required
def shop_year_edit_view(request, shop_year_id):
    shop_year = shop_year_for_editing(request.user, shop_year_id)
    shop = shop_year.shop

    def saved(saved_year):
        _shop_year_saved(request, saved_year)
        return redirect("villages:village_detail", code=shop.village.code)

    return form_page(
        request,
        ShopYearForm(request.POST or None, instance=shop_year),
        service=partial(shop_year_update, shop_year=shop_year, by=request.user),
        record=shop_year,
        done=saved,
        template="villages/shop_year_form.html",
        context={
            "shop": shop,
            "village": shop.village,
            "years": shop.years.order_by("-year"),
            "title": _("Figures of shop %(name)s for %(year)s") % {"name": shop.name, "year": shop_year.year},
        },
    )


@login_required
def shop_delete_view(request, shop_id):
    """A confirmation page; the POST deletes the shop and its yearly figures through the registry service."""
    shop = shop_for_editing(request.user, shop_id)
    village = shop.village
    year_count = shop.years.count()
    return delete_page(
        request,
        delete=partial(shop_delete, shop=shop, by=request.user),
        title=_("Delete shop %(name)s") % {"name": shop.name},
        question=ngettext(
            "Delete %(name)s (%(platform)s) of %(village)s and its figures of %(count)s year?",
            "Delete %(name)s (%(platform)s) of %(village)s and its figures of %(count)s years?",
            year_count,
        )
        % {"name": shop.name, "platform": shop.get_platform_display(), "village": village.name, "count": year_count},
        button=_("Yes, delete the shop"),
        back_url=reverse("villages:village_detail", args=[village.code]),
        done_url=reverse("villages:village_detail", args=[village.code]),
        done_message=_("Shop %(name)s deleted.") % {"name": shop.name},
    )


@login_required
def shop_year_delete_view(request, shop_year_id):
    """A confirmation page; the POST deletes one year of a shop's figures through the registry service."""
    shop_year = shop_year_for_editing(request.user, shop_year_id)
    shop = shop_year.shop
    names = {"name": shop.name, "year": shop_year.year}
    back_url = reverse("villages:village_detail", args=[shop.village.code])
    return delete_page(
        request,
        delete=partial(shop_year_delete, shop_year=shop_year, by=request.user),
        title=_("Delete the figures of %(year)s of shop %(name)s") % names,
        question=_("Delete the figures of shop %(name)s for %(year)s? The shop and its other years stay.") % names,
        button=_("Yes, delete these figures"),
        back_url=back_url,
        done_url=back_url,
        done_message=_("The figures of %(year)s of shop %(name)s were deleted.") % names,
    )
