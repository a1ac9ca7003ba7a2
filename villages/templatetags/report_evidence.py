"""The evidence and discussion section of a report page, with what the viewing user may see and do there."""

from django import template

from villages.views.evidence import evidence_context

register = template.Library()


@register.inclusion_tag("villages/report_evidence_section.html", takes_context=True)
def report_evidence_section(context):
    """Attachments and comments of the page's `report`, for the page's user (nothing for those outside it); the
    ones the page's view read already when it gives them as `evidence`."""
    return context.get("evidence") or evidence_context(context["request"].user, context["report"])
