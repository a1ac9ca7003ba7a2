"""The fields of a form that have errors, for the summary at the top of every form."""

from django import template

register = template.Library()


@register.filter
def fields_with_errors(form):
    """The visible bound fields with errors, in the form's order (the summary links to each of them)."""
    return [field for field in form.visible_fields() if field.errors]
