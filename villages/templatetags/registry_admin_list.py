"""The admin's own writers in place of Django's templates, with the same output.

- `{% registry_result_list cl %}`: Django's `{% result_list cl %}` with the rows of `villages.admin.result_rows`;
  templates/admin/change_list.html uses it in place of Django's tag, for every change list of the admin.
- `{% registry_app_list %}`: what `admin/app_list.html` writes (the sidebar and the index), from
  `villages.admin.app_list`; templates/admin/app_list.html is this tag alone.
"""

from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template import Library
from django.utils.safestring import mark_safe

from villages.admin.app_list import app_list_html
from villages.admin.result_rows import result_list

register = Library()


@register.tag(name="registry_result_list")
def registry_result_list(parser, token):
    return InclusionAdminNode(parser, token, func=result_list, template_name="change_list_results.html",
                              takes_context=False)


@register.simple_tag(takes_context=True)
def registry_app_list(context):
    return mark_safe(app_list_html(context.get("app_list"), context.get("show_changelinks"), context.get("request")))
