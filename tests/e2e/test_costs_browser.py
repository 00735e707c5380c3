"""The Costs page in a real browser: a six-digit training cost shows every digit and its "$" in the offers table.

st.dataframe paints its cells on a canvas, so the test records what the page paints (every fillText call,
with where it lands) and compares it with the table's values from its accessibility layer.
"""
import re

import pytest

from tests.browser import browser_page, needs_chromium, served_app, wait_for_app

pytestmark = [pytest.mark.browser, needs_chromium]

# Every string the page paints on a canvas, with its left or right edge in CSS pixels.
RECORD_PAINTED_TEXT = """
window.__painted = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
  const t = this.getTransform(), scale = window.devicePixelRatio || 1;
  window.__painted.push({text: String(text), x: (t.a * x + t.e) / scale, width: this.measureText(text).width * t.a / scale,
                         align: this.textAlign});
  return fillText.call(this, text, x, y, ...rest);
};
"""
SIX_DIGIT_DOLLARS = r"^\$\d{3},\d{3}\.\d{2}$"
CELL_PADDING_PX = 8.5  # the grid draws a header 8 px, a cell 8.5 px inside the column's edge


@pytest.fixture
def app_url(tmp_path, app_data_dir):
    with served_app(app_data_dir, tmp_path / "streamlit.log") as url:
        yield url


def test_a_six_digit_training_cost_shows_all_its_digits_and_the_dollar_sign_in_the_offers_table(app_url, tmp_path):
    with browser_page(tmp_path) as page:
        page.add_init_script(RECORD_PAINTED_TEXT)
        page.set_default_timeout(120_000)  # a 70B sweep on a busy 2-core CI machine takes a while
        page.goto(app_url)
        wait_for_app(page)
        page.get_by_role("link", name="Compute and GPU costs").click()
        wait_for_app(page)
        # "Model" exactly: the question radio's options ("Train a model from scratch"...) contain the word too
        page.get_by_label("Model", exact=True).click()
        page.get_by_role("option", name="70B LLM (Llama 2 70B shape, GQA)", exact=True).click()
        wait_for_app(page)  # the form then shows the fields this model needs
        page.get_by_role("spinbutton", name="Training tokens (billions)").fill("1000")
        page.evaluate("window.__painted = []")
        page.get_by_role("button", name="Estimate costs").click()
        wait_for_app(page)
        page.wait_for_function(f"() => window.__painted.some(p => /{SIX_DIGIT_DOLLARS}/.test(p.text))")
        # on a busy machine the table's accessibility layer can lag its paint: wait until it holds the new sweep
        page.wait_for_function("""() => [...document.querySelectorAll("[data-testid='stDataFrame'] td")]
                                   .some(td => parseFloat(td.innerText) >= 100000)""")

        table = page.locator("[data-testid='stDataFrame']").first
        column = table.locator("[role=columnheader]").all_inner_texts().index("cost ($)") + 1
        # The accessibility layer holds a few rows past the visible ones; the first eight are always on screen.
        costs = [float(text) for text in table.locator(f"td[aria-colindex='{column}']").all_inner_texts()][:8]
        painted = page.evaluate("window.__painted")
        header = [p for p in painted if p["text"] == "cost ($)"][-1]
        cells = {p["text"]: p for p in painted}
        table.screenshot(path=str(tmp_path / "offers_table.png"))

        assert costs and any(cost >= 100_000 for cost in costs)
        for cost in costs:
            shown = f"${cost:,.2f}"
            assert shown in cells, f"{shown} is not painted; painted: {sorted(cells)[:20]}"
            cell = cells[shown]
            left = cell["x"] - cell["width"] if cell["align"] == "right" else cell["x"]
            assert left >= header["x"] - CELL_PADDING_PX, f"{shown} starts left of its column: cut off"
        assert any(re.match(SIX_DIGIT_DOLLARS, text) for text in cells)
        assert page.locator("[data-testid='stException']").count() == 0
