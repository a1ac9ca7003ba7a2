"""Money in whole yuan: what a clerk types parsed to an integer, and the one way every page and e-mail shows it.

Clerks type amounts as they write them on paper: "1,200,000", "1 200 000", full-width "１２０００００" from a
Chinese input method, sometimes with a trailing 元. All of these are the same whole number of yuan; anything
else (letters, a misplaced separator, a fraction of a yuan) is refused with a message, never guessed at.

Shown amounts follow one rule per language. Chinese readers count large sums in 万元 (ten thousand yuan), but
"0.02 万元" for a 200-yuan shop hides the number, so amounts below 10,000 yuan stay in yuan ("8,500 元").
English readers get "RMB 1,200,000".
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

TEN_THOUSAND = 10_000
MILLION = 1_000_000

# Full-width digits and punctuation of Chinese input methods, and the spaces people group digits with.
FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－＋　", "0123456789,.-+ ")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$")
_SPACE_GROUPED = re.compile(r"^[0-9]{1,3}( [0-9]{3})+$")
_PLAIN = re.compile(r"^[0-9]+$")

NOT_AN_AMOUNT = gettext_lazy(
    "Enter an amount in whole yuan, e.g. 1200000 or 1,200,000 (full-width digits are accepted)."
)
NOT_WHOLE_YUAN = gettext_lazy("Enter whole yuan, without fractions of a yuan.")


def parse_yuan(text) -> int | None:
    """The whole number of yuan `text` says; None when it is empty; ValidationError when it is no amount.

    Integers pass through, so a form field can call it on an already-parsed value.
    """
    if text is None:
        return None
    if isinstance(text, int):
        return text
    cleaned = str(text).translate(FULL_WIDTH).strip()
    if cleaned.endswith("元"):
        cleaned = cleaned[:-1].strip()
    if not cleaned:
        return None
    sign = ""
    if cleaned[0] in "+-":
        sign, cleaned = cleaned[0], cleaned[1:].strip()
    whole, dot, fraction = cleaned.partition(".")
    whole = _SPACES.sub(" ", whole)
    if not (_PLAIN.match(whole) or _GROUPED.match(whole) or _SPACE_GROUPED.match(whole)):
        raise ValidationError(NOT_AN_AMOUNT, code="invalid")
    if dot:
        if not _PLAIN.match(fraction):
            raise ValidationError(NOT_AN_AMOUNT, code="invalid")
        if int(fraction):
            raise ValidationError(NOT_WHOLE_YUAN, code="fraction")
    try:
        return int(Decimal(sign + whole.replace(",", "").replace(" ", "")))
    except InvalidOperation as error:  # pragma: no cover – the patterns above admit only digits
        raise ValidationError(NOT_AN_AMOUNT, code="invalid") from error


def in_chinese() -> bool:
    """Whether the active language is Chinese (amounts in 万元, lists joined with 、)."""
    return (get_language() or "").lower().startswith("zh")


def grouped_number(value, decimal_pos=None) -> str:
    """A number with the language's thousands separators."""
    return number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


def trimmed_decimal(value: Decimal, places: int) -> str:
    """A decimal rounded to at most `places`, without trailing zeros, with thousands separators."""
    text = grouped_number(round(Decimal(value), places), decimal_pos=places)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_yuan(amount, *, places: int = 2) -> str:
    """An amount of yuan for reading: "1,180 万元" / "8,500 元" in Chinese, "RMB 11,800,000" in English; – if empty.

    `places` is how many decimals of 万元 Chinese readers see (2 in tables, 1 in sentences).
    """
    if amount is None or amount == "":
        return "–"
    amount = Decimal(amount)
    if in_chinese():
        if abs(amount) < TEN_THOUSAND:
            return _("RMB %(amount)s") % {"amount": grouped_number(int(amount))}
        return _("%(amount)s 万元") % {"amount": trimmed_decimal(amount / TEN_THOUSAND, places)}
    return _("RMB %(amount)s") % {"amount": grouped_number(int(amount))}


def format_yuan_rounded(amount) -> str:
    """A rounded amount for sentences: "RMB 1.4 million" / "140 万元"; below 10,000 yuan exact in both."""
    amount = Decimal(amount or 0)
    if in_chinese():
        return format_yuan(amount, places=1)
    if abs(amount) >= MILLION:
        return _("RMB %(amount)s million") % {"amount": trimmed_decimal(amount / MILLION, 1)}
    return _("RMB %(amount)s") % {"amount": grouped_number(int(amount))}
