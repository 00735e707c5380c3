"""The one serving-cost function: its bill, its floor, its offer choice, and every figure that reads it."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.costs.catalog import GpuOffer, load_catalog
from business.costs.estimator import CostInputs, compression_csv, compression_rows, estimate_costs, quotes_csv
from business.costs.models import custom_model, preset
from business.costs.pricing import HOURS_PER_MONTH, round_usd
from business.costs.serving import NoOfferFits, ServingInputs, serving_cost
from business.example_project import EXAMPLE_CANVAS, example_assumptions, serving_for_example
from business.financials.assumptions import make_cost_per_request
from business.financials.projection import cost_per_request, project
from business.financials.storage import save_assumptions
from business.reports.summary import SERVING, per_predictions_text
from business.store import Store
from tests.report_builders import TODAY, summary_of
from ui.costs.cost_fill import estimate_for_fill

SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
MODEL = custom_model("test encoder", "encoder", 100e6)


def offer(gpu: str = "H100 SXM 80GB", gpus: int = 1, usd_per_hour: str = "2.00", provider: str = "Test") -> GpuOffer:
    return GpuOffer(provider, f"{gpus}x {gpu}", gpu, gpus, Decimal(usd_per_hour), TODAY, "test")


def test_at_high_volume_the_bill_is_the_requests_times_the_compute_cost_of_one():
    serving = serving_cost(ServingInputs(MODEL, requests_per_month=1e12, always_on_gpus=1), (offer(),))

    assert serving.monthly_usd == serving.marginal_cost_per_request_usd * Decimal(repr(1e12))
    assert serving.monthly_usd > serving.floor_monthly_usd
    assert serving.cost_per_request_usd == pytest.approx(serving.marginal_cost_per_request_usd, rel=Decimal("1e-20"))


def test_at_low_volume_the_gpu_kept_up_sets_the_bill_and_each_request_carries_its_share():
    serving = serving_cost(ServingInputs(MODEL, requests_per_month=1000, always_on_gpus=1), (offer(),))

    assert serving.monthly_usd == serving.floor_monthly_usd == Decimal("2.00") * HOURS_PER_MONTH
    assert serving.cost_per_1000_usd == serving.monthly_usd  # 1,000 requests share the whole bill
    assert serving.floor_binds


def test_one_gpu_kept_up_on_an_eight_gpu_instance_pays_for_the_whole_instance():
    serving = serving_cost(ServingInputs(MODEL, requests_per_month=1000, always_on_gpus=1),
                           (offer(gpus=8, usd_per_hour="16.00"),))

    assert serving.floor_gpus == 8
    assert serving.monthly_usd == Decimal("16.00") * HOURS_PER_MONTH


def test_serverless_bills_the_compute_alone():
    serving = serving_cost(ServingInputs(MODEL, requests_per_month=1000, always_on_gpus=0), (offer(),))

    assert serving.floor_monthly_usd == 0
    assert serving.monthly_usd == serving.marginal_cost_per_request_usd * 1000


def test_the_offer_with_the_lowest_monthly_bill_wins_not_the_cheapest_per_flop():
    # H100 fp32: 66.9 TFLOP/s for $2.00/h; T4: 8.1 TFLOP/s for $0.35/h. Per FLOP the H100 is cheaper,
    # but at low volume the bill is the GPU kept up, and the T4 is the cheaper one to keep up.
    offers = (offer(), offer("T4 16GB", usd_per_hour="0.35"))

    quiet = serving_cost(ServingInputs(MODEL, requests_per_month=1e5), offers)
    busy = serving_cost(ServingInputs(MODEL, requests_per_month=1e12), offers)

    assert quiet.offer.gpu == "T4 16GB" and busy.offer.gpu == "H100 SXM 80GB"


def test_a_model_no_offer_can_hold_is_refused_by_name():
    with pytest.raises(NoOfferFits, match="no offer holds 70B"):
        serving_cost(ServingInputs(preset("llm-70b"), "fp32"), (offer("T4 16GB"),))


def test_the_provenance_names_the_method_and_every_input_of_the_figure():
    serving = serving_cost(ServingInputs(MODEL, "bf16", tokens_per_request=256, requests_per_month=50_000),
                           (offer(),))

    label = serving.provenance(TODAY).label()

    assert label.startswith("estimated on 2026-11-29: cost estimator: monthly serving bill / requests")
    for part in ("test encoder", "bf16", "256 tokens", "requests a month 50,000", "GPUs kept up all month 1",
                 "Test 1x H100 SXM 80GB", "$2.00 per GPU-hour"):
        assert part in label


CASES = [("bert-base", "fp32", 128, 1e6), ("bert-base", "int8", 128, 1e6), ("minilm-l6", "bf16", 256, 3e9),
         ("llm-7b", "bf16", 512, 2e8), ("llm-7b", "int4", 512, 2e8), ("resnet-50", "fp32", 1, 5e7)]


@pytest.mark.parametrize("model_key, precision, per_request, volume", CASES)
def test_the_costs_headline_the_compression_table_and_the_financial_model_agree(model_key, precision, per_request,
                                                                               volume):
    offers = load_catalog()
    report = estimate_costs(CostInputs(model=preset(model_key), today=TODAY, serving_precision=precision,
                                       tokens_per_request=per_request, images_per_request=per_request,
                                       requests_per_month=volume, always_on_gpus=1), offers)
    headline = report.serving
    fill = estimate_for_fill(model_key, precision, per_request, volume, 1, offers)
    rows = {row["method"]: row for row in compression_rows(report)}
    assumptions = replace(example_assumptions(canvas_from_dict(EXAMPLE_CANVAS)),
                          cost_per_request=make_cost_per_request(fill.cost_per_1000_usd, "estimate: test"))
    financial_bill = cost_per_request(assumptions, assumptions.scenario("base"), 1) * Decimal(repr(volume))

    assert fill.cost_per_1000_usd == headline.cost_per_1000_usd
    assert all(row["monthly_before_usd"] == round_usd(headline.monthly_usd) for row in rows.values())
    assert rows[f"precision {precision}"]["monthly_after_usd"] == round_usd(headline.monthly_usd)
    assert rows[f"precision {precision}"]["monthly_saving_usd"] == 0
    assert round_usd(financial_bill) == round_usd(headline.monthly_usd)


def test_a_precision_row_of_the_compression_table_is_the_headline_served_at_that_precision():
    offers = load_catalog()
    fp32 = estimate_costs(CostInputs(model=preset("bert-base"), today=TODAY, requests_per_month=5e9), offers)
    bf16 = estimate_costs(CostInputs(model=preset("bert-base"), today=TODAY, requests_per_month=5e9,
                                     serving_precision="bf16"), offers)

    row = next(r for r in compression_rows(fp32) if r["method"] == "precision bf16")

    assert row["monthly_after_usd"] == round_usd(bf16.serving.monthly_usd)
    assert row["monthly_after_usd"] < row["monthly_before_usd"]  # at 5e9 requests the GPUs are busy: bf16 pays


def test_the_investor_view_shows_the_cost_the_estimate_put_into_the_financial_model(tmp_path):
    offers = load_catalog()
    fill = estimate_for_fill("distilbert", "bf16", 200, 4e6, 1, offers)
    store = Store(tmp_path / "founder.db")
    project = store.create_project("Agreement")
    canvas = canvas_from_dict(EXAMPLE_CANVAS)
    store.save(project.id, "canvas", canvas_to_dict(canvas), None, "first")
    assumptions = replace(example_assumptions(canvas), cost_per_request=make_cost_per_request(
        fill.cost_per_1000_usd, "estimate: cost estimator, DistilBERT bf16"))
    save_assumptions(store, project.id, assumptions, None, "first")

    headline = summary_of(store, project.id, tmp_path / "runs").headline(SERVING)

    assert headline.value == per_predictions_text(fill.cost_per_1000_usd)[1]


def test_without_saved_assumptions_the_investor_view_shows_the_costs_page_default_for_the_bundled_model(tmp_path):
    store = Store(tmp_path / "founder.db")
    project = store.create_project("Young")

    headline = summary_of(store, project.id, tmp_path / "runs").headline(SERVING)

    costs_page = estimate_costs(CostInputs(model=preset("minilm-l6"), today=TODAY), load_catalog()).serving
    assert headline.value == per_predictions_text(costs_page.cost_per_1000_usd)[1]
    assert "GPUs kept up all month 1" in headline.source


def test_the_example_projects_inference_cost_is_the_serving_bill_at_its_own_volume():
    canvas = canvas_from_dict(EXAMPLE_CANVAS)
    assumptions = example_assumptions(canvas)
    serving = serving_for_example(canvas, assumptions)
    months = project(canvas.revenue_streams, assumptions).months

    inference_over_horizon = sum(row.inference_cost for row in months)

    # The average volume spreads the always-on GPU over the horizon: the projection pays for it every month.
    assert float(inference_over_horizon) == pytest.approx(float(serving.monthly_usd) * len(months), rel=1e-3)
    assert months[0].inference_cost / months[0].revenue > Decimal("0.005")  # not 0.0% of revenue any more
    assert "requests a month" in assumptions.cost_per_request.source
    assert "GPUs kept up all month 1" in assumptions.cost_per_request.source


def test_downloads_keep_plain_numbers_without_separators_or_scientific_notation():
    report = estimate_costs(CostInputs(model=preset("llm-70b"), today=TODAY, training_tokens=2e12,
                                       gpu_counts=(1, 8, 64)), load_catalog())

    sweep = quotes_csv(report.sweep.quotes)
    compression = compression_csv(report)

    assert not SCIENTIFIC.search(sweep) and not SCIENTIFIC.search(compression)
    rows = list(csv.DictReader(io.StringIO(sweep)))
    assert max(float(row["gpu_hours"]) for row in rows) > 100_000 and "," not in rows[0]["gpu_hours"]
