"""Django admin of the data feed: issue tokens (the secret shown once), revoke them with a reason, read batches."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from villages.models import DATA_FEEDS, FeedBatch, FeedToken
from villages.selectors.jurisdiction import is_administrator
from villages.services.errors import ConflictError
from villages.services.feed import feed_token_check, feed_token_issue, feed_token_revoke


class FeedTokenIssueForm(forms.ModelForm):
    class Meta:
        model = FeedToken
        fields = ["user", "label", "expires_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = self.fields["user"].queryset.filter(groups__name=DATA_FEEDS)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                feed_token_check(user=cleaned.get("user"), expires_on=cleaned.get("expires_on"))
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    self.add_error(field, problems)
        return cleaned


class RevokeReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why are these tokens revoked?"), max_length=200)


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    """Administrators only. Adding a token issues it through the service; a token is never edited, only revoked."""

    form = FeedTokenIssueForm
    list_display = ["label", "user", "key_prefix", "expires_on", "revoked_at", "last_used_at", "created_at"]
    list_filter = ["expires_on", "revoked_at"]
    search_fields = ["label", "user__username", "key_prefix"]
    list_select_related = ["user"]
    actions = ["revoke_tokens"]
    readonly_fields = ["key_prefix", "revoked_at", "revoked_reason", "last_used_at", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "label", "expires_on"]
        return ["user", "label", "expires_on", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "label", "expires_on", *self.readonly_fields] if obj is not None else []

    def _administrator(self, request) -> bool:
        return is_administrator(request.user)

    def has_module_permission(self, request):
        return self._administrator(request)

    def has_view_permission(self, request, obj=None):
        return self._administrator(request)

    def has_add_permission(self, request):
        return self._administrator(request)

    def has_change_permission(self, request, obj=None):
        # The change form only shows the token; the revoke action needs the change permission.
        return self._administrator(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, secret = feed_token_issue(
            user=form.cleaned_data["user"], label=form.cleaned_data["label"],
            expires_on=form.cleaned_data["expires_on"], by=request.user)
        obj.pk = token.pk
        obj.__dict__.update({key: value for key, value in token.__dict__.items() if not key.startswith("_")})
        self.message_user(
            request,
            _("The token's secret, shown only this once: %(secret)s — give it to %(user)s; send it as "
              "'Authorization: Feed <secret>'.") % {"secret": secret, "user": token.user},
            messages.WARNING,
        )

    def save_form(self, request, form, change):
        return form.save(commit=False)

    @admin.action(description=_("Revoke the selected tokens…"), permissions=("change",))
    def revoke_tokens(self, request, queryset):
        form = RevokeReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            revoked = 0
            for token in queryset:
                try:
                    feed_token_revoke(token=token, reason=form.cleaned_data["reason"], by=request.user)
                    revoked += 1
                except ConflictError as error:
                    self.message_user(request, f"{token}: {error.message}", messages.WARNING)
            if revoked:
                self.message_user(request, _("%(count)s token(s) revoked.") % {"count": revoked}, messages.SUCCESS)
            return None
        return TemplateResponse(request, "admin/villages/feedtoken/revoke_tokens.html", {
            **self.admin_site.each_context(request),
            "title": _("Revoke data-feed tokens"),
            "opts": self.model._meta,
            "tokens": queryset.select_related("user"),
            "form": form,
            "action": "revoke_tokens",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(FeedBatch)
class FeedBatchAdmin(admin.ModelAdmin):
    """A read-only record of every posted batch."""

    list_display = ["id", "kind", "year", "posted_by", "status", "row_count", "created_count", "updated_count",
                    "unchanged_count", "invalid_count", "created_at"]
    list_filter = ["kind", "status", "year"]
    list_select_related = ["posted_by"]
    fields = ["kind", "year", "file_format", "token", "posted_by", "status", "message", "row_count",
              "created_count", "updated_count", "unchanged_count", "invalid_count", "errors", "created_at",
              "started_at", "heartbeat_at", "finished_at", "task_id"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
