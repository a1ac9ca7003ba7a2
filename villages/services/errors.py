"""The errors services raise: the conflict (illegal step, locked data, stale version: HTTP 409), and all refusals."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """The request is well formed but clashes with the record's current state; nothing was changed."""

    default_message = _("This record was changed or locked in the meantime; nothing was saved.")

    def __init__(self, message=None, *, current_version=None):
        self.message = message or self.default_message
        self.current_version = current_version
        super().__init__(str(self.message))


# Every refusal a service may answer with; the web pages, the admin and the API handler each map these in one place.
SERVICE_REFUSALS = (ValidationError, PermissionDenied, ConflictError)
