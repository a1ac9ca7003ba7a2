"""The web twin of the API's error handler: a service's refusal becomes form errors or messages, nothing else."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from villages.services.errors import ConflictError
from villages.views.editing import refusal_as_messages, refusal_on_form


class NameForm(forms.Form):
    name = forms.CharField()


def bound_form():
    form = NameForm({"name": "丁楼村"})
    assert form.is_valid()
    return form


def request_with_messages():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_validation_error_lands_beside_the_field_it_names_the_rest_atop_the_form():
    form = bound_form()
    with refusal_on_form(form):
        raise ValidationError({"name": "This name is taken.", "code": "Not a village code."})
    assert form.errors["name"] == ["This name is taken."]
    assert form.non_field_errors() == ["Not a village code."]


@pytest.mark.parametrize(
    ("refusal", "shown"),
    [
        (ConflictError("Saved meanwhile."), "Saved meanwhile."),
        (PermissionDenied("Not your county."), "Not your county."),
        (PermissionDenied(), "You may not make this change."),
    ],
)
def test_a_conflict_or_permission_refusal_goes_atop_the_form(refusal, shown):
    form = bound_form()
    with refusal_on_form(form):
        raise refusal
    assert form.non_field_errors() == [shown]


def refused_write():
    raise ConflictError("Saved meanwhile.")


def test_the_success_path_after_a_refused_call_does_not_run():
    reached = []
    with refusal_on_form(bound_form()):
        refused_write()
        reached.append("success message")
    assert reached == []


def test_a_refusal_becomes_messages_for_the_next_page():
    request = request_with_messages()
    with refusal_as_messages(request):
        raise ValidationError(["First problem.", "Second problem."])
    assert [str(message) for message in get_messages(request)] == ["First problem.", "Second problem."]


def test_record_refusals_go_to_messages_while_validation_stays_on_the_form():
    request, form = request_with_messages(), bound_form()
    with refusal_on_form(form, record_refusals_to=request) as conflict:
        raise ConflictError("Only an approved report can be reopened.")
    with refusal_on_form(form, record_refusals_to=request) as invalid:
        raise ValidationError({"name": "Say why."})
    assert conflict.in_messages and not invalid.in_messages
    assert [str(message) for message in get_messages(request)] == ["Only an approved report can be reopened."]
    assert form.errors["name"] == ["Say why."]


def test_anything_that_is_not_a_refusal_is_not_swallowed():
    with pytest.raises(LookupError), refusal_on_form(bound_form()):
        raise LookupError("a bug, not a refusal")
