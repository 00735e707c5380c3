"""Build vs buy: an API, an open model on rented GPUs and a measured model, with break-evens computed by hand."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from business.costs.api_catalog import ApiPrice, load_api_catalog
from business.costs.build_vs_buy import (API, OPEN_MODEL, OWN_MODEL, CostLine, InvalidWorkload, Option, Workload,
                                         api_option, break_even, compare, open_model_lines, open_model_option,
                                         own_model_option, undominated)
from business.costs.catalog import GpuOffer, load_catalog
from business.costs.compute import EstimateError
from business.costs.models import preset
from business.costs.pricing import HOURS_PER_MONTH
from business.costs.serving import NoOfferFits, ServingInputs, serving_cost
from business.provenance import estimated

ON = date(2026, 12, 1)
MINI = ApiPrice("OpenAI", "GPT-5.4 Mini", Decimal("0.75"), Decimal("4.50"), date(2026, 5, 4), "test page")
WORKLOAD = Workload(1_000_000, 1000, 200)  # API: $0.00165 a request (1,000 × 0.75 + 200 × 4.50) / 1e6
CARD = {"task": "text", "model": {"name": "all-MiniLM-L6-v2 (fine-tuned)", "parameters": 22_714_371},
        "throughput": {"samples_per_s": 250.0, "device": "cpu"}}


def line(floor: str, per_request: str, label: str = "offer") -> CostLine:
    return CostLine(label, Decimal(floor), Decimal(per_request), estimated("test"))


def test_the_api_bills_every_request_at_its_token_prices_and_keeps_nothing_up():
    api = api_option(MINI, WORKLOAD)

    assert api.kind == API
    assert api.monthly_usd(1_000_000) == Decimal("1650")
    assert api.monthly_usd(1) == Decimal("0.00165")
    assert api.cost_per_request_usd(1_000_000) == Decimal("0.00165")


def test_the_api_says_its_price_provider_and_date():
    label = api_option(MINI, WORKLOAD).provenance(1_000_000).label()

    assert label.startswith("published: API price, OpenAI GPT-5.4 Mini: $0.75 in / $4.50 out per 1M tokens")
    assert "test page" in label and label.endswith("(2026-05-04)")


def test_a_measured_model_keeps_one_machine_up_and_breaks_even_at_its_floor_over_the_api_price():
    own = own_model_option("run-7", CARD, Decimal("1.00"), ON)
    pair = break_even(api_option(MINI, WORKLOAD), own)

    # floor: $1.00 × 730 h = $730; per request $1 / (250 × 3,600) ; break-even $730 / $0.00165 = 442,424.24...
    assert own.kind == OWN_MODEL
    assert own.lines[0].floor_monthly_usd == Decimal(730)
    assert own.lines[0].usd_per_request == Decimal(1) / Decimal(900_000)
    assert pair.requests_per_month == Decimal(730) / Decimal("0.00165")
    assert round(pair.requests_per_month, 2) == Decimal("442424.24")
    assert own.provenance(1_000_000).label().startswith("measured by run run-7 on 2026-12-01 (250.0 requests/s on cpu")


def test_below_the_break_even_the_api_is_cheaper_and_above_it_the_measured_model_is():
    api, own = api_option(MINI, WORKLOAD), own_model_option("run-7", CARD, Decimal("1.00"), ON)
    volume = float(break_even(api, own).requests_per_month)

    assert api.monthly_usd(volume * 0.9) < own.monthly_usd(volume * 0.9)
    assert api.monthly_usd(volume * 1.1) > own.monthly_usd(volume * 1.1)


def test_an_option_breaks_even_on_its_line_that_gets_there_first():
    api = Option(API, "api", (line("0", "0.01"),))
    rented = Option(OPEN_MODEL, "rented", (line("1000", "0.001", "big"), line("300", "0.009", "small"),
                                           line("50", "0.02", "slower than the api")))

    # big: 1000 / 0.01 = 100,000; small: 300 / 0.01 = 30,000; the third never (0.02 > 0.01).
    # At 35,000 a month: big $1,000, small max(300, 315) = $315, the third $700.
    assert break_even(api, rented).requests_per_month == Decimal(30_000)
    assert rented.best_line(35_000).label == "small" and rented.best_line(10_000_000).label == "big"


def test_an_option_dearer_per_request_than_the_api_never_breaks_even():
    api = Option(API, "api", (line("0", "0.001"),))
    pair = break_even(api, Option(OPEN_MODEL, "slow", (line("100", "0.002"),)))

    assert pair.requests_per_month is None
    assert "never costs less" in pair.sentence()


def test_a_serverless_option_cheaper_per_request_wins_from_the_first_request():
    pair = break_even(Option(API, "api", (line("0", "0.01"),)), Option(OPEN_MODEL, "serverless", (line("0", "0.001"),)))

    assert pair.requests_per_month == 0
    assert "at every volume" in pair.sentence()


def test_the_adapter_asks_the_llm_serving_physics_for_each_offers_cost_per_request():
    from business.costs.llm_serving import cheapest_llm_serving
    offers = load_catalog()
    serverless = open_model_option(preset("llm-7b"), "bf16", WORKLOAD, offers, always_on_gpus=0, on=ON, batch=16)
    cheapest = cheapest_llm_serving(preset("llm-7b"), offers, "bf16", 16, 1000, 200)

    # Nothing kept up: every line's floor is zero and the cheapest per request wins at any volume.
    assert all(line.floor_monthly_usd == 0 for line in serverless.lines)
    assert serverless.cost_per_request_usd(1_000_000) == cheapest.usd_per_request
    assert serverless.best_line(1_000_000).label == f"{cheapest.offer.provider} {cheapest.offer.instance}"
    assert "decode by memory bandwidth" in serverless.provenance(1_000_000).label()


def test_gpus_kept_up_are_rented_by_whole_instance_in_the_floor():
    eight = GpuOffer("Acme", "8x H100", "H100 SXM 80GB", 8, Decimal("20.00"), ON, "test")
    [line] = open_model_lines(preset("llm-7b"), "bf16", WORKLOAD, (eight,), always_on_gpus=1, on=ON)

    assert line.floor_monthly_usd == Decimal("20.00") * 730  # one GPU kept up pays for the instance


def test_an_open_model_no_offer_holds_is_refused_with_its_name():
    tiny = (GpuOffer("Tiny", "t4", "T4 16GB", 1, Decimal("0.35"), ON, "test"),)

    with pytest.raises(NoOfferFits, match="70B LLM .* at fp32"):
        open_model_option(preset("llm-70b"), "fp32", WORKLOAD, tiny)


def test_a_run_card_without_a_measured_throughput_is_refused():
    with pytest.raises(EstimateError, match="run card run-8 has no measured throughput"):
        own_model_option("run-8", {"model": {"name": "bert", "parameters": 110_000_000}}, Decimal(1))


@pytest.mark.parametrize("fields, message", [
    ((0, 100, 10), "requests_per_month"),
    ((1000, -1, 10), "input_tokens=-1 must be a number of tokens"),
    ((1000, 10, float("nan")), "output_tokens=nan"),
    ((1000, 0, 0), "at least one input or output token"),
])
def test_a_bad_workload_is_refused_with_the_offending_value(fields, message):
    with pytest.raises(EstimateError, match=message):
        Workload(*fields)
    assert issubclass(InvalidWorkload, ValueError)


def test_the_comparison_names_the_cheapest_option_and_pairs_every_api_with_every_served_model():
    apis = [api_option(p, WORKLOAD) for p in load_api_catalog()[:3]]
    own = own_model_option("run-7", CARD, Decimal("1.00"), ON)
    comparison = compare(WORKLOAD, apis, [own])

    assert len(comparison.break_evens) == 3
    assert comparison.cheapest() is own  # $730 a month against $1,650 and more
    volumes = comparison.volumes()
    assert volumes == sorted(volumes) and 1_000_000 in volumes
    assert all(float(b.requests_per_month) in volumes for b in comparison.break_evens)
    assert volumes[0] >= 1 and volumes[-1] <= 1e13


def test_every_monthly_figure_is_decimal_money():
    comparison = compare(WORKLOAD, [api_option(MINI, WORKLOAD)], [own_model_option("r", CARD, Decimal("1.00"))])

    for option in comparison.options:
        assert isinstance(option.monthly_usd(12_345), Decimal)
        assert isinstance(option.cost_per_request_usd(12_345), Decimal)
    assert HOURS_PER_MONTH == 730


def test_nothing_to_compare_is_a_clear_error():
    with pytest.raises(EstimateError, match="nothing to compare"):
        compare(WORKLOAD, [], [])


def test_lines_that_are_never_cheapest_are_dropped_without_changing_any_bill():
    lines = (line("100", "0.01", "a"), line("200", "0.02", "worse than a on both"), line("500", "0.001", "b"),
             line("100", "0.01", "same as a"), line("50", "0.05", "c"))
    kept = undominated(lines)
    everything = Option(OPEN_MODEL, "all", lines)

    assert [k.label for k in kept] == ["a", "b", "c"]
    for volume in (1, 1_000, 10_000, 50_000, 1_000_000, 1e9):
        assert Option(OPEN_MODEL, "kept", kept).monthly_usd(volume) == everything.monthly_usd(volume)
