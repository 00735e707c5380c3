"""The example project seeded on first start, so a demo never opens on an empty canvas.

TicketSense is a made-up AI startup written by this team: it reads a SaaS company's support tickets
and routes them with a fine-tuned BERT classifier (the same task as the bundled text example).
"""
from __future__ import annotations


EXAMPLE_PROJECT_NAME = "TicketSense (example)"

_H, _P, _V = "hypothesis", "partly validated", "validated"


def _items(*entries: tuple[str, str] | tuple[str, str, str]) -> list[dict]:
    return [{"text": e[0], "evidence": e[1], "note": e[2] if len(e) > 2 else ""} for e in entries]


EXAMPLE_CANVAS = {
    "blocks": {
        "key_partners": _items(
            ("Helpdesk platforms (Zendesk, Freshdesk, Intercom) as integration partners", _P,
             "Marketplace listing approved by one platform"),
            ("Cloud GPU provider for training and inference", _V),
            ("Two design-partner SaaS companies sharing anonymised tickets", _V)),
        "key_activities": _items(
            ("Fine-tuning and evaluating ticket classifiers per customer", _V),
            ("Building and maintaining helpdesk integrations", _P),
            ("Measuring routing accuracy against agents' final labels", _H)),
        "key_resources": _items(
            ("Labelled ticket data from design partners (120k tickets)", _V),
            ("Compressed BERT models that run on CPU at low latency", _P),
            ("Two ML engineers with NLP experience", _V)),
        "value_propositions": _items(
            ("Tickets reach the right team in seconds instead of hours", _P,
             "Median first-routing time fell from 3.1 h to 4 min at one design partner"),
            ("Fewer tickets bounced between teams", _H),
            ("Managers see what customers complain about, by category, every day", _H)),
        "customer_relationships": _items(
            ("Self-serve onboarding with a guided import of past tickets", _H),
            ("Dedicated success manager for enterprise accounts", _P)),
        "channels": _items(
            ("Helpdesk app marketplaces", _P),
            ("Content on support operations (benchmarks, playbooks)", _H),
            ("Outbound sales to support leaders at 200-2,000-employee SaaS firms", _H)),
        "customer_segments": _items(
            ("Growing SaaS support teams", _P, "10-50 agents, 5k-50k tickets a month"),
            ("Enterprise support organisations", _H, "200+ agents, strict data residency"),
            ("Helpdesk platforms embedding AI routing", _H)),
        "cost_structure": _items(
            ("GPU compute for fine-tuning per customer and for inference", _P),
            ("Salaries: engineering, sales, customer success", _V),
            ("Cloud hosting, storage and monitoring", _V)),
        "revenue_streams": _items(
            ("Monthly subscription per support team", _P),
            ("Usage fee per 1,000 tickets routed beyond the plan", _H),
            ("Annual licence for platforms embedding the model", _H)),
    },
    "value_propositions": [
        {"name": "Instant ticket routing", "segment": "Growing SaaS support teams",
         "job_to_be_done": "Get every new ticket to the agent who can solve it, without a human triager",
         "problems": "A person reads and tags every ticket; misrouted tickets wait hours; triage does not scale with growth",
         "alternatives": "Manual triage, keyword rules in the helpdesk, a generic LLM prompt",
         "benefits": "Minutes instead of hours to first response; triagers freed for real support work",
         "offer": "A classifier fine-tuned on the team's own past tickets, connected to their helpdesk in a day",
         "differentiator": "Trained on the customer's own labels and categories, runs at CPU cost, accuracy shown before go-live"},
        {"name": "Private routing model", "segment": "Enterprise support organisations",
         "job_to_be_done": "Automate ticket routing without sending customer data to a third-party LLM",
         "problems": "Data residency rules forbid external AI APIs; rule-based routing breaks with every new product",
         "alternatives": "In-house ML team, outsourced triage",
         "benefits": "Automation that passes the security review; predictable cost",
         "offer": "The same model, deployed in the customer's cloud, with a compressed int8 build for CPUs",
         "differentiator": "Small compressed model: no GPU needed in production, data never leaves the customer"},
    ],
    "revenue_streams": [
        {"name": "Team plan", "segment": "Growing SaaS support teams", "stream_type": "hybrid",
         "price_usd": "490", "unit": "team", "billing_period": "month",
         "included_usage": "10000", "overage_price_usd": "0.02",
         "note": "Includes 10,000 routed tickets a month; each extra ticket costs $0.02"},
        {"name": "Pay as you go", "segment": "Growing SaaS support teams", "stream_type": "usage-based",
         "price_usd": "30", "unit": "1,000 tickets", "billing_period": "month",
         "included_usage": None, "overage_price_usd": None, "note": "For teams trying it before a plan"},
        {"name": "Enterprise licence", "segment": "Enterprise support organisations", "stream_type": "licence",
         "price_usd": "60000", "unit": "deployment", "billing_period": "year",
         "included_usage": None, "overage_price_usd": None, "note": "Self-hosted model, support included"},
    ],
}


EXAMPLE_SERVING = {"model": "minilm-l6", "precision": "fp32", "tokens_per_request": 256, "always_on_gpus": 1}


def example_assumptions(canvas):
    """TicketSense's financial assumptions: our made-up but plausible numbers for the demo.

    The inference cost is not typed in: it is the Costs page's serving bill (`business.costs.serving`)
    for MiniLM-L6 at fp32, one ticket of ~256 tokens a request, one GPU kept up all month, at the
    example's own volume (`example_cost_per_request`), so the example shows the real pipeline.
    """
    from dataclasses import replace

    from business.financials.storage import PRESET_SCENARIOS
    from business.financials.assumptions import (make_assumptions, make_cost_per_request, make_funding_event,
                                                 make_segment_plan, make_stream_plan)

    teams, enterprises = "Growing SaaS support teams", "Enterprise support organisations"
    draft = make_assumptions(
        horizon_months=24,
        segments=[
            make_segment_plan(teams, starting_customers=14, new_customers_per_month=3,
                              new_customer_growth_rate="0.04", monthly_churn="0.025", cac_usd=2400),
            make_segment_plan(enterprises, starting_customers=1, new_customers_per_month="0.25",
                              new_customer_growth_rate=0, monthly_churn="0.01", cac_usd=30000),
        ],
        streams=[
            make_stream_plan("Team plan", share_of_segment="0.7", requests_per_billed_unit=1, usage={
                "light": ("0.5", 2000), "average": ("0.4", 8000), "power": ("0.1", 30000)}),
            make_stream_plan("Pay as you go", share_of_segment="0.3", requests_per_billed_unit=1000, usage={
                "light": ("0.6", 500), "average": ("0.3", 2000), "power": ("0.1", 10000)}),
            make_stream_plan("Enterprise licence", share_of_segment=1, requests_per_billed_unit=1, usage={
                "light": ("0.4", 50000), "average": ("0.4", 150000), "power": ("0.2", 400000)}),
        ],
        cost_per_request=make_cost_per_request(0, "not priced yet: set below from the serving bill"),
        hosting_usd_per_month=1500, team_usd_per_month=85000, other_opex_usd_per_month=6000,
        starting_cash_usd=1_800_000,
        funding=[make_funding_event(12, 4_000_000, "Planned seed extension")],
        scenarios=PRESET_SCENARIOS,
    )
    return replace(draft, cost_per_request=example_cost_per_request(canvas, draft))


def example_cost_per_request(canvas, draft):
    """The serving bill / requests at the example's average monthly volume over its base projection.

    The volume is the average so that the projection's inference over the horizon (requests × this cost)
    adds up to the serving bills of those months while the always-on GPU sets the bill. Returns the
    `CostPerRequest`; `serving_for_example` gives the `ServingCost` behind it (with its provenance)."""
    from business.financials.cost_sources import estimated_cost

    serving = serving_for_example(canvas, draft)
    return estimated_cost(serving, serving.inputs.model.name, "256 tokens, one ticket", None)


def serving_for_example(canvas, draft):
    from business.costs.catalog import load_catalog
    from business.costs.models import preset
    from business.costs.serving import ServingInputs, serving_cost
    from business.financials.volume import average_volume

    volume = float(average_volume(canvas.revenue_streams, draft).requests_per_month)
    spec = dict(EXAMPLE_SERVING, model=preset(EXAMPLE_SERVING["model"]))
    return serving_cost(ServingInputs(**spec, requests_per_month=volume), load_catalog())
