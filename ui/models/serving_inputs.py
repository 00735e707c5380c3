"""The two inputs a serving bill needs, with honest defaults: the CPU machine's price and the monthly volume.

The price defaults to the CPU catalog's machine with as many cores as this one (business/costs/cpu_catalog),
the volume to the financial model's average month, the one its cost per request is spread over
(business/financials/volume); the founder may type either.
Each input says where its default came from, so a bill is never priced on a silent placeholder.
"""
from __future__ import annotations

import os

import streamlit as st

from business.canvas.json_io import canvas_from_dict
from business.canvas.model import Canvas
from business.costs.cpu_catalog import cpu_offer_for
from business.financials.assumptions import FinancialsError
from business.financials.storage import load_assumptions
from business.financials.volume import ModelledVolume, modelled_volume
from ui.text import plain

PLACEHOLDER_VOLUME = 1_000_000


def this_machine_cores() -> int:
    return os.cpu_count() or 1


def cpu_price_input(key: str, column) -> str | None:
    """The founder's CPU price as text, or None to price on the catalog machine (said below the input)."""
    offer = cpu_offer_for(this_machine_cores())
    own = column.toggle("Use my own CPU machine price", key=f"{key}_own", value=offer is None)
    if not own and offer is not None:
        column.caption(plain(f"CPU rows priced on {offer.label(this_machine_cores())}."))
        return None
    price = column.number_input("CPU machine price (USD per hour)", min_value=0.0001, max_value=1000.0,
                                value=float(offer.usd_per_hour) if offer else 0.1, step=0.01, format="%.4f", key=key)
    return str(price)


def project_volume() -> ModelledVolume | None:
    from ui.session import current_project_id, get_store

    store, project_id = get_store(), current_project_id()
    version = store.load_latest(project_id, "canvas")
    try:
        assumptions, _ = load_assumptions(store, project_id)
        return modelled_volume(canvas_from_dict(version.payload) if version else Canvas(), assumptions)
    except (FinancialsError, ValueError):
        return None


def volume_input(key: str, column) -> float:
    modelled = project_volume()
    default = int(round(modelled.requests_per_month)) if modelled else PLACEHOLDER_VOLUME
    volume = column.number_input("Predictions per month", min_value=1, max_value=10**12, value=max(default, 1),
                                 step=100_000, key=key)
    if modelled and volume == default:
        column.caption(plain(f"From the financial model: {modelled.describe()}."))
    elif not modelled:
        column.caption("No saved financial model with revenue streams yet: a round placeholder volume; "
                       "type yours.")
    else:
        column.caption("Typed here (the financial model expects a different volume).")
    return float(volume)
