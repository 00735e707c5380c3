"""The Costs page's "Compare with an API" question: a workload, the options priced for it, monthly cost
against volume with the break-evens marked, and "use this option" for the financial model.

The arithmetic is business.costs.build_vs_buy; the API prices are business.costs.api_catalog with the
founder's own prices (saved with the project, kind "api_price_overrides", like negotiated GPU prices).
"Use this option" puts the chosen cost per request into the financial model's form with its provenance
(ui.costs.cost_fill): nothing changes in the financial model until the founder saves that form.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from business.costs.api_catalog import (API_OVERRIDE_KIND, api_catalog_table, api_overrides_from_payload,
                                        api_overrides_payload, apply_api_overrides, load_api_catalog)
from business.costs.build_vs_buy import (API, Comparison, Workload, api_option, compare, open_model_option,
                                         own_model_option, serving_note)
from business.costs.compute import EstimateError
from business.costs.memory import PRECISIONS
from business.costs.models import PRESETS
from business.financials.assumptions import make_cost_per_request
from business.financials.cost_sources import STORED_PRECISION
from business.financials.storage import KIND as FINANCIALS_KIND
from business.store import StoreError
from ui.costs.cost_charts import chart_label
from ui.costs.cost_fill import put_into_form
from ui.costs.formats import money_column, unit_usd, usd
from ui.session import base_version, flash, get_store, remember_base
from ui.text import plain

FORM, PRICE_FORM, REMOVE_FORM = "bvb_workload", "bvb_price_form", "bvb_remove_form"
DEFAULT_APIS = ("OpenAI GPT-5.4 Mini", "Anthropic Claude Haiku 4.5", "Google Gemini 3.5 Flash-Lite",
                "Together AI Llama 3.3 70B (serverless)")
NO_MODEL = ""
OPEN_MODELS = {k: m.name for k, m in PRESETS.items() if m.kind == "decoder"}
DEFAULTS = {"requests": 1_000_000, "input_tokens": 1_000, "output_tokens": 200, "open_model": "llm-7b",
            "precision": "bf16", "always_on": 1, "batch": 16, "run_id": NO_MODEL}


def key(name: str) -> str:
    return f"bvb_{name}"


def value(name: str):
    return st.session_state.get(key(name), DEFAULTS.get(name))


def render_build_vs_buy(project_id: int, offers, run_cards: dict[str, dict], today: date) -> None:
    """The whole section: prices, workload form, comparison, and the founder's own API prices."""
    latest = get_store().load_latest(project_id, API_OVERRIDE_KIND)
    remember_base(project_id, API_OVERRIDE_KIND, latest)
    try:
        rows = api_overrides_from_payload(latest.payload if latest else None)
        prices = apply_api_overrides(load_api_catalog(), rows, today)
    except EstimateError as error:
        st.error(plain(f"Your saved API prices could not be used ({error}); showing the shipped catalog."))
        rows, prices = [], load_api_catalog()
    labels = {p.label: p for p in prices}
    machine = cheapest_machine(offers)
    workload_form(labels, run_cards, machine)
    try:
        comparison = comparison_from_form(labels, offers, run_cards, today)
    except EstimateError as error:
        st.error(plain(str(error)))
    else:
        render_comparison(project_id, comparison)
    api_prices_section(project_id, rows, prices, today)


def render_api(context) -> None:
    """The question-led Costs page's entry (ui/costs/questions.py): a context with project_id, offers,
    today and run_cards."""
    render_build_vs_buy(context.project_id, context.offers, context.run_cards, context.today)


def cheapest_machine(offers):
    """The cheapest single-GPU offer: the default price of the machine a measured model runs on."""
    singles = [o for o in offers if o.gpus_per_instance == 1] or list(offers)
    return min(singles, key=lambda o: o.usd_per_hour) if singles else None


def workload_form(labels: dict, run_cards: dict[str, dict], machine) -> None:
    with st.form(FORM, border=False):
        cols = st.columns(3)
        cols[0].number_input("Requests per month", min_value=1, max_value=10**12, value=DEFAULTS["requests"],
                             step=100_000, key=key("requests"))
        cols[1].number_input("Input tokens per request", min_value=0, max_value=10_000_000,
                             value=DEFAULTS["input_tokens"], key=key("input_tokens"),
                             help="Prompt, instructions and context sent with each request.")
        cols[2].number_input("Output tokens per request", min_value=0, max_value=10_000_000,
                             value=DEFAULTS["output_tokens"], key=key("output_tokens"),
                             help="What the model writes back; APIs charge more for these.")
        st.multiselect("APIs to compare", list(labels), default=[d for d in DEFAULT_APIS if d in labels],
                       key=key("apis"))
        cols = st.columns(4)
        cols[0].selectbox("Open model to serve yourself", [NO_MODEL, *OPEN_MODELS], index=1, key=key("open_model"),
                          format_func=lambda k: OPEN_MODELS.get(k, "none"))
        cols[1].selectbox("Serving precision", PRECISIONS, index=PRECISIONS.index("bf16"), key=key("precision"))
        cols[2].number_input("GPUs kept up all month", min_value=0, max_value=10_000, value=DEFAULTS["always_on"],
                             key=key("always_on"), help="The floor of the bill however few requests come; 0 for "
                             "serverless (then there is no floor).")
        cols[3].number_input("Requests served together (batch)", min_value=1, max_value=4096, value=DEFAULTS["batch"],
                             key=key("batch"), help="Concurrent requests per model replica: a larger batch shares "
                             "each read of the weights (cheaper per request, slower per user). 16 is our starting "
                             "point, not a published figure: set your own.")
        cols = st.columns(2)
        cols[0].selectbox("Your measured model (a run card)", [NO_MODEL, *run_cards], key=key("run_id"),
                          format_func=lambda run_id: run_id or "none")
        where = f"{machine.provider} {machine.instance}, price seen {machine.date_label}" if machine else "none"
        cols[1].number_input("Its machine price (USD per hour)", min_value=0.01, max_value=10_000.0, step=0.1,
                             value=float(machine.usd_per_hour) if machine else 1.0, key=key("usd_per_hour"),
                             help=f"Default: the cheapest one-GPU offer in the catalog ({where}); one machine is "
                                  "kept up all month.")
        st.form_submit_button("Compare")


def comparison_from_form(labels: dict, offers, run_cards: dict[str, dict], today: date) -> Comparison:
    workload = Workload(float(value("requests")), float(value("input_tokens")), float(value("output_tokens")))
    chosen = st.session_state.get(key("apis"), [d for d in DEFAULT_APIS if d in labels])
    apis = [api_option(labels[name], workload) for name in chosen if name in labels]
    others = []
    if value("open_model"):
        others.append(open_model_option(PRESETS[value("open_model")], value("precision"), workload, offers,
                                        int(value("always_on")), today, int(value("batch"))))
    run_id = value("run_id")
    if run_id and run_id in run_cards:
        usd_per_hour = Decimal(str(st.session_state.get(key("usd_per_hour")) or 0))
        if usd_per_hour <= 0:
            raise EstimateError(f"the machine price per hour={usd_per_hour} must be positive")
        others.append(own_model_option(run_id, run_cards[run_id], usd_per_hour, today))
    return compare(workload, apis, others)


def options_frame(comparison: Comparison) -> pd.DataFrame:
    volume = comparison.workload.requests_per_month
    return pd.DataFrame([{
        "option": option.name, "kind": option.kind, "monthly_usd": float(option.monthly_usd(volume)),
        "per 1,000 requests": unit_usd(option.cost_per_request_usd(volume) * 1000),  # 3 significant digits
        "priced on": option.best_line(volume).label, "source": option.provenance(volume).label(),
    } for option in comparison.options]).sort_values("monthly_usd")


def render_comparison(project_id: int, comparison: Comparison) -> None:
    workload, volume = comparison.workload, comparison.workload.requests_per_month
    best = comparison.cheapest()
    st.metric(f"Cheapest at {volume:,.0f} requests a month", usd(best.monthly_usd(volume)) + " a month",
              help=plain(best.provenance(volume).label()))
    st.caption(plain(f"{best.name} ({best.kind}), {unit_usd(best.cost_per_request_usd(volume) * 1000)} per 1,000 "
                     f"requests of {workload.per_request}. {serving_note()}"))
    frame = options_frame(comparison)
    st.dataframe(frame, hide_index=True, column_config={
        "monthly_usd": money_column("monthly ($)", list(frame["monthly_usd"]))})
    st.plotly_chart(volume_figure(comparison), key=key("chart"))
    for pair in comparison.break_evens:
        st.markdown("- " + plain(pair.sentence()))
    choose_option(project_id, comparison)


def volume_figure(comparison: Comparison) -> go.Figure:
    """Monthly cost against monthly requests (both axes logarithmic), break-evens marked on the API lines."""
    volumes = comparison.volumes()
    figure = go.Figure()
    for option in comparison.options:
        figure.add_trace(go.Scatter(
            x=volumes, y=[float(option.monthly_usd(v)) for v in volumes], mode="lines",
            name=chart_label(option.name), line={"dash": "dash" if option.kind == API else "solid"}))
    marks = [(pair, comparison.option(pair.api)) for pair in comparison.break_evens if pair.requests_per_month]
    if marks:
        figure.add_trace(go.Scatter(
            x=[float(p.requests_per_month) for p, _ in marks],
            y=[float(api.monthly_usd(float(p.requests_per_month))) for p, api in marks],
            mode="markers", marker={"symbol": "x", "size": 11, "color": "#111111"}, name="break-even",
            text=[chart_label(f"{p.other} vs {p.api}: {float(p.requests_per_month):,.0f} requests/month")
                  for p, _ in marks], hoverinfo="text"))
    # A trace, not add_vline: plotly places a vline's annotation in log units on a log axis (off the chart).
    costs = [y for trace in figure.data for y in trace.y if y > 0]
    volume = float(comparison.workload.requests_per_month)
    figure.add_trace(go.Scatter(x=[volume, volume], y=[min(costs), max(costs)], mode="lines", name="your volume",
                                line={"dash": "dot", "color": "#888888"}, hoverinfo="skip"))
    figure.update_layout(title="Monthly cost against requests a month", xaxis_title="requests per month (log)",
                         yaxis_title="USD per month (log)", xaxis_type="log", yaxis_type="log", height=520,
                         # Below the plot: on a phone a legend at the side left the lines ~60 px of width.
                         legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0})
    return figure


def choose_option(project_id: int, comparison: Comparison) -> None:
    names = [option.name for option in comparison.options]
    cols = st.columns([3, 2])
    cols[0].selectbox("Option for the financial model's cost per request", names, key=key("choice"),
                      index=names.index(comparison.cheapest().name))
    cols[1].button("Use this option", key=key("use"), on_click=use_option, args=(project_id, comparison))
    used = st.session_state.get(key("used"))
    if used:
        st.success(plain(used))
        st.page_link("pages/financials.py", label="Open the financial model", icon=":material/query_stats:")


def use_option(project_id: int, comparison: Comparison) -> None:
    """Callback: the chosen option's cost per request at the workload's volume, with its provenance, into
    the financial model's form (saved when the founder saves that form)."""
    volume = comparison.workload.requests_per_month
    option = comparison.option(st.session_state.get(key("choice")) or comparison.options[0].name)
    per_1k = (option.cost_per_request_usd(volume) * 1000).quantize(STORED_PRECISION)
    cost = make_cost_per_request(per_1k, option.provenance(volume))
    latest = get_store().load_latest(project_id, FINANCIALS_KIND)
    put_into_form(latest.number if latest else None, cost)
    # Kept as plain words; escaped once where it is shown.
    st.session_state[key("used")] = f"Put into the financial model's form: {cost.describe()}. Save that form to use it."


def api_prices_section(project_id: int, rows: list[dict], prices, today: date) -> None:
    table = api_catalog_table(prices, today)
    flagged = sum(1 for row in table if row["stale"])
    with st.expander(f"API price catalog: {len(table)} prices, {flagged} stale or undated"):
        frame = pd.DataFrame(table).astype({"usd_per_1m_input": float, "usd_per_1m_output": float})
        st.dataframe(frame, hide_index=True, column_config={
            name: money_column(name, list(frame[name]), 3) for name in ("usd_per_1m_input", "usd_per_1m_output")})
    with st.expander("Your API prices (negotiated rates, other providers)", expanded=bool(rows)):
        with st.form(PRICE_FORM, clear_on_submit=True):
            cols = st.columns(3)
            same = "The same provider and model as a catalog row replaces that row's price."
            cols[0].text_input("Provider", key=key("price_provider"), help=same)
            cols[1].text_input("Model", key=key("price_model"), help=same)
            cols[2].text_input("Date seen (YYYY-MM-DD, empty = today)", key=key("price_date_seen"))
            cols = st.columns(3)
            cols[0].number_input("$ per 1M input tokens", value=None, min_value=0.0, key=key("price_usd_per_1m_input"))
            cols[1].number_input("$ per 1M output tokens", value=None, min_value=0.0,
                                 key=key("price_usd_per_1m_output"))
            cols[2].text_input("Note (where the price comes from)", key=key("price_note"))
            st.form_submit_button("Save my API price", on_click=add_api_price, args=(project_id, rows))
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True)
            with st.form(REMOVE_FORM):
                st.multiselect("API prices to remove", [f"{r['provider']} — {r['model']}" for r in rows],
                               key=key("remove"))
                st.form_submit_button("Remove selected API prices", on_click=remove_api_prices, args=(project_id, rows))


def save_api_prices(project_id: int, rows: list[dict], done: str) -> None:
    try:
        payload = api_overrides_payload(rows, date.today())
        number = get_store().save(project_id, API_OVERRIDE_KIND, payload, base_version(project_id, API_OVERRIDE_KIND),
                                  done)
    except (EstimateError, StoreError) as error:
        flash(str(error), "error")
        return
    flash(f"{done} Saved your API prices as version {number}.")


def add_api_price(project_id: int, rows: list[dict]) -> None:
    new = {name: st.session_state.get(key(f"price_{name}")) for name in
           ("provider", "model", "usd_per_1m_input", "usd_per_1m_output", "date_seen", "note")}
    new = {name: ("" if v is None and name in ("date_seen", "note") else v) for name, v in new.items()}
    kept = [r for r in rows if (r.get("provider"), r.get("model")) != (new["provider"], new["model"])]
    save_api_prices(project_id, [*kept, new], "API price saved.")


def remove_api_prices(project_id: int, rows: list[dict]) -> None:
    gone = set(st.session_state.get(key("remove"), []))
    save_api_prices(project_id, [r for r in rows if f"{r['provider']} — {r['model']}" not in gone], "Removed.")
