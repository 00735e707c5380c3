"""What a founder sees before "Start training": settings chosen from the data, what in their own settings
will likely give a weak model, and how long the job will take here and cost on the cheapest cloud GPU.

No torch here: the device comes from nvidia-smi (modelkit.hardware), the machine's speed from past run
cards (else a numpy matrix-multiply measurement), the FLOPs and prices from business.costs.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import streamlit as st

from business.costs.catalog import load_catalog
from business.costs.run_cards import matching_preset
from business.financials.assumptions import unit_usd_text
from business.costs.training_time import (TrainingTimePrediction, predict_training_time, speed_from_matmul,
                                          speed_from_runs)
from modelkit.hardware import describe_hardware, matmul_flops_per_s
from modelkit.paths import runs_root
from modelkit.runs import list_runs, read_run_card
from ui.costs.formats import significant
from ui.text import plain


@st.cache_data(show_spinner=False, ttl=3600)
def on_gpu() -> bool:
    return bool(describe_hardware().gpus)


@st.cache_data(show_spinner=False, ttl=3600)
def machine_matmul_flops_per_s() -> float:
    return matmul_flops_per_s()


def past_cards() -> list[dict]:
    """Every finished run card on this machine: the machine's speed does not depend on the project."""
    return [card for run in list_runs(runs_root()) if (card := read_run_card(runs_root() / run.run_id))]


def predict_text(model_name: str, shown_name: str, tokens_per_epoch: int, epochs: int) -> TrainingTimePrediction | str:
    """The prediction, or why there is none (a model of unknown size)."""
    preset = matching_preset(shown_name)
    if preset is None:
        return f"no time estimate: the size of {model_name!r} is unknown to the cost estimator"
    device = "cuda" if on_gpu() else "cpu"
    speed = speed_from_runs(past_cards(), shown_name, device) or speed_from_matmul(machine_matmul_flops_per_s(),
                                                                                   date.today())
    return predict_training_time(preset.parameters, tokens_per_epoch, epochs, speed, load_catalog(), date.today())


def show_before_start(warnings: list[str], prediction) -> None:
    """`prediction`: a TrainingTimePrediction / SamplesPrediction, the reason there is none, or None."""
    for warning in warnings:
        st.warning(plain(warning))
    if prediction is None:
        return
    if isinstance(prediction, str):
        st.caption(plain(prediction))
        return
    how = (f" ({significant(prediction.flops / 1e12)} TFLOP at {prediction.speed.flops_per_s / 1e9:,.1f} GFLOP/s)"
           if prediction.flops and prediction.speed.flops_per_s else "")
    st.info(plain(f"Predicted training time here: {approximately(prediction.seconds)}{how}"
                  f"{cloud_text(prediction.cloud)}."))
    st.caption(plain(f"Speed {prediction.speed.basis}."))


def cloud_text(cloud) -> str:
    """The same job on the cheapest catalog GPU: its time there and the GPU time's cost. A job of seconds costs
    a fraction of a cent of GPU time, but a rented GPU is billed by the minute or hour: said, not hidden."""
    if cloud is None:
        return ""
    seconds = cloud.gpu_hours * 3600
    cost = unit_usd_text(cloud.cost_usd) if cloud.cost_usd >= Decimal("0.01") else "less than $0.01"
    minimum = "; a rented GPU is billed by the minute or hour, so its minimum charge is what you would pay" \
        if seconds < 60 else ""
    return (f"; on the cheapest catalog GPU ({cloud.provider} {cloud.gpu}, ${cloud.usd_per_gpu_hour:,.2f} per "
            f"GPU-hour) it would take {approximately(seconds)}: {cost} of GPU time{minimum}")


def approximately(seconds: float) -> str:
    return "under a second" if seconds < 1 else f"about {duration_text(seconds)}"


def duration_text(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:,.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:,.0f} min"
    return f"{seconds / 3600:,.1f} h"

