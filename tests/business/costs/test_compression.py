"""Compression savings, run cards and the whole estimator: published figures and invariants."""
from __future__ import annotations

import csv
import io
import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from business import figures
from business.costs.catalog import load_catalog
from business.costs.compression import (InvalidCompression, distillation_estimate, dynamic_int8_size_bytes,
                                  model_size_bytes, precision_estimates, pruning_estimate)
from business.costs.compute import EstimateError
from business.costs.estimator import CostInputs, estimate_costs, quotes_csv
from business.costs.models import PRESETS, custom_model, preset
from business.costs.run_cards import InvalidRunCard, measured_compression, model_from_run_card

TODAY = date(2026, 11, 29)


def run_card(**changes) -> dict:
    """A hand-written run card of a fine-tuned bundled MiniLM, as the model pages will write it."""
    card = {
        "model": {"name": "all-MiniLM-L6-v2 (fine-tuned, 3 labels)", "parameters": 22_714_371},
        "metrics": {"accuracy": 0.91},
        "throughput": {"samples_per_s": 250.0, "device": "cpu"},
        "size_bytes": 90_900_000,
        "latency_ms_p50": 8.0,
        "compression": [{"method": "int8-dynamic", "size_bytes": 45_450_000, "latency_ms_p50": 5.0,
                         "latency_ms_p95": 7.5, "accuracy": 0.90}],
    }
    card.update(changes)
    return card


def test_dynamic_int8_on_bert_base_explains_the_published_2_4x_drop_not_a_naive_4x():
    bert = preset("bert-base")

    fp32_mb = model_size_bytes(bert, "fp32") / 1e6
    int8_mb = dynamic_int8_size_bytes(bert) / 1e6

    assert fp32_mb == pytest.approx(figures.BERT_BASE_FP32_SIZE_MB.value, rel=0.02)  # 438 MB
    assert 182 * 0.98 <= int8_mb <= 184 * 1.02  # tutorial: ~182-184 MB
    assert fp32_mb / int8_mb == pytest.approx(2.4, abs=0.1)
    assert fp32_mb / int8_mb < 3  # a naive "4 bytes -> 1 byte" would claim 4x


def test_lower_precision_halves_the_size_step_by_step_for_a_model_quantized_whole():
    resnet = preset("resnet-50")

    sizes = [model_size_bytes(resnet, p) for p in ("fp32", "bf16", "int8", "int4")]

    assert sizes == [resnet.parameters * b for b in (4, 2, 1, 0.5)]


def test_each_precision_estimate_names_its_source_and_int4_builds_on_gptq():
    estimates = {e.method: e for e in precision_estimates(preset("llm-7b"))}

    assert all(e.source for e in estimates.values())
    assert "Frantar" in estimates["precision int4"].source
    assert estimates["precision int4"].throughput_multiplier == pytest.approx(3.25 * 2.0)


def test_unstructured_pruning_honestly_promises_no_speed_up_on_dense_hardware():
    pruned = pruning_estimate(preset("bert-base"), 0.9)

    assert pruned.throughput_multiplier == 1.0
    assert "rarely speeds up" in pruned.source
    assert pruned.size_bytes == model_size_bytes(preset("bert-base"), "fp32")


def test_structured_pruning_of_half_the_weights_halves_size_and_at_best_doubles_speed():
    pruned = pruning_estimate(preset("bert-base"), 0.5, structured=True)

    assert pruned.size_bytes == pytest.approx(model_size_bytes(preset("bert-base"), "fp32") / 2)
    assert pruned.throughput_multiplier == pytest.approx(2.0)


@pytest.mark.parametrize("sparsity", [1.0, -0.1, 1.5, float("nan")])
def test_sparsity_outside_zero_to_one_is_refused(sparsity):
    with pytest.raises(InvalidCompression, match="sparsity="):
        pruning_estimate(preset("bert-base"), sparsity)


def test_distillation_defaults_to_distilberts_published_figures():
    student = distillation_estimate(preset("bert-base"))

    assert student.size_bytes == pytest.approx(0.6 * 110e6 * 4)
    assert student.throughput_multiplier == pytest.approx(1.6)
    assert "Sanh" in student.source and "97%" in student.accuracy_caveat


def test_a_student_larger_than_its_teacher_is_refused():
    with pytest.raises(EstimateError, match="student_parameters"):
        distillation_estimate(preset("bert-base"), student_parameters=500e6)


def test_a_hand_written_run_card_becomes_model_input_with_a_matching_preset_shape():
    measured = model_from_run_card(run_card())

    assert measured.spec.parameters == 22_714_371 and measured.spec.kind == "encoder"
    assert measured.spec.shape == preset("minilm-l6").shape
    assert (measured.samples_per_s, measured.device, measured.size_bytes) == (250.0, "cpu", 90_900_000)


def test_measured_compression_rows_carry_size_and_speed_ratios_against_the_uncompressed_model():
    [row] = measured_compression(run_card())

    assert row.method == "int8-dynamic" and row.accuracy == 0.90
    assert row.size_ratio == pytest.approx(2.0) and row.speedup == pytest.approx(1.6)


def test_a_measured_fp32_row_is_the_baseline_of_the_ratios_when_the_card_has_one():
    card = run_card(compression=[
        {"method": "fp32", "size_bytes": 90_000_000, "latency_ms_p50": 10.0},
        {"method": "int8-dynamic", "size_bytes": 36_000_000, "latency_ms_p50": 4.0},
    ])

    fp32, int8 = measured_compression(card)

    assert (fp32.size_ratio, fp32.speedup) == (1.0, 1.0)
    assert int8.size_ratio == pytest.approx(2.5) and int8.speedup == pytest.approx(2.5)


def test_an_image_run_card_of_a_resnet_borrows_the_presets_flops_per_image():
    card = run_card(task="image", model={"name": "resnet18 (digits)", "parameters": 11_181_642})

    spec = model_from_run_card(card).spec

    assert spec.kind == "cnn" and spec.forward_flops_per_image == preset("resnet-18").forward_flops_per_image


def test_an_older_run_card_naming_only_the_inference_throughput_still_gives_it():
    card = run_card(throughput={"train_samples_per_s": 40.0, "infer_samples_per_s": 120.0, "device": "cpu"})

    assert model_from_run_card(card).samples_per_s == 120.0


def test_an_image_run_card_at_a_smaller_size_scales_the_presets_flops_with_the_pixels():
    card = run_card(task="image", model={"name": "mobilenet_v3_small", "parameters": 1_528_106},
                    config={"image_size": 112})

    spec = model_from_run_card(card).spec

    small = preset("mobilenet-v3-small")
    assert spec.forward_flops_per_image == pytest.approx(small.forward_flops_per_image / 4)
    assert spec.activation_bytes_per_image == pytest.approx(small.activation_bytes_per_image / 4)


def test_a_run_card_without_throughput_or_compression_still_reads():
    card = run_card(compression=None, throughput=None, size_bytes=None, latency_ms_p50=None)

    assert model_from_run_card(card).samples_per_s is None
    assert measured_compression(card) == []


@pytest.mark.parametrize("card, message", [
    ({}, "model.name"),
    ({"model": {"name": "x"}}, "model.parameters"),
    ({"model": {"name": "x", "parameters": -3}}, "model.parameters=-3"),
    ({"model": {"name": "x", "parameters": 10, "kind": "rnn"}}, "model.kind='rnn'"),
    (run_card(throughput={"samples_per_s": "fast"}), "throughput.samples_per_s='fast'"),
    (run_card(compression=[{"size_bytes": 1}]), r"compression\[0\]"),
    ([1, 2], "JSON object"),
])
def test_a_malformed_run_card_is_refused_naming_the_key(card, message):
    with pytest.raises(InvalidRunCard, match=message):
        measured_compression(card)


def test_the_estimator_prices_a_measured_model_from_its_throughput():
    measured = model_from_run_card(run_card())
    inputs = CostInputs(model=measured.spec, today=TODAY, measured=measured,
                        measured_machine_usd_per_hour=Decimal("0.90"))

    report = estimate_costs(inputs, load_catalog())

    # 250 requests/s on a $0.90/h machine: $0.90 / 900,000 requests = $0.000001 each.
    assert report.measured_cost_per_request_usd == Decimal("0.000001")


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_gets_finite_non_negative_figures_and_a_cheapest_offer(key):
    report = estimate_costs(CostInputs(model=preset(key), today=TODAY), load_catalog())

    numbers = [report.train_flops, report.gpu_hours, report.energy_kwh, report.training_memory.total_bytes]
    assert all(math.isfinite(n) and n > 0 for n in numbers)
    assert report.sweep.cheapest is not None and report.serving.cost_per_1000_usd > 0
    assert all(bill.after is None or bill.after.monthly_usd >= 0 for bill in report.compression)


def test_the_sweep_downloads_as_csv_with_one_row_per_quote_and_money_in_cents():
    report = estimate_costs(CostInputs(model=preset("distilbert"), today=TODAY, gpu_counts=(1, 2)), load_catalog())

    rows = list(csv.DictReader(io.StringIO(quotes_csv(report.sweep.quotes))))

    assert len(rows) == len(report.sweep.quotes)
    assert all(len(row["cost_usd"].split(".")[1]) == 2 for row in rows)


@settings(max_examples=40, deadline=None)
@given(parameters=st.one_of(st.floats(-1e3, 1e14), st.just(float("nan")), st.just(0.0)),
       tokens=st.one_of(st.floats(-1, 1e31), st.just(float("inf"))),
       utilization=st.one_of(st.none(), st.floats(-1, 2)),
       requests=st.floats(-1, 1e14))
def test_any_input_gives_finite_figures_or_a_clear_estimate_error_never_a_crash(parameters, tokens, utilization,
                                                                                requests):
    try:
        model = custom_model("fuzz", "encoder", parameters)
        report = estimate_costs(CostInputs(model=model, today=TODAY, training_tokens=tokens,
                                           utilization=utilization, requests_per_month=requests,
                                           gpu_counts=(1, 8)), load_catalog())
    except EstimateError as error:
        assert str(error)
        return
    assert math.isfinite(report.gpu_hours) and report.serving.monthly_usd.is_finite()


def test_int8_and_int4_follow_one_rule_linear_weights_quantized_the_rest_kept():
    from business.costs.memory import model_weights_bytes
    for key, kept_bytes in (("bert-base", 4), ("llm-7b", 2)):  # fp32 on an encoder, bf16 on a decoder
        shape = preset(key).shape
        kept = (shape.embedding_parameters() + shape.other_parameters()) * kept_bytes
        linear = shape.linear_weight_parameters()
        assert model_weights_bytes(preset(key), "int8") == kept + linear * 1
        assert model_weights_bytes(preset(key), "int4") == kept + linear * 0.5
        assert model_size_bytes(preset(key), "int4") == model_weights_bytes(preset(key), "int4")
