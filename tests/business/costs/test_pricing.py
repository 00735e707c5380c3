"""The GPU catalog, price overrides (stored through the real store) and the price sweep."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from business.costs.catalog import (GPU_SPEC_FOR, GpuOffer, UnknownGpu, catalog_table, is_stale, load_catalog,
                              load_catalog_rows, load_specs, price_age_label, spec_for)
from business.costs.compute import NonPositiveValue
from business.costs.estimator import CostInputs, estimate_costs
from business.costs.models import preset
from business.costs.pricing import (InvalidPriceOverride, Workload, apply_price_overrides, best_quote_per_offer,
                              cheapest_by_provider, cost_frontier, cost_per_1000_requests,
                              cost_per_request_from_throughput, monthly_serving_cost, price_overrides_from_payload,
                              price_overrides_payload, round_usd, serving_cost_per_request, sweep_quotes)
from business.store import StaleSaveError, Store

TODAY = date(2026, 11, 29)
H100_BF16_TFLOPS = 989.4  # gpu_specs.csv, H100 SXM5


def offer(**changes) -> GpuOffer:
    fields = dict(provider="AWS", instance="p5.48xlarge", gpu="H100 SXM 80GB", gpus_per_instance=8,
                  usd_per_hour=Decimal("55.04"), date_seen=date(2026, 11, 9), source="test")
    fields.update(changes)
    return GpuOffer(**fields)


def user_row(**changes) -> dict:
    row = dict(provider="Acme Cloud", instance="8x H100 negotiated", gpu="H100 SXM 80GB", gpus_per_instance=8,
               usd_per_hour="16.00", date_seen="2026-11-20")
    row.update(changes)
    return row


def one_gpu_hour_of_h100(memory_bytes: float = 1e9) -> Workload:
    """A bf16 job that takes exactly one H100 GPU-hour at 50% utilization."""
    return Workload("bf16", H100_BF16_TFLOPS * 1e12 * 0.5 * 3600, memory_bytes, 0.5)


def test_every_catalog_row_has_a_positive_price_a_source_and_a_date_or_unknown():
    for row in load_catalog_rows():
        assert Decimal(row["usd_per_hour"]) > 0, row
        assert row["source"].strip(), row
        assert row["date_seen"] == "unknown" or date.fromisoformat(row["date_seen"]), row


def test_the_shipped_per_gpu_price_is_the_instance_price_over_its_gpu_count():
    for row in load_catalog_rows():
        computed = Decimal(row["usd_per_hour"]) / int(row["gpus_per_instance"])
        assert computed == pytest.approx(Decimal(row["usd_per_gpu_hour"]), rel=Decimal("0.001")), row


def test_every_catalog_gpu_is_explicitly_mapped_to_a_spec_row_with_memory_and_tdp():
    specs = load_specs()
    for row in load_catalog_rows():
        spec_name, _why = GPU_SPEC_FOR[row["gpu"]]
        spec = specs[spec_name]
        assert spec.memory_gb > 0 and spec.tdp_w > 0 and spec.source


def test_spec_rows_added_without_a_retrieved_datasheet_say_unsourced():
    specs = load_specs()

    for name in ("A100 PCIe 80GB", "A10", "GH200 96GB"):
        assert specs[name].source.startswith("unsourced"), name


def test_undated_prices_show_as_unknown_and_count_as_stale():
    undated = [o for o in load_catalog() if o.date_seen is None]

    assert undated, "the research catalog has undated rows"
    assert all(o.date_label == "unknown" and is_stale(o, TODAY) for o in undated)
    assert price_age_label(undated[0], TODAY) == "date unknown"


def test_a_price_older_than_the_set_age_is_flagged_stale():
    old = offer(date_seen=date(2022, 3, 1))

    assert is_stale(old, TODAY, max_age_days=90)
    assert not is_stale(offer(date_seen=date(2026, 11, 1)), TODAY, max_age_days=90)
    assert price_age_label(old, TODAY).startswith("stale")


def test_an_unknown_gpu_is_refused_by_name():
    with pytest.raises(UnknownGpu, match="'Z9000'"):
        spec_for("Z9000")


def test_a_user_price_replaces_the_shipped_row_of_the_same_provider_and_instance():
    catalog = (offer(), offer(provider="Lambda", instance="1x A10", gpu="A10 24GB", gpus_per_instance=1,
                              usd_per_hour=Decimal("1.29")))

    updated = apply_price_overrides(catalog, [user_row(provider="AWS", instance="p5.48xlarge")], TODAY)

    aws = [o for o in updated if o.provider == "AWS"]
    assert len(updated) == 2 and len(aws) == 1
    assert aws[0].usd_per_hour == Decimal("16.00") and aws[0].source == "user"


def test_a_user_price_for_a_new_instance_is_added_and_dated_today_when_no_date_is_given():
    updated = apply_price_overrides((offer(),), [user_row(date_seen="")], TODAY)

    added = updated[-1]
    assert len(updated) == 2
    assert added.date_seen == TODAY and added.source == "user"
    assert added.usd_per_gpu_hour == Decimal("2.00")


@pytest.mark.parametrize("change, message", [
    (dict(usd_per_hour="-3"), "usd_per_hour='-3'"),
    (dict(usd_per_hour="0"), "usd_per_hour='0'"),
    (dict(usd_per_hour="cheap"), "usd_per_hour='cheap'"),
    (dict(usd_per_hour="1e9"), "above"),
    (dict(gpu="Z9000"), "Z9000"),
    (dict(gpus_per_instance=0), "gpus_per_instance=0"),
    (dict(gpus_per_instance="2.5"), "gpus_per_instance='2.5'"),
    (dict(provider=""), "provider=''"),
    (dict(date_seen="yesterday"), "date_seen='yesterday'"),
])
def test_a_bad_user_price_is_refused_with_the_offending_value(change, message):
    with pytest.raises(InvalidPriceOverride, match=message):
        apply_price_overrides((offer(),), [user_row(**change)], TODAY)


def test_price_overrides_survive_the_store_and_a_stale_save_is_refused(tmp_path):
    store = Store(tmp_path / "prices.db")
    project = store.create_project("Pricing test")
    payload = price_overrides_payload([user_row()], TODAY)

    first = store.save(project.id, "price_overrides", payload, None)
    loaded = price_overrides_from_payload(store.load_latest(project.id, "price_overrides").payload)
    with pytest.raises(StaleSaveError):
        store.save(project.id, "price_overrides", {"rows": []}, None)

    assert first == store.load_latest(project.id, "price_overrides").number
    assert apply_price_overrides((), loaded, TODAY) == apply_price_overrides((), [user_row()], TODAY)


def test_one_gpu_on_an_eight_gpu_instance_pays_for_the_whole_instance():
    sweep = sweep_quotes([one_gpu_hour_of_h100()], [offer()], TODAY, gpu_counts=[1, 8])

    one, eight = sweep.quotes
    assert (one.wall_clock_hours, round_usd(one.cost_usd)) == (pytest.approx(1.0), Decimal("55.04"))
    assert (eight.wall_clock_hours, round_usd(eight.cost_usd)) == (pytest.approx(0.125), Decimal("6.88"))


def test_gpu_counts_too_small_to_hold_the_job_are_left_out():
    sweep = sweep_quotes([one_gpu_hour_of_h100(memory_bytes=200e9)], [offer()], TODAY, gpu_counts=range(1, 9))

    assert [q.gpus for q in sweep.quotes] == [3, 4, 5, 6, 7, 8]


def test_cheapest_and_fastest_are_marked_among_offers_that_meet_the_deadline():
    cheap = offer(provider="Cheap", instance="1x", gpus_per_instance=1, usd_per_hour=Decimal("2"))
    dear = offer(provider="Dear", instance="1x", gpus_per_instance=1, usd_per_hour=Decimal("9"))

    sweep = sweep_quotes([one_gpu_hour_of_h100()], [cheap, dear], TODAY, gpu_counts=[1, 4], deadline_hours=0.5)

    assert [q for q in sweep.quotes if not q.within_deadline] == [q for q in sweep.quotes if q.gpus == 1]
    assert sweep.cheapest.provider == "Cheap" and sweep.cheapest.gpus == 4 and sweep.cheapest.cheapest
    assert sweep.fastest.wall_clock_hours == pytest.approx(0.25)


def test_a_deadline_no_offer_can_meet_marks_nothing():
    sweep = sweep_quotes([one_gpu_hour_of_h100()], [offer()], TODAY, gpu_counts=[1], deadline_hours=0.01)

    assert sweep.cheapest is None and sweep.fastest is None and not any(q.cheapest for q in sweep.quotes)


def test_each_offer_shows_its_cheapest_quote_in_time_and_one_that_cannot_make_it_shows_its_fastest():
    small = offer(provider="Small", instance="1x", gpus_per_instance=1, usd_per_hour=Decimal("2"))

    rows = best_quote_per_offer(sweep_quotes([one_gpu_hour_of_h100()], [offer(), small], TODAY,
                                             gpu_counts=[1, 2, 8], deadline_hours=0.2).quotes)

    assert [(q.provider, q.gpus, q.within_deadline) for q in rows] == [("Small", 8, True), ("AWS", 8, True)]
    late = best_quote_per_offer(sweep_quotes([one_gpu_hour_of_h100()], [small], TODAY, gpu_counts=[1, 2],
                                             deadline_hours=0.2).quotes)
    assert [(q.gpus, q.within_deadline) for q in late] == [(2, False)]


def test_the_provider_chart_takes_each_providers_cheapest_offer():
    dear = offer(instance="p5 dear", usd_per_hour=Decimal("99"))
    cheap = offer(instance="p5 cheap", usd_per_hour=Decimal("16"))

    [aws] = cheapest_by_provider(sweep_quotes([one_gpu_hour_of_h100()], [dear, cheap], TODAY, gpu_counts=[8]).quotes)

    assert aws.instance == "p5 cheap"


def test_the_catalog_table_shows_unknown_dates_and_the_spec_each_offer_is_timed_with():
    rows = catalog_table(load_catalog(), TODAY)

    assert len(rows) == len(load_catalog_rows())
    assert any(r["date_seen"] == "unknown" and r["price_age"] == "date unknown" for r in rows)
    assert all(r["spec"] and r["source"] for r in rows)


def test_an_offer_without_a_throughput_figure_is_skipped_with_the_reason():
    a10g = offer(provider="AWS", instance="g5.2xlarge", gpu="A10G 24GB", gpus_per_instance=1,
                 usd_per_hour=Decimal("1.212"))

    sweep = sweep_quotes([one_gpu_hour_of_h100()], [a10g], TODAY, gpu_counts=[1])

    assert sweep.quotes == () and "no bf16 TFLOP/s figure for A10G" in sweep.skipped[0]


def test_serving_cost_per_request_and_per_thousand_match_a_hand_computation():
    # 2e12 FLOP per request at 50% of 100 TFLOP/s = 0.04 s; at $3.60/h that is $0.00004.
    cost = serving_cost_per_request(2e12, Decimal("3.60"), peak_tflops=100, utilization=0.5)

    assert round_usd(cost, 8) == Decimal("0.00004000")
    assert round_usd(cost_per_1000_requests(cost), 4) == Decimal("0.0400")


def test_a_measured_throughput_prices_a_request_directly():
    # 100 samples/s on a $3.60/h machine: 360,000 requests per dollar-hour-of-3.60.
    assert cost_per_request_from_throughput(100, Decimal("3.60")) == Decimal("0.00001")


def test_a_gpu_kept_up_all_month_is_the_floor_of_the_monthly_bill():
    bill = monthly_serving_cost(10, Decimal("0.001"), usd_per_gpu_hour=Decimal("2"), always_on_gpus=1)

    assert bill == Decimal("2") * 730


def test_zero_requests_per_month_is_refused():
    with pytest.raises(NonPositiveValue, match="requests_per_month=0"):
        monthly_serving_cost(0, Decimal("0.001"))


# No per-example deadline: a full-catalog sweep on a busy CI machine can pass 200 ms.
@settings(deadline=None)
@given(tokens=st.floats(1e6, 1e12), more=st.floats(1.01, 1000), gpus=st.integers(1, 64))
def test_cost_grows_with_the_tokens_trained_on(tokens, more, gpus):
    def cost(n_tokens: float) -> Decimal:
        job = Workload("bf16", 6 * 110e6 * n_tokens, 1e9, 0.4)
        return sweep_quotes([job], [offer()], TODAY, gpu_counts=[gpus]).quotes[0].cost_usd

    assert cost(tokens * more) > cost(tokens)


@settings(deadline=None, max_examples=50)
@given(flops=st.floats(1e12, 1e24), memory=st.floats(1e6, 5e12), utilization=st.floats(0.01, 1.0))
def test_no_quote_ever_has_negative_or_missing_money_and_wall_clock_falls_with_gpus(flops, memory, utilization):
    sweep = sweep_quotes([Workload("bf16", flops, memory, utilization)], load_catalog(), TODAY)

    assert all(q.cost_usd >= 0 and q.cost_usd.is_finite() for q in sweep.quotes)
    by_offer: dict = {}
    for quote in sweep.quotes:
        by_offer.setdefault((quote.provider, quote.instance), []).append(quote.wall_clock_hours)
    assert all(walls == sorted(walls, reverse=True) and len(set(walls)) == len(walls) for walls in by_offer.values())


def test_the_cost_frontier_is_the_cheapest_quote_for_every_deadline():
    quotes = estimate_costs(CostInputs(model=preset("bert-base"), today=TODAY), load_catalog()).sweep.quotes

    frontier = cost_frontier(quotes)

    assert 1 < len(frontier) < len(quotes)
    for deadline in sorted({q.wall_clock_hours for q in quotes}):
        in_time = [q for q in quotes if q.wall_clock_hours <= deadline]
        best = [q for q in frontier if q.wall_clock_hours <= deadline][-1]
        assert round(best.cost_float_usd, 2) == round(min(q.cost_float_usd for q in in_time), 2)


def test_each_step_of_the_frontier_is_slower_and_cheaper_than_the_one_before():
    quotes = estimate_costs(CostInputs(model=preset("distilbert"), today=TODAY), load_catalog()).sweep.quotes

    frontier = cost_frontier(quotes)

    assert all(a.wall_clock_hours <= b.wall_clock_hours and a.cost_float_usd > b.cost_float_usd
               for a, b in zip(frontier, frontier[1:]))
    assert frontier[0].wall_clock_hours == min(q.wall_clock_hours for q in quotes)


def test_the_sweeps_shortcuts_agree_with_the_functions_over_every_quote():
    # The page reads best-per-offer and the frontier from the sweep's arrays; they must be the same
    # quotes the plain functions pick from every quote.
    flops, memory = 6 * 7e9 * 2e9, 120e9
    for deadline in (None, 5.0, 0.5):
        sweep = sweep_quotes([Workload("bf16", flops, memory, 0.4)], load_catalog(), TODAY, deadline_hours=deadline)
        assert sweep.best_per_offer() == best_quote_per_offer(sweep.quotes)
        assert sweep.frontier() == cost_frontier(sweep.quotes)
        assert [q for q in sweep.quotes if q.cheapest] == ([sweep.cheapest] if sweep.cheapest else [])


def test_an_l4_price_of_the_founder_is_timed_and_priced_from_the_l4_spec_row():
    # The L4 had a spec row but no mapping from a price's GPU name to it, so it could not be priced.
    [l4] = apply_price_overrides([], [{"provider": "GCP", "instance": "g2-standard-4", "gpu": "L4 24GB",
                                      "gpus_per_instance": 1, "usd_per_hour": "0.71"}], TODAY)
    sweep = sweep_quotes([Workload("bf16", 6 * 1e8 * 1e9, 5e9, 0.4)], [l4], TODAY, gpu_counts=[1])
    [quote] = sweep.quotes
    assert not sweep.skipped and quote.gpu_hours == pytest.approx(6e17 / (121e12 * 0.4) / 3600)
