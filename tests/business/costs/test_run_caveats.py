"""What keeps a run from being a headline, read from its run card as a plain dict."""
from __future__ import annotations

from business.costs.run_cards import caveat_tags, card_project_id, run_caveats

COMPLETE = {"config": {"epochs": 3, "max_steps": None},
            "training": {"global_step": 96, "steps_per_epoch": 32, "stopped_by": "epochs", "train_rows": 256,
                         "min_train_rows": 40}}


def card(**training) -> dict:
    return {**COMPLETE, "training": {**COMPLETE["training"], **training}}


def test_a_complete_run_has_no_caveat():
    assert run_caveats(COMPLETE) == ()
    assert caveat_tags(run_caveats(COMPLETE)) == ""


def test_a_run_stopped_by_max_steps_before_one_epoch_is_a_short_run():
    [caveat] = run_caveats(card(global_step=16, stopped_by="max_steps"))

    assert caveat.tag == "short run"
    assert caveat.detail == "stopped by max_steps at step 16, before one full epoch (32 steps)"


def test_a_run_stopped_by_max_steps_after_a_full_epoch_is_not_short():
    assert run_caveats(card(global_step=48, stopped_by="max_steps")) == ()


def test_an_old_card_that_stopped_at_its_max_steps_is_called_short_for_want_of_an_epoch_count():
    old = {"config": {"epochs": 1, "max_steps": 16}, "training": {"global_step": 16, "epoch": 0}}

    [caveat] = run_caveats(old)

    assert caveat.tag == "short run"
    assert "no full epoch is recorded" in caveat.detail


def test_a_run_on_fewer_rows_than_the_data_check_asks_for_says_so():
    [caveat] = run_caveats(card(train_rows=12))

    assert caveat.tag == "too little data"
    assert caveat.detail == "trained on 12 rows; the data check asks for at least 40"


def test_a_cancelled_run_is_labelled_cancelled_with_its_other_caveats():
    caveats = run_caveats(card(global_step=5), state="cancelled")

    assert caveat_tags(caveats) == "cancelled, short run"


def test_a_card_names_its_project_by_id_and_an_old_or_odd_card_names_none():
    assert card_project_id({"project_id": 3}) == 3
    assert card_project_id({"project_id": "3"}) == 3
    for odd in ({}, {"project_id": None}, {"project_id": True}, {"project_id": "TicketSense"}, {"project_id": -1}, []):
        assert card_project_id(odd) is None
