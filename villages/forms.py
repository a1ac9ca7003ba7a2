"""Web forms of the villages app: explicit fields, labels from the models, errors in the user's language."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from villages import codes, money
from villages.models import AnnualReport, Division, OnlineShop, ShopYear, TownshipPoint, TownshipReport, Village
from villages.services.registry import SHOP_FIELDS, SHOP_YEAR_FIELDS, VILLAGE_FIELDS
from villages.services.reports import REPORT_FIGURES, TOWNSHIP_REPORT_FIGURES

ASCII_DIGITS = re.compile(r"[0-9]+")


class YuanInput(forms.TextInput):
    """A text box for whole yuan (a number box would refuse "1,200,000"); forms.js shows its 万元 beside it."""

    def __init__(self, attrs=None):
        hints = {
            # What forms.js shows beside the box as it is typed; {wan} and {yuan} are the amount in 万元 and yuan.
            "data-money-hint": _("= RMB {yuan} ({wan} 万元)"),
            "data-money-hint-small": _("= RMB {yuan}"),
            "data-money-invalid": _("Not an amount in whole yuan yet."),
        }
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **hints, **(attrs or {})})


class YuanField(forms.IntegerField):
    """Whole yuan as clerks type them: thousands separators, full-width digits and a trailing 元 are accepted."""

    widget = YuanInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return money.parse_yuan(value)

    def widget_attrs(self, widget):
        # No min/max attributes: they belong to number boxes, and the field checks both with a clear message.
        return {}


def add_model_validators(form: forms.ModelForm) -> None:
    """Give each form field the validators of its model field, so every field's error shows in one submit.

    Django runs model validators (a latitude inside China, households ≥ 1) only in the model's full_clean, which
    here happens in the services once the form is valid: without this a form showed one field's error per
    submit. A model validator replaces the form field's own validator of the same kind (households: ≥ 1 rather
    than the positive integer's ≥ 0), so a value never gets two messages for one rule. Fields the form declares
    itself check their own rules.
    """
    model_fields = {field.name: field for field in form._meta.model._meta.get_fields() if hasattr(field, "_validators")}
    for name, form_field in form.fields.items():
        model_field = model_fields.get(name)
        if name in form.declared_fields or model_field is None or not model_field._validators:
            continue
        kinds = {type(validator) for validator in model_field._validators}
        form_field.validators = [
            *(validator for validator in form_field.validators if type(validator) not in kinds),
            *model_field._validators,
        ]


class VersionedForm(forms.ModelForm):
    """A form for an editable record: it carries the version it was read at, so a stale save is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_model_validators(self)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self):
        # Model-level checks (unique code, cross-field rules) run in the services on the real row; here the
        # form only checks what it can alone, so an edit never validates against a half-changed instance.
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class VillageCodeInput(forms.TextInput):
    """The village code as the township's 9 digits, shown as a fixed prefix, and a box for the last 3.

    No `maxlength`: a browser cuts what is typed past it without a word, which once saved a code nobody typed.
    The form checks the length and says what is wrong instead.
    """

    template_name = "villages/widgets/village_code.html"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})
        self.prefix = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["prefix"] = self.prefix
        return context


class VillageForm(VersionedForm):
    """A village's details; its code is the chosen township's 9 digits followed by the 3 digits the clerk types.

    A whole 12-digit code is kept as typed (the service refuses it, with the reason, unless it lies in the chosen
    township): the form never cuts, pads or recombines digits the clerk did not type.
    """

    township = forms.CharField(
        label=_("Township code"),
        max_length=9,
        help_text=_("Choose the township with the selectors or the search below; its 9-digit code appears here."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=capfirst(Village._meta.get_field("code").verbose_name),
        help_text=_(
            "Type the last 3 digits of the code; the township's 9 digits come first. A whole 12-digit code is "
            "accepted too if it lies in the chosen township."
        ),
        widget=VillageCodeInput(attrs={"data-code-prefix-from": "id_township"}),
    )

    class Meta:
        model = Village
        fields = [*VILLAGE_FIELDS]

    field_order = ["township", "code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["township"] = self.instance.township_id
            self.initial["code"] = self.instance.code[len(self.instance.township_id) :]
        township = (self.data.get("township") if self.is_bound else self.initial.get("township")) or ""
        township = str(township).strip()
        self.fields["code"].widget.prefix = township if ASCII_DIGITS.fullmatch(township) and len(township) == 9 else ""

    def clean_township(self):
        code = self.cleaned_data["township"].strip()
        township = Division.objects.filter(code=code, level=codes.TOWNSHIP).first()
        if township is None:
            raise ValidationError(_("%(code)s is not the code of a known township.") % {"code": code})
        return township

    def clean_code(self):
        typed = self.cleaned_data["code"].translate(money.FULL_WIDTH)
        typed = "".join(typed.split())
        if not ASCII_DIGITS.fullmatch(typed) or len(typed) not in (3, 12):
            raise ValidationError(
                _(
                    "Type the last 3 digits of the village code, or the whole 12-digit code; %(typed)s has "
                    "%(count)s characters."
                )
                % {"typed": typed, "count": len(typed)}
            )
        return typed

    def clean(self):
        cleaned = super().clean()
        township, typed = cleaned.get("township"), cleaned.get("code")
        if township is None or typed is None:
            return cleaned
        if len(typed) == 3:
            cleaned["code"] = township.code + typed
        # A whole code stays as typed: whether it lies in the township is the model's rule (Village.clean), which
        # the service applies and the page shows beside the code.
        return cleaned

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
        field_classes = {"sales": YuanField}


class AnnualReportForm(VersionedForm):
    SAVE_DRAFT = "save"
    SUBMIT = "submit"

    class Meta:
        model = AnnualReport
        fields = ["year", *REPORT_FIGURES]
        field_classes = {"ecommerce_sales": YuanField}
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


class ReportSubmitForm(forms.Form):
    """The submission's confirmation: when the declared active shops differ from what the registered shops
    give, submitting takes a deliberate tick (as approving despite warnings does in `ReviewForm`)."""

    acknowledge_warnings = forms.BooleanField(
        label=_("I have checked the difference from the registered shops and submit the declared figures"),
        required=False,
    )

    def __init__(self, *args, to_acknowledge=None, **kwargs):
        super().__init__(*args, **kwargs)
        if to_acknowledge is None:
            del self.fields["acknowledge_warnings"]

    def acknowledgement_missing(self) -> bool:
        """True (and the field says why) when there is a difference to acknowledge and the box is not ticked."""
        if "acknowledge_warnings" not in self.fields or self.cleaned_data.get("acknowledge_warnings"):
            return False
        self.add_error(
            "acknowledge_warnings",
            _("Tick this box to submit despite the difference from the registered shops, or correct the figures."),
        )
        return True


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


class TownshipPointForm(forms.ModelForm):
    """Where a township is (its government's seat, say): both coordinates, inside China."""

    class Meta:
        model = TownshipPoint
        fields = ["latitude", "longitude"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_model_validators(self)
        for field in self.fields.values():
            field.required = True

    def _post_clean(self):
        # The service checks the row (and who may set it); the form checks each coordinate alone.
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


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
    # Shown only when the report has data-quality warnings: approving then takes a deliberate tick.
    confirm_warnings = forms.BooleanField(
        label=_("I have read the data-quality warnings and approve the report anyway"), required=False,
    )

    def __init__(self, *args, warnings=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not warnings:
            del self.fields["confirm_warnings"]

    def approval_unconfirmed(self) -> bool:
        """True (and the field says why) when the report has warnings and the reviewer did not tick the box."""
        if "confirm_warnings" not in self.fields or self.cleaned_data.get("confirm_warnings"):
            return False
        self.add_error("confirm_warnings", _("Tick this box to approve despite the warnings, or return the report."))
        return True


class ReopenForm(forms.Form):
    """Reopening an approved report withdraws its certification, so the reviewer must say why."""

    REOPEN = "reopen"

    comment = forms.CharField(
        label=_("Why reopen this approved report?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The village loses this year's certification until the report is approved again."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this year's assessment and any certification are withdrawn"),
        error_messages={"required": _("Tick this box to confirm the reopening.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reopen")
        super().__init__(*args, **kwargs)
