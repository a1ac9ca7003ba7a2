"""Filters that print numbers, money and assessment gaps the way each language's readers expect."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from villages.models import Village

register = template.Library()

TEN_THOUSAND = 10_000
MILLION = 1_000_000


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def _grouped(value, decimal_pos=None) -> str:
    return number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


def _trimmed(value: Decimal, places: int) -> str:
    """A decimal rounded to at most `places`, without trailing zeros, with thousands separators."""
    rounded = round(Decimal(value), places)
    text = _grouped(rounded, decimal_pos=places)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def number(value):
    """An integer or decimal with the language's thousands separators; empty stays empty."""
    if value is None or value == "":
        return "–"
    return _grouped(value)


@register.filter
def money(value):
    """Yuan as Chinese readers expect (万元) or English readers expect (RMB with separators)."""
    if value is None or value == "":
        return "–"
    amount = Decimal(value)
    if _chinese():
        return _("%(amount)s 万元") % {"amount": _trimmed(amount / TEN_THOUSAND, 2)}
    return _("RMB %(amount)s") % {"amount": _grouped(int(amount))}


@register.filter
def money_short(value):
    """A rounded amount for sentences: 'RMB 1.4 million' / '140 万元'."""
    amount = Decimal(value or 0)
    if _chinese():
        return _("%(amount)s 万元") % {"amount": _trimmed(amount / TEN_THOUSAND, 1)}
    if amount >= MILLION:
        return _("RMB %(amount)s million") % {"amount": _trimmed(amount / MILLION, 1)}
    return _("RMB %(amount)s") % {"amount": _grouped(int(amount))}


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
        shops_text = _("%(count)s more active shops") % {"count": _grouped(count_gap)}
        share_gap = shops.get("share_gap")
        if share_gap:
            shops_text = _("%(shops)s, or %(points)s percentage points more of households with an active shop") % {
                "shops": shops_text,
                "points": _trimmed(Decimal(str(share_gap)), 1),
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
            separator = "、" if _chinese() else ", "
            return separator.join(str(names.get(item, item)) for item in value)
        return names.get(value, value)
    return number(value)
