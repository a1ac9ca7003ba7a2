"""The catalogue of column headers shared by imports and exports: each declared once, its Chinese from the .po.

A header is one translatable English text; its Chinese is the translation catalogue's, so a template, an
export and the header matching of an upload all say the same words. Headers carry the message context
"column header" because several of their English texts are already model labels translated differently
("Village" is 村 as a label, 村名 as a column), and the columns must keep the words users' files are filled
in with. The service network declares its own headers in `rural_services.headers` the same way.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

ENGLISH = "en"
CHINESE = "zh-hans"


@dataclass(frozen=True)
class Header:
    """A column's header: one lazily translated text, written in English or in Chinese."""

    text: Promise

    @property
    def english(self) -> str:
        with translation.override(ENGLISH):
            return str(self.text)

    @property
    def chinese(self) -> str:
        with translation.override(CHINESE):
            return str(self.text)

    def in_language(self, language: str | None) -> str:
        """The header in a language code ("zh", "zh-hans", "en"); English for any language but Chinese."""
        return self.chinese if (language or "").startswith("zh") else self.english

    def in_active_language(self) -> str:
        return self.in_language(translation.get_language())


VILLAGE_CODE = Header(pgettext_lazy("column header", "Village code"))
VILLAGE_NAME = Header(pgettext_lazy("column header", "Village"))
NAME = Header(pgettext_lazy("column header", "Name"))
TOWNSHIP_CODE = Header(pgettext_lazy("column header", "Township code"))
TOWNSHIP = Header(pgettext_lazy("column header", "Township"))
COMMITTEE_TYPE = Header(pgettext_lazy("column header", "Committee type"))
HOUSEHOLDS = Header(pgettext_lazy("column header", "Households"))
POPULATION = Header(pgettext_lazy("column header", "Population"))
URBAN_RURAL_CODE = Header(pgettext_lazy("column header", "Urban-rural code"))
LATITUDE = Header(pgettext_lazy("column header", "Latitude"))
LONGITUDE = Header(pgettext_lazy("column header", "Longitude"))
MAIN_PRODUCTS = Header(pgettext_lazy("column header", "Main products"))

PLATFORM = Header(pgettext_lazy("column header", "Platform"))
SHOP_ID = Header(pgettext_lazy("column header", "Shop ID"))
SHOP_NAME = Header(pgettext_lazy("column header", "Shop name"))
CATEGORY = Header(pgettext_lazy("column header", "Category"))
# A shop "opens" (开店) where a service site "opens for business" (开业): same English, another context.
SHOP_OPENED_ON = Header(pgettext_lazy("shop column header", "Opened on"))
SHOP_CLOSED_ON = Header(pgettext_lazy("shop column header", "Closed on"))
SALES = Header(pgettext_lazy("column header", "Sales (RMB yuan)"))
ORDERS_LAST_3_MONTHS = Header(pgettext_lazy("column header", "Orders in the last 3 months"))
DAYS_OPEN = Header(pgettext_lazy("column header", "Days open"))

YEAR = Header(pgettext_lazy("column header", "Year"))
ECOMMERCE_SALES = Header(pgettext_lazy("column header", "E-commerce sales (RMB yuan)"))
ACTIVE_SHOPS = Header(pgettext_lazy("column header", "Active shops"))
STATUS = Header(pgettext_lazy("column header", "Status"))
SUBMITTED_AT = Header(pgettext_lazy("column header", "Submitted at"))
REVIEWED_AT = Header(pgettext_lazy("column header", "Reviewed at"))
QUALIFIED = Header(pgettext_lazy("column header", "Qualified"))
SCORE = Header(pgettext_lazy("column header", "Score"))
