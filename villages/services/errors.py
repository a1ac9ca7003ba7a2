"""The conflict error that services raise for illegal workflow steps, locked data and stale versions (HTTP 409)."""

from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """The request is well formed but clashes with the record's current state; nothing was changed."""

    default_message = _("This record was changed or locked in the meantime; nothing was saved.")

    def __init__(self, message=None, *, current_version=None):
        self.message = message or self.default_message
        self.current_version = current_version
        super().__init__(str(self.message))
