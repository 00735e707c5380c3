"""Before "Start training" the text page suggests settings from the data, warns about short runs and
predicts the time here and the cost on the cheapest cloud GPU."""
from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from modelkit.defaults import text_defaults
from modelkit.paths import runs_root

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "text_classifier.py")


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    return at


def said(at: AppTest) -> str:
    return "\n".join(a.value for kind in (at.warning, at.info, at.caption) for a in kind).replace("\\", "")


def test_the_settings_start_from_the_example_datas_suggestions():
    at = open_page()

    suggested = text_defaults(train_rows=256, classes=4, token_p95=23, on_gpu=False)
    assert at.number_input(key="text_epochs").value == suggested.epochs
    assert at.number_input(key="text_max_length").value == suggested.max_length
    assert at.number_input(key="text_lr").value == suggested.learning_rate
    assert not at.warning


def test_the_predicted_time_and_cloud_cost_are_shown_before_the_start():
    at = open_page()

    text = said(at)
    assert "Predicted training time here: about" in text and "cheapest catalog GPU" in text
    assert "of this machine's measured matrix speed" in text  # no past run here yet: said as an estimate
    # the support-ticket job takes under a second on a data-centre GPU: its time there, not a $0.0000094 bill
    on_gpu = re.search(r"cheapest catalog GPU \(.*?\) it would take (under a second|about .*?): (.*?) of GPU time", text)
    assert on_gpu and on_gpu.group(2) == "less than $0.01" and "minimum charge" in text, text
    assert re.search(r"\d TFLOP at [\d,.]+ GFLOP/s", text) and "e+" not in text  # written out, no 4.35e+12


def test_a_past_run_of_the_same_model_on_this_machine_becomes_the_speed_basis():
    run = runs_root() / "past-run"
    run.mkdir(parents=True)
    (run / "run_card.json").write_text(json.dumps({
        "run_id": "past-run", "task": "text", "model": {"name": "all-MiniLM-L6-v2 (bundled)", "parameters": 22_713_216},
        "throughput": {"train_tokens_per_s": 400.0, "train_device": "cpu"}}))

    text = said(open_page())

    assert "measured: 1 past run(s) of all-MiniLM-L6-v2 (bundled) on this CPU" in text


def test_stopping_before_one_pass_is_called_a_short_run_before_the_start():
    at = open_page()

    at.number_input(key="text_max_steps").set_value(3).run()

    assert any("less than one pass over the 256 training rows" in w.value for w in at.warning)
    assert "short run" in at.warning[0].value
