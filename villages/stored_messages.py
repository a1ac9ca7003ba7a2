"""Messages kept as their catalogue entry (msgid) and values, rendered in the reader's language when read.

An import job is read long after it ran, by people who speak another language than its uploader, so its
messages are not stored as finished sentences: `freeze(text, params)` turns a lazily translated text (a
`gettext_lazy` / `pgettext_lazy` / `ngettext_lazy` / `npgettext_lazy` promise, which is how Django's validators
and this project declare their messages) and its values into plain JSON, and `render(stored)` translates it
again in the active language (a plural one in the form its count asks for). A text that is no promise (or an
old record that holds only a sentence) is kept and shown as it is.
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, npgettext, pgettext

MSGID, CONTEXT, PARAMS, TEXT = "msgid", "context", "params", "text"
# Plural messages (`ngettext_lazy`, `npgettext_lazy`: Django's length and digit validators): both forms, and the
# count itself or the name of the parameter that holds it.
PLURAL, NUMBER, NUMBER_PARAM = "plural", "number", "number_param"


def _plural_entry(function, number, kwargs) -> dict | None:
    """The entry of a lazy plural message: its forms, and its count or the parameter that will hold it."""
    name = getattr(function, "__name__", "")
    if name not in ("ngettext", "npgettext") or not {"singular", "plural"} <= set(kwargs):
        return None
    entry = {MSGID: str(kwargs["singular"]), PLURAL: str(kwargs["plural"])}
    if name == "npgettext":
        if "context" not in kwargs:
            return None
        entry[CONTEXT] = str(kwargs["context"])
    if isinstance(number, int):
        entry[NUMBER] = number
    elif isinstance(number, str):
        entry[NUMBER_PARAM] = number
    else:
        return None
    return entry


def _catalogue_entry(text) -> dict | None:
    """The (context and) msgid a lazy gettext/pgettext promise stands for, or None for anything else."""
    if not isinstance(text, Promise):
        return None
    try:
        unpickle, arguments = text.__reduce__()
        if getattr(unpickle, "__name__", "") == "_lazy_number_unpickle":
            # ngettext_lazy(singular, plural, "name"): the count comes from the values at formatting time.
            function, _result_class, number, kwargs = arguments
            return _plural_entry(function, number, kwargs)
        function, args, kwargs, *_result_classes = arguments
    except (TypeError, ValueError):
        return None
    if "number" in kwargs:
        return _plural_entry(function, kwargs["number"], kwargs)
    name = getattr(function, "__name__", "")
    if name == "gettext" and len(args) == 1:
        return {MSGID: str(args[0])}
    if name == "pgettext" and len(args) == 2:
        return {CONTEXT: str(args[0]), MSGID: str(args[1])}
    return None


def _portable(value):
    """A parameter as JSON: numbers and strings as they are, lazy texts frozen, anything else as text."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Promise):
        return freeze(value)
    if isinstance(value, Decimal | float | date | datetime):
        return str(value)
    return str(value)


def freeze(text, params: dict | None = None) -> dict:
    """A message as JSON that `render` can translate later; the finished text when it is not translatable."""
    entry = _catalogue_entry(text)
    if entry is None:
        stored = {TEXT: str(text % params if params else text)}
        return stored
    if params:
        entry[PARAMS] = {name: _portable(value) for name, value in params.items()}
    return entry


def _rendered_param(value):
    if isinstance(value, dict) and (MSGID in value or TEXT in value):
        return render(value)
    return value


def render(stored: dict | None, fallback: str = "") -> str:
    """The stored message in the active language; `fallback` (an old record's sentence) when none was stored."""
    if not stored:
        return fallback
    if MSGID not in stored:
        return str(stored.get(TEXT, fallback))
    msgid = stored[MSGID]
    params = stored.get(PARAMS)
    if PLURAL in stored:
        number = stored.get(NUMBER, (params or {}).get(stored.get(NUMBER_PARAM), 0))
        number = number if isinstance(number, int) else 0
        if CONTEXT in stored:
            translated = npgettext(stored[CONTEXT], msgid, stored[PLURAL], number)
        else:
            translated = ngettext(msgid, stored[PLURAL], number)
        msgid = msgid if number == 1 else stored[PLURAL]
    else:
        translated = pgettext(stored[CONTEXT], msgid) if CONTEXT in stored else gettext(msgid)
    if not params:
        return translated
    try:
        return translated % {name: _rendered_param(value) for name, value in params.items()}
    except (KeyError, TypeError, ValueError):
        # A translation whose placeholders no longer match the stored values: the English text still does.
        return msgid % {name: _rendered_param(value) for name, value in params.items()}


def render_all(parts, fallback: str = "") -> str:
    """Several stored messages as one text in the active language (a file refused for several reasons)."""
    return " ".join(render(part) for part in parts) if parts else fallback
