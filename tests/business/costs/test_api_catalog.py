"""The hosted LLM API price catalog: every row sourced and dated, stale flagged, founder prices saved with
the project."""
from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from business.costs.api_catalog import (API_CATALOG_PATH, API_OVERRIDE_KIND, USER_SOURCE, ApiPrice, InvalidApiPrice,
                                        api_catalog_table, api_overrides_from_payload, api_overrides_payload,
                                        apply_api_overrides, is_stale, load_api_catalog, price_age_label)
from business.store import StaleSaveError, Store

TODAY = date(2026, 12, 1)


def raw_rows() -> list[dict[str, str]]:
    with open(API_CATALOG_PATH, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def price(**changes) -> ApiPrice:
    fields = dict(provider="OpenAI", model="GPT-5.4 Mini", usd_per_1m_input=Decimal("0.75"),
                  usd_per_1m_output=Decimal("4.50"), date_seen=date(2026, 5, 4), source="test")
    fields.update(changes)
    return ApiPrice(**fields)


def founder_row(**changes) -> dict:
    row = dict(provider="OpenAI", model="GPT-5.4 Mini", usd_per_1m_input="0.50", usd_per_1m_output="3.00",
               date_seen="2026-11-20", note="our enterprise agreement")
    row.update(changes)
    return row


def test_every_shipped_row_has_a_source_address_a_date_and_two_prices_per_million_tokens():
    rows = raw_rows()

    assert len(rows) >= 10 and len({r["provider"] for r in rows}) >= 4
    for row in rows:
        assert "/" in row["source"] and "." in row["source"], row  # a page's address, not a bare name
        assert date.fromisoformat(row["date_seen"]), row
        assert Decimal(row["usd_per_1m_input"]) > 0 and Decimal(row["usd_per_1m_output"]) > 0, row


def test_the_catalog_loads_every_row_with_its_money_as_decimal():
    prices = load_api_catalog()

    assert len(prices) == len(raw_rows())
    assert all(isinstance(p.usd_per_1m_input, Decimal) and isinstance(p.usd_per_1m_output, Decimal) for p in prices)
    assert len({p.key for p in prices}) == len(prices)


def test_a_price_older_than_ninety_days_or_undated_is_flagged_stale():
    assert not is_stale(price(date_seen=date(2026, 10, 7)), TODAY)
    assert is_stale(price(date_seen=date(2026, 5, 4)), TODAY)
    assert is_stale(price(date_seen=None), TODAY)
    assert price_age_label(price(date_seen=date(2026, 5, 4)), TODAY) == "stale (211 days old)"
    assert price_age_label(price(date_seen=None), TODAY) == "date unknown"


def test_the_table_shows_each_price_with_its_date_age_stale_flag_and_source():
    [row] = api_catalog_table([price(date_seen=None, source="unsourced")], TODAY)

    assert (row["date_seen"], row["price_age"], row["stale"], row["source"]) == (
        "unknown", "date unknown", True, "unsourced")


def test_the_shipped_catalog_flags_its_older_rows_and_keeps_the_recent_ones():
    table = api_catalog_table(load_api_catalog(), TODAY)

    assert any(row["stale"] for row in table) and not all(row["stale"] for row in table)


def test_cost_per_request_is_input_and_output_tokens_at_their_own_prices():
    # 1,000 in × $0.75/1M + 200 out × $4.50/1M = $0.00075 + $0.0009
    assert price().cost_per_request_usd(1000, 200) == Decimal("0.00165")


def test_a_founder_price_replaces_the_same_provider_and_model_and_says_it_is_theirs():
    prices = apply_api_overrides((price(),), [founder_row()], TODAY)

    [mine] = prices
    assert (mine.usd_per_1m_input, mine.usd_per_1m_output, mine.source) == (Decimal("0.50"), Decimal("3.00"),
                                                                            USER_SOURCE)
    assert mine.note == "our enterprise agreement"


def test_a_founder_price_for_another_model_is_added_and_an_empty_date_means_today():
    prices = apply_api_overrides((price(),), [founder_row(model="Fine-tuned mini", date_seen="")], TODAY)

    assert [p.model for p in prices] == ["GPT-5.4 Mini", "Fine-tuned mini"]
    assert prices[1].date_seen == TODAY


@pytest.mark.parametrize("change, message", [
    ({"usd_per_1m_input": "-1"}, "usd_per_1m_input='-1' must be zero or a positive amount"),
    ({"usd_per_1m_output": "lots"}, "usd_per_1m_output='lots' is not an amount"),
    ({"usd_per_1m_output": None}, "usd_per_1m_output=None is not an amount"),
    ({"usd_per_1m_input": "2500"}, "above \\$1,000 per 1M tokens; check the units"),
    ({"provider": ""}, "provider='' must be a non-empty text"),
    ({"date_seen": "yesterday"}, "date_seen='yesterday' is not a date"),
])
def test_a_bad_founder_price_is_refused_with_the_offending_value(change, message):
    with pytest.raises(InvalidApiPrice, match=message):
        apply_api_overrides((price(),), [founder_row(**change)], TODAY)


def test_founder_prices_survive_the_store_as_text_and_a_stale_save_is_refused(tmp_path):
    store = Store(tmp_path / "api_prices.db")
    project = store.create_project("API prices")
    payload = api_overrides_payload([founder_row()], TODAY)

    store.save(project.id, API_OVERRIDE_KIND, payload, None)
    loaded = api_overrides_from_payload(Store(tmp_path / "api_prices.db").load_latest(project.id,
                                                                                       API_OVERRIDE_KIND).payload)
    with pytest.raises(StaleSaveError):
        store.save(project.id, API_OVERRIDE_KIND, {"rows": []}, None)

    assert loaded[0]["usd_per_1m_input"] == "0.50"  # money stored as text, never a float
    assert apply_api_overrides((), loaded, TODAY) == apply_api_overrides((), [founder_row()], TODAY)


@pytest.mark.parametrize("payload, says", [
    ({"rows": "GPT at a dollar"}, "rows"),
    ({"rows": [dict(founder_row(), usd_per_1m_input={"$": 1})]}, r"rows\[0\]\.usd_per_1m_input: must be an amount"),
    ({"rows": [dict(founder_row(), discount="90%")]}, r"rows\[0\]\.discount: is not a field"),
    ({"rows": [founder_row()] * 201}, "rows"),
])
def test_a_stored_document_of_another_shape_is_refused_naming_the_field(payload, says):
    with pytest.raises(InvalidApiPrice, match=f"The saved API prices cannot be read: .*{says}"):
        api_overrides_from_payload(payload)


def test_founder_api_prices_travel_in_the_project_file_and_come_back_as_saved(tmp_path):
    from business.canvas.json_io import canvas_to_dict
    from business.project_file import export_project, import_project, read_project, save_as_new_project
    store = Store(tmp_path / "founder.db")
    project = store.create_project("Acme AI")
    store.save(project.id, "canvas", canvas_to_dict(read_project(store, project.id).canvas), None)
    store.save(project.id, API_OVERRIDE_KIND, api_overrides_payload([founder_row()], TODAY), None)

    raw = export_project(read_project(store, project.id)).encode()
    copy = save_as_new_project(store, import_project(raw, TODAY), "Imported")

    assert store.load_latest(copy.id, API_OVERRIDE_KIND).payload == store.load_latest(project.id,
                                                                                       API_OVERRIDE_KIND).payload


def test_a_project_file_with_a_bad_api_price_is_refused_naming_it():
    import json

    from business.canvas.model import Canvas
    from business.project_file import ProjectFile, ProjectFileError, export_project, import_project
    document = json.loads(export_project(ProjectFile("Acme", Canvas())))
    document["api_prices"] = [founder_row(usd_per_1m_output="-3")]

    with pytest.raises(ProjectFileError, match="API prices in the file are invalid.*usd_per_1m_output='-3'"):
        import_project(json.dumps(document).encode(), TODAY)
