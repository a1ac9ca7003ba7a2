"""The villages app's Django admin: the registry's model admins and the import records, scoped to each user's area.

Importing this package (Django's admin autodiscovery does) registers every model admin.
"""

from villages.admin import (  # noqa: F401
    approval,
    certificates,
    conversions,
    evidence,
    feed,
    imports,
    inbox,
    mail,
    registry,
    season,
)
