"""The data-feed role at the gate: `Authorization: Feed <secret>` for the feed, and nothing else for its users.

A data-feed user (group `data_feed`) holds FeedTokens issued in the admin; only the secret's SHA-256 digest
is stored. Three rules keep such a user to the feed and only the feed:

- `FeedTokenAuthentication` is one of the API's default authentication classes, so it sees every API request.
  A `Feed` header on a view that is not a feed view (`feed_view = True`) is refused with 403 there, before any
  permission class of the view runs: one rule, whatever permission classes a view sets.
- `NoDataFeedLoginBackend` replaces Django's ModelBackend: a data-feed user cannot log in to the web pages,
  the admin or `POST /api/v1/auth/token/`, so they have no session and no ordinary token to go around it.
  (It also loads a session's user with the inbox's unread count, for the page header, in the same query.)
- `IsDataFeedCaller` is the feed views' permission: a caller authenticated by a feed token, nobody else.
"""

import hashlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from villages.models import DATA_FEEDS, FeedToken
from villages.selectors.inbox import with_unread_count

KEYWORD = "Feed"
# `last_used_at` is written at most this often per token: a busy feed does not write the token row each request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

NOT_A_FEED_VIEW = _("A data-feed token may only post to /api/v1/feed/; it has no other rights.")


def feed_key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_data_feed_user(user) -> bool:
    """Whether `user` belongs to the data-feed role (the group, checked through the prefetched groups if any)."""
    if user is None or not getattr(user, "pk", None):
        return False
    return user.groups.filter(name=DATA_FEEDS).exists()


class FeedTokenAuthentication(BaseAuthentication):
    """`Authorization: Feed <secret>`: the token's user, refused (401) when unknown, expired or revoked."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() != KEYWORD.lower():
            return None
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if not getattr(view, "feed_view", False):
            raise exceptions.PermissionDenied(NOT_A_FEED_VIEW)
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the data-feed token as 'Authorization: Feed <secret>', with no spaces in the secret."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The data-feed token is not valid.")) from None
        token = (
            FeedToken.objects.select_related("user").filter(key_digest=feed_key_digest(secret)).first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("The data-feed token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This data-feed token was revoked on %(date)s; ask the registry for a new one.")
                % {"date": formats.date_format(timezone.localtime(token.revoked_at).date())})
        if not token.is_usable():
            raise exceptions.AuthenticationFailed(
                _("This data-feed token expired on %(date)s; ask the registry for a new one.")
                % {"date": formats.date_format(token.expires_on)})
        if not token.user.is_active or not is_data_feed_user(token.user):
            raise exceptions.AuthenticationFailed(
                _("The holder of this data-feed token is no longer a data-feed user."))
        self._note_use(token)
        return token.user, token

    @staticmethod
    def _note_use(token: FeedToken) -> None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now

    def authenticate_header(self, request):
        return KEYWORD


class IsDataFeedCaller(BasePermission):
    """Only a caller authenticated by a data-feed token (ordinary tokens and sessions of any role are refused)."""

    message = _("Only a data-feed token may use the feed (send 'Authorization: Feed <secret>').")

    def has_permission(self, request, view):
        return isinstance(request.auth, FeedToken)


class NoDataFeedLoginBackend(ModelBackend):
    """Django's model backend, except that data-feed users never log in (web, admin, API token)."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not is_data_feed_user(user)

    def get_user(self, user_id):
        # A session exists only after a login, which `user_can_authenticate` refuses to data-feed users: reading
        # the session's user again asks only whether the account is active, not for its groups. The header shows
        # the inbox's unread count on every page: read with the user's row, it costs no query.
        user = with_unread_count(get_user_model()._default_manager.filter(pk=user_id)).first()
        return user if user is not None and ModelBackend.user_can_authenticate(self, user) else None


class FeedTokenScheme(OpenApiAuthenticationExtension):
    """The feed's security scheme in the OpenAPI schema."""

    target_class = FeedTokenAuthentication
    name = "feedToken"

    def get_security_requirement(self, auto_schema):
        # Listed on the feed's operations only: on every other one a feed token is refused.
        return {self.name: []} if getattr(auto_schema.view, "feed_view", False) else None

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("A data-feed token issued in the admin, sent as 'Feed <secret>'.")),
        }
