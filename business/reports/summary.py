"""The investor summary: what an investor reads, built from the store and the run cards.

`build_summary(store, project_id, runs_dir, offers, today)` gathers the canvas, the value
propositions, the headline numbers (cost to train, cost to serve, gross margin, runway, break-even),
each carrying its provenance (typed, estimated or measured: `Headline.source` is how every page and
export writes it) and a short form that fits a tile, and the text and image runs shown to investors:
the project's own runs only (the run card's project_id), the one the founder featured
(business/reports/featured.py), else the most accurate complete run; a cancelled, short or too-small
run is never picked by default and says what it is wherever it is shown. Run cards are
read as plain JSON (no modelkit, no torch). A missing piece becomes a headline that says so; the
summary never fails because a project is young. Exports live in business/reports/export.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from business.canvas.model import Canvas, ValueProposition
from business.canvas.json_io import canvas_from_dict
from business.costs.compute import EstimateError
from business.costs.estimator import CostInputs, estimate_costs
from business.costs.serving import ServingInputs, serving_cost
from business.financials.assumptions import BASE_SCENARIO, FinancialAssumptions, FinancialsError, unit_usd_text
from business.financials.storage import KIND as FINANCIALS_KIND, load_assumptions
from business.financials.headlines import headline_figures
from business.financials.report import FinancialModel, band_position, run_model
from business.costs.models import PRESETS
from business.costs.run_cards import RunCaveat, card_project_id, model_from_run_card, run_caveats
from business.provenance import Provenance, estimated, source_text
from business.reports.featured import FeaturedRuns, load_featured
from business.timestamps import local_time_text

CANVAS_KIND = "canvas"
TASKS = ("text", "image")
TASK_TITLES = {"text": "Text classifier", "image": "Image classifier"}
# The model a young project prices when it has no run yet: the bundled BERT the text page trains.
FALLBACK_PRESET = "minilm-l6"
RUN_CARD_JSON = "run_card.json"
NOT_YET = "—"
CENT = Decimal("0.01")


class ReportError(ValueError):
    """A summary that cannot be built at all (the project is unknown); the message says which."""


@dataclass(frozen=True)
class Headline:
    """A headline figure with its provenance; `note` says why it is missing, or how it was derived.

    `value` is the whole figure in words ("$0.07 per 1M predictions ($0.0000696 per 1,000)"); `tile` is
    the short form a metric tile shows whole, even at phone width ("$0.07 per 1M")."""
    label: str
    value: str
    provenance: Provenance | None
    note: str = ""
    tile: str = ""

    @property
    def source(self) -> str:
        return source_text(self.provenance, self.note)

    @property
    def short(self) -> str:
        return self.tile or self.value


@dataclass(frozen=True)
class RunHighlight:
    run_id: str
    task: str
    model: str
    parameters: int | None
    accuracy: float | None
    macro_f1: float | None
    examples: int | None
    latency_ms_p50: float | None
    size_bytes: int | None
    device: str | None
    created: str
    path: str
    card: dict
    caveats: tuple[RunCaveat, ...] = ()
    featured: bool = False  # the founder chose it for investors (else it was picked automatically)

    def metrics_line(self) -> str:
        """The run's measured figures, led by what keeps it from being a finished result, if anything."""
        parts = [f"{c.tag.upper()}: {c.detail}" for c in self.caveats]
        parts += [f"accuracy {_pct(self.accuracy)}", f"macro-F1 {_pct(self.macro_f1)}"]
        if self.examples:
            parts.append(f"on {self.examples:,} validation examples")
        if self.latency_ms_p50 is not None:
            parts.append(f"p50 latency {self.latency_ms_p50:,.1f} ms on {self.device or 'its device'}")
        if self.size_bytes:
            parts.append(f"{self.size_bytes / 1e6:,.1f} MB on disk")
        return ", ".join(parts)


@dataclass(frozen=True)
class InvestorSummary:
    project_name: str
    generated_on: date
    canvas: Canvas
    canvas_version: int | None
    financials_version: int | None
    headlines: tuple[Headline, ...]
    best_runs: dict[str, RunHighlight | None]
    model: FinancialModel | None  # the projection behind the charts; None when it cannot be run
    notes: tuple[str, ...]
    generated_at: datetime | None = None  # the moment it was built, when the caller knows it

    @property
    def value_propositions(self) -> tuple[ValueProposition, ...]:
        return self.canvas.value_propositions

    def data_version(self) -> str:
        """Which saved versions the numbers come from, as one line every export repeats."""
        canvas = f"canvas version {self.canvas_version}" if self.canvas_version else "canvas not saved yet"
        money = (f"financial assumptions version {self.financials_version}" if self.financials_version
                 else "financial assumptions not saved yet")
        return f"{canvas}, {money}"

    def generated_text(self) -> str:
        """When it was built, as a person reads it: local date and time when known, else the date."""
        return local_time_text(self.generated_at) if self.generated_at else self.generated_on.isoformat()

    def stamp(self) -> str:
        return f"{self.project_name}: generated {self.generated_text()} from {self.data_version()}"

    def headline(self, label: str) -> Headline:
        return next(h for h in self.headlines if h.label == label)


def build_summary(store, project_id: int, runs_dir: str | Path, offers: tuple, today: date,
                  now: datetime | None = None) -> InvestorSummary:
    try:
        project = store.get_project(project_id)
    except ValueError as error:
        raise ReportError(f"No investor summary for project {project_id}: {error}") from None
    canvas_version = store.load_latest(project_id, CANVAS_KIND)
    canvas = canvas_from_dict(canvas_version.payload) if canvas_version else Canvas()
    notes: list[str] = []
    runs = best_runs(runs_dir, notes, project_id, load_featured(store, project_id))
    assumptions, financials_version = _saved_assumptions(store, project_id, notes)
    model = _financial_model(canvas, assumptions, notes)
    headlines = (training_cost(runs["text"], offers, today), serving_headline(assumptions, offers, today),
                 *financial_headlines(canvas, assumptions, model, today))
    return InvestorSummary(project.name, today, canvas, canvas_version.number if canvas_version else None,
                           financials_version, headlines, runs, model, tuple(notes), now)


# -- runs ----------------------------------------------------------------------------------------
def best_runs(runs_dir: str | Path, notes: list[str] | None = None, project_id: int | None = None,
              featured: FeaturedRuns = FeaturedRuns()) -> dict[str, RunHighlight | None]:
    """Per task, the run investors see: the featured one, else the most accurate complete run.

    Only runs whose card names `project_id` count (None: every run, for callers without a project).
    Unreadable run cards are skipped with a note; so is a featured run that is gone."""
    notes = notes if notes is not None else []
    candidates: dict[str, list[RunHighlight]] = {task: [] for task in TASKS}
    root = Path(runs_dir)
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for folder in folders:
        card_path = folder / RUN_CARD_JSON
        if not card_path.is_file():
            continue  # still training, failed or cancelled: nothing measured to show
        try:
            card = json.loads(card_path.read_text())
            if project_id is not None and card_project_id(card) != project_id:
                continue  # another project's run, or one made before runs had a project
            run = run_highlight(card, folder)
        except (OSError, ValueError, TypeError, AttributeError) as error:
            # An OSError's text holds the server path; the run's name already says which file.
            reason = (error.strerror or type(error).__name__) if isinstance(error, OSError) else error
            notes.append(f"Run {folder.name} was skipped: its run card cannot be read ({reason}).")
            continue
        if run.task in candidates:
            candidates[run.task].append(run)
    return {task: _pick(task, runs, featured.for_task(task), notes) for task, runs in candidates.items()}


def _pick(task: str, runs: list[RunHighlight], featured_id: str | None, notes: list[str]) -> RunHighlight | None:
    chosen = next((run for run in runs if run.run_id == featured_id), None)
    if chosen is not None:
        return replace(chosen, featured=True)
    if featured_id:
        notes.append(f"The featured {task} run {featured_id} is gone; the best complete run is shown instead.")
    complete = [run for run in runs if not run.caveats]
    if complete:
        return max(complete, key=lambda run: run.accuracy or 0)
    if runs:
        notes.append(f"No complete {task} run yet: {len(runs)} {task} run(s) are short, cancelled or trained on too "
                     "little data, so none is shown. Choose one on the model page to show it anyway.")
    return None


def run_highlight(card: dict, folder: Path) -> RunHighlight:
    model = card.get("model") or {}
    metrics = card.get("metrics") or {}
    throughput = card.get("throughput") or {}
    return RunHighlight(
        run_id=folder.name, task=str(card.get("task") or "text"),  # the folder is the id, as in modelkit.runs
        model=str(model.get("name") or "?"), parameters=_int_or_none(model.get("parameters")),
        accuracy=_float_or_none(metrics.get("accuracy")), macro_f1=_float_or_none(metrics.get("macro_f1")),
        examples=_int_or_none(metrics.get("examples")), latency_ms_p50=_float_or_none(card.get("latency_ms_p50")),
        size_bytes=_int_or_none(card.get("size_bytes")), device=throughput.get("device"),
        created=str(card.get("created") or ""), path=str(folder), card=card, caveats=run_caveats(card))


# -- headline numbers ------------------------------------------------------------------------------
def training_cost(text_run: RunHighlight | None, offers: tuple, today: date) -> Headline:
    """The cheapest quote of the cost estimator for the best text run's model, or the bundled preset."""
    label = "Cost to train"
    try:
        if text_run is not None:
            spec = model_from_run_card(text_run.card).spec
            tokens, basis = _tokens_trained(text_run.card)
            what = f"run {text_run.run_id} ({text_run.model}), {basis}"
        else:
            spec, tokens = PRESETS[FALLBACK_PRESET], CostInputs.training_tokens
            what = f"preset {spec.name} (no text run yet), {_count(tokens)} training tokens (the estimator's default)"
        report = estimate_costs(CostInputs(model=spec, today=today, training_tokens=tokens), offers)
    except EstimateError as error:
        return Headline(label, NOT_YET, None, f"the cost estimator could not price it: {error}")
    quote = report.sweep.cheapest
    if quote is None:
        return Headline(label, NOT_YET, None, "no GPU offer in the catalog can train it; see the Costs page")
    return Headline(label, _usd(quote.cost_usd), estimated(f"cost estimator, {what}", {
        "training FLOPs": report.train_flops_method, "cheapest offer": f"{quote.provider} {quote.instance}",
        "GPU-hours": _count(quote.gpu_hours),
        "price": f"${quote.usd_per_gpu_hour}/GPU-hour (price of {quote.price_date})"}, today))


SERVING = "Cost to serve"


def serving_headline(assumptions: FinancialAssumptions | None, offers: tuple, today: date | None = None) -> Headline:
    """The figure the financial model uses when saved (with its own provenance: typed, estimated or
    measured); else the estimator's for the bundled preset."""
    if assumptions is not None:
        cost = assumptions.cost_per_request
        return _per_predictions_headline(cost.usd_per_1k_requests, cost.provenance,
                                         "the cost per request of the saved financial assumptions")
    spec = PRESETS[FALLBACK_PRESET]
    try:
        serving = serving_cost(ServingInputs(spec), offers)  # the Costs page's defaults for the bundled model
    except EstimateError as error:
        return Headline(SERVING, NOT_YET, None, f"no financial assumptions saved, and the estimator failed: {error}")
    return _per_predictions_headline(serving.cost_per_1000_usd, serving.provenance(today),
                                     "no financial assumptions saved yet")


def _per_predictions_headline(usd_per_1k: Decimal, provenance: Provenance, note: str) -> Headline:
    tile, whole = per_predictions_text(usd_per_1k)
    return Headline(SERVING, whole, provenance, note, tile)


def per_predictions_text(usd_per_1k: Decimal) -> tuple[str, str]:
    """(tile, whole): the cost per 1K, 1M or 1B predictions, the first that shows at least a cent, so a
    tile reads "$0.07 per 1M" where "$0.0000696 per 1,000" would be cut off."""
    for scale, short, long in ((1, "1K", "1,000"), (1000, "1M", "1M"), (1_000_000, "1B", "1B")):
        amount = usd_per_1k * scale
        if amount >= CENT or usd_per_1k == 0:
            break
    shown = unit_usd_text(amount)
    exact = "" if scale == 1 else f" ({unit_usd_text(usd_per_1k)} per 1,000)"
    return f"{shown} per {short}", f"{shown} per {long} predictions{exact}"


def financial_headlines(canvas: Canvas, assumptions: FinancialAssumptions | None,
                        model: FinancialModel | None, today: date | None = None) -> tuple[Headline, ...]:
    labels = ("Gross margin", "Runway today", "Break-even")
    if model is None:
        why = ("no revenue streams on the canvas yet" if not canvas.revenue_streams
               else "no financial assumptions saved yet" if assumptions is None
               else "the financial model could not be run (see the notes)")
        return tuple(Headline(label, NOT_YET, None, why) for label in labels)
    base = model.base
    horizon = len(base.months)
    method = f"financial model, base scenario, saved assumptions, {horizon}-month projection"
    projection = estimated(method, on=today)
    with_cost = estimated(method, {"inference cost": assumptions.cost_per_request.provenance.short_label()}, today)
    margin = base.last.gross_margin
    figures = {figure.label: figure for figure in headline_figures(base)}
    runway, break_even = figures["Runway today"], figures["Break-even"]
    return (
        Headline(labels[0], NOT_YET if margin is None else f"{margin * 100:,.1f} %", with_cost,
                 f"month {horizon}: (revenue − inference − hosting) / revenue; {band_position(margin)}"),
        Headline(labels[1], runway.value, projection, runway.definition),
        Headline(labels[2], break_even.value, projection, break_even.definition),
    )


# -- plumbing ------------------------------------------------------------------------------------
def _saved_assumptions(store, project_id: int, notes: list[str]) -> tuple[FinancialAssumptions | None, int | None]:
    try:
        return load_assumptions(store, project_id)
    except FinancialsError as error:
        latest = store.load_latest(project_id, FINANCIALS_KIND)
        notes.append(f"The saved financial assumptions cannot be read ({error}); no projection shown.")
        return None, latest.number if latest else None


def _financial_model(canvas: Canvas, assumptions: FinancialAssumptions | None, notes: list[str]) -> FinancialModel | None:
    if assumptions is None or not canvas.revenue_streams:
        return None
    try:
        model = run_model(canvas.revenue_streams, assumptions)
    except FinancialsError as error:
        notes.append(f"The financial model could not be run: {error}")
        return None
    return model if any(p.scenario.name == BASE_SCENARIO for p in model.projections) else None


def _tokens_trained(card: dict) -> tuple[float, str]:
    """Tokens the run saw: optimizer steps × batch size × max length (padded, so an upper bound)."""
    config, training = card.get("config") or {}, card.get("training") or {}
    steps, batch, length = training.get("global_step"), config.get("batch_size"), config.get("max_length")
    if all(isinstance(v, (int, float)) and v > 0 for v in (steps, batch, length)):
        tokens = float(steps) * float(batch) * float(length)
        return tokens, f"{tokens:,.0f} tokens trained ({steps:,} steps × batch {batch} × {length} tokens)"
    return CostInputs.training_tokens, f"{CostInputs.training_tokens:.3g} training tokens (the estimator's default)"


def _usd(amount: Decimal) -> str:
    return unit_usd_text(amount)


def _count(number: float) -> str:
    """Hours, tokens and other counts a person reads: separators, no scientific notation."""
    return f"{number:,.0f}" if abs(number) >= 100 else f"{number:,.3g}" if abs(number) >= 0.001 else f"{number:f}"


def _pct(value: float | None) -> str:
    return NOT_YET if value is None else f"{value * 100:.1f} %"


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _float_or_none(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
