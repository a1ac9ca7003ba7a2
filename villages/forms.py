"""Web forms of the villages app: explicit fields, labels from the models, errors in the user's language."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from villages import codes
from villages.models import AnnualReport, Division, OnlineShop, ShopYear, TownshipReport, Village
from villages.services.registry import SHOP_FIELDS, SHOP_YEAR_FIELDS, VILLAGE_FIELDS
from villages.services.reports import REPORT_FIGURES, TOWNSHIP_REPORT_FIGURES


class VersionedForm(forms.ModelForm):
    """A form for an editable record: it carries the version it was read at, so a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self):
        # Model-level checks (unique code, cross-field rules) run in the services on the real row; here the
        # form only checks what it can alone, so an edit never validates against a half-changed instance.
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class VillageForm(VersionedForm):
    township = forms.CharField(
        label=_("Township code"),
        max_length=9,
        help_text=_("Choose the township with the selectors or the search below; its 9-digit code appears here."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Village
        fields = [*VILLAGE_FIELDS]
        widgets = {
            "code": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "data-code-from-township": "id_township"}
            )
        }

    field_order = ["township", "code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["township"] = self.instance.township_id

    def clean_township(self):
        code = self.cleaned_data["township"].strip()
        township = Division.objects.filter(code=code, level=codes.TOWNSHIP).first()
        if township is None:
            raise ValidationError(_("%(code)s is not the code of a known township.") % {"code": code})
        return township

    def changes(self) -> dict:
        # The chosen township goes to the service too: the code must then belong to it (Village.clean).
        return {**super().changes(), "township": self.cleaned_data["township"]}


class ShopForm(VersionedForm):
    class Meta:
        model = OnlineShop
        # The shop's village is the one whose page the form is on, not a choice in the form.
        fields = [name for name in SHOP_FIELDS if name != "village"]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
        }


class ShopYearForm(VersionedForm):
    class Meta:
        model = ShopYear
        fields = [*SHOP_YEAR_FIELDS]


class AnnualReportForm(VersionedForm):
    SAVE_DRAFT = "save"
    SUBMIT = "submit"

    class Meta:
        model = AnnualReport
        fields = ["year", *REPORT_FIGURES]
        help_texts = {
            "ecommerce_sales": _("Whole yuan, over the 12 months of the reporting period."),
            "active_shops": _("Shops open at least 30 days with at least one order a month in the last 3 months."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_FIGURES}


class TownshipReportForm(VersionedForm):
    """A township's own figures for a year: the whole township's e-commerce, not only its registered villages."""

    SAVE_DRAFT = "save"
    SUBMIT = "submit"

    class Meta:
        model = TownshipReport
        fields = ["year", *TOWNSHIP_REPORT_FIGURES]
        help_texts = {
            "ecommerce_sales": _("Whole yuan: every online shop of the township over the reporting period."),
            "active_shops": _("All active shops of the township, in registered villages or not."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in TOWNSHIP_REPORT_FIGURES}


class ReviewForm(forms.Form):
    APPROVE = "approve"
    RETURN = "return"

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you return the report: say what the county must correct."),
    )


class ReopenForm(forms.Form):
    """Reopening an approved report withdraws its certification, so the reviewer must say why."""

    REOPEN = "reopen"

    comment = forms.CharField(
        label=_("Why reopen this approved report?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The village loses this year's certification until the report is approved again."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reopen")
        super().__init__(*args, **kwargs)
