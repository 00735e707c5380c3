"""The investor view's pieces, for pages/investor.py: headline numbers, charts, best runs, demos, downloads.

Read-only: nothing here saves. The summary comes from business.reports.summary; torch is imported only inside
the demo boxes, and only when a trained run exists, so the page opens fast.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import partial
from pathlib import Path

import streamlit as st

from business.limits import DEMO_LIMITS, LimitError, check_text, check_upload
from business.reports.summary import TASK_TITLES, InvestorSummary, RunHighlight, build_summary
from ui.costs.financials_charts import cash_figure, margin_vs_bands_figure, revenue_by_stream_figure
from ui.costs.cost_fill import project_offers
from ui.auth import account_key
from ui.limits import admit
from ui.session import data_dir, get_store
from ui.text import plain, sourced
from ui.warmup import model_library

DEMO_TEXT = "investor_demo_text"
DEMO_IMAGE = "investor_demo_image"
DEMO_RESULT = "investor_demo_result"


def summary_for(project_id: int) -> InvestorSummary:
    return build_summary(get_store(), project_id, data_dir() / "runs", project_offers(project_id), date.today(),
                         datetime.now().astimezone())


def show_headlines(summary: InvestorSummary) -> None:
    """A tile per figure in a unit that fits it whole ("$0.07 per 1M"), the whole value and its source on
    hover, and beneath the tiles each figure again with where it came from."""
    # A wrapping row of tiles as wide as their text: a tile moves to the next line rather than cut its value.
    with st.container(horizontal=True, gap="medium", key="investor_headlines"):
        for headline in summary.headlines:
            st.metric(headline.label, headline.short, help=plain(f"{headline.value}. Source: {headline.source}."),
                      border=True, width="content")
    for headline in summary.headlines:
        st.caption(f"**{plain(headline.label)}**: " + sourced(headline.value, headline.provenance, headline.note))


def charts(summary: InvestorSummary) -> list:
    """The three charts that matter to an investor: revenue, cash and burn, margin against benchmarks."""
    if summary.model is None:
        return []
    base = summary.model.base
    return [revenue_by_stream_figure(base), cash_figure(base), margin_vs_bands_figure(base)]


def show_charts(summary: InvestorSummary) -> None:
    figures = charts(summary)
    if not figures:
        st.info("No projection yet: " + plain(summary.headline("Gross margin").source) + ".")
        return
    # One row of two per pair: on a phone the columns stack, and the charts keep their order.
    for start in range(0, len(figures), 2):
        for column, (index, figure) in zip(st.columns(2), enumerate(figures[start:start + 2], start)):
            column.plotly_chart(figure, key=f"investor_chart_{index}")


def show_value_propositions(summary: InvestorSummary) -> None:
    if not summary.value_propositions:
        st.caption("No value proposition written yet.")
    for p in summary.value_propositions:
        with st.expander(plain(f"{p.name} — for {p.segment}")):
            for label, text in (("Job to be done", p.job_to_be_done), ("Problems", p.problems),
                                ("Alternatives", p.alternatives), ("Benefits", p.benefits), ("Offer", p.offer),
                                ("Different because", p.differentiator)):
                if text:
                    st.markdown(f"**{label}:** {plain(text)}")


def show_runs(summary: InvestorSummary) -> None:
    for task, run in summary.best_runs.items():
        st.markdown(f"**{TASK_TITLES[task]}**")
        if run is None:
            st.caption(f"No {task} run yet: the founder trains one on the model pages.")
            continue
        st.markdown(plain(f"Run {run.run_id}, {run.model}: {run.metrics_line()}"))
        if (Path(run.path) / "model").is_dir():
            demo_box(run)
        else:
            st.caption("The trained weights are not on this server, so there is no live demo for this run.")


def admit_demo_call() -> str:
    """Count one demo prediction against this session, its account and its address (shared by every
    session of the server); LimitError when any is over its limit. Says how many are left."""
    return admit("demo predictions", DEMO_LIMITS, account_key()).describe("demo predictions")


@st.fragment
def demo_box(run: RunHighlight) -> None:
    key = f"{run.task}_{run.run_id}"
    with st.form(f"investor_demo_form_{key}", border=True):
        if run.task == "text":
            st.text_area("Try it: a text to classify", key=f"{DEMO_TEXT}_{key}", max_chars=2000)
        else:
            st.file_uploader("Try it: an image", type=["png", "jpg", "jpeg", "bmp", "webp"], key=f"{DEMO_IMAGE}_{key}")
        submitted = st.form_submit_button("Classify")
    if submitted:
        try:
            left = admit_demo_call()
            top = _predict(run, key)
        except LimitError as error:
            st.error(plain(str(error)))
            return
        if top is not None:
            for label, probability in top:
                st.progress(probability, text=plain(f"{label}: probability {probability:.1%}"))
            if run.task == "image":
                model_eye_view(run, key)
        st.caption(left)


def model_eye_view(run: RunHighlight, key: str) -> None:
    """The upload as the model saw it (its training preprocessing), so a surprising answer explains itself."""
    from PIL import Image

    predictor = _image_predictor(run.path, (Path(run.path) / "model").stat().st_mtime)
    seen, said = predictor.model_view(st.session_state[f"{DEMO_IMAGE}_{key}"].getvalue())
    st.image(Image.fromarray(seen).resize((160, 160), Image.NEAREST), caption=said)


def _predict(run: RunHighlight, key: str) -> list[tuple[str, float]] | None:
    stamp = (Path(run.path) / "model").stat().st_mtime
    if run.task == "text":
        text = check_text(st.session_state.get(f"{DEMO_TEXT}_{key}") or "")
        with model_library("Loading the trained model..."):
            predictor = _text_predictor(run.path, stamp)
        row = predictor.predict([text]).iloc[0]
        ranked = sorted(((name, float(row[f"p_{name}"])) for name in predictor.label_names), key=lambda p: -p[1])
        return ranked[:3]
    upload = st.session_state.get(f"{DEMO_IMAGE}_{key}")
    if upload is None:
        raise LimitError("No image yet: choose one to classify.")
    check_upload(upload.size)
    with model_library("Loading the trained model..."):
        predictor = _image_predictor(run.path, stamp)
    try:
        return predictor.top_k(upload.getvalue(), k=min(3, len(predictor.label_names)))
    except ValueError as error:  # ImageDataError: not an image, too large decoded
        raise LimitError(str(error)) from None


@st.cache_resource(show_spinner=False, max_entries=2)
def _text_predictor(run_dir: str, stamp: float):
    from modelkit.text.predict import Predictor  # torch: only when an investor tries the demo

    return Predictor.from_run(run_dir)


@st.cache_resource(show_spinner=False, max_entries=2)
def _image_predictor(run_dir: str, stamp: float):
    from modelkit.vision.predict import ImagePredictor

    return ImagePredictor.from_run(run_dir)


def download_buttons(summary: InvestorSummary) -> None:
    """The three files, built only when clicked (the HTML carries plotly.js, a few MB)."""
    stem = "".join(c if c.isalnum() else "_" for c in summary.project_name)[:60] or "project"
    stem = f"{stem}_investor_summary_{summary.generated_on.isoformat()}"
    left, middle, right = st.columns(3)
    left.download_button("Download the report (HTML, opens offline)", partial(_html, summary, charts(summary)),
                         file_name=f"{stem}.html", mime="text/html", key="investor_download_html")
    middle.download_button("Download the report (PDF)", partial(_pdf, summary), file_name=f"{stem}.pdf",
                           mime="application/pdf", key="investor_download_pdf")
    right.download_button("Download the slides (PPTX)", partial(_pptx, summary), file_name=f"{stem}.pptx",
                          mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                          key="investor_download_pptx")
    st.caption(plain(f"Each file states the date and the data it came from: {summary.data_version()}."))


# The exports import fpdf and python-pptx (2-3 s on a small machine): only when a file is asked for.
def _html(summary: InvestorSummary, figures: list) -> str:
    from business.reports.export import to_html

    return to_html(summary, figures)


def _pdf(summary: InvestorSummary) -> bytes:
    from business.reports.export import to_pdf

    return to_pdf(summary)


def _pptx(summary: InvestorSummary) -> bytes:
    from business.reports.slides import to_pptx

    return to_pptx(summary)
