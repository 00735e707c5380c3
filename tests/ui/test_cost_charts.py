"""The Costs page's build-vs-buy chart stays readable on a phone."""
from __future__ import annotations

from business.costs.api_catalog import load_api_catalog
from business.costs.build_vs_buy import Workload, api_option, compare, open_model_option
from business.costs.catalog import load_catalog
from business.costs.models import preset
from ui.costs.build_vs_buy import volume_figure


def test_the_volume_chart_puts_its_legend_under_the_plot_so_a_narrow_screen_keeps_the_lines_wide():
    workload = Workload(1_000_000, 1_000, 200)
    apis = [api_option(price, workload) for price in load_api_catalog()[:4]]
    comparison = compare(workload, apis, [open_model_option(preset("llm-7b"), "bf16", workload, load_catalog())])

    legend = volume_figure(comparison).layout.legend
    assert legend.orientation == "h" and legend.y < 0


def test_a_unit_price_reads_the_same_on_the_costs_page_as_on_the_financial_model():
    from decimal import Decimal

    from business.financials.assumptions import unit_usd_text
    from ui.costs.formats import unit_usd

    for amount in ("0.0790", "0.0152", "0.0000696", "0.8", "1.5", "1234.5678"):
        assert unit_usd(float(amount)) == unit_usd_text(Decimal(amount))
    assert unit_usd(0.8) == "$0.800" and unit_usd(None) == "—"
