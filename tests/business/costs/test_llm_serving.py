"""LLM serving physics: KV cache, the bandwidth limit on decoding, fit, and per-token prices."""
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from business.costs.catalog import GpuOffer, load_catalog, spec_for
from business.costs.compute import EstimateError
from business.costs.hf_config import model_from_config, shipped_config
from business.costs.llm_serving import (InvalidEfficiency, ModelDoesNotFit, NotADecoder, ServingEfficiency,
                                        cheapest_llm_serving, estimate_llm_serving, kv_bytes_per_token)
from business.costs.memory import kv_cache_bytes, model_weights_bytes
from business.costs.models import preset
from business.costs.serving import NoOfferFits


def _offer(gpu: str = "H100 SXM 80GB", gpus: int = 1, usd: str = "2.00") -> GpuOffer:
    return GpuOffer("Test cloud", f"{gpus}x {gpu}", gpu, gpus, Decimal(usd) * gpus, None, "test")


def test_llama_2_7b_keeps_exactly_2_gib_of_kv_cache_per_sequence_at_4096_tokens():
    # 2 (K and V) × 32 layers × 4,096 tokens × 4,096 hidden × 2 bytes = 2 GiB (Llama 2 7B, bf16).
    llama = model_from_config(shipped_config("Llama-2-7b-hf.json"))
    assert kv_bytes_per_token(llama, "bf16") * 4096 == 2 * 32 * 4096 * 4096 * 2 == 2 * 2 ** 30
    assert kv_cache_bytes(llama, 1, 4096) == 2 * 2 ** 30


def test_grouped_query_attention_shrinks_the_kv_cache_by_heads_over_kv_heads():
    # Llama 2 70B: 64 heads, 8 KV heads: 2 × 80 × 1,024 × 2 bytes per token, 8× less than full attention.
    assert kv_bytes_per_token(preset("llm-70b"), "bf16") == 2 * 80 * 8 * 128 * 2


def test_decoding_at_batch_one_is_bound_by_memory_bandwidth_and_never_beats_it():
    estimate = estimate_llm_serving(preset("llm-7b"), _offer(), "bf16", batch=1, input_tokens=512, output_tokens=256)
    spec = spec_for("H100 SXM 80GB")
    ceiling = spec.mem_bandwidth_tbs * 1e12 / model_weights_bytes(preset("llm-7b"), "bf16")
    assert estimate.decode_bound == "memory bandwidth"
    assert estimate.output_tokens_per_s_per_user <= ceiling  # ~248 tokens/s for 13.5 GB at 3.35 TB/s
    assert estimate.output_tokens_per_s_per_user == pytest.approx(0.6 * ceiling, rel=0.05)


def test_a_grouped_query_model_turns_compute_bound_at_the_batch_it_reports():
    mistral = model_from_config(shipped_config("Mistral-7B-v0.1.json"))
    probe = estimate_llm_serving(mistral, _offer(), "bf16", batch=1, input_tokens=128, output_tokens=128)
    turn = probe.compute_bound_batch
    assert turn is not None and 1 < turn < 1000
    below = estimate_llm_serving(mistral, _offer(), "bf16", batch=math.floor(turn * 0.8), input_tokens=128,
                                 output_tokens=128)
    above = estimate_llm_serving(mistral, _offer(), "bf16", batch=math.ceil(turn * 1.2), input_tokens=128,
                                 output_tokens=128)
    assert (below.decode_bound, above.decode_bound) == ("memory bandwidth", "compute")


def test_prices_split_gpu_time_between_input_and_output_tokens():
    estimate = estimate_llm_serving(preset("llm-7b"), _offer(usd="3.60"), "bf16", batch=8, input_tokens=1000,
                                    output_tokens=500)
    per_request = (estimate.usd_per_1m_input_tokens * 1000 + estimate.usd_per_1m_output_tokens * 500) / Decimal(1e6)
    assert float(per_request) == pytest.approx(float(estimate.usd_per_request), rel=1e-9)
    assert estimate.usd_per_1m_output_tokens > estimate.usd_per_1m_input_tokens  # decode is the slow part


def test_a_70b_model_spreads_over_the_fewest_gpus_of_an_instance_that_hold_it():
    estimate = estimate_llm_serving(preset("llm-70b"), _offer(gpus=8), "bf16", batch=4, input_tokens=512,
                                    output_tokens=256)
    assert estimate.tensor_parallel == 4  # 138 GB × 1.2 + cache = 166 GB: more than two 80 GB GPUs
    assert estimate.memory_per_gpu_bytes <= 80e9


def test_a_model_too_big_for_the_instance_says_how_big_it_is():
    with pytest.raises(ModelDoesNotFit, match="GB .* does not fit on one Test cloud"):
        estimate_llm_serving(preset("llm-70b"), _offer(gpus=1), "bf16")


def test_the_cheapest_offer_that_fits_wins_and_none_fitting_is_said():
    too_small, cheap_small, dear_big = (_offer("T4 16GB", usd="0.10"), _offer("A10 24GB", usd="0.50"),
                                        _offer("H100 SXM 80GB", usd="3.00"))
    best = cheapest_llm_serving(preset("llm-7b"), [too_small, cheap_small, dear_big], "bf16", batch=1,
                                input_tokens=256, output_tokens=256)
    # 13.5 GB × 1.2 = 16.2 GB: not on a 16 GB T4, however cheap. At batch 1 decode pays for bandwidth:
    # $0.50 for 0.6 TB/s beats $3.00 for 3.35 TB/s.
    assert best.offer == cheap_small
    with pytest.raises(NoOfferFits, match="no offer holds"):
        cheapest_llm_serving(preset("llm-70b"), [cheap_small], "bf16")


def test_an_encoder_is_not_priced_as_an_llm():
    with pytest.raises(NotADecoder, match="BERT-base is not a decoder"):
        estimate_llm_serving(preset("bert-base"), _offer())


def test_efficiencies_outside_zero_to_one_are_refused():
    with pytest.raises(InvalidEfficiency, match="bandwidth efficiency=1.5"):
        ServingEfficiency(bandwidth=1.5)


@settings(max_examples=60, deadline=None)
@given(batch=st.integers(1, 256), extra=st.integers(1, 256), prompt=st.integers(1, 4096), out=st.integers(1, 2048))
def test_a_larger_batch_never_lowers_throughput_per_gpu(batch, extra, prompt, out):
    offer = _offer("H200 141GB", gpus=8)
    try:
        small = estimate_llm_serving(preset("llm-7b"), offer, "bf16", batch, prompt, out, tensor_parallel=1)
        large = estimate_llm_serving(preset("llm-7b"), offer, "bf16", batch + extra, prompt, out, tensor_parallel=1)
    except ModelDoesNotFit:
        return
    assert large.output_tokens_per_s_per_gpu >= small.output_tokens_per_s_per_gpu * (1 - 1e-12)


@settings(max_examples=80, deadline=None)
@given(precision=st.sampled_from(["fp32", "bf16", "int8", "int4"]), batch=st.integers(1, 10_000),
       prompt=st.floats(1, 1e6), out=st.floats(1, 1e6), offer=st.sampled_from(load_catalog()))
def test_every_serving_figure_is_finite_or_a_clear_error(precision, batch, prompt, out, offer):
    try:
        estimate = estimate_llm_serving(preset("llm-7b"), offer, precision, batch, prompt, out)
    except EstimateError as error:
        assert str(error)
        return
    spec = spec_for(offer.gpu)
    ceiling = estimate.tensor_parallel * spec.mem_bandwidth_tbs * 1e12 / estimate.memory.weights_bytes
    assert estimate.output_tokens_per_s_per_user <= ceiling  # never faster than reading the weights once
    for value in (estimate.time_to_first_token_s, estimate.decode_step_s, estimate.output_tokens_per_s_per_gpu,
                  estimate.requests_per_s, float(estimate.usd_per_1000_requests),
                  float(estimate.usd_per_1m_input_tokens), float(estimate.usd_per_1m_output_tokens)):
        assert math.isfinite(value) and value > 0
