"""Why a village gained or lost its Taobao village status, in words, read off the checks its assessment stored.

Pure: it takes the stored checks (`Check.as_dict()` of `villages.scoring`) and the criteria versions as plain
values, and words the reason in the active language, so one assessment reads in Chinese or English alike.
Each reason also has a stable code for programs:

    gained  shops_count (enough active shops) · shops_share (a large enough share of households)
    lost    location (the committee type no longer counts) · sales · shops · sales_shops (both short)
    either  not_recorded (the assessment kept no checks)

`data_source` words where the scored figures came from, read off the assessment's `input_sources`
(`villages.reconciliation.input_sources`): always the approved declaration, and where the platforms' data
had a figure beside it, the difference — "declared, checked against platform data (sales: difference 3 %)";
an assessment without platform figures says "declared" only. Codes: declared · checked.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from villages import codes, scoring
from villages.money import format_yuan_rounded, grouped_number, trimmed_decimal

GAINED = scoring.STATUS_NEW
LOST = scoring.STATUS_LOST

REASON_SHOPS_COUNT = "shops_count"
REASON_SHOPS_SHARE = "shops_share"
REASON_LOCATION = "location"
REASON_SALES = "sales"
REASON_SHOPS = "shops"
REASON_SALES_SHOPS = "sales_shops"
REASON_NOT_RECORDED = "not_recorded"
REASON_CODES = (
    REASON_SHOPS_COUNT,
    REASON_SHOPS_SHARE,
    REASON_LOCATION,
    REASON_SALES,
    REASON_SHOPS,
    REASON_SALES_SHOPS,
    REASON_NOT_RECORDED,
)


@dataclass(frozen=True)
class VersionYears:
    """A criteria version as the reasons read it: its years and the committee types that count."""

    first_year: int
    last_year: int | None
    eligible_committee_types: tuple[str, ...]


@dataclass(frozen=True)
class StatusReason:
    code: str
    text: str


SOURCE_DECLARED = "declared"
SOURCE_CHECKED = "checked"
SOURCE_CODES = (SOURCE_DECLARED, SOURCE_CHECKED)
# The inputs the platforms' data can check, in the order they are named.
CHECKED_INPUTS = ("ecommerce_sales", "active_shops")


@dataclass(frozen=True)
class DataSource:
    """Where an assessment's figures came from: a code, the words, and each checked input's difference."""

    code: str
    text: str
    # input → (declared − platform) in % of the platform's figure; None when it has none (a platform figure 0).
    differences: dict


def excluded_since(committee_type: str, year: int, versions: list[VersionYears]) -> int | None:
    """The first year of the unbroken run of versions up to `year` under which `committee_type` does not count."""
    since = None
    for version in sorted(versions, key=lambda version: version.first_year):
        if version.first_year > year:
            break
        if committee_type in version.eligible_committee_types:
            since = None
        elif since is None:
            since = version.first_year
    return since


def _percent(value) -> str:
    """Percentage points as stored (2 decimals at most), without trailing zeros: 12, 6.25."""
    return trimmed_decimal(Decimal(str(value or 0)), 2)


def _committee_type_words(committee_type: str) -> str:
    return {
        codes.NEIGHBOURHOOD_COMMITTEE: _("a neighbourhood committee"),
        codes.VILLAGE_COMMITTEE: _("a village committee"),
    }.get(committee_type, _("another kind of village-level unit"))


def status_reason(*, change: str, year: int, checks: list[dict], versions: list[VersionYears]) -> StatusReason:
    """The reason of a gained (`new`) or lost status change, from the assessment's stored checks."""
    by_key = {check.get("key"): check for check in checks or [] if isinstance(check, dict)}
    if not {scoring.LOCATION, scoring.SALES, scoring.SHOPS} <= by_key.keys():
        return StatusReason(REASON_NOT_RECORDED, _("the assessment recorded no checks"))
    location, sales, shops = by_key[scoring.LOCATION], by_key[scoring.SALES], by_key[scoring.SHOPS]
    if change == GAINED:
        return _gained(sales, shops)
    if not location.get("passed"):
        committee_type = location.get("actual") or ""
        since = excluded_since(committee_type, year, versions) or year
        return StatusReason(
            REASON_LOCATION,
            _("lost: %(unit)s, excluded from %(year)s")
            % {"unit": _committee_type_words(committee_type), "year": since},
        )
    parts, failed = [], []
    if not sales.get("passed"):
        failed.append(REASON_SALES)
        parts.append(
            _("sales %(sales)s, %(gap)s short of %(required)s")
            % {
                "sales": format_yuan_rounded(sales.get("actual")),
                "gap": format_yuan_rounded(sales.get("gap")),
                "required": format_yuan_rounded(sales.get("required")),
            }
        )
    if not shops.get("passed"):
        failed.append(REASON_SHOPS)
        parts.append(
            _(
                "%(shops)s active shops (%(share)s %% of households), %(gap)s short of "
                "%(required)s shops or %(share_required)s %% of households"
            )
            % {
                "shops": grouped_number(int(shops.get("actual") or 0)),
                "share": _percent(shops.get("share_actual")),
                "gap": grouped_number(int(shops.get("gap") or 0)),
                "required": grouped_number(int(shops.get("required") or 0)),
                "share_required": _percent(shops.get("share_required")),
            }
        )
    if not parts:
        return StatusReason(REASON_NOT_RECORDED, _("the assessment recorded no failed check"))
    code = REASON_SALES_SHOPS if len(failed) == 2 else failed[0]
    return StatusReason(code, _("lost: %(reasons)s") % {"reasons": _("; ").join(parts)})


def _gained(sales: dict, shops: dict) -> StatusReason:
    sales_text = format_yuan_rounded(sales.get("actual"))
    if shops.get("route") == scoring.SHOP_ROUTE_SHARE:
        return StatusReason(
            REASON_SHOPS_SHARE,
            _("gained: sales %(sales)s, active shops %(share)s %% of households")
            % {"sales": sales_text, "share": _percent(shops.get("share_actual"))},
        )
    return StatusReason(
        REASON_SHOPS_COUNT,
        _("gained: sales %(sales)s, %(shops)s active shops")
        % {"sales": sales_text, "shops": grouped_number(int(shops.get("actual") or 0))},
    )


def _checked_input_words(name: str) -> str:
    return {"ecommerce_sales": _("sales"), "active_shops": _("active shops")}[name]


def data_source(input_sources) -> DataSource:
    """The words for an assessment's `input_sources`; anything not recorded as checked reads "declared"."""
    differences, parts = {}, []
    sources = input_sources if isinstance(input_sources, dict) else {}
    for name in CHECKED_INPUTS:
        source = sources.get(name)
        if not isinstance(source, dict) or source.get("check") != "checked":
            continue
        percent = source.get("difference_percent")
        if isinstance(percent, bool) or not isinstance(percent, int | float):
            percent = None
        differences[name] = percent
        words = _checked_input_words(name)
        if percent is None:
            parts.append(_("%(input)s: no percentage, the platform figure is 0") % {"input": words})
        else:
            percent_text = trimmed_decimal(Decimal(str(percent)), 1)
            parts.append(_("%(input)s: difference %(percent)s %%") % {"input": words, "percent": percent_text})
    if not parts:
        return DataSource(SOURCE_DECLARED, _("declared"), {})
    return DataSource(
        SOURCE_CHECKED,
        _("declared, checked against platform data (%(differences)s)") % {"differences": _("; ").join(parts)},
        differences,
    )
