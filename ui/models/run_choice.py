"""Runs per project on the model pages: which runs a page lists, how each is labelled, adopting runs made
before runs had a project, and the founder's "show to investors" choice.

A run belongs to the project it was started in (modelkit records the store's project id in the run
folder); the labels and the short-run rules come from business/costs/run_cards.py, the choice is saved
with history by business/reports/featured.py. The costs pages list run cards through here too.
"""
from __future__ import annotations

import streamlit as st

from business.costs.run_cards import caveat_tags, run_caveats
from business.reports.featured import feature_run, load_featured
from modelkit.runs import NO_PROJECT, RunSummary, adopt_run, list_runs, read_run_card
from ui.auth import require_founder
from ui.session import current_project_id, get_store
from ui.text import plain

MESSAGE = "models_run_message"  # what the last adopt / feature click did, shown once


def project_runs(task: str | None = None) -> list[RunSummary]:
    """The current project's runs, newest first (every state: queued, running, done, failed, cancelled)."""
    return [run for run in list_runs(project_id=current_project_id()) if task is None or run.task == task]


def project_run_cards(task: str | None = None) -> dict[str, dict]:
    """Run cards of the current project's finished runs, by run id (the costs pages price these)."""
    return {run.run_id: card for run in project_runs(task) if (card := read_run_card(run.path))}


def card_label(run_id: str, card: dict) -> str:
    """`run id - model`, then what keeps it from being a finished result (short run, ...), if anything."""
    tags = caveat_tags(run_caveats(card))
    model = (card.get("model") or {}).get("name", "?") if isinstance(card, dict) else "?"
    return f"{run_id} - {model}" + (f" - {tags.upper()}" if tags else "")


def run_label(run: RunSummary, featured_id: str | None = None) -> str:
    """A run picker's line: id, model, job state, caveats and whether investors see it."""
    caveats = caveat_tags(run_caveats(read_run_card(run.path) or {}))
    parts = [run.run_id, run.model, run.state] + ([caveats.upper()] if caveats else [])
    parts += ["shown to investors"] if run.run_id == featured_id else []
    return " - ".join(parts)


def featured_id(task: str) -> str | None:
    return load_featured(get_store(), current_project_id()).for_task(task)


def show_message() -> None:
    kind, text = st.session_state.pop(MESSAGE, (None, None))
    if kind:
        getattr(st, kind)(plain(text))


def investor_choice(task: str, run: RunSummary) -> None:
    """The "show to investors" control of the picked run, with its caveats said in full."""
    card = read_run_card(run.path)
    caveats = run_caveats(card or {}, run.state if run.command == "train" else None)
    chosen = featured_id(task)
    shown = ("You chose to show it to investors: it is labelled so there too." if chosen == run.run_id
             else "Investors see this run only if you choose it below.")
    for caveat in caveats:
        st.warning(plain(f"{caveat.tag.capitalize()}: {caveat.detail}; its numbers are not a finished result. {shown}"))
    if chosen == run.run_id:
        st.success("Investors see this run on the investor view and in its exports (your choice).")
        st.button("Stop showing it; pick the best complete run automatically", key=f"{task}_unfeature",
                  on_click=_feature, args=(task, None))
    elif card is not None:
        st.caption(plain(f"Investors see {'run ' + chosen if chosen else 'the most accurate complete run'} "
                         "for this project."))
        st.button("Show this run to investors", key=f"{task}_feature", on_click=_feature, args=(task, run.run_id))


def _feature(task: str, run_id: str | None) -> None:
    try:
        require_founder("choose what investors see")
        number = feature_run(get_store(), current_project_id(), task, run_id)
    except ValueError as error:  # FeaturedRunError, StoreError (stale, read-only)
        st.session_state[MESSAGE] = ("error", str(error))
        return
    what = f"Investors now see run {run_id}" if run_id else "Investors now see the best complete run"
    st.session_state[MESSAGE] = ("success", f"{what} (saved as version {number} of this choice).")


def adoption_panel(task: str) -> None:
    """Runs made before runs had a project: offered to the current project, never silently shown or lost."""
    orphans = [run for run in list_runs(project_id=NO_PROJECT) if run.task == task]
    if not orphans:
        return
    with st.expander(f"{len(orphans)} {task} run(s) from before runs had a project"):
        st.caption("These runs were trained before each run was recorded with its project. Adopt the ones that "
                   "belong to this project; the others stay here for the project they belong to.")
        labels = {run.run_id: run_label(run) for run in orphans}
        st.multiselect("Runs to adopt", list(labels), format_func=labels.get, key=f"{task}_adopt_pick")
        st.button("Adopt into this project", key=f"{task}_adopt", on_click=_adopt, args=(task,))


def _adopt(task: str) -> None:
    picked = st.session_state.get(f"{task}_adopt_pick") or []
    if not picked:
        st.session_state[MESSAGE] = ("warning", "Pick at least one run to adopt.")
        return
    by_id = {run.run_id: run for run in list_runs(project_id=NO_PROJECT)}
    try:
        require_founder("adopt runs")
        for run_id in picked:
            if run_id not in by_id:
                raise ValueError(f"run {run_id} was adopted by a project meanwhile")
            adopt_run(by_id[run_id].path, current_project_id())
    except ValueError as error:  # RunOwnershipError, read-only store
        st.session_state[MESSAGE] = ("error", f"Not adopted: {error}")
        return
    st.session_state[MESSAGE] = ("success", f"Adopted {len(picked)} run(s) into this project.")


def cli_hint() -> None:
    st.caption(f"From a terminal: `python -m modelkit train --project {current_project_id()} --run-dir ...` "
               "records the run in this project.")
