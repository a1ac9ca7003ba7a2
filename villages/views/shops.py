"""Online shops of a village and each shop's yearly figures: add and edit through the registry services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from villages.forms import ShopForm, ShopYearForm
from villages.models import OnlineShop, ShopYear
from villages.selectors.jurisdiction import may_edit_registry
from villages.selectors.visibility import shop_years_in_scope_of, shops_in_scope_of, villages_in_scope_of
from villages.services.errors import ConflictError
from villages.services.registry import shop_create, shop_delete, shop_update, shop_year_create, shop_year_update

from .editing import run_service


def _editable_village(request, code):
    village = get_object_or_404(villages_in_scope_of(request.user), code=code)
    if not may_edit_registry(request.user, village.code):
        raise PermissionDenied
    return village


def _editable_shop(request, shop_id):
    shop = get_object_or_404(shops_in_scope_of(request.user).select_related("village"), pk=shop_id)
    if not may_edit_registry(request.user, shop.village.code):
        raise PermissionDenied
    return shop


@login_required
def shop_create_view(request, code):
    village = _editable_village(request, code)
    form = ShopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.changes()
        shop, _conflict = run_service(form, lambda: shop_create(by=request.user, village=village, **fields))
        if shop is not None:
            messages.success(request, _("Shop %(name)s added.") % {"name": shop.name})
            return redirect("villages:shop_year_create", shop_id=shop.pk)
    return render(
        request, "villages/shop_form.html", {"form": form, "village": village, "title": _("Add an online shop")}
    )


@login_required
def shop_edit_view(request, shop_id):
    shop = _editable_shop(request, shop_id)
    form = ShopForm(request.POST or None, instance=shop)
    conflict = None
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        saved, conflict = run_service(
            form,
            lambda: shop_update(shop=shop, by=request.user, version=form.cleaned_data["version"], **changes),
            current_of=lambda: OnlineShop.objects.filter(pk=shop.pk).first(),
        )
        if saved is not None:
            messages.success(request, _("Shop %(name)s saved.") % {"name": saved.name})
            return redirect("villages:village_detail", code=shop.village.code)
    return render(
        request,
        "villages/shop_form.html",
        {
            "form": form,
            "village": shop.village,
            "shop": shop,
            "conflict": conflict,
            "title": _("Edit shop %(name)s") % {"name": shop.name},
        },
    )


@login_required
def shop_year_create_view(request, shop_id):
    shop = _editable_shop(request, shop_id)
    form = ShopYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.changes()
        shop_year, _conflict = run_service(form, lambda: shop_year_create(by=request.user, shop=shop, **fields))
        if shop_year is not None:
            messages.success(
                request, _("Figures of %(year)s saved for %(name)s.") % {"year": shop_year.year, "name": shop.name}
            )
            if "add_another" in request.POST:
                return redirect("villages:shop_year_create", shop_id=shop.pk)
            return redirect("villages:village_detail", code=shop.village.code)
    return render(
        request,
        "villages/shop_year_form.html",
        {
            "form": form,
            "shop": shop,
            "village": shop.village,
            "years": shop.years.order_by("-year"),
            "title": _("Figures of shop %(name)s for a year") % {"name": shop.name},
        },
    )


@login_required
def shop_year_edit_view(request, shop_year_id):
    shop_year = get_object_or_404(
        shop_years_in_scope_of(request.user).select_related("shop__village"), pk=shop_year_id
    )
    shop = shop_year.shop
    if not may_edit_registry(request.user, shop.village.code):
        raise PermissionDenied
    form = ShopYearForm(request.POST or None, instance=shop_year)
    conflict = None
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        saved, conflict = run_service(
            form,
            lambda: shop_year_update(
                shop_year=shop_year, by=request.user, version=form.cleaned_data["version"], **changes
            ),
            current_of=lambda: ShopYear.objects.filter(pk=shop_year.pk).first(),
        )
        if saved is not None:
            messages.success(
                request, _("Figures of %(year)s saved for %(name)s.") % {"year": saved.year, "name": shop.name}
            )
            return redirect("villages:village_detail", code=shop.village.code)
    return render(
        request,
        "villages/shop_year_form.html",
        {
            "form": form,
            "shop": shop,
            "village": shop.village,
            "conflict": conflict,
            "years": shop.years.order_by("-year"),
            "title": _("Figures of shop %(name)s for %(year)s") % {"name": shop.name, "year": shop_year.year},
        },
    )


@login_required
def shop_delete_view(request, shop_id):
    """A confirmation page; the POST deletes the shop and its yearly figures through the registry service."""
    shop = _editable_shop(request, shop_id)
    village = shop.village
    if request.method == "POST":
        try:
            shop_delete(shop=shop, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except (ConflictError, PermissionDenied) as error:
            messages.error(request, str(getattr(error, "message", error)))
        else:
            messages.success(request, _("Shop %(name)s deleted.") % {"name": shop.name})
        return redirect("villages:village_detail", code=village.code)
    return render(
        request,
        "villages/shop_confirm_delete.html",
        {"shop": shop, "village": village, "year_count": shop.years.count()},
    )
