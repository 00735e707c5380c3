"""What every question's view on the Costs page may need, in one value."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CostsContext:
    """The offers (catalog + the founder's prices), today, the project and its trained run cards."""
    project_id: int
    offers: tuple
    today: date
    run_cards: dict
