"""Admin plumbing that sends every save and delete through the registry services.

A ModelAdmin that mixes in `ServiceBackedAdmin` names its create, update and delete services; the change form
of a versioned record carries the version the user opened (a hidden field), so a save based on an old version
is refused like in the API (records without a version, such as reporting windows, use a plain ModelForm). A
refusal from a service (validation, jurisdiction, conflict) rolls the save back and shows the form again with
what the user typed and the reason beside the fields it concerns, like the web forms do: nothing typed is
lost (`ServiceRefusalAdmin`, also for admins that call services from an inline). After a conflict the form
says what is saved now and carries the new version, so saving again is a deliberate choice to replace it.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from villages.services.errors import SERVICE_REFUSALS, ConflictError
from villages.views.editing import add_service_errors, display_value


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

    edited_version = forms.IntegerField(label=_("version you edited"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edited_version"].initial = self.instance.version


def _saved_text(field, value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "–"
    return display_value(field, value)


class RefusedFormMixin:
    """A form shown again after a service refused its values: the refusal becomes the form's errors."""

    refusal = None
    saved = None

    def _post_clean(self):
        super()._post_clean()
        error = self.refusal
        if isinstance(error, ValidationError):
            add_service_errors(self, error)
        elif isinstance(error, ConflictError) and self.saved is not None and "edited_version" in self.fields:
            # The form's initial values are the record as saved now, so what differs is the changed data.
            differing = [
                f"{self.fields[name].label}: {_saved_text(self.fields[name], self.initial.get(name))}"
                for name in self.changed_data
                if name != "edited_version"
            ]
            self.data = self.data.copy()
            self.data["edited_version"] = self.saved.version
            self.add_error(
                None,
                _(
                    "Someone else saved this record after you opened it, so nothing was saved. Saved now: "
                    "%(saved)s. Your values are kept below: save again to replace the saved ones, or reload the "
                    "page to start from them."
                )
                % {"saved": "; ".join(differing) or "–"},
            )
        else:
            self.add_error(None, str(error) or _("You may not make this change."))
        if not self._errors:  # a refusal without a message must still stop the second save
            self.add_error(None, _("Nothing was saved: %(reason)s") % {"reason": refusal_text(error) or "–"})


class ServiceRefusalAdmin:
    """Shows a service's refusal on the change form, with what the user typed, instead of an error page.

    For admins whose saves call services somewhere (`ServiceBackedAdmin`, or an inline's `save_formset`).
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_REFUSALS as error:
            # The save was rolled back. The same request runs once more with the refusal as a form error, so the
            # admin renders the user's values with the reason instead of saving.
            if request.method != "POST" or getattr(request, "_service_refusal", None) is not None:
                messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": refusal_text(error)})
                return HttpResponseRedirect(request.get_full_path())
            request._service_refusal = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form_class
        return type(form_class.__name__, (RefusedFormMixin, form_class), {"refusal": refusal, "saved": obj})

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except SERVICE_REFUSALS as error:
            messages.error(request, _("Nothing was deleted: %(reason)s") % {"reason": refusal_text(error)})
            return HttpResponseRedirect(request.get_full_path())


class ServiceBackedAdmin(ServiceRefusalAdmin):
    """Routes admin writes through services. Mix in before the foundation's JurisdictionScopedAdmin (scoping).

    The bulk "delete selected" action is removed: it would delete without the service, so every deletion
    goes through `delete_model`, one record at a time, with the service's checks and history.
    """

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
            version = {"version": form.cleaned_data.get("edited_version")} if "edited_version" in form.fields else {}
            saved = self.update_service(
                **{self.instance_argument: obj},
                by=request.user,
                **version,
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
