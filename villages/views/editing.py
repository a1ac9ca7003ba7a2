"""How the web pages call the write services, and the web twin of `taobao_site.api_errors`: one way to refuse.

A service refuses with ValidationError, PermissionDenied or ConflictError. A web page shows that refusal in
one of two ways, and only through this module: beside the fields of the form the user sent
(`refusal_on_form`), or as an error message above the page it redirects to (`refusal_as_messages`). A conflict
on an edit form also shows what is saved now beside what the user typed (`run_update`).
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from villages.forms import YuanField
from villages.money import format_yuan
from villages.services.errors import SERVICE_REFUSALS, ConflictError


def refusal_messages(error) -> list[str]:
    """The sentences a refusal says, for a message or the top of a form."""
    if isinstance(error, ValidationError):
        return list(error.messages)
    if isinstance(error, ConflictError):
        return [str(error.message)]
    return [str(error) or _("You may not make this change.")]


class Refusal:
    """A context around one service call: a refusal it raises is shown, not turned into an error page.

    The block stops at the refusal and the view carries on after it, so the success path (a message, a
    redirect) is written inside the block and the refusal path after it; `in_messages` says whether a
    refusal went to the messages rather than to the form.
    """

    def __init__(self, *, form=None, request=None):
        self.form = form
        self.request = request
        self.in_messages = False

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, traceback):
        if not isinstance(error, SERVICE_REFUSALS):
            return False
        if self.form is not None and (self.request is None or isinstance(error, ValidationError)):
            if isinstance(error, ValidationError):
                add_service_errors(self.form, error)
            else:
                for message in refusal_messages(error):
                    self.form.add_error(None, message)
        else:
            self.in_messages = True
            for message in refusal_messages(error):
                messages.error(self.request, message)
        return True


def refusal_on_form(form, *, record_refusals_to=None) -> Refusal:
    """`with refusal_on_form(form): …`: a refusal lands beside the fields it names, the rest atop the form.

    A conflict or a permission refusal concerns the record, not what was typed. For a form that the page shows
    only while its step is possible, pass `record_refusals_to=request`: those become messages (`in_messages`),
    for the view to redirect to the record's page, while validation errors stay beside the fields.
    """
    return Refusal(form=form, request=record_refusals_to)


def refusal_as_messages(request) -> Refusal:
    """`with refusal_as_messages(request): …`: a refusal becomes error messages shown on the next page."""
    return Refusal(request=request)


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
    """A value as the user reads it: the choice's label, an amount as money, or – when empty."""
    choices = dict(getattr(field, "choices", ()) or ())
    if value in (None, ""):
        return "–"
    if isinstance(field, YuanField) and isinstance(value, int):
        return format_yuan(value)
    return str(choices.get(value, value))


def run_service(form, write, *, current_of=None):
    """Call `write()`: (its result, None); on refusal the form's errors are filled and it is (None, conflict or None).

    With `current_of`, a conflict carries the record as saved now (and the form its new version), unless the
    record is gone; then the conflict is a plain refusal like the others.
    """
    with refusal_on_form(form):
        try:
            return write(), None
        except ConflictError as error:
            current = current_of() if current_of is not None else None
            if current is None:
                raise
            form.data = form.data.copy()
            form.data["version"] = current.version
            return None, Conflict(form, current, error)
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


def form_page(request, form, *, service, done, template, context, record=None):
    """A page whose form adds a record, or edits `record`, through a write service; `done(saved)` follows a save.

    A valid POST calls the service with the form's changes: `service(**changes)` for a new record, an update
    service `service(version=…, **changes)` for `record` (see `run_update`). Once saved, `done(saved record)` is
    the response (its message and redirect). Otherwise the template shows the form again, with the refusal and,
    when someone else saved `record` meanwhile, the `conflict`; `context` is the rest of what the page shows.
    """
    conflict = None
    if request.method == "POST" and form.is_valid():
        if record is None:
            saved, conflict = run_service(form, lambda: service(**form.changes()))
        else:
            saved, conflict = run_update(form, service, record)
        if saved is not None:
            return done(saved)
    return render(request, template, {"form": form, "conflict": conflict, **context})


def delete_page(
    request, *, delete, title, question, button, back_url, done_url, done_message, blockers=(),
    blocked_heading=None, recorded_note=None,
):
    """A deletion's confirmation page; its POST deletes through the service `delete()` and says what happened.

    `blockers` are the reasons, known before asking, why the record cannot go yet (the page says so and offers
    no button, under `blocked_heading`); `recorded_note` tells what the history keeps (both default to a
    deletion's words). A refusal by the service itself (its rules, records still pointing at this one, a change made
    meanwhile) returns to `back_url`, the record's page, with the reason; nothing is deleted then.
    """
    if request.method != "POST":
        context = {
            "title": title, "question": question, "button": button, "back_url": back_url, "blockers": blockers,
            "blocked_heading": blocked_heading or _("It cannot be deleted now:"),
            "recorded_note": recorded_note or _("The deletion is recorded in the history with your name."),
        }
        return render(request, "confirm_delete.html", context)
    with refusal_as_messages(request):
        delete()
        messages.success(request, done_message)
        return redirect(done_url)
    return redirect(back_url)
