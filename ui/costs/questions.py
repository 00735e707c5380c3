"""The Costs page starts from the founder's question; each question is one render function.

`QUESTIONS` maps a question key to its label and render function, in the order the page offers
them; the page's radio and dispatch read this dict only, so a new question is one entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st

from ui.costs.build_vs_buy import render_build_vs_buy
from ui.costs.context import CostsContext
from ui.costs.finetune_view import render_finetune
from ui.costs.serve_view import render_serve
from ui.costs.train_view import render_train


def _compare_with_api(context: CostsContext) -> None:
    render_build_vs_buy(context.project_id, context.offers, context.run_cards, context.today)


@dataclass(frozen=True)
class Question:
    label: str
    render: Callable[[CostsContext], None]
    caption: str = ""


QUESTION_KEY = "costs_question"


QUESTIONS: dict[str, Question] = {
    "train": Question("Train a model from scratch", render_train,
                      "Compute, memory, GPU-hours and cost on every offer; serving and compression of the result."),
    "finetune": Question("Fine-tune a model", render_finetune,
                         "Full, LoRA or QLoRA: memory per GPU (ZeRO, tensor and pipeline parallel), time and cost."),
    "serve": Question("Serve a model", render_serve,
                      "Latency, tokens per second and cost per 1M tokens and per 1,000 requests on the cheapest "
                      "offer that holds the model."),
    "api": Question("Compare with an API", _compare_with_api,
                    "Call a hosted LLM API, serve an open model, or serve your own measured model: monthly cost "
                    "against volume, with the break-even volumes."),
}


def ask_question() -> str:
    """The question radio; returns the chosen key (the first question by default)."""
    choice = st.radio("What do you want to price?", list(QUESTIONS), key=QUESTION_KEY, horizontal=True,
                      format_func=lambda k: QUESTIONS[k].label)
    if QUESTIONS[choice].caption:
        st.caption(QUESTIONS[choice].caption)
    return choice


def render_question(choice: str, context: CostsContext) -> None:
    QUESTIONS[choice].render(context)
