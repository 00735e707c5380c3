"""Metrics, tables and price forms of the Costs page's training estimate (its form: train_view.py; the page:
pages/costs.py; charts: cost_charts.py)."""
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from business.costs.catalog import GPU_SPEC_FOR, catalog_table
from business.costs.compute import EstimateError
from business.costs.form import FORM_DEFAULTS
from business.costs.estimator import compression_csv, compression_rows, quotes_csv
from business.costs.pricing import OVERRIDE_KIND, price_overrides_payload, round_usd
from business.store import StoreError
from ui.costs.cost_charts import render_charts
from ui.costs.formats import duration, money_column, number_column, significant, unit_usd, usd, width_px
from ui.session import base_version, flash, get_store
from ui.text import plain

FORM = "costs_inputs"
PRICE_FORM = "costs_price_form"
REMOVE_FORM = "costs_remove_form"
COMPRESSION_HEADERS = {
    "served_on": "served on", "size_mb": "size (MB)", "serving_memory_mb": "serving memory (MB)",
    "throughput_x_vs_fp32": "throughput × vs fp32", "usd_per_1000_after": "per 1,000 requests after",
    "monthly_before_usd": "before ($/month)", "monthly_after_usd": "after ($/month)",
    "monthly_saving_usd": "saving ($/month)", "accuracy_caveat": "accuracy", "source": "source of the default",
}


def key(name: str) -> str:
    return f"costs_{name}"


def form_values() -> dict:
    return {name: st.session_state.get(key(name), default) for name, default in FORM_DEFAULTS.items()}


def trained_run_cards() -> dict[str, dict]:
    """The current project's run cards, by run id (other projects' runs are theirs); none when absent."""
    try:
        from ui.models.run_choice import project_run_cards
        return project_run_cards()
    except (ImportError, OSError, ValueError):
        return {}


def save_prices(project_id: int, rows: list[dict], done: str) -> None:
    try:
        payload = price_overrides_payload(rows, date.today())
        number = get_store().save(project_id, OVERRIDE_KIND, payload, base_version(project_id, OVERRIDE_KIND), done)
    except (EstimateError, StoreError) as error:
        flash(str(error), "error")
        return
    flash(f"{done} Saved your prices as version {number}.")


def add_price(project_id: int, rows: list[dict]) -> None:
    new = {name: st.session_state.get(key(f"price_{name}")) for name in
           ("provider", "instance", "gpu", "gpus_per_instance", "usd_per_hour", "date_seen")}
    kept = [r for r in rows if (r["provider"], r["instance"]) != (new["provider"], new["instance"])]
    save_prices(project_id, [*kept, new], "Price saved.")


def remove_prices(project_id: int, rows: list[dict]) -> None:
    gone = set(st.session_state.get(key("remove"), []))
    save_prices(project_id, [r for r in rows if f"{r['provider']} — {r['instance']}" not in gone], "Removed.")


def render(report) -> None:
    sweep, serving, memory = report.sweep, report.serving, report.training_memory
    fit = next((verdict for name, _, verdict in report.fit_by_gpu if name == report.gpu.name), "")
    cols = st.columns(4)
    cols[0].metric("Training compute", f"{report.train_flops:.2e} FLOP", help=report.train_flops_method)
    cols[1].metric(f"GPU-hours on {report.gpu.name}", significant(report.gpu_hours),
                   help=f"At {report.utilization:.0%} of peak ({report.utilization_source}).")
    cols[2].metric("Energy (GPU TDP)", f"{significant(report.energy_kwh)} kWh",
                   help=f"TDP {report.gpu.tdp_w:g} W; GPU only.")
    cols[3].metric("Training memory", f"{significant(memory.total_bytes / 1e9)} GB", help=f"{fit}. {memory.method}")
    cols = st.columns(4)
    cheapest, fastest = sweep.cheapest, sweep.fastest
    cols[0].metric("Cheapest training", usd(round_usd(cheapest.cost_usd)) if cheapest else "none in time",
                   help=plain(f"{cheapest.provider} {cheapest.instance}, {cheapest.gpus} GPUs") if cheapest else None)
    cols[1].metric("Fastest training", duration(fastest.wall_clock_hours) if fastest else "none in time",
                   help=plain(f"{fastest.provider} {fastest.instance}, {fastest.gpus} GPUs") if fastest else None)
    if serving is None:
        cols[2].metric("Serving per 1,000 requests", "not priced", help=plain(report.serving_error))
        cols[3].metric("Serving, per month", "not priced", help=plain(report.serving_error))
        st.warning(plain(f"Serving is not priced: {report.serving_error}. The training estimate above stands."))
    else:
        serving_help = plain(f"{serving.method}. Compute alone, GPUs kept busy: "
                             f"{unit_usd(serving.marginal_cost_per_request_usd * 1000)} per 1,000 requests.")
        cols[2].metric("Serving per 1,000 requests", unit_usd(serving.cost_per_1000_usd), help=serving_help)
        cols[3].metric("Serving, per month", usd(round_usd(serving.monthly_usd)), help=serving_help)
    st.caption(plain(_serving_caption(serving) + f"Training: {report.train_flops_method}; linear scaling across GPUs, "
                     f"billed by whole instance. Utilization: {report.utilization_source}."))
    if report.measured_cost_per_request_usd is not None:
        st.info(plain(f"Measured: {unit_usd(report.measured_cost_per_request_usd * 1000)} per 1,000 requests from "
                      "the run card's throughput on its own machine."))
    if cheapest is None:
        st.warning("No offer finishes training within the deadline: raise the deadline or the GPU count.")
    show_all = st.toggle("Show every offer on the cost vs wall-clock chart", key=key("show_all_offers"),
                         help="The line is the cheapest way to finish by each deadline; the dots are every offer "
                              "and GPU count, one colour and symbol per provider.")
    render_charts(report, key, show_all)
    render_tables(report)


def _serving_caption(serving) -> str:
    if serving is None:
        return ""
    return (f"Serving priced on {serving.offer.provider} {serving.offer.instance} (price seen "
            f"{serving.offer.date_label}; {serving.offer.source}), the lowest monthly bill at "
            f"{serving.inputs.requests_per_month:,.0f} requests; the financial model's estimate and the investor "
            "view use the same computation. ")


def offers_frame(report) -> tuple[pd.DataFrame, dict]:
    """The "Every offer that fits" table and its column formats: money in full, widths that fit."""
    frame = pd.DataFrame([{
        "provider": q.provider, "instance": q.instance, "GPU": q.gpu, "GPUs": q.gpus,
        "wall-clock (h)": round(q.wall_clock_hours, 4), "cost ($)": float(round_usd(q.cost_usd)),
        "$/GPU-hour": float(round_usd(q.usd_per_gpu_hour, 4)), "price date": q.price_date,
        "stale price": "stale" if q.stale else "", "meets deadline": q.within_deadline,
        "mark": "cheapest" if q.cheapest else "fastest" if q.fastest else "", "source": q.price_source,
    } for q in report.sweep.best_per_offer()])
    if frame.empty:
        return frame, {}
    return frame, {
        "GPUs": number_column("GPUs", list(frame["GPUs"]), 0),
        "wall-clock (h)": number_column("wall-clock (h)", list(frame["wall-clock (h)"]), 4),
        "cost ($)": money_column("cost ($)", list(frame["cost ($)"])),
        "$/GPU-hour": money_column("$/GPU-hour", list(frame["$/GPU-hour"]), 4),
    }


def compression_frame(report) -> tuple[pd.DataFrame, dict]:
    """The compression table and its column formats; the price per 1,000 requests is written out as
    text, since it runs from dollars down to millionths of a cent."""
    rows = [dict(row, usd_per_1000_after=unit_usd(row["usd_per_1000_after"])) for row in compression_rows(report)]
    frame = pd.DataFrame(rows).rename(columns=COMPRESSION_HEADERS)
    formats = {header: money_column(header, [r[name] for r in rows]) for name, header in COMPRESSION_HEADERS.items()
               if name.startswith("monthly_")}
    for name, places in (("size_mb", 1), ("serving_memory_mb", 1)):
        formats[COMPRESSION_HEADERS[name]] = number_column(COMPRESSION_HEADERS[name], [r[name] for r in rows], places)
    for name in ("method", "served_on", "usd_per_1000_after"):
        header = COMPRESSION_HEADERS.get(name, name)
        formats[header] = st.column_config.TextColumn(header, width=width_px(header, [str(r[name]) for r in rows]))
    speed = COMPRESSION_HEADERS["throughput_x_vs_fp32"]
    formats[speed] = st.column_config.NumberColumn(speed, format="%.2f×", width=width_px(speed, ["00.00×"]))
    return frame, formats


def render_tables(report) -> None:
    st.subheader("Every offer that fits", anchor=False)
    offers, formats = offers_frame(report)
    st.dataframe(offers, hide_index=True, column_config=formats, key=key("table_offers"))
    if report.sweep.skipped:
        st.caption(plain(f"Not priced ({len(report.sweep.skipped)}): " + "; ".join(report.sweep.skipped)))
    # Deferred: the CSV of every quote is built only when the founder clicks.
    st.download_button("Download every quote (CSV)", partial(quotes_csv, report.sweep.quotes), "cost_sweep.csv",
                       "text/csv", key=key("download_sweep"))
    st.subheader("Compression savings", anchor=False)
    serving = report.serving
    if serving is None:
        st.caption(plain(f"Not priced: serving is missing ({report.serving_error})."))
        _memory_fit(report)
        return
    st.caption(plain(f"Before: the serving bill above ({usd(round_usd(serving.monthly_usd))} a month at "
                     f"{serving.precision}). After: the same computation for the compressed model; a precision "
                     "row is served at that precision on the offer cheapest for it."))
    if serving.floor_monthly_usd:
        st.caption(plain(f"The GPUs kept up all month cost {usd(round_usd(serving.floor_monthly_usd))} whatever the "
                         f"volume: compression lowers the bill only above about "
                         f"{serving.requests_to_pass_floor:,.0f} requests a month at the serving precision and "
                         "price above."))
    compression, formats = compression_frame(report)
    st.dataframe(compression, hide_index=True, column_config=formats, key=key("table_compression"))
    if report.measured_compression:
        st.markdown("**Measured on the run card**, beside the estimates above:")
        st.dataframe(pd.DataFrame([vars(m) for m in report.measured_compression]), hide_index=True,
                     key=key("table_measured"))
    st.download_button("Download compression savings (CSV)", compression_csv(report), "compression_savings.csv",
                       "text/csv", key=key("download_compression"))
    _memory_fit(report)


def _memory_fit(report) -> None:
    with st.expander("Memory against each GPU"):
        st.dataframe(pd.DataFrame(report.fit_by_gpu, columns=["GPU", "memory (GB)", "training fits"]), hide_index=True)


def prices_section(project_id: int, rows: list[dict], offers, today: date, max_age_days: int) -> None:
    table = catalog_table(offers, today, max_age_days)
    flagged = sum(1 for row in table if row["stale"])
    with st.expander(f"GPU price catalog: {len(table)} offers, {flagged} stale or undated"):
        frame = pd.DataFrame(table).astype({"usd_per_hour": float, "usd_per_gpu_hour": float})
        st.dataframe(frame, hide_index=True, column_config={
            name: money_column(name, list(frame[name]), 4) for name in ("usd_per_hour", "usd_per_gpu_hour")})
    with st.expander("Your prices (negotiated rates, other providers)", expanded=bool(rows)):
        with st.form(PRICE_FORM, clear_on_submit=True):
            cols = st.columns(3)
            same = "The same provider and instance as a catalog row replaces that row's price."
            cols[0].text_input("Provider", key=key("price_provider"), help=same)
            cols[1].text_input("Instance", key=key("price_instance"), help=same)
            cols[2].selectbox("GPU", list(GPU_SPEC_FOR), key=key("price_gpu"))
            cols = st.columns(3)
            cols[0].number_input("GPUs per instance", value=1, key=key("price_gpus_per_instance"))
            cols[1].number_input("$ per instance-hour", value=None, key=key("price_usd_per_hour"))
            cols[2].text_input("Date seen (YYYY-MM-DD, empty = today)", key=key("price_date_seen"))
            st.form_submit_button("Save my price", on_click=add_price, args=(project_id, rows))
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True)
            with st.form(REMOVE_FORM):
                st.multiselect("Prices to remove", [f"{r['provider']} — {r['instance']}" for r in rows], key=key("remove"))
                st.form_submit_button("Remove selected prices", on_click=remove_prices, args=(project_id, rows))
