"""Village pages: the filtered list, the detail page with assessments and gaps, and the village form."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from villages.filters import VillageFilter
from villages.forms import VillageForm
from villages.models import Assessment, TaobaoTown, Village
from villages.selectors.divisions import picker_choices
from villages.selectors.editing import village_for_deleting, village_for_editing
from villages.selectors.jurisdiction import code_in_scope, is_administrator, may_edit_registry, may_enter_data
from villages.selectors.review import withdrawn_approvals
from villages.selectors.visibility import (
    reports_visible_to,
    shop_years_visible_to,
    shops_visible_to,
    villages_visible_parts,
    villages_visible_to,
)
from villages.services.registry import (
    village_create,
    village_delete,
    village_dependents,
    village_from_national_list,
    village_update,
    village_withdraw,
)

from .editing import delete_page, form_page
from .listing import filtered_list_context

PAGE_SIZE = 25


def village_list(request):
    villages = (
        villages_visible_to(request.user)
        .select_related("township__parent")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.filter(qualified=True).only("village_id", "year").order_by("-year"),
                to_attr="certified_assessments",
            )
        )
        .order_by("code")
    )
    return render(
        request,
        "villages/village_list.html",
        {
            **filtered_list_context(
                request,
                VillageFilter(request.GET, queryset=villages, request=request),
                PAGE_SIZE,
                count_parts=villages_visible_parts(request.user),
            ),
            "picker": picker_choices(request.GET),
            "picker_names": {
                "province": "province",
                "prefecture": "prefecture",
                "county": "county",
                "township": "township",
            },
            "committee_types": Village.CommitteeType.choices,
            "may_add": may_enter_data(request.user),
        },
    )


def village_detail(request, code):
    village = get_object_or_404(villages_visible_to(request.user).select_related("township__parent__parent"), code=code)
    in_scope = code_in_scope(request.user, village.code) if request.user.is_authenticated else False
    assessments = list(village.assessments.select_related("criteria_set", "report").order_by("-year"))
    reports = list(reports_visible_to(request.user).filter(village=village).order_by("-year"))
    shops = list(
        shops_visible_to(request.user)
        .filter(village=village)
        .prefetch_related(Prefetch("years", queryset=shop_years_visible_to(request.user).order_by("-year")))
        .order_by("platform", "name")
    )
    towns = list(TaobaoTown.objects.filter(township=village.township).order_by("-year"))
    clusters = list(village.clusters.order_by("-year"))
    history = list(village.history.select_related("history_user").order_by("-history_date")[:20]) if in_scope else []
    withdrawn = list(withdrawn_approvals(request.user, village))
    return render(
        request,
        "villages/village_detail.html",
        {
            "village": village,
            "assessments": assessments,
            "certified": any(assessment.qualified for assessment in assessments),
            "reports": reports,
            "shops": shops,
            "towns": towns,
            "clusters": clusters,
            "history": history,
            "withdrawn": withdrawn,
            "in_scope": in_scope,
            "may_edit": may_edit_registry(request.user, village.code),
            "may_delete": is_administrator(request.user),
            # Administrators delete; a county withdraws what it registered itself (not the national list).
            "may_withdraw": may_edit_registry(request.user, village.code)
            and not is_administrator(request.user)
            and not village_from_national_list(village),
        },
    )


@login_required
def village_create_view(request):
    if not may_enter_data(request.user):
        raise PermissionDenied

    def registered(village):
        messages.success(request, _("Village %(name)s registered.") % {"name": village.name})
        return redirect("villages:village_detail", code=village.code)

    # After a validation error the picker shows the township that was sent, not "any" again.
    picker = picker_choices({"township": request.POST.get("township", "")}, user=request.user)
    return form_page(
        request,
        VillageForm(request.POST or None),
        service=partial(village_create, by=request.user),
        done=registered,
        template="villages/village_form.html",
        context={"picker": picker, "picker_selected": picker["selected"], "title": _("Register a village")},
    )


@login_required
def village_edit_view(request, code):
    village = village_for_editing(request.user, code)
    picker = picker_choices({"township": request.POST.get("township") or village.township_id}, user=request.user)

    def saved(saved_village):
        messages.success(request, _("Village %(name)s saved.") % {"name": saved_village.name})
        return redirect("villages:village_detail", code=saved_village.code)

    return form_page(
        request,
        VillageForm(request.POST or None, instance=village),
        service=partial(village_update, village=village, by=request.user),
        record=village,
        done=saved,
        template="villages/village_form.html",
        context={
            "village": village,
            "picker": picker,
            "picker_selected": picker["selected"],
            "title": _("Edit village %(name)s") % {"name": village.name},
        },
    )


@login_required
def village_delete_view(request, code):
    """Administrators only: a confirmation page naming what still hangs on the village; the POST deletes it."""
    village = village_for_deleting(request.user, code)
    counts = {
        "reports": village.reports.count(),
        "assessments": village.assessments.count(),
        "shops": village.shops.count(),
        "points": village.service_points.count(),
    }
    texts = {
        "reports": ngettext(
            "It still has %(count)s annual report.", "It still has %(count)s annual reports.", counts["reports"]
        ),
        "assessments": ngettext(
            "It still has %(count)s assessment.", "It still has %(count)s assessments.", counts["assessments"]
        ),
        "shops": ngettext(
            "It still has %(count)s online shop.", "It still has %(count)s online shops.", counts["shops"]
        ),
        "points": ngettext(
            "It still has %(count)s service point.", "It still has %(count)s service points.", counts["points"]
        ),
    }
    blockers = [texts[key] % {"count": count} for key, count in counts.items() if count]
    if blockers:
        blockers.append(_("Delete or move them first."))
    return delete_page(
        request,
        delete=partial(village_delete, village=village, by=request.user),
        title=_("Delete village %(name)s") % {"name": village.name},
        question=_("Delete village %(name)s (%(code)s) from the registry?")
        % {"name": village.name, "code": village.code},
        button=_("Yes, delete the village"),
        back_url=reverse("villages:village_detail", args=[village.code]),
        done_url=reverse("villages:village_list"),
        done_message=_("Village %(name)s deleted.") % {"name": village.name},
        blockers=blockers,
    )


@login_required
def village_withdraw_view(request, code):
    """A county's way back from a village registered by mistake: a confirmation page; the POST withdraws it."""
    village = village_for_editing(request.user, code)
    blockers = []
    dependents = village_dependents(village)
    if village_from_national_list(village):
        blockers.append(_("It comes from the national list of village codes: correct its details instead."))
    if dependents:
        blockers.append(
            _("It already has %(blocking)s; only a village that nothing depends on yet can be withdrawn.")
            % {"blocking": ", ".join(dependents)}
        )
    return delete_page(
        request,
        delete=partial(village_withdraw, village=village, by=request.user),
        title=_("Withdraw village %(name)s") % {"name": village.name},
        question=_(
            "Withdraw village %(name)s (%(code)s)? Do this only if it was registered by mistake (a wrong code, "
            "a duplicate); the history keeps a record of it and of who withdrew it."
        )
        % {"name": village.name, "code": village.code},
        button=_("Yes, withdraw the village"),
        back_url=reverse("villages:village_detail", args=[village.code]),
        done_url=reverse("villages:village_list"),
        done_message=_("Village %(name)s (%(code)s) withdrawn.") % {"name": village.name, "code": village.code},
        blockers=blockers,
        blocked_heading=_("It cannot be withdrawn now:"),
        recorded_note=_("The withdrawal is recorded in the history with your name."),
    )
