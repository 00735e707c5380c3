"""What the financials page shows, computed from projections: headline figures with their definitions,
unit economics, cohort margins, scenario comparison, published gross-margin bands, and the monthly table
as rows and CSV.

`run_model` is the one call the page makes: it projects every scenario and derives the rest. Values are
kept exact until they are shown: only the figures a person reads are rounded (to cents, to whole customers).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from business.canvas.model import RevenueStream
from business.financials.projection import (
    MonthRow,
    Projection,
    check_fits_canvas,
    cost_per_request,
    margin,
    monthly_charge,
    one_off_charge,
    project,
    rounded,
    to_cents,
)
from business.financials.assumptions import BASE_SCENARIO, FinancialAssumptions, Scenario


@dataclass(frozen=True)
class MarginBand:
    label: str
    low: Decimal
    high: Decimal
    source: str


A16Z_2020 = 'a16z, "The New Business of AI" (2020)'
# shared/research/REFERENCE.md, "AI startup economics": "often 50–60% vs 60–80%+"; the SaaS band is drawn
# to its stated 80 %, and a margin above it is called "above the SaaS band", not outside the norm.
GROSS_MARGIN_BANDS: tuple[MarginBand, ...] = (
    MarginBand("AI companies", Decimal("0.50"), Decimal("0.60"), A16Z_2020),
    MarginBand("SaaS", Decimal("0.60"), Decimal("0.80"), A16Z_2020),
)



@dataclass(frozen=True)
class PublishedFigure:
    label: str
    value: Decimal
    source: str


# Same file, reported figures (not primary sources), drawn as reference lines, not bands.
GROSS_MARGIN_MARKERS: tuple[PublishedFigure, ...] = (
    PublishedFigure('fast-growing AI "supernovas"', Decimal("0.25"), "Bessemer, State of AI 2025 (as reported)"),
    PublishedFigure('AI "shooting stars"', Decimal("0.60"), "Bessemer, State of AI 2025 (as reported)"),
)
INFERENCE_SHARE_OF_REVENUE = PublishedFigure(
    "scaling-stage AI B2B", Decimal("0.23"), "ICONIQ State of AI 2026 (as reported)")
PLAN_AVERAGE = "plan average"
# A hundred years: a payback beyond it is "never" for a founder, and would not round to 0.1 month anyway.
MAX_PAYBACK_MONTHS = Decimal(1200)
WHOLE = Decimal(1)


@dataclass(frozen=True)
class CohortMargin:
    """One customer of a plan in one usage cohort, in one month; hosting (fixed) is left out."""
    stream: str
    cohort: str
    share_of_customers: Decimal
    requests_per_month: Decimal
    revenue_usd: Decimal
    inference_cost_usd: Decimal
    margin_usd: Decimal
    margin: Decimal | None


@dataclass(frozen=True)
class UnitEconomics:
    """Per customer of a segment, at month-1 prices and costs, before fixed hosting."""
    segment: str
    revenue_per_month_usd: Decimal
    contribution_per_month_usd: Decimal
    monthly_churn: Decimal
    cac_usd: Decimal
    ltv_usd: Decimal | None
    cac_payback_months: Decimal | None

    def describe_ltv(self) -> str:
        if self.ltv_usd is None:
            return "unbounded: 0 % churn means customers never leave; set a churn to get a lifetime value"
        return f"${self.ltv_usd:,.2f} = one-off fees + contribution ${self.contribution_per_month_usd:,.2f} / churn"

    def describe_payback(self) -> str:
        if self.cac_payback_months is None:
            return "never: a customer contributes nothing (or loses money) each month"
        return f"{self.cac_payback_months:,.1f} months = CAC / monthly contribution"


@dataclass(frozen=True)
class ScenarioSummary:
    name: str
    customers_end: Decimal
    mrr_end_usd: Decimal
    arr_end_usd: Decimal
    revenue_total_usd: Decimal
    gross_margin_end: Decimal | None
    net_burn_total_usd: Decimal
    lowest_cash_usd: Decimal
    lowest_cash_month: int
    cash_end_usd: Decimal
    break_even_month: int | None
    cash_out_month: int | None


@dataclass(frozen=True)
class FinancialModel:
    projections: tuple[Projection, ...]
    comparison: tuple[ScenarioSummary, ...]
    cohort_margins_first_month: tuple[CohortMargin, ...]
    cohort_margins_last_month: tuple[CohortMargin, ...]
    unit_economics: tuple[UnitEconomics, ...]
    # Scenario name -> (month 1, last month): the page shows the margins of the scenario picked.
    cohort_margins_by_scenario: dict[str, tuple[tuple[CohortMargin, ...], tuple[CohortMargin, ...]]]

    @property
    def base(self) -> Projection:
        return self.projection(BASE_SCENARIO)

    def projection(self, scenario: str) -> Projection:
        return next(p for p in self.projections if p.scenario.name == scenario)


def run_model(streams: tuple[RevenueStream, ...], assumptions: FinancialAssumptions) -> FinancialModel:
    """Every scenario projected, compared, and the base scenario's unit economics and cohort margins."""
    check_fits_canvas(streams, assumptions)
    projections = tuple(project(streams, assumptions, scenario) for scenario in assumptions.scenarios)
    by_scenario = {s.name: (cohort_margins(streams, assumptions, s, month=1),
                            cohort_margins(streams, assumptions, s, month=assumptions.horizon_months))
                   for s in assumptions.scenarios}
    first, last = by_scenario[BASE_SCENARIO]
    return FinancialModel(
        projections=projections,
        comparison=tuple(summarize(p) for p in projections),
        cohort_margins_first_month=first,
        cohort_margins_last_month=last,
        unit_economics=unit_economics(streams, assumptions, assumptions.scenario(BASE_SCENARIO)),
        cohort_margins_by_scenario=by_scenario,
    )


def cohort_margins(streams: tuple[RevenueStream, ...], assumptions: FinancialAssumptions,
                   scenario: Scenario, month: int = 1) -> tuple[CohortMargin, ...]:
    """Margin per customer for each plan and usage cohort, then the plan's customer-weighted average."""
    unit_cost = cost_per_request(assumptions, scenario, month)
    rows = []
    for stream in streams:
        plan = assumptions.stream_plan(stream.name)
        for c in plan.usage:
            revenue, cost = _cohort_charge(stream, plan, c.requests_per_month, scenario, unit_cost)
            rows.append(_cohort_margin(stream.name, c.cohort.value, c.share_of_customers, c.requests_per_month,
                                       revenue, cost))
        revenue, cost = _average_customer(stream, plan, scenario, unit_cost)
        requests = sum((c.share_of_customers * c.requests_per_month for c in plan.usage), Decimal(0))
        rows.append(_cohort_margin(stream.name, PLAN_AVERAGE, Decimal(1), requests, revenue, cost))
    return tuple(rows)


def unit_economics(streams: tuple[RevenueStream, ...], assumptions: FinancialAssumptions,
                   scenario: Scenario) -> tuple[UnitEconomics, ...]:
    """LTV and CAC payback per segment, from the month-1 margin of an average customer of it."""
    unit_cost = cost_per_request(assumptions, scenario, 1)
    result = []
    for plan in assumptions.segments:
        revenue = contribution = one_off = Decimal(0)
        for stream in (s for s in streams if s.segment == plan.segment):
            stream_plan = assumptions.stream_plan(stream.name)
            stream_revenue, stream_cost = _average_customer(stream, stream_plan, scenario, unit_cost)
            revenue += stream_plan.share_of_segment * stream_revenue
            contribution += stream_plan.share_of_segment * (stream_revenue - stream_cost)
            one_off += stream_plan.share_of_segment * one_off_charge(stream, scenario.price_factor)
        where = f"Segment {plan.segment!r}"
        churn = plan.monthly_churn * scenario.churn_factor
        # Exact contribution over churn, rounded once: rounding first would grow the error as 1 / churn.
        ltv = None if churn == 0 else to_cents(one_off + contribution / churn, f"{where}: lifetime value")
        result.append(UnitEconomics(plan.segment, to_cents(revenue, f"{where}: revenue per customer"),
                                    to_cents(contribution, f"{where}: contribution per customer"), churn,
                                    plan.cac_usd, ltv, _payback_months(plan.cac_usd, contribution)))
    return tuple(result)


def _payback_months(cac: Decimal, contribution: Decimal) -> Decimal | None:
    """CAC / contribution to 0.1 month; None when a customer never pays it back (or not within a lifetime)."""
    if contribution <= 0:
        return None
    months = cac / contribution
    return None if months > MAX_PAYBACK_MONTHS else rounded(months, Decimal("0.1"))


def _cohort_charge(stream: RevenueStream, plan, requests: Decimal, scenario: Scenario,
                   unit_cost: Decimal) -> tuple[Decimal, Decimal]:
    """(revenue, inference cost) of one customer making `requests` a month, exact."""
    return monthly_charge(stream, plan, requests, scenario.price_factor), requests * unit_cost


def _average_customer(stream: RevenueStream, plan, scenario: Scenario, unit_cost: Decimal) -> tuple[Decimal, Decimal]:
    """(revenue, inference cost) of the plan's customer-weighted average customer a month, exact."""
    revenue = cost = Decimal(0)
    for cohort in plan.usage:
        cohort_revenue, cohort_cost = _cohort_charge(stream, plan, cohort.requests_per_month, scenario, unit_cost)
        revenue += cohort.share_of_customers * cohort_revenue
        cost += cohort.share_of_customers * cohort_cost
    return revenue, cost


def summarize(projection: Projection) -> ScenarioSummary:
    last = projection.last
    lowest = min(projection.months, key=lambda r: r.cash_end)
    return ScenarioSummary(
        name=projection.scenario.name, customers_end=last.customers, mrr_end_usd=last.mrr, arr_end_usd=last.arr,
        revenue_total_usd=sum((r.revenue for r in projection.months), Decimal(0)),
        gross_margin_end=last.gross_margin,
        net_burn_total_usd=sum((r.net_burn for r in projection.months), Decimal(0)),
        lowest_cash_usd=lowest.cash_end, lowest_cash_month=lowest.month, cash_end_usd=last.cash_end,
        break_even_month=projection.break_even_month, cash_out_month=projection.cash_out_month,
    )


def band_position(gross_margin: Decimal | None) -> str:
    """Where a gross margin sits against the published bands, in words, with the source."""
    if gross_margin is None:
        return "no revenue yet, so no gross margin"
    ai, saas = GROSS_MARGIN_BANDS
    if gross_margin < ai.low:
        where = f"below the {ai.label} band ({ai.low:.0%}–{ai.high:.0%})"
    elif gross_margin < saas.low:
        where = f"within the {ai.label} band ({ai.low:.0%}–{ai.high:.0%})"
    elif gross_margin <= saas.high:
        where = f"within the {saas.label} band ({saas.low:.0%}–{saas.high:.0%})"
    else:
        where = f"above the {saas.label} band ({saas.low:.0%}–{saas.high:.0%})"
    return f"{gross_margin:.1%} is {where}; bands: {ai.source}"


def inference_share_note(row: MonthRow) -> str:
    """Inference cost as a share of revenue in a month, beside the published figure and its source."""
    reference = INFERENCE_SHARE_OF_REVENUE
    benchmark = f"{reference.label}: ~{reference.value:.0%} ({reference.source})"
    share = margin(row.inference_cost, row.revenue)
    if share is None:
        return f"no revenue in month {row.month}, so no inference share; {benchmark}"
    return f"inference is {share:.1%} of revenue in month {row.month}; {benchmark}"


def monthly_table(projection: Projection) -> list[dict[str, object]]:
    """One dict per month, column names with units, money in cents, customers as whole customers.

    The projection keeps fractional customers (expected values); each count is rounded on its own, so a
    month's customers can differ by one from last month's - churned + new as shown."""
    return [_table_row(row) for row in projection.months]


def monthly_csv(projection: Projection) -> str:
    rows = monthly_table(projection)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _table_row(row: MonthRow) -> dict[str, object]:
    table: dict[str, object] = {
        "month": row.month,
        "customers": whole_customers(row.customers),
        "new customers": whole_customers(row.new_customers),
        "churned customers": whole_customers(row.churned_customers),
    }
    for stream, revenue in row.revenue_by_stream.items():
        table[f"revenue: {stream} (USD)"] = revenue
    table.update({
        "MRR (USD)": row.mrr, "ARR (USD)": row.arr, "one-off revenue (USD)": row.one_off_revenue,
        "revenue (USD)": row.revenue, "requests": rounded(row.requests, WHOLE),
        "inference cost (USD)": row.inference_cost, "hosting (USD)": row.hosting_cost, "COGS (USD)": row.cogs,
        "gross profit (USD)": row.gross_profit,
        "gross margin (%)": None if row.gross_margin is None else rounded(row.gross_margin * 100, Decimal("0.01")),
        "team (USD)": row.team_cost, "other opex (USD)": row.other_opex,
        "acquisition (USD)": row.acquisition_cost, "opex (USD)": row.opex, "net burn (USD)": row.net_burn,
        "funding (USD)": row.funding, "cash at month end (USD)": row.cash_end,
        "months of cash at this month's burn": (None if row.runway.is_infinite
                                                else rounded(row.runway.months, Decimal("0.1"))),
    })
    return table


def whole_customers(customers: Decimal) -> Decimal:
    """Customers as a person counts them: the expected value rounded to a whole customer."""
    return rounded(customers, WHOLE)


def _csv_cell(value: object) -> str:
    # Empty cells for "no revenue" margins and infinite runway: a spreadsheet reads them as blank, not NaN.
    return "" if value is None else str(value)


def _cohort_margin(stream: str, cohort: str, share: Decimal, requests: Decimal,
                   revenue: Decimal, cost: Decimal) -> CohortMargin:
    return CohortMargin(stream, cohort, share, requests, to_cents(revenue), to_cents(cost),
                        to_cents(revenue - cost), margin(revenue - cost, revenue))
