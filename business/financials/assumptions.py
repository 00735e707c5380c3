"""What the financial model is told: validated assumptions for segments, streams, costs and scenarios.

Every value is built through a `make_*` function that reads user input (numbers, numeric strings,
Decimals), checks it and raises a `FinancialsError` subclass naming the offending value. Rates are
fractions (0.05 is 5 %), money is `Decimal` USD, customers are expected values (fractions allowed:
10 customers with 5 % churn leave 9.5 on average). The projection itself is in business.financials.projection.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from business.provenance import Provenance, provenance_from_legacy_text, source_text, with_source

CENT = Decimal("0.01")
MAX_HORIZON_MONTHS = 120
MAX_CUSTOMERS = Decimal("1000000000")
MAX_AMOUNT_USD = Decimal("1000000000000")
MAX_REQUESTS_PER_MONTH = Decimal("1000000000000")
MAX_FACTOR = Decimal("10")
MAX_NAME_CHARS = 60
# Cohort shares come from percentage inputs; a rounding slip of 0.01 point is not a modelling error.
SHARE_SUM_TOLERANCE = Decimal("0.0001")


class FinancialsError(ValueError):
    """Assumptions the financial model cannot use; the message names the value and why."""


class HorizonError(FinancialsError):
    """The projection horizon is not a whole number of months between 1 and MAX_HORIZON_MONTHS."""


class RateError(FinancialsError):
    """A rate or share (churn, growth, cohort share...) is outside its range."""


class AmountError(FinancialsError):
    """A money amount, count or factor is not a finite number in its range."""


class NoRevenueStreamsError(FinancialsError):
    """The canvas has no revenue streams, so there is nothing to project."""


class UnknownNameError(FinancialsError):
    """An assumption refers to a stream or segment that is not on the canvas, or one is missing."""


class ScenarioError(FinancialsError):
    """A scenario is unnamed, named twice, or missing the base case."""


class FundingError(FinancialsError):
    """A fundraising event falls outside the horizon."""


class Cohort(str, Enum):
    LIGHT = "light"
    AVERAGE = "average"
    POWER = "power"


_COHORT_NAMES = tuple(c.value for c in Cohort)


@dataclass(frozen=True)
class UsageCohort:
    cohort: Cohort
    share_of_customers: Decimal
    requests_per_month: Decimal


@dataclass(frozen=True)
class SegmentPlan:
    segment: str
    starting_customers: Decimal
    new_customers_per_month: Decimal
    new_customer_growth_rate: Decimal
    monthly_churn: Decimal
    cac_usd: Decimal


@dataclass(frozen=True)
class StreamPlan:
    stream: str
    share_of_segment: Decimal
    requests_per_billed_unit: Decimal
    usage: tuple[UsageCohort, ...]


@dataclass(frozen=True)
class CostPerRequest:
    """The inference cost the model bills, with where it came from (typed, estimated or measured)."""
    usd_per_1k_requests: Decimal
    provenance: Provenance

    @property
    def source(self) -> str:
        return source_text(self.provenance)

    def text(self) -> str:
        """"$5.00 per 1,000 requests", "$0.0000696 per 1,000 requests": never scientific notation."""
        return f"{unit_usd_text(self.usd_per_1k_requests)} per 1,000 requests"

    def describe(self) -> str:
        """"$5.00 per 1,000 requests (entered by you on 2026-11-30)": the figure with its source."""
        return with_source(self.text(), self.provenance)


@dataclass(frozen=True)
class FundingEvent:
    month: int
    amount_usd: Decimal
    label: str


@dataclass(frozen=True)
class Scenario:
    """Multipliers on the base assumptions plus the levers that move AI unit costs."""
    name: str
    new_customers_factor: Decimal = Decimal(1)
    churn_factor: Decimal = Decimal(1)
    price_factor: Decimal = Decimal(1)
    inference_cost_factor: Decimal = Decimal(1)
    monthly_inference_price_decline: Decimal = Decimal(0)
    routed_share: Decimal = Decimal(0)
    routed_cost_ratio: Decimal = Decimal("0.3")
    cache_hit_rate: Decimal = Decimal(0)
    batch_share: Decimal = Decimal(0)
    batch_discount: Decimal = Decimal("0.5")


@dataclass(frozen=True)
class FinancialAssumptions:
    horizon_months: int
    segments: tuple[SegmentPlan, ...]
    streams: tuple[StreamPlan, ...]
    cost_per_request: CostPerRequest
    hosting_usd_per_month: Decimal
    team_usd_per_month: Decimal
    other_opex_usd_per_month: Decimal
    starting_cash_usd: Decimal
    funding: tuple[FundingEvent, ...] = ()
    scenarios: tuple[Scenario, ...] = ()

    def segment_plan(self, segment: str) -> SegmentPlan:
        for plan in self.segments:
            if plan.segment == segment:
                return plan
        raise UnknownNameError(f"Segment {segment!r} has no customer assumptions; add them first.")

    def stream_plan(self, stream: str) -> StreamPlan:
        for plan in self.streams:
            if plan.stream == stream:
                return plan
        raise UnknownNameError(f"Revenue stream {stream!r} has no usage assumptions; add them first.")

    def scenario(self, name: str) -> Scenario:
        for scenario in self.scenarios:
            if scenario.name == name:
                return scenario
        raise ScenarioError(f"There is no scenario named {name!r}.")


BASE_SCENARIO = "base"


def to_decimal(value: object, label: str) -> Decimal:
    """Read a finite number from user input (int, float, numeric string or Decimal)."""
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise AmountError(f"{label} is empty: enter a number.")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise AmountError(f"{label} {value!r} is not a number.") from None
    if not number.is_finite():
        raise AmountError(f"{label} {value!r} is not a finite number.")
    return number


def make_amount(value: object, label: str, *, maximum: Decimal = MAX_AMOUNT_USD) -> Decimal:
    """A non-negative USD amount, rounded to cents."""
    amount = to_decimal(value, label)
    if amount < 0:
        raise AmountError(f"{label} {amount} is negative; it must be 0 or more.")
    if amount > maximum:
        raise AmountError(f"{label} {amount:,} is over the limit of {maximum:,}.")
    return amount.quantize(CENT)


def make_count(value: object, label: str, *, maximum: Decimal = MAX_CUSTOMERS) -> Decimal:
    """A non-negative quantity (customers, requests); fractions allowed, they are expected values."""
    count = to_decimal(value, label)
    if count < 0:
        raise AmountError(f"{label} {count} is negative; it must be 0 or more.")
    if count > maximum:
        raise AmountError(f"{label} {count:,} is over the limit of {maximum:,}.")
    return count


def make_rate(value: object, label: str) -> Decimal:
    """A fraction between 0 and 1 inclusive (0.05 means 5 %)."""
    rate = to_decimal(value, label)
    if rate < 0:
        raise RateError(f"{label} {_percent(rate)} is negative; it must be between 0 % and 100 %.")
    if rate > 1:
        raise RateError(f"{label} {_percent(rate)} is over 100 %; it must be between 0 % and 100 %.")
    return rate


def make_factor(value: object, label: str) -> Decimal:
    """A multiplier between 0 and MAX_FACTOR (1 means unchanged)."""
    factor = to_decimal(value, label)
    if factor < 0 or factor > MAX_FACTOR:
        raise AmountError(f"{label} ×{factor} is outside 0 to ×{MAX_FACTOR}.")
    return factor


def make_name(value: object, label: str) -> str:
    name = "" if value is None else " ".join(str(value).split())
    if not name:
        raise ScenarioError(f"{label} is empty: please type a name.")
    if len(name) > MAX_NAME_CHARS:
        raise ScenarioError(f"{label} is {len(name)} characters long; the limit is {MAX_NAME_CHARS}.")
    return name


def make_horizon(value: object) -> int:
    months = to_decimal(value, "Horizon")
    if months != months.to_integral_value():
        raise HorizonError(f"Horizon {months} months is not a whole number of months.")
    if not 1 <= months <= MAX_HORIZON_MONTHS:
        raise HorizonError(
            f"Horizon {months:,} months is outside 1 to {MAX_HORIZON_MONTHS} months "
            f"({MAX_HORIZON_MONTHS // 12} years).")
    return int(months)


def make_segment_plan(segment: str, *, starting_customers: object, new_customers_per_month: object,
                      new_customer_growth_rate: object = 0, monthly_churn: object, cac_usd: object) -> SegmentPlan:
    where = f"Segment {segment!r}:"
    return SegmentPlan(
        segment=segment,
        starting_customers=make_count(starting_customers, f"{where} starting customers"),
        new_customers_per_month=make_count(new_customers_per_month, f"{where} new customers per month"),
        new_customer_growth_rate=make_rate(new_customer_growth_rate, f"{where} monthly growth of new customers"),
        monthly_churn=make_rate(monthly_churn, f"{where} monthly churn"),
        cac_usd=make_amount(cac_usd, f"{where} customer acquisition cost"),
    )


def make_usage(stream: str, cohorts: dict[Cohort | str, tuple[object, object]]) -> tuple[UsageCohort, ...]:
    """Light / average / power usage from {cohort: (share of customers, requests per month)}."""
    unknown = sorted(str(getattr(k, "value", k)) for k in cohorts if str(getattr(k, "value", k)) not in _COHORT_NAMES)
    if unknown:
        raise RateError(f"Stream {stream!r}: unknown usage cohort(s) {', '.join(unknown)}; use light, average, power.")
    usage = []
    for cohort in Cohort:
        share, requests = cohorts.get(cohort, cohorts.get(cohort.value, (0, 0)))
        label = f"Stream {stream!r}, {cohort.value} users:"
        usage.append(UsageCohort(
            cohort=cohort,
            share_of_customers=make_rate(share, f"{label} share of customers"),
            requests_per_month=make_count(requests, f"{label} requests per month", maximum=MAX_REQUESTS_PER_MONTH),
        ))
    total = sum(u.share_of_customers for u in usage)
    if abs(total - 1) > SHARE_SUM_TOLERANCE:
        raise RateError(f"Stream {stream!r}: the light, average and power shares add up to {_percent(total)}, "
                        "not 100 %.")
    return tuple(usage)


def make_stream_plan(stream: str, *, share_of_segment: object = 1, requests_per_billed_unit: object = 1,
                     usage: dict[Cohort | str, tuple[object, object]]) -> StreamPlan:
    per_unit = to_decimal(requests_per_billed_unit, f"Stream {stream!r}: requests per billed unit")
    if per_unit <= 0 or per_unit > MAX_REQUESTS_PER_MONTH:
        raise AmountError(f"Stream {stream!r}: requests per billed unit {per_unit} must be above 0 "
                          f"and at most {MAX_REQUESTS_PER_MONTH:,}.")
    return StreamPlan(
        stream=stream,
        share_of_segment=make_rate(share_of_segment, f"Stream {stream!r}: share of the segment's customers"),
        requests_per_billed_unit=per_unit,
        usage=make_usage(stream, usage),
    )


def make_cost_per_request(usd_per_1k_requests: object, provenance: Provenance | str) -> CostPerRequest:
    """A checked cost with its provenance; a text source (an older document's) is read as one."""
    if isinstance(provenance, str):
        if not provenance.strip():
            raise AmountError("The source of the cost per 1,000 requests is empty: say where it comes from.")
        provenance = provenance_from_legacy_text(provenance)
    if not isinstance(provenance, Provenance):
        raise AmountError(f"The source of the cost per 1,000 requests {provenance!r:.60} is not a provenance.")
    return CostPerRequest(
        usd_per_1k_requests=to_nonnegative(usd_per_1k_requests, "Inference cost per 1,000 requests"),
        provenance=provenance,
    )


def unit_usd_text(amount: Decimal, digits: int = 3) -> str:
    """A unit price as a person reads it: cents when it is a cent or more, else `digits` significant
    digits written out ("$0.0790", "$0.0000696"), never scientific notation. Below a dollar, cents would
    round $0.0152 to "$0.02" (+32%) while the Costs page shows "$0.0152" for the same figure."""
    if amount >= 1 or amount == 0:
        return f"${amount:,.2f}"
    places = max(2, digits - 1 - amount.adjusted())  # the Costs page's rule (ui.costs.formats.unit_usd)
    return f"${amount:,.{places}f}"


def to_nonnegative(value: object, label: str) -> Decimal:
    """A non-negative amount kept at full precision (unit prices can be fractions of a cent)."""
    amount = to_decimal(value, label)
    if amount < 0 or amount > MAX_AMOUNT_USD:
        raise AmountError(f"{label} {amount} is outside 0 to {MAX_AMOUNT_USD:,} USD.")
    return amount


def make_funding_event(month: object, amount_usd: object, label: object = "") -> FundingEvent:
    when = to_decimal(month, "Funding month")
    if when != when.to_integral_value() or when < 1:
        raise FundingError(f"Funding month {when} is not a month number of 1 or more.")
    text = " ".join(str(label or "").split())[:MAX_NAME_CHARS] or "funding"
    return FundingEvent(month=int(when), amount_usd=make_amount(amount_usd, f"Funding {text!r} amount"), label=text)


def make_scenario(name: object, **fields: object) -> Scenario:
    clean = make_name(name, "Scenario name")
    where = f"Scenario {clean!r}:"
    factors = ("new_customers_factor", "churn_factor", "price_factor", "inference_cost_factor")
    rates = ("monthly_inference_price_decline", "routed_share", "routed_cost_ratio", "cache_hit_rate",
             "batch_share", "batch_discount")
    unknown = sorted(set(fields) - set(factors) - set(rates))
    if unknown:
        raise ScenarioError(f"{where} unknown setting(s) {', '.join(unknown)}.")
    values: dict[str, Decimal] = {}
    for key in factors:
        if key in fields:
            values[key] = make_factor(fields[key], f"{where} {key.replace('_', ' ')}")
    for key in rates:
        if key in fields:
            values[key] = make_rate(fields[key], f"{where} {key.replace('_', ' ')}")
    return Scenario(clean, **values)


def make_assumptions(*, horizon_months: object, segments: tuple[SegmentPlan, ...] | list,
                     streams: tuple[StreamPlan, ...] | list, cost_per_request: CostPerRequest,
                     hosting_usd_per_month: object, team_usd_per_month: object, other_opex_usd_per_month: object,
                     starting_cash_usd: object, funding: tuple | list = (),
                     scenarios: tuple | list) -> FinancialAssumptions:
    """Check the parts fit together: unique names, a base scenario, funding inside the horizon."""
    horizon = make_horizon(horizon_months)
    _unique([s.segment for s in segments], "segment")
    _unique([s.stream for s in streams], "revenue stream")
    _unique([s.name.casefold() for s in scenarios], "scenario")
    if not any(s.name == BASE_SCENARIO for s in scenarios):
        raise ScenarioError(f"There is no {BASE_SCENARIO!r} scenario; the other scenarios are measured against it.")
    for event in funding:
        if event.month > horizon:
            raise FundingError(f"Funding {event.label!r} in month {event.month} is after the "
                               f"{horizon}-month horizon; lengthen the horizon or move it.")
    return FinancialAssumptions(
        horizon_months=horizon, segments=tuple(segments), streams=tuple(streams),
        cost_per_request=cost_per_request,
        hosting_usd_per_month=make_amount(hosting_usd_per_month, "Hosting per month"),
        team_usd_per_month=make_amount(team_usd_per_month, "Team cost per month"),
        other_opex_usd_per_month=make_amount(other_opex_usd_per_month, "Other operating costs per month"),
        starting_cash_usd=make_amount(starting_cash_usd, "Starting cash"),
        funding=tuple(sorted(funding, key=lambda e: e.month)), scenarios=tuple(scenarios),
    )


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise UnknownNameError(f"The {what} {name!r} appears twice; each needs one set of assumptions.")
        seen.add(name)


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"
