"""The service network's yuan fields take amounts as clerks type them, like the villages' forms."""

from rural_services.forms import ServiceActivityForm


def test_monthly_values_accept_separators_and_full_width_digits():
    form = ServiceActivityForm(
        {
            "month": "2024-03-01",
            "assisted_purchases": "3",
            "assisted_purchase_value": "１２,０００",
            "produce_sales_value": "5 000",
            "parcels": "10",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["assisted_purchase_value"] == 12_000
    assert form.cleaned_data["produce_sales_value"] == 5_000


def test_a_monthly_value_that_is_no_amount_is_refused_with_the_reason():
    form = ServiceActivityForm(
        {"month": "2024-03-01", "assisted_purchases": "3", "assisted_purchase_value": "12k",
         "produce_sales_value": "0", "parcels": "10"}
    )

    assert "whole yuan" in form.errors["assisted_purchase_value"][0]
