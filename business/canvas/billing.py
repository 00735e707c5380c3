"""How a revenue stream is billed: one meaning for its price, billing period, included usage and overage.

The financial model (business.financials.projection) bills exactly these terms, and the forms and the
financial model's page describe them with `describe_billing`, so a founder never sees terms that are not
billed. The meaning, stream by stream:
  subscription, licence: a flat fee per billing period; they take no included usage and no overage price
    (a fee plus overage is a hybrid stream).
  usage-based, transaction, advertising: the price per billed unit, on each month's usage; billed monthly
    or yearly (a yearly invoice is booked in the month the usage happens), never one-off.
  hybrid, or a usage-based stream with included usage: the price is a fee per billing period that
    covers the included usage; each unit beyond it costs the overage price.
  billing period: month, the fee each month; year, the fee / 12 each month and the included usage per
    year, i.e. / 12 each month (exact while a customer's usage is steady, as the usage cohorts assume);
    one-off, the fee once when a customer joins (one-off revenue, not MRR), with no included usage.
`check_billing_terms` refuses anything else with a message that says how to fix it. It runs when a stream
is saved on its form or imported; a canvas saved before these rules still loads, and the financial model
refuses its odd stream with the same message.
"""
from __future__ import annotations

from decimal import Decimal

from business.canvas.model import (BillingPeriod, Canvas, CanvasError, RevenueStream, StreamType,
                                   make_revenue_stream)

FLAT_FEE_TYPES = (StreamType.SUBSCRIPTION, StreamType.LICENCE)
PER_UNIT_TYPES = (StreamType.USAGE_BASED, StreamType.TRANSACTION, StreamType.ADVERTISING)
MONTHS_PER_YEAR = 12


class BillingTermsError(CanvasError):
    """A revenue stream's terms that the financial model could not bill as shown."""


def billing_problem(stream: RevenueStream) -> str | None:
    """Why these terms cannot be billed as they read, or None when they can."""
    name, kind = repr(stream.name), stream.stream_type.value
    included, overage = stream.included_usage, stream.overage_price_usd
    if stream.stream_type in FLAT_FEE_TYPES and (included is not None or overage is not None):
        return (f"Revenue stream {name} is a {kind}: a flat fee, so included usage and an overage price would "
                "not be billed. Choose the type 'hybrid' to bill the fee plus overage, or clear both fields.")
    if stream.billing_period is BillingPeriod.ONE_OFF and stream.stream_type in PER_UNIT_TYPES:
        return (f"Revenue stream {name} is {kind} and billed one-off, but usage is billed on each month's "
                "requests: bill it per month or per year. For a fee paid once, add a subscription, licence or "
                "hybrid stream billed one-off.")
    if stream.billing_period is BillingPeriod.ONE_OFF and included is not None:
        return (f"Revenue stream {name} includes {included:,f} {stream.unit} with a one-off price, but included "
                "usage is per billing period (a month or a year): bill it per month or per year, or clear the "
                "included usage.")
    if included is not None and overage is None:
        return (f"Revenue stream {name} includes {included:,f} {stream.unit} but has no overage price: "
                "what does usage beyond it cost?")
    if stream.stream_type in PER_UNIT_TYPES and overage is not None and included is None:
        return (f"Revenue stream {name} is {kind} with an overage price but no included usage: its price is "
                "already per unit. Set the included usage (the price then becomes the fee that covers it) or "
                "clear the overage price.")
    return None


def check_billing_terms(stream: RevenueStream) -> RevenueStream:
    problem = billing_problem(stream)
    if problem:
        raise BillingTermsError(problem)
    return stream


def make_billed_revenue_stream(canvas: Canvas, **fields: object) -> RevenueStream:
    """A revenue stream from a form or an import: the canvas checks, then the billing terms."""
    return check_billing_terms(make_revenue_stream(canvas, **fields))


def has_fee_and_overage(stream: RevenueStream) -> bool:
    """True when the price is a fee per period and usage beyond the included units costs the overage price."""
    return stream.stream_type not in FLAT_FEE_TYPES and (
        stream.stream_type is StreamType.HYBRID or stream.included_usage is not None)


def included_units_per_month(stream: RevenueStream) -> Decimal:
    """The included usage spread over a month: the whole of it on a monthly plan, a twelfth on a yearly one."""
    included = stream.included_usage or Decimal(0)
    return included / MONTHS_PER_YEAR if stream.billing_period is BillingPeriod.YEAR else included


def describe_billing(stream: RevenueStream) -> str:
    """What the financial model bills for this stream, in words (the same rules as monthly_charge)."""
    price = _money(stream.price_usd)
    if stream.stream_type in PER_UNIT_TYPES and not has_fee_and_overage(stream):
        when = "each month" if stream.billing_period is BillingPeriod.MONTH else \
            "invoiced yearly, booked in the month it is used"
        return f"{price} per {stream.unit} used, {when}"
    monthly = _money(stream.price_usd / MONTHS_PER_YEAR)
    text = f"{price} per {stream.unit} " + {
        BillingPeriod.MONTH: "a month",
        BillingPeriod.YEAR: f"a year (booked as {monthly} a month)",
        BillingPeriod.ONE_OFF: "once, when a customer joins (not recurring)"}[stream.billing_period]
    if not has_fee_and_overage(stream) or (stream.included_usage is None and stream.overage_price_usd is None):
        return text
    per = "year" if stream.billing_period is BillingPeriod.YEAR else "month"
    overage = _money(stream.overage_price_usd or Decimal(0))
    if stream.included_usage is None:
        return f"{text}, plus {overage} per unit used each month"
    return f"{text}, {stream.included_usage:,f} units included a {per}, then {overage} per unit"


def _money(amount: Decimal) -> str:
    # Prices can be fractions of a cent; show them whole rather than rounded to $0.00.
    return f"${amount:,.2f}" if amount >= 1 or amount == amount.quantize(Decimal("0.01")) else f"${amount:,f}"
