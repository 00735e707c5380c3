"""How long a text fine-tune will take on this machine before it starts, and what the same job costs on
the cheapest catalog GPU.

Training FLOPs are the estimator's 6·N·D (N parameters, D tokens: one pass's tokens after truncation ×
epochs). This machine's speed comes from past runs of the same model on the same device (FLOP/s each
achieved: 6 × parameters × measured training tokens/s, median of them), else from its measured matrix
speed times an assumed share, said as an assumption. After a run, `predicted_vs_actual(card)` reads the
prediction the run card kept beside the time it really took. Reads run cards as plain dicts.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from business.costs.catalog import GpuOffer
from business.costs.compute import training_flops_transformer
from business.costs.pricing import Quote, Workload, sweep_quotes
from business import figures
from business.provenance import Provenance, estimated, measured

# Share of the measured fp32 matmul speed a small transformer's training step reaches on a CPU when no
# past run says better (attention, layer norms, the optimizer and data handling are slower than a
# single large matmul). An assumption, replaced by measured runs as soon as one exists.
CPU_TRAINING_SHARE_OF_MATMUL = 0.3


@dataclass(frozen=True)
class MachineSpeed:
    flops_per_s: float
    basis: str
    provenance: Provenance


@dataclass(frozen=True)
class TrainingTimePrediction:
    flops: float
    seconds: float
    speed: MachineSpeed
    cloud: Quote | None  # the cheapest catalog offer (one GPU) for the same FLOPs; None when none fits


def speed_from_runs(cards: list[dict], model_name: str, device: str) -> MachineSpeed | None:
    """The median FLOP/s finished text runs of this model reached on this device, or None if there are none."""
    speeds, run_ids = [], []
    for card in cards:
        throughput, model = card.get("throughput") or {}, card.get("model") or {}
        tokens_per_s, parameters = throughput.get("train_tokens_per_s") or 0, model.get("parameters") or 0
        if (card.get("task") == "text" and model.get("name") == model_name and tokens_per_s > 0
                and str(throughput.get("train_device", "")).split(":")[0] == device.split(":")[0]):
            speeds.append(training_flops_transformer(parameters, tokens_per_s))
            run_ids.append(str(card.get("run_id")))
    if not speeds:
        return None
    flops_per_s = statistics.median(speeds)
    basis = (f"measured: {len(speeds)} past run(s) of {model_name} on this {device.upper()} "
             f"({flops_per_s / 1e9:,.1f} GFLOP/s achieved)")
    return MachineSpeed(flops_per_s, basis, measured(", ".join(run_ids[-3:]), method=basis))


def speed_from_matmul(matmul_flops_per_s: float, today: date) -> MachineSpeed:
    flops_per_s = matmul_flops_per_s * CPU_TRAINING_SHARE_OF_MATMUL
    basis = (f"estimated: {CPU_TRAINING_SHARE_OF_MATMUL:.0%} (assumed) of this machine's measured matrix speed "
             f"({matmul_flops_per_s / 1e9:,.1f} GFLOP/s); no past run of this model here yet")
    return MachineSpeed(flops_per_s, basis, estimated("share of measured matmul speed", {
        "matmul GFLOP/s": f"{matmul_flops_per_s / 1e9:,.1f}", "share": f"{CPU_TRAINING_SHARE_OF_MATMUL:.0%}"}, today))


def predict_training_time(parameters: int, tokens_per_epoch: int, epochs: int, speed: MachineSpeed,
                          offers: tuple[GpuOffer, ...], today: date) -> TrainingTimePrediction:
    flops = training_flops_transformer(parameters, max(1, tokens_per_epoch) * max(1, epochs))
    # mixed-precision AdamW: bf16 weights, fp32 gradients, master copy and two moments (18 bytes/parameter)
    bytes_per_parameter = sum(figure.value for figure in (
        figures.BYTES_PER_PARAM["bf16"], figures.GRADIENT_BYTES, figures.MASTER_WEIGHTS_BYTES, figures.ADAM_MOMENTS_BYTES))
    sweep = sweep_quotes([Workload("bf16", flops, parameters * bytes_per_parameter, figures.UTILIZATION_OTHER.value)],
                         offers, today,
                         gpu_counts=(1,))
    return TrainingTimePrediction(flops, flops / speed.flops_per_s, speed, sweep.cheapest)


def predicted_vs_actual(card: dict) -> tuple[float, float] | None:
    """(predicted seconds, actual seconds) a run card kept, or None when it has no prediction."""
    predicted = (card.get("config") or {}).get("predicted_seconds")
    actual = (card.get("training") or {}).get("train_seconds")
    if not predicted or not actual:
        return None
    return float(predicted), float(actual)


@dataclass(frozen=True)
class SamplesPrediction:
    seconds: float
    samples_per_s: float
    speed: MachineSpeed
    flops: float = 0.0  # not known for a model without a FLOP count (e.g. the small CNN)
    cloud: Quote | None = None


def predict_from_samples(cards: list[dict], task: str, model_name: str, device: str,
                         samples: int) -> SamplesPrediction | str:
    """Seconds for `samples` training examples at the median speed past runs of this model reached on
    this device; or, with no such run, why there is no prediction yet."""
    rates, run_ids = [], []
    for card in cards:
        throughput, config = card.get("throughput") or {}, card.get("config") or {}
        rate = throughput.get("train_samples_per_s") or 0
        if (card.get("task") == task and config.get("model_name") == model_name and rate > 0
                and str(throughput.get("train_device", "")).split(":")[0] == device.split(":")[0]):
            rates.append(float(rate))
            run_ids.append(str(card.get("run_id")))
    if not rates:
        return (f"no time estimate yet: no past run of {model_name} on this {device.upper()}; the first run "
                "measures its speed and the next one is predicted from it")
    samples_per_s = statistics.median(rates)
    basis = f"measured: {len(rates)} past run(s) of {model_name} on this {device.upper()} ({samples_per_s:,.0f} images/s)"
    speed = MachineSpeed(0.0, basis, measured(", ".join(run_ids[-3:]), method=basis))
    return SamplesPrediction(samples / samples_per_s, samples_per_s, speed)


def prediction_evidence(cards: list[dict]) -> str | None:
    """How the training-time predictions made before each run compare with the time the runs took: the
    evidence for (or against) the estimator's speed figures on this machine. None before any such run."""
    pairs = [pair for card in cards if (pair := predicted_vs_actual(card))]
    if not pairs:
        return None
    ratios = sorted(actual / predicted for predicted, actual in pairs)
    return (f"Training-time predictions on this machine: {len(pairs)} run(s) took {ratios[0]:.2f}× to "
            f"{ratios[-1]:.2f}× the time predicted before they started (median {statistics.median(ratios):.2f}×; "
            "1.00× would be exact).")
