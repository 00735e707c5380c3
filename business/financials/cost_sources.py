"""Where the financial model's cost per request comes from: typed, estimated or measured, never unsaid.

Three ways in, each giving a `CostPerRequest` with its provenance: the cost estimator's serving cost
(`estimated_cost`: its method and inputs), a run card's measured throughput on a priced machine
(`measured_cost`: the run that measured it), or the founder's own figure (`cost_from_form`: a figure
edited by hand becomes "entered by you" on the day of the save; an untouched one keeps its origin).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from business.costs.pricing import cost_per_1000_requests, cost_per_request_from_throughput
from business.financials.assumptions import CostPerRequest, make_cost_per_request, to_nonnegative
from business.provenance import estimated, measured, typed

FORM_RESOLUTION = Decimal("1e-8")  # the financials form shows the cost per 1,000 requests to 8 decimals
STORED_PRECISION = Decimal("1e-9")  # USD per 1,000 requests: a billionth of a dollar is below any bill
# Placeholder until the cost estimator or a run card gives a figure: about 1 cent a request.
PLACEHOLDER_METHOD = "our placeholder of about 1 cent a request; replace it with the cost estimator or a run card"


def estimated_cost(serving, model_name: str, per_request: str, on: date | None) -> CostPerRequest:
    """The cost estimator's figure with its method and inputs. A serving cost that states its own
    provenance (`serving.provenance(on)`) is taken at its word; else it is built from its method."""
    if callable(getattr(serving, "provenance", None)):
        provenance = serving.provenance(on)
    else:
        offer = serving.offer
        provenance = estimated(f"cost estimator, {model_name} {serving.precision} on {offer.provider} {offer.gpu}",
                               {"per request": per_request, "GPU price seen": offer.date_label,
                                "how": serving.method}, on)
    return make_cost_per_request(serving.cost_per_1000_usd.quantize(STORED_PRECISION), provenance)


def measured_cost(run_id: str, samples_per_s: float, device: str | None, usd_per_hour: Decimal,
                  on: date | None) -> CostPerRequest:
    """A run card's measured throughput on a machine at `usd_per_hour`, kept busy: price / requests an hour."""
    per_request = cost_per_request_from_throughput(samples_per_s, usd_per_hour)
    return make_cost_per_request(cost_per_1000_requests(per_request), measured(
        run_id, on, f"{samples_per_s:,.1f} requests/s on {device or 'its device'} at ${usd_per_hour:,.2f}/hour, "
                    "machine kept busy"))


def placeholder_cost(usd_per_1k: Decimal) -> CostPerRequest:
    return make_cost_per_request(usd_per_1k, estimated(PLACEHOLDER_METHOD))


def default_cost(fallback_usd_per_1k: Decimal) -> CostPerRequest:
    """A new project's first cost per request: the Costs page's default serving bill for the bundled model
    (computed, with its inputs), until the founder fills or types their own; the placeholder only if the
    shipped catalog cannot price it."""
    from business.costs.catalog import load_catalog
    from business.costs.compute import EstimateError
    from business.costs.models import preset
    from business.costs.serving import ServingInputs, serving_cost

    try:
        serving = serving_cost(ServingInputs(preset("minilm-l6")), load_catalog())
    except EstimateError:
        return placeholder_cost(fallback_usd_per_1k)
    return estimated_cost(serving, serving.inputs.model.name, serving.inputs.per_request, None)


def cost_from_form(entered: object, shown: CostPerRequest, today: date,
                   resolution: Decimal = FORM_RESOLUTION) -> CostPerRequest:
    """What a saved form means: the figure shown (saved or just filled) keeps its provenance while the
    founder leaves it alone; a figure they changed is theirs, entered on the day of the save.

    The form shows `resolution` (8 decimals) and holds a float, so "left alone" is "within the form's
    resolution of the shown figure" (a field clicked into and out of reads back rounded), and the shown
    Decimal is kept whole rather than read back from the float.
    """
    amount = to_nonnegative(entered, "Inference cost per 1,000 requests")
    if abs(amount - shown.usd_per_1k_requests) <= resolution / 2:
        return shown
    return make_cost_per_request(amount, typed(today))
