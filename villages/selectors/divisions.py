"""Divisions for pickers and filters: the children of a division by code prefix, a name search for townships, and
whether a code is a known division."""

import logging

from django.core.cache import cache
from django.db.models import Q, Value
from redis.exceptions import RedisError

from villages import codes
from villages.models import Division, Village
from villages.selectors.jurisdiction import code_prefix_q, jurisdiction_prefixes, may_enter_data, scope_q

CHILD_LEVEL = {
    codes.PROVINCE: codes.COUNTY,
    codes.PREFECTURE: codes.COUNTY,
    codes.COUNTY: codes.TOWNSHIP,
}
SEARCH_LIMIT = 20
# How long a code found among the divisions is remembered in the shared cache (the official list changes once a
# year). An unknown code is looked up every time, so that a division just added is known at once; a division
# removed meanwhile reads as known for at most this long, and its list is empty.
KNOWN_DIVISION_SECONDS = 3600

logger = logging.getLogger(__name__)


def division_known(code: str, level: str | None = None) -> bool:
    """Whether a division with this code (of this level, when one is given) exists: the shared cache's answer
    when the code was found before, else the database's. A filter of a list asks it on each request."""
    key = f"division-known:{level or 'any'}:{code}"
    try:
        if cache.get(key):
            return True
    except RedisError:
        logger.warning("Shared cache unreachable: the division is looked up in the database", exc_info=True)
    known = Division.objects.filter(code=code)
    if level:
        known = known.filter(level=level)
    if not known.exists():
        return False
    try:
        cache.set(key, True, KNOWN_DIVISION_SECONDS)
    except RedisError:
        logger.warning("Shared cache unreachable: a known division is not remembered", exc_info=True)
    return True


def provinces():
    return Division.objects.filter(level=codes.PROVINCE).order_by("code")


def divisions_within(code: str, level: str):
    """Divisions of `level` inside the division `code` (counties of a province skip the prefecture level)."""
    parent = Division.objects.filter(code=code).only("code", "level").first()
    if parent is None or parent.level == codes.TOWNSHIP:
        return Division.objects.none()
    return Division.objects.filter(code_prefix_q("code", parent.code_prefix), level=level).order_by("code")


def townships_matching(text: str, within: str = "", *, user=None):
    """Townships whose name or code contains `text`, with their county, for the village form's search.

    With `user`, only townships they may enter data in (`usable_divisions_q`)."""
    text = text.strip()
    if not text:
        return Division.objects.none()
    townships = Division.objects.filter(level=codes.TOWNSHIP).filter(
        Q(name__contains=text) | (code_prefix_q("code", text) if text.isdigit() else Q(pk__in=[]))
    )
    if within.isdigit():
        townships = townships.filter(code_prefix_q("code", within))
    if user is not None:
        usable = usable_divisions_q(user)
        if usable is not None:
            townships = townships.filter(usable)
    return townships.select_related("parent__parent").order_by("code")[:SEARCH_LIMIT]


PICKER_LEVELS = (codes.PROVINCE, codes.PREFECTURE, codes.COUNTY, codes.TOWNSHIP)


def usable_divisions_q(user) -> Q | None:
    """Divisions a data-entry picker offers `user`: inside their jurisdiction, or leading down to it; none to
    a user who does not enter data (a reviewer).

    A county official is offered their county's townships and, to reach them, the county's prefecture and
    province, never a neighbouring county. None: everything (administrators). The rule is the jurisdiction's
    own (`scope_q`), read from `selectors.jurisdiction`, so the picker never suggests what a save would refuse.
    """
    if not may_enter_data(user):
        return Q(pk__in=[])
    inside = scope_q(user, "code")
    if inside is None:
        return None
    leading_down = set()
    for prefix in jurisdiction_prefixes(user) or ():
        for length in (2, 4, 6):
            if len(prefix) > length:
                leading_down.add(prefix[:length].ljust(6, "0"))
    return inside | Q(code__in=sorted(leading_down))


def picker_options(level: str, *, parent: str = "", user=None):
    """The divisions of `level` a picker offers under the division `parent` (provinces need none).

    Children are found by their parent, not by code digits, so irregular trees work: Beijing's districts hang
    straight under the province, Dongguan's towns straight under the prefecture. With `user`, only what
    `usable_divisions_q` allows.
    """
    divisions = Division.objects.filter(level=level)
    if level != codes.PROVINCE:
        if not parent:
            return Division.objects.none()
        divisions = divisions.filter(parent_id=parent)
    if user is not None:
        usable = usable_divisions_q(user)
        if usable is not None:
            divisions = divisions.filter(usable)
    return divisions.order_by("code")


def _chosen_chain(selected: dict) -> dict[str, str]:
    """The chosen division of each level, read from the deepest code chosen and its parents in the registry."""
    for level in reversed(PICKER_LEVELS):
        code = str(selected.get(level) or "").strip()
        if code.isascii() and code.isdigit():
            break
    else:
        return {}
    division = Division.objects.filter(code=code).select_related("parent__parent__parent").first()
    chain = {}
    while division is not None:
        chain[division.level] = division.code
        division = division.parent
    return chain


def picker_choices(selected: dict, user=None) -> dict:
    """Options and choices of the province → prefecture → county → township selects.

    `selected` holds chosen codes by level (a form's township after a validation error, a list's filters); the
    deepest one decides the levels above it. Each level lists the children of the deepest division chosen
    above it. With `user` (a data-entry form), only what the user may use is offered, and a level with a single
    option is chosen for them: a one-county official starts at the county's townships, not at 33 provinces.
    """
    chain = _chosen_chain(selected)
    # Every level whose parent the chosen chain names is read in one query; a level whose parent is known only
    # once the level above is read (its single option, chosen for the user) costs a query of its own.
    parents = {codes.PROVINCE: ""}
    for above, level in zip(PICKER_LEVELS, PICKER_LEVELS[1:], strict=False):
        if not chain.get(above):
            break
        parents[level] = chain[above]
    read_together = _options_of_levels(parents, user)
    options, chosen = {}, {}
    parent = ""
    for level in PICKER_LEVELS:
        if parents.get(level) == parent:
            rows = read_together[level]
        else:
            rows = list(picker_options(level, parent=parent, user=user).values_list("code", "name"))
        options[level] = rows
        offered = {code for code, _name in rows}
        if chain.get(level) in offered:
            chosen[level] = chain[level]
        elif user is not None and len(rows) == 1 and level != codes.TOWNSHIP:
            chosen[level] = rows[0][0]
        if level in chosen:
            parent = chosen[level]
        elif chain.get(level):
            break
    return {
        "provinces": options.get(codes.PROVINCE, []),
        "prefectures": options.get(codes.PREFECTURE, []),
        "counties": options.get(codes.COUNTY, []),
        "townships": options.get(codes.TOWNSHIP, []),
        "selected": chosen,
    }


def _options_of_levels(parents: dict[str, str], user) -> dict[str, list]:
    """`picker_options` of several levels at once ({level: parent}), as {level: [(code, name)]} (one query)."""
    levels = [
        picker_options(level, parent=parent, user=user).annotate(picker_level=Value(level)).order_by()
        for level, parent in parents.items()
    ]
    read = {level: [] for level in parents}
    for level, code, name in sorted(
        levels[0].union(*levels[1:], all=True).values_list("picker_level", "code", "name"), key=lambda row: row[1]
    ):
        read[level].append((code, name))
    return read


FREE_CODES_OFFERED = {codes.VILLAGE_COMMITTEE: (range(200, 400), 5), codes.NEIGHBOURHOOD_COMMITTEE: (range(1, 200), 3)}


def township_code_options(township: str) -> dict:
    """What the village form offers for a township's code: its registered villages, and its first free codes.

    The registry's villages are the national list once `import_villages` has loaded it (NBS 2023, the last
    edition with village codes), so a code that is not taken is one the list never gave: a village created
    since, for which the county picks the next free number of the right kind (2xx for a village committee).
    One query, whatever the number of villages (a township has a few hundred codes at most).
    """
    registered = list(
        Village.objects.filter(township_id=township).order_by("code").values_list("code", "name")
    )
    taken = {int(code[9:]) for code, _name in registered}
    free = {}
    for kind, (numbers, wanted) in FREE_CODES_OFFERED.items():
        free[kind] = [f"{number:03d}" for number in numbers if number not in taken][:wanted]
    return {
        "township": township,
        "registered": [{"code": code, "suffix": code[9:], "name": name} for code, name in registered],
        "free": free,
    }
