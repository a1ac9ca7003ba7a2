"""The one place that decides whose data a user may see and change: roles and jurisdiction by code prefix.

Every division, village, shop, report and service point carries (or reaches) a statistical code whose leading
digits name the province, prefecture, county and township it lies in. A user's jurisdiction is the set of
code prefixes of the divisions assigned to them, so scoping any table is one range filter per prefix on its
code path (`code >= '371721' AND code < '371722'`, which the code's B-tree index serves), and an
administrator's "everything" is no filter at all. Web views, the API, the admin and the imports all call
these functions.
"""

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q, Value

from villages import codes
from villages.models import ADMINISTRATORS, COUNTY_OFFICIALS, REVIEWERS, JurisdictionAssignment

ANONYMOUS = "anonymous"
NO_ROLE = "none"

_CACHE_ATTRIBUTE = "_registry_jurisdiction"
_GROUPS_ATTRIBUTE = "_registry_group_names"


def user_role(user) -> str:
    """anonymous, county_official, reviewer, administrator, or none (logged in without a registry role)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if user.is_superuser:
        return ADMINISTRATORS
    group_names = _group_names(user)
    for role in (ADMINISTRATORS, REVIEWERS, COUNTY_OFFICIALS):
        if role in group_names:
            return role
    return NO_ROLE


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, _GROUPS_ATTRIBUTE, None)
    if cached is None:
        _load_roles(user)
        cached = getattr(user, _GROUPS_ATTRIBUTE)
    return cached


def _load_roles(user) -> None:
    """Read the user's groups and assigned divisions in one query, and cache both on the user object: a request
    that asks for the role almost always asks for the jurisdiction next."""
    groups = (
        Group.objects.filter(user=user)
        .annotate(kind=Value("group"), level=Value(""))
        .order_by()
        .values_list("kind", "name", "level")
    )
    divisions = (
        JurisdictionAssignment.objects.filter(user=user)
        .annotate(kind=Value("division"))
        .order_by()
        .values_list("kind", "division__code", "division__level")
    )
    group_names, prefixes = [], []
    for kind, name, level in groups.union(divisions, all=True):
        if kind == "group":
            group_names.append(name)
        else:
            prefixes.append(codes.code_prefix(name, level))
    setattr(user, _GROUPS_ATTRIBUTE, frozenset(group_names))
    setattr(user, _CACHE_ATTRIBUTE, tuple(sorted(prefixes)))


def is_administrator(user) -> bool:
    return user_role(user) == ADMINISTRATORS


def may_enter_data(user) -> bool:
    """County officials and administrators enter figures (forms, uploads, imports); reviewers never do.

    Reviewers approve what the counties report: if they could also change the figures, one person could both
    write and approve a village's numbers, and the review would check nothing.
    """
    return user_role(user) in (COUNTY_OFFICIALS, ADMINISTRATORS)


def may_review_reports(user) -> bool:
    """Reviewers and administrators have a review queue; whose reports they may act on is `may_review`."""
    return user_role(user) in (REVIEWERS, ADMINISTRATORS)


def jurisdiction_prefixes(user) -> tuple[str, ...] | None:
    """The code prefixes of the user's divisions; None means everything (administrators)."""
    role = user_role(user)
    if role == ADMINISTRATORS:
        return None
    if role not in (COUNTY_OFFICIALS, REVIEWERS):
        return ()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        _load_roles(user)
        cached = getattr(user, _CACHE_ATTRIBUTE)
    return cached


def forget_cached_jurisdiction(user) -> None:
    """Drop what was cached on the user object, after its groups or assignments changed (the services call it)."""
    for attribute in (_CACHE_ATTRIBUTE, _GROUPS_ATTRIBUTE):
        if hasattr(user, attribute):
            delattr(user, attribute)


def code_prefix_q(code_path: str, prefix: str) -> Q:
    """Rows whose code (reached through `code_path`) starts with the digits `prefix`, as a range on the code."""
    bound = codes.prefix_upper_bound(prefix)
    if bound is None:
        return Q(**{f"{code_path}__gte": prefix})
    return Q(**{f"{code_path}__gte": prefix, f"{code_path}__lt": bound})


def outermost_prefixes(prefixes) -> list[str]:
    """The prefixes that no other one contains: a province makes the counties inside it redundant."""
    kept = []
    for prefix in sorted(set(prefixes)):
        if not (kept and prefix.startswith(kept[-1])):
            kept.append(prefix)
    return kept


def scope_q(user, code_path: str) -> Q | None:
    """A filter keeping the rows whose code (reached through `code_path`) lies in the user's jurisdiction.

    None means everything (administrators): callers apply no filter at all, because any stand-in condition
    (`id IS NOT NULL`, or it OR-ed with a public filter) is one the planner must estimate and evaluate row by
    row. `in_jurisdiction` does this for a queryset.
    """
    prefixes = jurisdiction_prefixes(user)
    if prefixes is None:
        return None
    if not prefixes:
        return Q(pk__in=[])
    return reduce(or_, (code_prefix_q(code_path, prefix) for prefix in outermost_prefixes(prefixes)))


def in_jurisdiction(queryset, user, code_path: str):
    """`queryset` narrowed to the user's jurisdiction by `code_path`; unchanged for administrators."""
    in_scope = scope_q(user, code_path)
    return queryset if in_scope is None else queryset.filter(in_scope)


def code_in_scope(user, code: str) -> bool:
    """Whether a single code (village, township, county, …) lies in the user's jurisdiction."""
    prefixes = jurisdiction_prefixes(user)
    if prefixes is None:
        return True
    return code.startswith(prefixes)


def may_edit_registry(user, code: str) -> bool:
    """County officials edit figures in their counties; administrators everywhere; reviewers never."""
    return may_enter_data(user) and code_in_scope(user, code)


def may_review(user, code: str) -> bool:
    """Reviewers act on reports in their prefectures or provinces; administrators everywhere."""
    role = user_role(user)
    if role == ADMINISTRATORS:
        return True
    return role == REVIEWERS and code_in_scope(user, code)


def covering_assignments_q(code: str, path: str = "") -> Q:
    """Jurisdiction assignments whose division contains `code`: its province, prefecture or county."""
    parsed = codes.VillageCode(code)
    return (
        Q(**{f"{path}division__code": parsed.province, f"{path}division__level": codes.PROVINCE})
        | Q(**{f"{path}division__code": parsed.prefecture, f"{path}division__level": codes.PREFECTURE})
        | Q(**{f"{path}division__code": parsed.county, f"{path}division__level": codes.COUNTY})
    )


def users_responsible_for(code: str, role: str):
    """Active users holding `role` whose assigned divisions contain the village `code` (for notifications)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role)
        .filter(pk__in=JurisdictionAssignment.objects.filter(covering_assignments_q(code)).values("user_id"))
        .order_by("username")
    )


def review_levels(user, code: str) -> frozenset[str]:
    """At which levels of the approval chain the user reviews `code`: PREFECTURE, PROVINCE, both, or none.

    A reviewer assigned the code's province reviews it at the province's level; one assigned its prefecture (or
    a smaller division) at the first level. Administrators act at every level. No query beyond the cached
    assignments; in a province with a single level either one approves (`villages.services.reports`).
    """
    role = user_role(user)
    if role == ADMINISTRATORS:
        return frozenset((codes.PROVINCE, codes.PREFECTURE))
    if role != REVIEWERS:
        return frozenset()
    province_length = codes.PREFIX_LENGTH[codes.PROVINCE]
    return frozenset(
        codes.PROVINCE if len(prefix) == province_length else codes.PREFECTURE
        for prefix in jurisdiction_prefixes(user)
        if code.startswith(prefix)
    )


def review_level_scope_q(user, level: str, code_path: str) -> Q | None:
    """Rows whose code lies in the user's divisions reviewed at `level` (see `review_levels`); None: all."""
    prefixes = jurisdiction_prefixes(user)
    if prefixes is None:
        return None
    province_length = codes.PREFIX_LENGTH[codes.PROVINCE]
    kept = [p for p in prefixes if (len(p) == province_length) == (level == codes.PROVINCE)]
    if not kept:
        return Q(pk__in=[])
    return reduce(or_, (code_prefix_q(code_path, prefix) for prefix in outermost_prefixes(kept)))
