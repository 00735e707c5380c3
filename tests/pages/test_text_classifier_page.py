"""The Text classifier page, driven with AppTest: data check, a real tiny training job, results and demo."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from modelkit import jobs
from modelkit.paths import runs_root

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "text_classifier.py")


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def everything_said(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in (at.error, at.warning, at.info, at.success) for a in kind]
    return "\n".join(parts)


def test_the_page_opens_on_the_example_data_and_shows_its_check_before_any_training():
    at = open_page()

    rows = next(m for m in at.metric if m.label == "Rows")
    classes = next(m for m in at.metric if m.label == "Classes")
    assert rows.value == "320" and classes.value == "4"
    assert any(b.label == "Start training" for b in at.button)


def test_an_unreachable_hub_model_is_refused_with_a_message_not_a_stack_trace(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    at = open_page()

    at.selectbox(key="text_model").set_value("hub")
    at.text_input(key="text_hub_id").set_value("someone/unknown-bert")
    at.button(key="text_start").click().run()

    assert not at.exception
    assert "cannot be reached" in everything_said(at)
    assert jobs.list_queue(root=runs_root()) == []


def load_hf_source(at: AppTest, name: str) -> AppTest:
    at.radio(key="text_source").set_value("Hugging Face dataset").run()
    at.text_input(key="text_hf_name").set_value(name)
    return at.button(key="FormSubmitter:text_hf_form-Load dataset").click().run()


def test_a_saved_hugging_face_dataset_loads_and_gets_the_same_data_check_as_an_upload(tmp_path):
    from datasets import ClassLabel, Dataset, Features, Value

    features = Features({"sentence": Value("string"), "label": ClassLabel(names=["negative", "positive"])})
    Dataset.from_dict({"sentence": ["good", "bad", "great", "awful", "fine", "poor"], "label": [1, 0, 1, 0, 1, 0]},
                      features=features).save_to_disk(str(tmp_path / "reviews"))

    at = load_hf_source(open_page(), str(tmp_path / "reviews"))

    assert not at.exception, at.exception
    assert next(m for m in at.metric if m.label == "Rows").value == "6"
    assert any(b.label == "Start training" for b in at.button)


def test_a_hugging_face_name_offline_is_refused_with_what_to_do_not_a_stack_trace(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    at = load_hf_source(open_page(), "someone/not-cached-reviews")

    assert not at.exception
    assert "upload it as a CSV" in "\n".join(e.value for e in at.error)
    assert not any(m.label == "Rows" for m in at.metric)


@pytest.mark.slow
def test_a_tiny_job_started_from_the_page_ends_with_results_a_working_demo_and_measured_compression():
    at = open_page()
    at.selectbox(key="text_model").set_value("tiny-bert")
    at.number_input(key="text_max_steps").set_value(2)
    at.button(key="text_start").click().run()
    run_id = at.session_state["text_run_id"]

    assert jobs.wait(run_id, timeout_s=600, root=runs_root())["state"] == "done"
    at.run()

    assert not at.exception, at.exception
    assert any(m.label == "Accuracy" for m in at.metric)
    assert "Predicted:" in everything_said(at)

    at.selectbox(key="text_compress_method").set_value("int8")
    at.button(key="FormSubmitter:text_compress_form-Start compression job").click().run()
    assert jobs.wait(run_id, timeout_s=600, root=runs_root())["state"] == "done"
    at.run()

    assert not at.exception, at.exception
    tables = [frame.value for frame in at.dataframe]
    assert any("method" in t.columns and "int8-dynamic" in set(t["method"]) for t in tables)


def test_the_router_lists_the_page_under_models_and_serves_it_without_errors():
    from tests.apptest_helpers import open_app

    at = open_app("pages/text_classifier.py")

    assert any(title.value == "Text classifier" for title in at.title)
    assert any(m.label == "Rows" for m in at.metric)


def upload_table(at: AppTest, name: str, raw: bytes) -> AppTest:
    at.radio(key="text_source").set_value("Upload CSV / TSV / JSONL").run()
    at.file_uploader(key="text_upload").set_value((name, raw, "text/csv"))
    return at.run()


TICKETS = "\n".join(["text,label"] + [f"ticket {i} about {topic},{topic}" for i in range(30)
                                      for topic in ("billing", "bug")]).encode()


def test_a_ragged_upload_is_refused_with_its_row_and_nothing_of_it_stays_in_uploads(app_data_dir):
    at = upload_table(open_page(), "tickets.csv", b"text,label\nhello, world,billing\napp crashes,bug\n")

    assert not at.exception, at.exception
    [error] = [e.value.replace("\\", "") for e in at.error]
    assert error.startswith("tickets.csv: 1 row(s) do not have the header's 2 fields: row 1 (line 2) has 3")
    assert str(app_data_dir) not in error
    assert list((app_data_dir / "uploads").iterdir()) == []
    assert not any(m.label == "Rows" for m in at.metric)


def test_the_upload_field_says_the_same_limit_in_the_same_unit_as_the_refusal():
    at = open_page()
    at.radio(key="text_source").set_value("Upload CSV / TSV / JSONL").run()

    assert at.file_uploader(key="text_upload").label == "Labelled texts (max 200 MiB)"


def test_the_data_check_reads_and_tokenizes_once_per_file_content_and_choice_not_on_every_rerun(monkeypatch):
    import modelkit.text.data as data

    at = open_page()  # checks the built-in example first
    calls = []
    for name in ("load_text_table", "token_lengths"):
        real = getattr(data, name)
        monkeypatch.setattr(data, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    at = upload_table(at, "tickets.csv", TICKETS)
    at.run()
    at.run()  # reruns, and the max tokens the training form suggests from this check, reuse it

    assert calls == ["load_text_table", "token_lengths"]
    at.checkbox(key="text_merge_labels").check().run()
    assert calls == ["load_text_table", "token_lengths"] * 2  # a changed choice checks again
    assert next(m for m in at.metric if m.label == "Rows").value == "60"
