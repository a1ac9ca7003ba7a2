"""The API's JSON parser: DRF's, with a nesting limit, so that deep input is a 400 and never a RecursionError."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Far above any body the API takes (a feed batch is four levels deep). Python's own json module gives up at a
# depth that depends on how much of the stack is already in use, so the same body could parse in one view and
# crash another; a fixed limit gives the same answer everywhere.
MAX_DEPTH = 32


def nesting_depth_exceeds(value, limit: int) -> bool:
    """Whether lists and objects in `value` nest deeper than `limit`, walked without recursion."""
    pending = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def too_deep_message() -> str:
    return _("The JSON is nested more than %(limit)s levels deep.") % {"limit": MAX_DEPTH}


class RegistryJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep_message()) from None
        if nesting_depth_exceeds(data, MAX_DEPTH):
            raise ParseError(too_deep_message())
        return data
