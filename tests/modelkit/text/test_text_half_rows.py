"""Half-precision rows: the code that measures fp16/bf16 on a GPU, run here on the CPU in bf16."""
from __future__ import annotations

import pytest
import torch

from modelkit.text.half_rows import gpu_precisions, half_name, half_rows
from modelkit.text.variant_rows import candidates, measure_rows
from modelkit.text.variants import validation_texts
from tests.text_builders import train_tiny


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("half") / "run"
    train_tiny(run, max_steps=4)
    return run


@pytest.fixture(scope="module")
def cpu_rows(tiny_run):
    return measure_rows(tiny_run, repeats=2)


def test_a_bf16_row_halves_the_size_keeps_the_accuracy_and_names_its_base_and_device(tiny_run, cpu_rows):
    texts, labels = validation_texts(tiny_run)

    rows = half_rows(cpu_rows, candidates(tiny_run), texts, labels, "cpu", ("bf16",), repeats=2)

    teacher = next(row for row in cpu_rows if row["method"] == "fp32")
    (half,) = rows
    assert half["method"] == "bf16-cpu" and half["kind"] == "bf16" and half["base"] == "fp32"
    assert half["size_bytes"] < 0.6 * teacher["size_bytes"]
    assert half["parameters"] == teacher["parameters"]
    assert abs(half["accuracy"] - teacher["accuracy"]) <= 0.1  # bf16 rounding may flip a borderline text
    assert half["latency_ms_p50"] > 0 and half["throughput_per_s"] > 0


def test_cpu_rows_record_the_threads_they_were_measured_with_and_get_no_half_rows_without_a_gpu(cpu_rows):
    rows = cpu_rows

    assert all(row["cpu_threads"] == torch.get_num_threads() for row in rows)
    if not torch.cuda.is_available():
        assert gpu_precisions() == () and all(row["device"] == "cpu" for row in rows)
    assert half_name("distill-3L", "fp16", "cuda") == "distill-3L+fp16-cuda"
