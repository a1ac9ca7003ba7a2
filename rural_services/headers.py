"""The service network's column headers for its imports and exports, declared like `villages.headers`."""

from django.utils.translation import pgettext_lazy

from villages.headers import Header

COUNTY_CODE = Header(pgettext_lazy("column header", "County code"))
ADDRESS = Header(pgettext_lazy("column header", "Address"))
OPENED_ON = Header(pgettext_lazy("column header", "Opened on"))
CLOSED_ON = Header(pgettext_lazy("column header", "Closed on"))
SERVICE_POINT_CODE = Header(pgettext_lazy("column header", "Service point code"))
COUNTY_CENTER = Header(pgettext_lazy("column header", "County operation centre"))
SERVICES = Header(pgettext_lazy("column header", "Services"))
PARTNER_NAME = Header(pgettext_lazy("column header", "Village partner"))
PARTNER_PHONE = Header(pgettext_lazy("column header", "Partner's mobile"))
