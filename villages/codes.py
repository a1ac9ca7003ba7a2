"""The 12-digit statistical division code (PPCCDD TTT VVV) and what its digits say, as pure functions."""

import re
from dataclasses import dataclass

VILLAGE_CODE_RE = re.compile(r"^\d{12}$")
DIVISION_CODE_RE = re.compile(r"^(\d{6}|\d{9})$")

PROVINCE = "province"
PREFECTURE = "prefecture"
COUNTY = "county"
TOWNSHIP = "township"

NEIGHBOURHOOD_COMMITTEE = "neighbourhood_committee"
VILLAGE_COMMITTEE = "village_committee"
OTHER_UNIT = "other"

SUBDISTRICT = "subdistrict"
TOWN = "town"
TOWNSHIP_UNIT = "township"
OTHER_TOWNSHIP_UNIT = "other"

# Economic regions of the National Bureau of Statistics, by two-digit province code.
ECONOMIC_REGIONS = {
    "east": ("11", "12", "13", "31", "32", "33", "35", "37", "44", "46"),
    "central": ("14", "34", "36", "41", "42", "43"),
    "west": ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"),
    "northeast": ("21", "22", "23"),
}
REGION_OF_PROVINCE = {prefix: region for region, prefixes in ECONOMIC_REGIONS.items() for prefix in prefixes}


def is_village_code(code: str) -> bool:
    return isinstance(code, str) and bool(VILLAGE_CODE_RE.match(code))


def committee_type_of(village_code: str) -> str:
    """Digits 10-12: 001-199 neighbourhood committee (urban), 200-399 village committee (rural), 400+ other."""
    unit = int(village_code[9:12])
    if 1 <= unit <= 199:
        return NEIGHBOURHOOD_COMMITTEE
    if 200 <= unit <= 399:
        return VILLAGE_COMMITTEE
    return OTHER_UNIT


def township_kind_of(township_code: str) -> str:
    """Digits 7-9: 001-099 subdistrict, 100-199 town, 200-399 township, 400+ other units."""
    unit = int(township_code[6:9])
    if unit <= 99:
        return SUBDISTRICT
    if unit <= 199:
        return TOWN
    if unit <= 399:
        return TOWNSHIP_UNIT
    return OTHER_TOWNSHIP_UNIT


PREFIX_LENGTH = {PROVINCE: 2, PREFECTURE: 4, COUNTY: 6, TOWNSHIP: 9}


def code_prefix(division_code: str, level: str) -> str:
    """The leading digits every code inside a division shares: ('370000', province) -> '37'."""
    return division_code[: PREFIX_LENGTH[level]]


@dataclass(frozen=True)
class VillageCode:
    """A village code split into the codes of the divisions that contain it."""

    code: str

    @property
    def province(self) -> str:
        return self.code[:2] + "0000"

    @property
    def prefecture(self) -> str:
        return self.code[:4] + "00"

    @property
    def county(self) -> str:
        return self.code[:6]

    @property
    def township(self) -> str:
        return self.code[:9]

    @property
    def committee_type(self) -> str:
        return committee_type_of(self.code)

    @property
    def economic_region(self) -> str:
        return REGION_OF_PROVINCE.get(self.code[:2], "")


def prefix_upper_bound(prefix: str) -> str | None:
    """The first digit string after every string that starts with `prefix`; None when nothing comes after.

    `code >= prefix AND code < bound` is the prefix filter as a range, which an ordinary B-tree index serves
    under any collation (a LIKE 'prefix%' needs a pattern index, and then cannot serve ORDER BY code). Trailing
    nines carry and are dropped, never rolled over to zeros: '371721999' -> '371722' (with '371722000' as the
    bound, the county code '371722' itself would lie inside the township's range); '37' -> '38'; '99' -> None.
    """
    carried = prefix.rstrip("9")
    if not carried:
        return None
    return carried[:-1] + str(int(carried[-1]) + 1)
