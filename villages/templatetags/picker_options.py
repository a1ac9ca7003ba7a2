"""`{% picker_options options selected %}`: the `<option>` elements of one level of the division picker.

A province's list of prefectures, a county's townships: up to a few dozen options a level, four levels a page.
Written in one pass here rather than by a template loop with a comparison per option, which cost a list page
more than its table of villages.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def picker_options(options, selected):
    """`<option value="code">name</option>` for each (code, name), the one whose code is `selected` selected."""
    return mark_safe("".join(
        f'<option value="{escape(code)}"{" selected" if code == selected else ""}>{escape(name)}</option>'
        for code, name in options
    ))
