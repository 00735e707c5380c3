"""Fine-tuning memory per GPU (full, LoRA, QLoRA; ZeRO 0-3; TP/PP; checkpointing) and LoRA FLOPs."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from business.costs.finetune import (FineTuneSetup, InvalidFineTune, activation_bytes_per_gpu, fine_tune_flops,
                                     fine_tune_memory, lora_parameters)
from business.costs.models import ModelSpec, preset


def _bare(parameters: float) -> ModelSpec:
    return ModelSpec("custom", "bare", "decoder", int(parameters), "test")


@pytest.mark.parametrize("stage, expected_gb", [(0, 120.0), (1, 31.4), (2, 16.6), (3, 1.9)])
def test_zero_stages_match_the_worked_example_transformer_math_101_cites(stage, expected_gb):
    # Rajbhandari et al. 2020 (ZeRO), Figure 1, the example Transformer Math 101's "Sharded Optimizers"
    # formulas reproduce: Ψ = 7.5B parameters, 64 GPUs, mixed-precision Adam (2 + 2 + 12 bytes):
    # baseline 120 GB, ZeRO-1 31.4 GB, ZeRO-2 16.6 GB, ZeRO-3 1.9 GB per GPU (activations aside).
    memory = fine_tune_memory(_bare(7.5e9), FineTuneSetup(zero_stage=stage, gpus=64))
    assert memory.per_gpu.total_bytes / 1e9 == pytest.approx(expected_gb, abs=0.05)
    assert memory.per_gpu.activations_bytes == 0  # a bare count has no shape: said, not guessed


def test_tensor_and_pipeline_parallel_split_the_weights_and_tensor_parallel_splits_activations():
    one = fine_tune_memory(preset("llm-7b"), FineTuneSetup(micro_batch=1, sequence_length=2048))
    split = fine_tune_memory(preset("llm-7b"), FineTuneSetup(micro_batch=1, sequence_length=2048, gpus=8,
                                                             tensor_parallel=4, pipeline_parallel=2))
    assert split.per_gpu.weights_bytes == pytest.approx(one.per_gpu.weights_bytes / 8)
    assert split.per_gpu.activations_bytes < one.per_gpu.activations_bytes / 3


def test_activation_checkpointing_keeps_two_bytes_per_hidden_value_per_layer():
    setup = FineTuneSetup(micro_batch=4, sequence_length=1024, activation_checkpointing=True)
    assert activation_bytes_per_gpu(preset("llm-7b"), setup) == 32 * 2 * 1024 * 4 * 4096
    kept = activation_bytes_per_gpu(preset("llm-7b"), FineTuneSetup(micro_batch=4, sequence_length=1024))
    assert kept > 10 * activation_bytes_per_gpu(preset("llm-7b"), setup)


def test_lora_on_the_attention_of_llama_2_7b_at_rank_16_trains_16_8_million_parameters():
    # 32 layers × 4 matrices × 16 × (4,096 + 4,096) = 16,777,216: 0.25% of 6.74B (Hu et al. 2021's setting).
    assert lora_parameters(preset("llm-7b"), 16, ("q", "k", "v", "o")) == 32 * 4 * 16 * 8192 == 16_777_216


def test_qlora_holds_a_7b_model_in_a_fraction_of_full_fine_tuning():
    full = fine_tune_memory(preset("llm-7b"), FineTuneSetup(micro_batch=1, sequence_length=512))
    lora = fine_tune_memory(preset("llm-7b"), FineTuneSetup("lora", micro_batch=1, sequence_length=512))
    qlora = fine_tune_memory(preset("llm-7b"), FineTuneSetup("qlora", micro_batch=1, sequence_length=512))
    assert full.per_gpu.total_bytes > 100e9  # 16 bytes × 6.74B
    assert 13e9 < lora.per_gpu.total_bytes < 20e9  # the bf16 base dominates
    assert qlora.per_gpu.weights_bytes < 4.5e9  # 4-bit Linear weights, bf16 embeddings
    assert qlora.per_gpu.total_bytes < 24e9  # fits a 24 GB card, the QLoRA paper's point
    assert qlora.trainable_fraction < 0.003


def test_lora_flops_skip_the_weight_gradients_of_the_frozen_base():
    full = fine_tune_flops(preset("llm-7b"), 1e9)
    lora = fine_tune_flops(preset("llm-7b"), 1e9, "lora", trainable_parameters=16_777_216)
    assert full == pytest.approx(6 * 6_738_415_616 * 1e9)
    assert lora == pytest.approx((4 * 6_738_415_616 + 6 * 16_777_216) * 1e9)
    assert fine_tune_flops(preset("llm-7b"), 1e9, activation_checkpointing=True) == pytest.approx(full * 8 / 6)


@pytest.mark.parametrize("setup, message", [
    (FineTuneSetup(mode="prefix"), "mode 'prefix' is unknown"),
    (FineTuneSetup(zero_stage=4), "ZeRO stage 4"),
    (FineTuneSetup(gpus=6, tensor_parallel=4), "6 GPUs cannot be split"),
    (FineTuneSetup("lora", lora_targets=("q", "router")), "'router'"),
    (FineTuneSetup(precision="int8"), "train in fp32 or bf16"),
])
def test_an_impossible_setup_is_refused_with_the_value_named(setup, message):
    with pytest.raises(InvalidFineTune, match=message):
        fine_tune_memory(preset("llm-7b"), setup)


@settings(max_examples=80, deadline=None)
@given(mode=st.sampled_from(["full", "lora", "qlora"]), gpus=st.integers(1, 512), more=st.integers(1, 512),
       batch=st.integers(1, 64), checkpointing=st.booleans())
def test_more_gpus_never_raise_memory_per_gpu_under_zero_3(mode, gpus, more, batch, checkpointing):
    def per_gpu(count):
        setup = FineTuneSetup(mode, micro_batch=batch, sequence_length=512, zero_stage=3, gpus=count,
                              activation_checkpointing=checkpointing)
        return fine_tune_memory(preset("llm-7b"), setup).per_gpu.total_bytes
    assert per_gpu(gpus + more) <= per_gpu(gpus)
    assert math.isfinite(per_gpu(gpus))


def test_the_method_says_a_qlora_base_is_stored_at_4_bit_and_only_full_fine_tuning_has_bf16_weight_gradients():
    qlora = fine_tune_memory(preset("llm-7b"), FineTuneSetup(mode="qlora")).per_gpu.method
    lora = fine_tune_memory(preset("llm-7b"), FineTuneSetup(mode="lora")).per_gpu.method
    full = fine_tune_memory(preset("llm-7b"), FineTuneSetup(mode="full")).per_gpu.method
    assert "frozen base at int4 (4-bit)" in qlora and "weights and gradients at bf16" not in qlora
    assert "frozen base at bf16, adapters and their gradients at bf16" in lora
    assert full.startswith("full: weights and gradients at bf16")
