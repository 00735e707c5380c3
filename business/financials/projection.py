"""Month-by-month financial projection of an AI product: customers, revenue, COGS, burn, cash, runway.

Pure Python, `Decimal` money. The order of events in month t (1-based), per segment:
  churned = customers at the end of month t-1 × churn; new = new customers per month × (1 + growth)^(t-1);
  customers at the end of month t = previous - churned + new, and they all pay for month t.
Customers are expected values, so they can be fractions (10 customers at 5 % churn leave 9.5); pages
show them as whole customers. Each customer of a stream falls into a light / average / power usage
cohort; its requests drive both usage-based revenue and inference cost. A stream bills one customer
per month what business.canvas.billing says its terms mean (`monthly_charge`): a flat fee (a yearly
price as price / 12, a one-off price once when the customer joins, as one-off revenue), the price per
unit used, or a fee plus the overage price for units beyond the included usage (per billing period:
a yearly allowance is spread as a twelfth a month). Streams whose terms could not be billed as they
read are refused (`check_fits_canvas`).
COGS = inference (requests × cost per request after the scenario's levers) + fixed hosting.
Opex = team + other + acquisition (new customers × CAC). Net burn = COGS + opex - revenue.
Every line is rounded to cents in the month it is booked, so cash = start + Σ(funding - net burn) exactly.
A line over MAX_BOOKED_USD is refused with a message instead of overflowing the decimal arithmetic.
Headline figures, one meaning each: runway = how long the cash lasts in the projection (funding counted
in its month); break-even = the first month from which revenue covers all costs to the end of the
horizon; cash out = the first month the cash goes below zero. They cannot contradict one another.
Reports, comparison and CSV are in business.financials.report; saving in business.financials.storage.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from business.canvas.billing import (FLAT_FEE_TYPES, PER_UNIT_TYPES, billing_problem, has_fee_and_overage,
                                     included_units_per_month)
from business.canvas.model import BillingPeriod, RevenueStream
from business.financials.assumptions import (
    BASE_SCENARIO,
    CENT,
    AmountError,
    FinancialAssumptions,
    FinancialsError,
    NoRevenueStreamsError,
    RateError,
    Scenario,
    StreamPlan,
    UnknownNameError,
)

# More customers than people on Earth means a growth rate compounded out of the model's range.
MAX_PROJECTED_CUSTOMERS = Decimal("8000000000")
# A quadrillion dollars, about ten times the world's yearly output: a larger line is an input slip, and
# Decimal's 28 digits cannot round it to cents anyway.
MAX_BOOKED_USD = Decimal("1000000000000000")
RATE_PLACES = Decimal("0.0001")


class StreamTermsError(FinancialsError):
    """A canvas stream whose terms could not be billed as they read (see business.canvas.billing)."""


class OutOfRangeError(AmountError):
    """A projected amount beyond MAX_BOOKED_USD: the inputs multiply to more than the model computes."""


@dataclass(frozen=True)
class MonthRow:
    month: int
    customers_by_segment: dict[str, Decimal]
    new_customers: Decimal
    churned_customers: Decimal
    customers: Decimal
    revenue_by_stream: dict[str, Decimal]
    recurring_revenue: Decimal
    one_off_revenue: Decimal
    revenue: Decimal
    requests: Decimal
    inference_cost: Decimal
    hosting_cost: Decimal
    cogs: Decimal
    gross_profit: Decimal
    gross_margin: Decimal | None
    team_cost: Decimal
    other_opex: Decimal
    acquisition_cost: Decimal
    opex: Decimal
    net_burn: Decimal
    funding: Decimal
    cash_end: Decimal
    runway: Runway

    @property
    def mrr(self) -> Decimal:
        return self.recurring_revenue

    @property
    def arr(self) -> Decimal:
        return self.recurring_revenue * 12


@dataclass(frozen=True)
class Runway:
    """Months of cash at a given net burn; `months is None` means it never runs out (burn <= 0)."""
    months: Decimal | None
    net_burn: Decimal

    @property
    def is_infinite(self) -> bool:
        return self.months is None

    def describe(self) -> str:
        if self.months is None:
            return "no burn this month: revenue covers all costs"
        return f"{self.months:,.1f} months at ${self.net_burn:,.2f} net burn per month"


@dataclass(frozen=True)
class CashRunway:
    """How long the cash lasts in a projection: starting cash, plus each funding in the month it arrives,
    minus each month's net burn. `months is None`: the cash lasts the whole horizon."""
    months: Decimal | None
    horizon_months: int

    @property
    def lasts_the_horizon(self) -> bool:
        return self.months is None

    def value(self) -> str:
        if self.months is None:
            return f"over {self.horizon_months} months"
        # Rounded down: a runway is never shown longer than it is.
        return f"{rounded(self.months, Decimal('0.1'), ROUND_DOWN):,.1f} months"


@dataclass(frozen=True)
class Projection:
    scenario: Scenario
    starting_cash: Decimal
    months: tuple[MonthRow, ...]
    break_even_month: int | None
    cash_out_month: int | None
    cash_runway: CashRunway

    @property
    def last(self) -> MonthRow:
        return self.months[-1]


def runway(cash: Decimal, net_burn: Decimal) -> Runway:
    """Cash / burn in months, floored at 0 when the cash is gone; infinite only when burn <= 0.

    A month's own figure ("months of cash at this month's burn"); the headline is `cash_runway`."""
    if net_burn <= 0:
        return Runway(None, net_burn)
    return Runway(max(cash, Decimal(0)) / net_burn, net_burn)


def monthly_charge(stream: RevenueStream, plan: StreamPlan, requests: Decimal, price_factor: Decimal) -> Decimal:
    """What one customer making `requests` requests pays this stream in a month (recurring part)."""
    flat = _flat_monthly(stream, price_factor)
    units = requests / plan.requests_per_billed_unit
    if stream.stream_type in FLAT_FEE_TYPES:
        return flat
    if not has_fee_and_overage(stream):
        return units * stream.price_usd * price_factor
    overage = (stream.overage_price_usd or Decimal(0)) * price_factor
    return flat + max(units - included_units_per_month(stream), Decimal(0)) * overage


def one_off_charge(stream: RevenueStream, price_factor: Decimal) -> Decimal:
    """The fee a new customer pays once when joining (flat-fee streams billed one-off)."""
    if stream.billing_period is BillingPeriod.ONE_OFF and stream.stream_type not in PER_UNIT_TYPES:
        return stream.price_usd * price_factor
    return Decimal(0)


def cost_per_request(assumptions: FinancialAssumptions, scenario: Scenario, month: int) -> Decimal:
    """Inference cost of one request in `month`, after routing, caching, batching and price decline."""
    base = assumptions.cost_per_request.usd_per_1k_requests / 1000 * scenario.inference_cost_factor
    # Month 1 pays today's price; Decimal refuses 0 ** 0, which a 100 % monthly decline would ask for.
    decline = Decimal(1) if month == 1 else (1 - scenario.monthly_inference_price_decline) ** (month - 1)
    routing = (1 - scenario.routed_share) + scenario.routed_share * scenario.routed_cost_ratio
    # A cache hit is served without running the model; its lookup cost sits in fixed hosting.
    caching = 1 - scenario.cache_hit_rate
    batching = 1 - scenario.batch_share * scenario.batch_discount
    return base * decline * routing * caching * batching


def project(streams: tuple[RevenueStream, ...], assumptions: FinancialAssumptions,
            scenario: Scenario | None = None) -> Projection:
    """The month-by-month projection of one scenario (the base scenario when none is given)."""
    scenario = scenario or assumptions.scenario(BASE_SCENARIO)
    check_fits_canvas(streams, assumptions)
    _check_scenario_churn(assumptions, scenario)
    customers = {plan.segment: plan.starting_customers for plan in assumptions.segments}
    cash = assumptions.starting_cash_usd
    rows = []
    for month in range(1, assumptions.horizon_months + 1):
        row = _month(streams, assumptions, scenario, month, customers, cash)
        customers, cash = row.customers_by_segment, row.cash_end
        rows.append(row)
    cash_out = next((r.month for r in rows if r.cash_end < 0), None)
    return Projection(scenario, assumptions.starting_cash_usd, tuple(rows), sustained_break_even(rows), cash_out,
                      cash_runway(assumptions.starting_cash_usd, rows))


def sustained_break_even(rows: list[MonthRow] | tuple[MonthRow, ...]) -> int | None:
    """The first month from which revenue covers all costs in every month to the end of the horizon.

    A month that breaks even and is followed by losses is not a break-even: the cash still runs down."""
    month = None
    for row in rows:
        if row.net_burn > 0:
            month = None
        elif month is None:
            month = row.month
    return month


def cash_runway(starting_cash: Decimal, rows: list[MonthRow] | tuple[MonthRow, ...]) -> CashRunway:
    """Months until the cash runs out, the last month counted by the share of its burn the cash covers."""
    cash = starting_cash
    for row in rows:
        if row.cash_end < 0:
            # cash + funding was >= 0 and below this month's burn, so the burn is positive here.
            return CashRunway(row.month - 1 + (cash + row.funding) / row.net_burn, len(rows))
        cash = row.cash_end
    return CashRunway(None, len(rows))


def check_fits_canvas(streams: tuple[RevenueStream, ...], assumptions: FinancialAssumptions) -> None:
    """Every canvas stream has usage assumptions and its segment has customer assumptions, and back."""
    if not streams:
        raise NoRevenueStreamsError("The canvas has no revenue streams: add at least one on the canvas first.")
    names = {s.name for s in streams}
    for plan in assumptions.streams:
        if plan.stream not in names:
            raise UnknownNameError(f"Revenue stream {plan.stream!r} has assumptions but is not on the canvas.")
    for stream in streams:
        problem = billing_problem(stream)
        if problem:
            raise StreamTermsError(f"{problem} Change it on the Revenue streams page.")
        assumptions.stream_plan(stream.name)
        assumptions.segment_plan(stream.segment)


def _month(streams, assumptions: FinancialAssumptions, scenario: Scenario, month: int,
           previous: dict[str, Decimal], cash: Decimal) -> MonthRow:
    customers, new, churned = _customers(assumptions, scenario, month, previous)
    revenue_by_stream: dict[str, Decimal] = {}
    recurring = one_off = requests = Decimal(0)
    for stream in streams:
        plan = assumptions.stream_plan(stream.name)
        on_plan = customers[stream.segment] * plan.share_of_segment
        stream_requests, stream_recurring = _stream_usage(stream, plan, on_plan, scenario.price_factor)
        joined = new[stream.segment] * plan.share_of_segment
        where = f"Month {month} ({scenario.name!r} scenario): revenue of stream {stream.name!r}"
        stream_one_off = to_cents(joined * one_off_charge(stream, scenario.price_factor), where)
        stream_recurring = to_cents(stream_recurring, where)
        revenue_by_stream[stream.name] = stream_recurring + stream_one_off
        recurring += stream_recurring
        one_off += stream_one_off
        requests += stream_requests
    revenue = recurring + one_off
    inference = to_cents(requests * cost_per_request(assumptions, scenario, month),
                         f"Month {month} ({scenario.name!r} scenario): inference cost")
    hosting = assumptions.hosting_usd_per_month
    cogs = inference + hosting
    acquisition = sum((to_cents(new[p.segment] * p.cac_usd,
                                f"Month {month} ({scenario.name!r} scenario): acquisition cost of {p.segment!r}")
                       for p in assumptions.segments), Decimal("0.00"))
    opex = assumptions.team_usd_per_month + assumptions.other_opex_usd_per_month + acquisition
    net_burn = cogs + opex - revenue
    funding = sum((e.amount_usd for e in assumptions.funding if e.month == month), Decimal("0.00"))
    cash_end = cash + funding - net_burn
    return MonthRow(
        month=month, customers_by_segment=customers, new_customers=sum(new.values(), Decimal(0)),
        churned_customers=churned, customers=sum(customers.values(), Decimal(0)),
        revenue_by_stream=revenue_by_stream, recurring_revenue=recurring, one_off_revenue=one_off,
        revenue=revenue, requests=requests, inference_cost=inference, hosting_cost=hosting, cogs=cogs,
        gross_profit=revenue - cogs, gross_margin=margin(revenue - cogs, revenue),
        team_cost=assumptions.team_usd_per_month, other_opex=assumptions.other_opex_usd_per_month,
        acquisition_cost=acquisition, opex=opex, net_burn=net_burn, funding=funding, cash_end=cash_end,
        runway=runway(cash_end, net_burn),
    )


def _customers(assumptions: FinancialAssumptions, scenario: Scenario, month: int,
               previous: dict[str, Decimal]) -> tuple[dict[str, Decimal], dict[str, Decimal], Decimal]:
    customers, new, churned_total = {}, {}, Decimal(0)
    for plan in assumptions.segments:
        churned = previous[plan.segment] * plan.monthly_churn * scenario.churn_factor
        joined = (plan.new_customers_per_month * scenario.new_customers_factor
                  * (1 + plan.new_customer_growth_rate) ** (month - 1))
        customers[plan.segment] = previous[plan.segment] - churned + joined
        if customers[plan.segment] > MAX_PROJECTED_CUSTOMERS:
            raise AmountError(
                f"Segment {plan.segment!r} reaches {customers[plan.segment]:,.0f} customers in month {month} "
                f"(scenario {scenario.name!r}): more than people on Earth; lower its growth or the horizon.")
        new[plan.segment] = joined
        churned_total += churned
    return customers, new, churned_total


def _stream_usage(stream: RevenueStream, plan: StreamPlan, on_plan: Decimal,
                  price_factor: Decimal) -> tuple[Decimal, Decimal]:
    """(requests, recurring revenue) of a stream's customers, cohort by cohort."""
    requests = revenue = Decimal(0)
    for cohort in plan.usage:
        in_cohort = on_plan * cohort.share_of_customers
        requests += in_cohort * cohort.requests_per_month
        revenue += in_cohort * monthly_charge(stream, plan, cohort.requests_per_month, price_factor)
    return requests, revenue


def _flat_monthly(stream: RevenueStream, price_factor: Decimal) -> Decimal:
    if stream.billing_period is BillingPeriod.MONTH:
        return stream.price_usd * price_factor
    if stream.billing_period is BillingPeriod.YEAR:
        return stream.price_usd * price_factor / 12
    return Decimal(0)


def _check_scenario_churn(assumptions: FinancialAssumptions, scenario: Scenario) -> None:
    for plan in assumptions.segments:
        churn = plan.monthly_churn * scenario.churn_factor
        if churn > 1:
            raise RateError(
                f"Scenario {scenario.name!r} multiplies the churn of segment {plan.segment!r} "
                f"({plan.monthly_churn * 100:.2f} %) by ×{scenario.churn_factor}, giving {churn * 100:.2f} %: "
                "churn cannot exceed 100 % a month.")


def to_cents(amount: Decimal, what: str = "A projected amount") -> Decimal:
    """An amount rounded to cents; `what` names it in the message when it is out of the model's range."""
    if abs(amount) > MAX_BOOKED_USD:
        raise OutOfRangeError(
            f"{what} would be more than ${MAX_BOOKED_USD:,} (a quadrillion dollars), beyond what the model "
            "computes: check the customers, requests a month, prices and requests per billed unit.")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def rounded(value: Decimal, places: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """`value` rounded to `places`, however many digits that takes (the default 28 would raise beyond)."""
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() - places.as_tuple().exponent + 2)
        return value.quantize(places, rounding=rounding)


def margin(profit: Decimal, revenue: Decimal) -> Decimal | None:
    """Profit / revenue as a fraction to 0.01 %; None when there is no revenue to divide by."""
    if revenue == 0:
        return None
    # A cent of revenue against a large cost is a margin of many digits: still a number, not an error.
    return rounded(profit / revenue, RATE_PLACES)
