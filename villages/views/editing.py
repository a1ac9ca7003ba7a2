"""How the web forms call the write services: service errors land beside the fields, conflicts show both versions."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from villages.services.errors import ConflictError


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the form fields it names, the rest at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class Conflict:
    """Someone saved the record after the user opened it: what they entered beside what is saved now."""

    def __init__(self, form, current, error: ConflictError):
        self.message = error.message
        self.rows = []
        saved = model_to_dict(current)
        for name in form.Meta.fields:
            field = form.fields[name]
            yours = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else form.data.get(name)
            self.rows.append(
                {
                    "label": field.label,
                    "yours": display_value(field, yours),
                    "saved": display_value(field, saved.get(name)),
                    "differs": display_value(field, yours) != display_value(field, saved.get(name)),
                }
            )


def display_value(field, value) -> str:
    """A value as the user reads it: the choice's label, or – when empty."""
    choices = dict(getattr(field, "choices", ()) or ())
    if value in (None, ""):
        return "–"
    return str(choices.get(value, value))


def run_service(form, write, *, current_of=None):
    """Call `write()`; on refusal fill the form's errors and return (None, conflict or None)."""
    try:
        return write(), None
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error) or _("You may not make this change."))
    except ConflictError as error:
        if current_of is not None:
            current = current_of()
            if current is not None:
                form.data = form.data.copy()
                form.data["version"] = current.version
                return None, Conflict(form, current, error)
        form.add_error(None, error.message)
    return None, None


def run_update(form, update, instance):
    """Save a valid edit form through an update service, `update(version=…, **changes)`: (saved, conflict).

    The version is the one the form was opened with, so the service refuses a stale edit; the conflict then
    shows what is saved now (read afresh) beside what the user typed.
    """
    changes = form.changes()
    return run_service(
        form,
        lambda: update(version=form.cleaned_data["version"], **changes),
        current_of=lambda: type(instance)._default_manager.filter(pk=instance.pk).first(),
    )


def delete_page(request, *, delete, title, question, button, back_url, done_url, done_message, blockers=()):
    """A deletion's confirmation page; its POST deletes through the service `delete()` and says what happened.

    `blockers` are the reasons, known before asking, why the record cannot go yet (the page says so and offers
    no button). A refusal by the service itself (its rules, records still pointing at this one, a change made
    meanwhile) returns to `back_url`, the record's page, with the reason; nothing is deleted then.
    """
    if request.method != "POST":
        context = {"title": title, "question": question, "button": button, "back_url": back_url, "blockers": blockers}
        return render(request, "confirm_delete.html", context)
    try:
        delete()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except ConflictError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not make this change."))
    else:
        messages.success(request, done_message)
        return redirect(done_url)
    return redirect(back_url)
