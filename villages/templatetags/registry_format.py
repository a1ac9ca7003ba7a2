"""Filters that print numbers, money and assessment gaps the way each language's readers expect."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from villages.models import Village
from villages.money import format_yuan, format_yuan_rounded, grouped_number, in_chinese, trimmed_decimal

register = template.Library()


@register.filter
def number(value):
    """An integer or decimal with the language's thousands separators; empty stays empty."""
    if value is None or value == "":
        return "–"
    return grouped_number(value)


@register.filter
def money(value):
    """Yuan as `villages.money.format_yuan` shows them everywhere: 万元 (yuan below 10,000) or RMB with separators."""
    return format_yuan(value)


@register.filter
def money_short(value):
    """A rounded amount for sentences: 'RMB 1.4 million' / '140 万元'."""
    return format_yuan_rounded(value)


def _check(checks, key):
    return next((check for check in checks or () if check.get("key") == key), None)


@register.filter
def gap_in_words(checks):
    """What a village still lacks, in one sentence, from an assessment's checks; empty when it qualified."""
    location, sales, shops = _check(checks, "location"), _check(checks, "sales"), _check(checks, "shops")
    if location and not location.get("passed"):
        return _("This kind of village-level unit does not count under the criteria of this year.")
    parts = []
    if sales and not sales.get("passed"):
        parts.append(_("%(amount)s more sales") % {"amount": money_short(sales.get("gap"))})
    if shops and not shops.get("passed"):
        count_gap = max(0, int(shops.get("required") or 0) - int(shops.get("actual") or 0))
        shops_text = _("%(count)s more active shops") % {"count": grouped_number(count_gap)}
        share_gap = shops.get("share_gap")
        if share_gap:
            shops_text = _("%(shops)s, or %(points)s percentage points more of households with an active shop") % {
                "shops": shops_text,
                "points": trimmed_decimal(Decimal(str(share_gap)), 1),
            }
        parts.append(shops_text)
    if not parts:
        return ""
    if len(parts) == 1:
        return _("Needs %(what)s.") % {"what": parts[0]}
    return _("Needs %(first)s, and %(second)s.") % {"first": parts[0], "second": parts[1]}


CHECK_LABELS = {
    "location": lambda: _("Location (type of village-level unit)"),
    "sales": lambda: _("Annual e-commerce sales"),
    "shops": lambda: _("Active online shops"),
}


@register.filter
def check_label(key):
    label = CHECK_LABELS.get(key)
    return label() if label else key


@register.filter
def location_in_words(check):
    """The location check's figure: the committee type of the year, and for a neighbourhood committee let in
    by its earlier certification, that year ("neighbourhood committee, certified in 2019: still eligible")."""
    committee_type = dict(Village.CommitteeType.choices).get(check.get("actual"), check.get("actual"))
    certified_in = check.get("certified_in")
    if certified_in is None:
        return committee_type
    return _("%(type)s, certified in %(year)s: still eligible") % {"type": committee_type, "year": certified_in}


@register.filter
def check_value(value, key):
    """A check's actual or required value in words: money for sales, a count for shops, types for location."""
    names = dict(Village.CommitteeType.choices)
    if key == "sales":
        return money(value)
    if key == "location":
        if isinstance(value, list | tuple):
            separator = "、" if in_chinese() else ", "
            return separator.join(str(names.get(item, item)) for item in value)
        return names.get(value, value)
    return number(value)
