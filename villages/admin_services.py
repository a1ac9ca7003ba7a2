"""Admin plumbing that sends every save and delete through the registry services.

A ModelAdmin that mixes in `ServiceBackedAdmin` names its create, update and delete services; the change form
carries the version the user opened (a hidden field), so a save based on an old version is refused like in
the API. A refusal from a service (validation, jurisdiction, conflict) rolls the save back and returns to the
form with the reason as an error message.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from villages.services.errors import ConflictError

SERVICE_REFUSALS = (ValidationError, PermissionDenied, ConflictError)


def refusal_text(error) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(messages_)}" if field != "__all__" else " ".join(messages_)
                for field, messages_ in error.message_dict.items()
            )
        return " ".join(error.messages)
    return str(error)


class VersionedAdminForm(forms.ModelForm):
    """Adds the hidden version the user is editing, so that a concurrent save is detected."""

    edited_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edited_version"].initial = self.instance.version


class ServiceBackedAdmin:
    """Routes admin writes through services. Mix in before the foundation's JurisdictionScopedAdmin (scoping)."""

    form = VersionedAdminForm
    create_service = None
    update_service = None
    delete_service = None
    instance_argument = ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _service_fields(self, form, names) -> dict:
        return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}

    def save_model(self, request, obj, form, change):
        model_fields = [name for name in form.fields if name != "edited_version"]
        if change:
            changed = [name for name in form.changed_data if name in model_fields]
            saved = self.update_service(
                **{self.instance_argument: obj},
                by=request.user,
                version=form.cleaned_data.get("edited_version"),
                **self._service_fields(form, changed),
            )
        else:
            saved = self.create_service(by=request.user, **self._service_fields(form, model_fields))
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields are written by the services; only inline formsets remain for the admin.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        self.delete_service(**{self.instance_argument: obj}, by=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_REFUSALS as error:
            messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": refusal_text(error)})
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except SERVICE_REFUSALS as error:
            messages.error(request, _("Nothing was deleted: %(reason)s") % {"reason": refusal_text(error)})
            return HttpResponseRedirect(request.get_full_path())
