"""Financials: the canvas's revenue streams + assumptions -> projection, unit economics, runway, scenarios.

Assumptions are a form saved with the project (versioned, kind "financials"); results come from one
call, business.financials.report.run_model, and each says how it was computed.
"""
import streamlit as st

from business.financials.assumptions import FinancialsError
from business.financials.storage import (KIND, AssumptionsDocumentError, default_assumptions, fit_to_canvas,
                                    load_assumptions)
from business.financials.headlines import headline_figures
from business.financials.report import band_position, inference_share_note, monthly_csv, run_model
from ui.costs.financials_charts import (WHOLE_CUSTOMERS_NOTE, cash_figure, cohort_frame, cohort_margin_figure,
                                        comparison_frame, margin_vs_bands_figure, monthly_frame,
                                        revenue_by_stream_figure, unit_economics_frame)
from ui.costs.cost_fill import cost_fill_forms, show_pending_fill
from ui.costs.financials_form import assumption_form, scenario_forms
from ui.session import current_project_id, get_store, load_canvas, show_flash
from ui.text import plain, sourced
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)

project_id = current_project_id()
canvas, _ = load_canvas(project_id)
st.title("Financial model", anchor=False)
st.caption("Revenue streams from the canvas plus your assumptions, projected month by month. Figures are "
           "computed from the saved assumptions; published benchmarks name their source.")
show_flash()

if not canvas.revenue_streams:
    st.warning("The canvas has no revenue streams yet: add at least one, then come back to project it.")
    st.page_link("pages/revenue_streams.py", label="Open revenue streams", icon=":material/payments:")
    st.stop()

try:
    saved, version = load_assumptions(get_store(), project_id)
except AssumptionsDocumentError as error:
    latest = get_store().load_latest(project_id, KIND)
    saved, version = None, latest.number if latest else None
    st.error(plain(f"{error} Showing defaults instead; saving replaces the unreadable version."))
if saved is None:
    st.info("No financial assumptions saved for this project yet: the form shows our defaults, which are "
            "placeholders, not facts. Replace them and save.")
shown, notes = fit_to_canvas(saved or default_assumptions(canvas), canvas)
for note in notes:
    st.info(plain(note) + " Save the form to keep this.")

pending = show_pending_fill(version)
with st.expander(f"Assumptions (version {version or 'not saved yet'})", expanded=saved is None or pending):
    with st.popover("Fill the inference cost from the cost estimator or a run card"):
        cost_fill_forms(project_id, version)
    assumption_form(project_id, version, shown, canvas.revenue_streams)
    scenario_forms(project_id, version, shown)

try:
    model = run_model(canvas.revenue_streams, shown)
except FinancialsError as error:
    st.error(plain(str(error)))
    st.stop()

names = [p.scenario.name for p in model.projections]
picked = st.segmented_control("Scenario shown", names, default="base", format_func=plain,
                              key="fin_scenario_shown") or "base"
projection = model.projection(picked)
last, horizon = projection.last, shown.horizon_months
source = sourced(shown.cost_per_request.text(), shown.cost_per_request.provenance)

st.subheader(f"Headline figures ({plain(picked)} scenario)", anchor=False)
# Two to a row: a tile as wide as a third of the page cut values like "not in 24 months".
for column, figure in zip([*st.columns(2), *st.columns(2), *st.columns(2)], headline_figures(projection)):
    column.metric(figure.label, figure.value, help=plain(figure.definition))
    column.caption(plain(figure.definition))
st.caption(f"Inference {source}; {plain(inference_share_note(last))}. "
           f"Gross margin {plain(band_position(last.gross_margin))}.")

left, right = st.columns(2)
left.plotly_chart(revenue_by_stream_figure(projection), key="fin_chart_revenue")
right.plotly_chart(cash_figure(projection), key="fin_chart_cash")
left.plotly_chart(margin_vs_bands_figure(projection), key="fin_chart_margin")
first_margins, last_margins = model.cohort_margins_by_scenario[picked]
right.plotly_chart(cohort_margin_figure(first_margins, 1, picked), key="fin_chart_cohorts")

st.subheader(f"Margin per plan and usage cohort ({plain(picked)} scenario)", anchor=False)
st.caption("One customer per month: plan revenue minus inference for that cohort's requests; fixed hosting is "
           f"left out. Inference cost {source}. A plan can be profitable on average and lose money on power users.")
first, final = st.tabs(["Month 1", f"Month {horizon} (after the cost levers)"])
first.dataframe(cohort_frame(first_margins), hide_index=True, width="stretch")
final.dataframe(cohort_frame(last_margins), hide_index=True, width="stretch")

st.subheader("Unit economics per segment (base scenario, month-1 prices)", anchor=False)
st.caption("Contribution = revenue − inference per customer a month; LTV = one-off fees + contribution / churn; "
           "CAC payback = CAC / contribution.")
st.dataframe(unit_economics_frame(model), hide_index=True, width="stretch")

st.subheader("Scenarios side by side", anchor=False)
st.dataframe(comparison_frame(model, horizon), hide_index=True, width="stretch")

st.subheader(f"Month by month ({plain(picked)} scenario)", anchor=False)
st.caption(WHOLE_CUSTOMERS_NOTE)
st.dataframe(monthly_frame(projection), hide_index=True, width="stretch")
safe_name = "".join(c if c.isalnum() else "_" for c in picked)
st.download_button("Download the monthly table (CSV)", monthly_csv(projection), file_name=f"financials_{safe_name}.csv",
                   mime="text/csv", key="fin_download_csv")
