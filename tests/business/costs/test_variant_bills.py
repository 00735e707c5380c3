"""Measured compression rows turned into money, and the published rule of thumb beside each."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from business.costs.catalog import load_catalog
from business.costs.variant_bills import (UnpricedRow, cheapest_gpu_machine, published_predictions, serve_variant,
                                          variant_bill, variant_bills)

ROWS = [
    {"method": "fp32", "kind": "teacher", "device": "cpu", "parameters": 22_700_000, "throughput_per_s": 100.0,
     "accuracy": 0.90},
    {"method": "distill-3L", "kind": "distill", "device": "cpu", "parameters": 17_400_000, "throughput_per_s": 190.0,
     "accuracy": 0.89},
    {"method": "prune-h40-f40", "kind": "prune", "device": "cpu", "parameters": 19_000_000, "throughput_per_s": 140.0,
     "accuracy": 0.88, "sparsity": 0.4},
    {"method": "distill-3L+int8", "kind": "int8", "base": "distill-3L", "device": "cpu", "parameters": 17_400_000,
     "throughput_per_s": 300.0, "accuracy": 0.885},
]


def test_a_cpu_row_costs_its_machine_price_over_the_predictions_it_makes_in_an_hour():
    bill = variant_bill(ROWS[0], load_catalog(), requests_per_month=1_000_000, cpu_usd_per_hour="0.36")

    # $0.36 an hour / (100 predictions/s × 3,600 s) × 1,000 = $0.001 per 1,000 predictions
    assert bill.usd_per_1k_predictions == Decimal("0.001")
    # 1M predictions cost $1, less than the machine kept up all month (730 h × $0.36 = $262.80)
    assert bill.monthly_usd == Decimal("262.80")
    assert "your CPU machine at $0.36/hour" == bill.machine.label


def test_a_faster_variant_costs_less_per_prediction_in_proportion_to_its_throughput():
    bills = variant_bills(ROWS, load_catalog(), requests_per_month=10**10, cpu_usd_per_hour=Decimal("0.36"))

    teacher, student = bills[0], bills[1]
    assert student.usd_per_1k_predictions < teacher.usd_per_1k_predictions
    assert float(teacher.monthly_usd / student.monthly_usd) == pytest.approx(1.9, rel=1e-3)


def test_a_gpu_row_is_priced_on_the_cheapest_catalog_gpu():
    offers = load_catalog()
    row = {**ROWS[0], "device": "cuda"}

    bill = variant_bill(row, offers, requests_per_month=1_000)

    assert bill.machine.usd_per_hour == min(offer.usd_per_gpu_hour for offer in offers)
    assert "cheapest catalog GPU" in bill.machine.label == cheapest_gpu_machine(offers).label


def test_a_cpu_row_without_a_founder_price_is_priced_on_the_catalog_machine_with_the_cores_it_was_measured_on():
    bill = variant_bill({**ROWS[0], "cpu_threads": 2}, load_catalog(), requests_per_month=1_000_000)

    # AWS c7i.xlarge, 2 cores (4 vCPU), $0.1785/hour: $0.1785 / (100/s × 3,600 s) × 1,000 = $0.000496 per 1,000
    assert bill.machine.usd_per_hour == Decimal("0.1785")
    assert bill.usd_per_1k_predictions == Decimal("0.000496")
    assert "c7i.xlarge" in bill.machine.label and "price seen 2026-12-01" in bill.machine.label
    assert "like the 2 cores measured on" in bill.machine.label


def test_a_cpu_row_measured_on_more_cores_is_priced_on_a_bigger_machine_and_too_many_cores_is_refused():
    assert variant_bill(ROWS[0], load_catalog(), 1_000, cpu_cores=8).machine.usd_per_hour == Decimal("0.714")
    with pytest.raises(UnpricedRow, match="no machine with 64 cores"):
        variant_bill(ROWS[0], load_catalog(), 1_000, cpu_cores=64)


@pytest.mark.parametrize("row, price, message", [
    (ROWS[0], "-1", r"CPU machine price '-1' must be a positive amount"),
    (ROWS[0], "cheap", r"CPU machine price 'cheap' is not an amount"),
    ({"method": "x", "device": "cpu", "throughput_per_s": 0}, "0.5", r"row 'x' has no measured throughput \(0\)"),
])
def test_a_row_that_cannot_be_priced_says_which_value_is_missing(row, price, message):
    with pytest.raises(UnpricedRow, match=message):
        variant_bill(row, load_catalog(), 1_000, price)


def test_serving_a_variant_gives_the_financial_model_a_cost_measured_by_the_run_naming_the_variant():
    bill = variant_bill(ROWS[1], load_catalog(), 1_000_000, "0.36")

    cost = serve_variant("20261201-text-ab12", bill, date(2026, 12, 1))

    assert cost.usd_per_1k_requests == bill.usd_per_1k_predictions
    label = cost.provenance.label()
    assert label.startswith("measured by run 20261201-text-ab12 on 2026-12-01")
    assert "variant distill-3L" in label and "190.0 predictions/s on cpu" in label


def test_the_published_rules_predict_distillation_pruning_and_int8_on_top_against_the_teacher():
    predicted = published_predictions(ROWS)

    assert predicted["distill-3L"].speedup == pytest.approx(1.6)
    assert predicted["distill-3L"].accuracy == pytest.approx(0.90 * 0.97)
    assert predicted["prune-h40-f40"].speedup == pytest.approx(1 / 0.6)
    assert predicted["distill-3L+int8"].speedup == pytest.approx(1.6 * 1.23)
    assert "fp32" not in predicted


def test_a_pruned_cnn_gets_the_structured_pruning_rule_and_its_static_int8_row_no_bert_figure():
    rows = [{"method": "fp32", "kind": "teacher", "parameters": 288_170, "accuracy": 0.95},
            {"method": "prune-c50", "kind": "prune", "parameters": 72_666, "accuracy": 0.94, "sparsity": 0.75},
            {"method": "prune-c50+int8", "kind": "int8", "base": "prune-c50", "quantization": "static int8"}]

    predicted = published_predictions(rows)

    assert predicted["prune-c50"].speedup == pytest.approx(4.0)
    assert "prune-c50+int8" not in predicted


def test_rows_without_a_teacher_row_get_no_published_prediction():
    assert published_predictions(ROWS[1:]) == {}


def test_a_served_variant_becomes_the_investor_views_cost_to_serve_headline_with_its_run_and_variant():
    from dataclasses import replace

    from business.reports.summary import serving_headline
    from tests.financial_builders import a_canvas, a_subscription, assumptions_for

    assumptions = assumptions_for(a_canvas(a_subscription()))
    cost = serve_variant("20261201-text-ab12", variant_bill(ROWS[3], load_catalog(), 1_000_000, "0.36"), None)

    headline = serving_headline(replace(assumptions, cost_per_request=cost), load_catalog())

    assert headline.provenance == cost.provenance
    assert "variant distill-3L+int8" in headline.provenance.label()


def test_rows_whose_volume_fits_on_the_always_on_machine_cost_the_same_and_the_note_says_from_when_speed_pays():
    from business.costs.variant_bills import floor_note

    bills = variant_bills(ROWS[:2], load_catalog(), requests_per_month=1_000_000, cpu_usd_per_hour="0.36")

    assert [b.monthly_usd for b in bills] == [Decimal("262.80")] * 2 and all(b.at_floor for b in bills)
    note = floor_note(bills, 1_000_000)
    # the teacher makes 100/s × 3,600 s × 730 h = 262,800,000 predictions a month on one busy machine
    assert "2 of 2 rows cost the same $262.80 a month" in note and "above 262,800,000 predictions" in note
    busy = variant_bills(ROWS[:2], load_catalog(), requests_per_month=10**9, cpu_usd_per_hour="0.36")
    assert not any(b.at_floor for b in busy) and floor_note(busy, 10**9) is None
