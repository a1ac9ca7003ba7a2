"""`{% registry_result_list cl %}`: Django's `{% result_list cl %}` with the rows of `villages.admin.result_rows`.

templates/admin/change_list.html uses it in place of Django's tag, for every change list of the admin.
"""

from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template import Library

from villages.admin.result_rows import result_list

register = Library()


@register.tag(name="registry_result_list")
def registry_result_list(parser, token):
    return InclusionAdminNode(parser, token, func=result_list, template_name="change_list_results.html",
                              takes_context=False)
