"""The Costs page's question flows (AppTest): fine-tune, serve, a pasted config.json, a serving failure."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from business.costs.hf_config import shipped_config
from tests.apptest_helpers import submit, texts, widget

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "costs.py")


def open_question(question: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.radio(key="costs_question").set_value(question).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_page_asks_the_question_first_and_opens_on_training():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert at.radio(key="costs_question").value == "train"
    assert list(at.radio(key="costs_question").options) == [
        "Train a model from scratch", "Fine-tune a model", "Serve a model", "Compare with an API"]
    assert "Training compute" in metrics(at)


def test_bert_base_shows_no_cnn_or_custom_fields_and_keeps_expert_fields_in_an_expander():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    keys = {w.key for w in at.number_input}
    assert not {"costs_training_images", "costs_epochs", "costs_custom_parameters_m",
                "costs_forward_gflops", "costs_images_per_request"} & keys
    assert any(e.label.startswith("More training settings") for e in at.expander)


def test_serving_an_llm_gives_latency_tokens_per_second_and_prices_per_million_tokens():
    at = open_question("serve")
    at.selectbox(key="costs_serve_model").set_value("llm-7b").run()
    shown = metrics(at)
    assert not at.error and not at.exception
    for label in ("Per 1M input tokens", "Per 1M output tokens", "Per 1,000 requests", "Time to first token",
                  "Output tokens/s per user", "Output tokens/s per GPU"):
        assert label in shown and "nan" not in shown[label].lower()
    assert "Databricks" in texts(at)  # the bandwidth efficiency says where it comes from


def test_an_encoder_is_served_as_batched_compute():
    at = open_question("serve")
    shown = metrics(at)
    assert "Per 1,000 requests" in shown and "Time to first token" not in shown
    assert "batched compute" in texts(at)


def test_a_pasted_config_json_is_served_with_its_exact_parameter_count():
    at = open_question("serve")
    at.selectbox(key="costs_serve_model").set_value("config").run()
    at.text_area(key="costs_serve_config").set_value(json.dumps(shipped_config("Mistral-7B-v0.1.json"))).run()
    assert not at.error, [e.value for e in at.error]
    assert "7,241,732,096 parameters" in texts(at) and "8 KV heads" in texts(at)
    assert "Per 1M output tokens" in metrics(at)


def test_a_config_missing_a_key_names_the_key_and_shows_no_numbers():
    at = open_question("serve")
    at.selectbox(key="costs_serve_model").set_value("config").run()
    at.text_area(key="costs_serve_config").set_value('{"model_type": "llama", "hidden_size": 4096}').run()
    assert "'num_attention_heads'" in " ".join(e.value for e in at.error).replace("\\", "")  # shown escaped, as text
    assert not at.metric


def test_fine_tuning_with_qlora_fits_a_7b_model_on_one_24_gb_gpu_and_is_priced():
    at = open_question("finetune")
    at.selectbox(key="costs_ft_model").set_value("llm-7b").run()
    at.selectbox(key="costs_ft_mode").set_value("qlora")
    at.selectbox(key="costs_ft_gpu").set_value("A10 24GB")
    at = submit(at, "Estimate fine-tuning")
    shown = metrics(at)
    assert not at.error and not at.exception
    assert float(shown["Memory per GPU"].split()[0]) < 24
    assert "$" in shown["Cost"] and not at.warning


def test_full_fine_tuning_that_does_not_fit_says_what_to_try():
    at = open_question("finetune")
    at.selectbox(key="costs_ft_model").set_value("llm-7b").run()
    at.selectbox(key="costs_ft_gpu").set_value("A10 24GB")
    at = submit(at, "Estimate fine-tuning")
    assert "does not fit" in " ".join(w.value for w in at.warning)
    assert "QLoRA" in " ".join(w.value for w in at.warning)
    assert metrics(at)["Cost"] == "does not fit"  # no price for a run that cannot start


def test_a_model_too_big_to_serve_keeps_the_training_estimate_and_says_why():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.selectbox(key="costs_model").set_value("custom").run()
    widget(at.number_input, "costs_custom_parameters_m").set_value(2_000_000.0)  # 2 trillion parameters
    widget(at.number_input, "costs_training_tokens_b").set_value(1.0)
    at = submit(at, "Estimate costs")
    shown = metrics(at)
    assert not at.exception and not at.error
    assert "FLOP" in shown["Training compute"]
    assert shown["Serving per 1,000 requests"] == "not priced"
    assert "no offer holds" in " ".join(w.value for w in at.warning)


def test_the_utilization_default_shows_the_published_runs_it_comes_from():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.selectbox(key="costs_model").set_value("llm-7b").run()
    [table] = [t for t in at.dataframe if "implied utilization" in t.value.columns]
    assert list(table.value["run"]) == ["Llama 2 7B", "Llama 2 13B", "Llama 2 70B"]
    assert "Touvron" in texts(at) or "Touvron" in " ".join(table.value["source"])


def test_training_defaults_to_a_30_day_deadline_so_the_cheapest_is_not_a_years_long_run():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.selectbox(key="costs_model").set_value("llm-7b").run()
    assert widget(at.number_input, "costs_deadline_hours").value == 720.0
    cheapest = next(m for m in at.metric if m.label == "Cheapest training")
    assert cheapest.value.startswith("$")


def test_the_serve_questions_price_is_the_bill_the_financial_model_reads():
    from business.costs.catalog import load_catalog
    from business.costs.models import preset
    from business.costs.serving import ServingInputs, serving_cost
    from ui.costs.formats import unit_usd

    at = open_question("serve")
    at.selectbox(key="costs_serve_model").set_value("llm-7b").run()
    bill = serving_cost(ServingInputs(preset("llm-7b"), "bf16", tokens_per_request=512, output_tokens=256, batch=8,
                                      requests_per_month=1_000_000), load_catalog())
    assert metrics(at)["Per 1,000 requests"] == unit_usd(bill.cost_per_1000_usd)


def test_when_the_gpu_kept_up_all_month_sets_the_bill_the_page_says_so_beside_the_busy_price():
    at = open_question("serve")
    at.selectbox(key="costs_serve_model").set_value("llm-7b").run()
    widget(at.number_input, "costs_serve_batch").set_value(16)
    at = submit(at, "Estimate serving")
    [note] = [i.value.replace("\\", "") for i in at.info if "kept up all month set this bill" in i.value]
    # 1M requests a month leave one GPU mostly idle: the per-1,000 price is the floor shared, not the busy cost.
    assert "1,000,000 requests keep them busy about" in note and "Kept busy, 1,000 requests would cost $0." in note
    widget(at.number_input, "costs_serve_requests").set_value(100_000_000)
    at = submit(at, "Estimate serving")
    assert not [i for i in at.info if "kept up all month set this bill" in i.value]
