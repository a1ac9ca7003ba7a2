"""A township's representative point on the web: the county's form to set or move it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from villages import codes
from villages.forms import TownshipPointForm
from villages.models import Division
from villages.selectors.jurisdiction import may_edit_registry
from villages.selectors.township_points import township_points_in_scope_of
from villages.services.township_points import township_point_set

from .editing import form_page


@login_required
def township_point_view(request, code):
    """County officials of the township's county (and administrators) set or move its point; others get a 404."""
    township = Division.objects.filter(code=code, level=codes.TOWNSHIP).select_related("parent").first()
    if township is None or not may_edit_registry(request.user, township.code):
        raise Http404
    point = township_points_in_scope_of(request.user).filter(township=township).first()
    form = TownshipPointForm(request.POST or None, instance=point)

    def saved(point):
        messages.success(
            request,
            _("The point of %(name)s is saved; the clusters placed with it were linked again.")
            % {"name": township.name},
        )
        return redirect("villages:township_point", code=township.code)

    return form_page(
        request,
        form,
        service=lambda **coordinates: township_point_set(by=request.user, township=township, **coordinates),
        done=saved,
        template="villages/township_point_form.html",
        context={"township": township, "point": point, "title": _("Point of %(name)s") % {"name": township.name}},
    )
