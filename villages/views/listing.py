"""List pages: one page of what the user's filters keep, with what the filter form and the page links need."""

from django.core.paginator import Paginator


def filtered_list_context(request, filterset, page_size: int) -> dict:
    """The `filter`, the requested `page` of its rows (none while its input is invalid) and the `query` it came with.

    The query string leaves out the page number, so that each page link (includes/pagination.html) adds its own.
    """
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": filterset,
        "page": Paginator(rows, page_size).get_page(request.GET.get("page")),
        "query": query.urlencode(),
    }
