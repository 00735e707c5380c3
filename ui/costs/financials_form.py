"""The financials page's assumption form and its save callbacks (pages/financials.py draws the results).

Widget keys carry the version the form was drawn from, so a save starts a fresh form, and every save
is based on the version the user saw: a stale save is refused by the store and kept as a draft.
Numbers are read back through str() into Decimal, and through business.financials.assumptions' checks.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import streamlit as st

from business.canvas.billing import describe_billing
from business.financials.assumptions import (BASE_SCENARIO, Cohort, FinancialsError, make_assumptions,
                                             make_funding_event, make_scenario, make_segment_plan, make_stream_plan)
from business.financials.cost_sources import cost_from_form
from business.financials.storage import save_assumptions
from business.store import StoreError, UnchangedSaveError
from ui.costs.cost_fill import cost_key, estimator_fill, key
from ui.session import flash, get_store
from ui.text import plain, sourced

LEVERS = (  # (field, label, is a percentage)
    ("new_customers_factor", "New customers ×", False), ("churn_factor", "Churn ×", False),
    ("price_factor", "Price ×", False), ("inference_cost_factor", "Inference cost ×", False),
    ("monthly_inference_price_decline", "Token price fall, % a month", True),
    ("routed_share", "Requests routed to a smaller model, %", True),
    ("routed_cost_ratio", "Smaller model's cost, % of main", True), ("cache_hit_rate", "Cache hits, %", True),
    ("batch_share", "Requests sent as batch, %", True), ("batch_discount", "Batch discount, %", True),
)
FUNDING_ROWS = 3
SCENARIOS_PER_ROW = 4


def value(version, *parts) -> Decimal:
    return Decimal(str(st.session_state[key(version, *parts)]))


def percent(version, *parts) -> Decimal:
    return value(version, *parts) / 100


def money_input(label: str, amount: Decimal, widget_key: str, container=st, **extra) -> None:
    container.number_input(label, min_value=0.0, value=float(amount), step=100.0, format="%.2f", key=widget_key,
                           **extra)


def percent_input(label: str, rate: Decimal, widget_key: str, container=st) -> None:
    container.number_input(label, min_value=0.0, max_value=100.0, value=float(rate * 100), step=0.5,
                           format="%.2f", key=widget_key)


def save_form(project_id: int, version, shown) -> None:
    """Callback: build assumptions from the form's widgets and save them on top of the version shown."""
    try:
        assumptions = assumptions_from_form(version, shown)
        number = save_assumptions(get_store(), project_id, assumptions, version, "Saved financial assumptions",
                                  refuse_unchanged=True)
    except UnchangedSaveError as error:
        flash(str(error), "info")
        return
    except (FinancialsError, StoreError) as error:  # stale, or a full or read-only data folder
        flash(str(error), "error")
        return
    flash(f"Saved the financial assumptions as version {number}.")


def assumptions_from_form(v, shown):
    segments = [make_segment_plan(plan.segment, starting_customers=value(v, "seg", i, "start"),
                                  new_customers_per_month=value(v, "seg", i, "new"),
                                  new_customer_growth_rate=percent(v, "seg", i, "growth"),
                                  monthly_churn=percent(v, "seg", i, "churn"), cac_usd=value(v, "seg", i, "cac"))
                for i, plan in enumerate(shown.segments)]
    streams = [make_stream_plan(plan.stream, share_of_segment=percent(v, "str", i, "share"),
                                requests_per_billed_unit=value(v, "str", i, "per_unit"),
                                usage={c.value: (percent(v, "str", i, c.value, "share"),
                                                 value(v, "str", i, c.value, "requests")) for c in Cohort})
               for i, plan in enumerate(shown.streams)]
    funding = [make_funding_event(value(v, "fund", i, "month"), value(v, "fund", i, "amount"),
                                  st.session_state[key(v, "fund", i, "label")])
               for i in range(funding_rows(shown)) if value(v, "fund", i, "amount") > 0]
    scenarios = [make_scenario(s.name, **{f: (percent if pct else value)(v, "scn", j, f) for f, _, pct in LEVERS})
                 for j, s in enumerate(shown.scenarios)]
    return make_assumptions(
        horizon_months=value(v, "horizon"), segments=segments, streams=streams,
        cost_per_request=cost_from_form(Decimal(str(st.session_state[cost_key(v)])), shown_cost(v, shown),
                                        date.today()),
        hosting_usd_per_month=value(v, "hosting"), team_usd_per_month=value(v, "team"),
        other_opex_usd_per_month=value(v, "other"), starting_cash_usd=value(v, "cash"), funding=funding,
        scenarios=scenarios)


def change_scenarios(project_id: int, version, shown, add: bool) -> None:
    """Callback: add a user-named scenario (a copy of the base) or remove one, saved as a new version."""
    try:
        if add:
            name = st.session_state.get(key(version, "new_scenario"), "")
            copy = replace(shown.scenario(BASE_SCENARIO), name=name)
            scenarios = (*shown.scenarios, make_scenario(name, **{f: getattr(copy, f) for f, _, _ in LEVERS}))
        else:
            doomed = st.session_state.get(key(version, "drop_scenario"))
            scenarios = tuple(s for s in shown.scenarios if s.name != doomed)
        updated = make_assumptions(**{**vars(shown), "scenarios": scenarios})
        number = save_assumptions(get_store(), project_id, updated, version,
                                  "Added a scenario" if add else "Removed a scenario")
    except (FinancialsError, StoreError) as error:  # stale, or a full or read-only data folder
        flash(str(error), "error")
        return
    flash(f"Scenarios saved as version {number}.")


def shown_cost(v, a):
    """The cost the form shows before any typing: the last fill for this version, else the saved one."""
    fill = estimator_fill(v)
    return fill["cost"] if fill else a.cost_per_request


def funding_rows(assumptions) -> int:
    return max(FUNDING_ROWS, len(assumptions.funding) + 1)


def assumption_form(project_id: int, v, a, streams) -> None:
    with st.form(key(v, "form")):
        company_inputs(v, a)
        segment_inputs(v, a)
        stream_inputs(v, a, streams)
        funding_inputs(v, a)
        scenario_inputs(v, a)
        st.form_submit_button("Save assumptions", type="primary", on_click=save_form, args=(project_id, v, a))


def company_inputs(v, a) -> None:
    st.subheader("Company", anchor=False)
    c1, c2, c3 = st.columns(3)
    c1.number_input("Horizon (months)", min_value=1, max_value=120, value=a.horizon_months, key=key(v, "horizon"))
    money_input("Starting cash (USD)", a.starting_cash_usd, key(v, "cash"), c2)
    money_input("Team cost (USD per month)", a.team_usd_per_month, key(v, "team"), c3)
    money_input("Other operating costs (USD per month)", a.other_opex_usd_per_month, key(v, "other"), c1)
    money_input("Fixed hosting (USD per month, part of COGS)", a.hosting_usd_per_month, key(v, "hosting"), c2)
    cost = shown_cost(v, a)
    c3.number_input("Inference cost (USD per 1,000 requests)", min_value=0.0, step=0.1, format="%.8f",
                    value=float(cost.usd_per_1k_requests), key=cost_key(v),
                    help="A figure you type here is saved as entered by you, on the day of the save; "
                         "the estimator or a run card (above the form) fill it with their source.")
    st.caption("Inference cost: " + sourced(cost.text(), cost.provenance)
               + ". Change the figure and it becomes yours when you save.")


def segment_inputs(v, a) -> None:
    st.subheader("Customers per segment", anchor=False)
    for i, plan in enumerate(a.segments):
        st.markdown(f"**{plain(plan.segment)}**")
        cols = st.columns(5)
        cols[0].number_input("Customers today", min_value=0.0, value=float(plan.starting_customers), step=1.0,
                             key=key(v, "seg", i, "start"))
        cols[1].number_input("New customers a month", min_value=0.0, value=float(plan.new_customers_per_month),
                             step=1.0, key=key(v, "seg", i, "new"))
        percent_input("Growth of new customers, % a month", plan.new_customer_growth_rate,
                      key(v, "seg", i, "growth"), cols[2])
        percent_input("Churn, % a month", plan.monthly_churn, key(v, "seg", i, "churn"), cols[3])
        money_input("Acquisition cost (USD per customer)", plan.cac_usd, key(v, "seg", i, "cac"), cols[4])


def stream_inputs(v, a, streams) -> None:
    st.subheader("Usage per revenue stream", anchor=False)
    st.caption("Requests a customer makes per month, by usage cohort. Defaults are ours: 50 % light (200), "
               "40 % average (1,000), 10 % power users (5,000); replace them with your data.")
    by_name = {s.name: s for s in streams}
    for i, plan in enumerate(a.streams):
        stream = by_name[plan.stream]
        st.markdown(f"**{plain(stream.name)}** ({plain(stream.segment)}, {stream.stream_type.value}, "
                    f"billed as: {plain(describe_billing(stream))})")
        cols = st.columns(4)
        percent_input("Share of the segment's customers, %", plan.share_of_segment, key(v, "str", i, "share"),
                      cols[0])
        cols[0].number_input("Requests per billed unit", min_value=0.0, value=float(plan.requests_per_billed_unit),
                             format="%.4f", key=key(v, "str", i, "per_unit"))
        for j, usage in enumerate(plan.usage, start=1):
            name = usage.cohort.value
            percent_input(f"{name.capitalize()} users, % of customers", usage.share_of_customers,
                          key(v, "str", i, name, "share"), cols[j])
            cols[j].number_input(f"{name.capitalize()} users: requests a month", min_value=0.0,
                                 value=float(usage.requests_per_month), step=100.0,
                                 key=key(v, "str", i, name, "requests"))


def funding_inputs(v, a) -> None:
    st.subheader("Fundraising", anchor=False)
    events = list(a.funding)
    for i in range(funding_rows(a)):
        event = events[i] if i < len(events) else None
        cols = st.columns(3)
        cols[0].number_input("Month", min_value=1, max_value=120, value=event.month if event else 1,
                             key=key(v, "fund", i, "month"))
        money_input("Amount (USD, 0 = none)", event.amount_usd if event else Decimal(0),
                    key(v, "fund", i, "amount"), cols[1])
        cols[2].text_input("Label", value=event.label if event else "", max_chars=60,
                           key=key(v, "fund", i, "label"))


def scenario_inputs(v, a) -> None:
    st.subheader("Scenarios", anchor=False)
    st.caption("Multipliers on the assumptions above, and the levers that move AI unit costs. "
               "Preset values are ours; batch ~50 % off: provider price lists (REFERENCE.md).")
    for row in range(0, len(a.scenarios), SCENARIOS_PER_ROW):
        cols = st.columns(SCENARIOS_PER_ROW)
        for j, scenario in enumerate(a.scenarios[row:row + SCENARIOS_PER_ROW], start=row):
            column = cols[j - row]
            column.markdown(f"**{plain(scenario.name)}**")
            for field, label, is_percent in LEVERS:
                amount = getattr(scenario, field)
                if is_percent:
                    percent_input(label, amount, key(v, "scn", j, field), column)
                else:
                    column.number_input(label, min_value=0.0, max_value=10.0, value=float(amount), step=0.05,
                                        key=key(v, "scn", j, field))


def scenario_forms(project_id: int, v, a) -> None:
    st.caption("Adding or removing a scenario saves the assumptions as last saved: save your edits above first.")
    add, drop = st.columns(2)
    with add.form(key(v, "add_form"), clear_on_submit=True):
        st.text_input("Name of a new scenario (starts as a copy of base)", max_chars=60, key=key(v, "new_scenario"))
        st.form_submit_button("Add scenario", on_click=change_scenarios, args=(project_id, v, a, True))
    removable = [s.name for s in a.scenarios if s.name != BASE_SCENARIO]
    if removable:
        with drop.form(key(v, "drop_form")):
            st.selectbox("Scenario to remove", removable, key=key(v, "drop_scenario"))
            st.form_submit_button("Remove scenario", on_click=change_scenarios, args=(project_id, v, a, False))
