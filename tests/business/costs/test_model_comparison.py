"""Cost per 1,000 predictions of compared models: a CPU measurement is priced on a CPU machine, in Decimal."""
from __future__ import annotations

from decimal import Decimal

import pytest

from business.costs.catalog import load_catalog
from business.costs.model_comparison import price_rows
from business.costs.variant_bills import UnpricedRow


def row(**overrides) -> dict:
    return {"model": "small_cnn", "run_id": "20260101-000000-image-aaaa", "device": "cpu", "throughput_per_s": 100.0,
            **overrides}


def test_a_cpu_row_costs_the_cpu_price_over_its_throughput_per_thousand_predictions():
    [bill] = price_rows([row()], load_catalog(), "0.36")

    # $0.36 an hour / (100 predictions/s x 3,600 s) x 1,000 = $0.001
    assert bill.usd_per_1k_predictions == Decimal("0.001000")
    assert "CPU machine at $0.36/hour" in bill.machine.label
    assert "run 20260101-000000-image-aaaa" in bill.basis() and "batch 32" in bill.basis()


def test_a_cpu_row_is_never_priced_on_a_gpu_offer_when_no_cpu_price_is_given():
    with pytest.raises(UnpricedRow, match="measured on a CPU"):
        price_rows([row()], load_catalog(), None)


def test_a_row_without_a_measured_throughput_is_refused_naming_the_model():
    with pytest.raises(UnpricedRow, match="'small_cnn' has no measured throughput"):
        price_rows([row(throughput_per_s=0)], load_catalog(), "0.36")
