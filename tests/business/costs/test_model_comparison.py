"""Cost per 1,000 predictions of compared models: a CPU measurement is priced on a CPU machine, in Decimal."""
from __future__ import annotations

from decimal import Decimal

import pytest

from business.costs.catalog import load_catalog
from business.costs.model_comparison import price_rows
from business.costs.variant_bills import UnpricedRow


def row(**overrides) -> dict:
    return {"model": "small_cnn", "run_id": "20260101-000000-image-aaaa", "device": "cpu", "cpu_threads": 2,
            "throughput_per_s": 100.0, **overrides}


def test_a_cpu_row_is_priced_on_the_catalog_cpu_machine_with_the_cores_it_was_measured_on():
    [bill] = price_rows([row()], load_catalog())

    # AWS c7i.xlarge (2 cores) at $0.1785 an hour / (100 predictions/s x 3,600 s) x 1,000 = $0.000496 (rounded)
    assert bill.usd_per_1k_predictions == Decimal("0.000496")
    assert "c7i.xlarge" in bill.machine.label and "2 cores" in bill.machine.label
    assert "run 20260101-000000-image-aaaa" in bill.basis() and "batch 32" in bill.basis()


def test_the_founders_own_cpu_price_replaces_the_catalog_machine():
    [bill] = price_rows([row()], load_catalog(), "0.36")

    assert bill.usd_per_1k_predictions == Decimal("0.001000")
    assert "your CPU machine at $0.36/hour" in bill.machine.label


def test_a_row_measured_on_more_cores_than_any_catalog_machine_asks_for_a_price_instead_of_a_gpu_offer():
    with pytest.raises(UnpricedRow, match="no machine with 64 cores"):
        price_rows([row(cpu_threads=64)], load_catalog())


def test_a_row_without_a_measured_throughput_is_refused_naming_the_model():
    with pytest.raises(UnpricedRow, match="'small_cnn' has no measured throughput"):
        price_rows([row(throughput_per_s=0)], load_catalog(), "0.36")
