"""Page-number pagination for the API: `?page=N&page_size=M`, at most 500 rows a page."""

from rest_framework.pagination import PageNumberPagination


class RegistryPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
