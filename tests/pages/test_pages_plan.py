"""AppTest of the Plan pages: canvas, value propositions, revenue streams, history, import/export."""
import json

from business.example_project import EXAMPLE_PROJECT_NAME
from tests.apptest_helpers import open_app, submit, texts, widget
from ui.text import plain


def open_channels(at):
    at.selectbox(key="canvas_block").set_value("channels").run()
    return at


def add_channel_item(at, text):
    if at.selectbox(key="canvas_block").value != "channels":
        open_channels(at)
    widget(at.text_input, "_3_text").set_value(text)  # the example has 3 channels: row 3 is the new one
    return submit(at, "Save Channels")


def test_the_app_opens_on_the_canvas_of_the_example_project():
    at = open_app()
    assert at.title[0].value == plain(EXAMPLE_PROJECT_NAME)
    page = texts(at)
    for block in ("Key Partners", "Value Propositions", "Customer Segments", "Cost Structure", "Revenue Streams"):
        assert f"**{block}**" in page
    assert "Running on" in page
    assert "What to do next" in [s.value for s in at.subheader]


def test_adding_an_item_to_a_block_saves_a_new_version_that_shows_after_a_rerun():
    at = add_channel_item(open_app(), "Partner webinars")
    assert "Saved as version 2" in texts(at)
    at.run()
    assert "Partner webinars" in texts(at)
    assert "version 2" in at.caption[0].value


def test_clearing_an_item_text_is_refused_and_keeps_the_old_version():
    at = open_app()
    at.selectbox(key="canvas_block").set_value("channels").run()
    widget(at.text_input, "_0_text").set_value("   ")
    submit(at, "Save Channels")
    assert "Item text is empty" in at.error[0].value
    assert "version 1" in at.caption[0].value


def test_html_typed_into_the_canvas_is_shown_as_text_not_rendered():
    at = add_channel_item(open_app(), "<img src=x onerror=alert(1)>")
    at.run()
    shown = [m.value for m in at.markdown if "img src" in m.value]
    assert shown and all("\\<img" in value for value in shown)
    assert not at.html


def test_a_value_proposition_is_saved_and_listed():
    at = open_app("pages/value_proposition.py")
    widget(at.selectbox, "_segment").set_value("Enterprise support organisations")
    widget(at.text_input, "New_name").set_value("Audit trail")
    widget(at.text_area, "_job_to_be_done").set_value("Prove to auditors how each ticket was routed")
    widget(at.text_area, "_problems").set_value("Routing decisions are not logged")
    submit(at, "Save value proposition")
    assert "Saved as version 2" in texts(at)
    at.run()
    assert any("Audit trail" in e.label for e in at.expander)


def test_a_value_proposition_without_a_job_says_what_is_missing():
    at = open_app("pages/value_proposition.py")
    widget(at.selectbox, "_segment").set_value("Enterprise support organisations")
    widget(at.text_input, "New_name").set_value("Audit trail")
    submit(at, "Save value proposition")
    assert "Job to be done is empty" in at.error[0].value


def test_a_revenue_stream_with_a_bad_price_is_refused_then_saved_when_fixed():
    at = open_app("pages/revenue_streams.py")
    widget(at.text_input, "New_name").set_value("API access")
    widget(at.selectbox, "_segment").set_value("Helpdesk platforms embedding AI routing")
    widget(at.selectbox, "_stream_type").set_value("usage-based")
    widget(at.text_input, "_unit").set_value("1,000 calls")
    widget(at.text_input, "New_price_usd").set_value("twelve")
    submit(at, "Save revenue stream")
    assert "'twelve' is not a number" in at.error[0].value
    widget(at.text_input, "New_price_usd").set_value("12.50")
    submit(at, "Save revenue stream")
    at.run()
    table = at.dataframe[0].value
    assert "API access" in list(table["Name"])
    assert table.loc[table["Name"] == "API access", "Price (USD)"].item() == "$12.50"


def test_a_stale_save_from_a_second_tab_is_refused_then_kept_from_history():
    first, second = open_channels(open_app()), open_channels(open_app())  # two tabs, one database
    add_channel_item(first, "Saved by tab one")
    add_channel_item(second, "Saved by tab two")
    assert "changed since you opened it" in second.error[0].value
    second.switch_page("pages/history.py").run()
    assert "Saved by tab two" in texts(second)
    submit(second, "Save this draft as the new version")
    assert "saved as version 3" in texts(second)
    second.switch_page("pages/canvas.py").run()
    assert "Saved by tab two" in texts(second) and "Saved by tab one" not in texts(second)
    second.switch_page("pages/history.py").run()
    assert [row for row in second.dataframe[0].value["Version"]] == [3, 2, 1]


def test_history_compares_versions_and_restores_an_old_one():
    at = add_channel_item(open_app(), "Temporary channel")
    at.switch_page("pages/history.py").run()
    assert "+ Temporary channel" in texts(at)
    at.selectbox(key="view_version").set_value(1).run()
    submit(at, "Restore version 1")
    assert "Version 1 restored as version 3" in texts(at)
    at.switch_page("pages/canvas.py").run()
    assert "Temporary channel" not in texts(at)


def test_exports_are_offered_as_json_markdown_and_pdf():
    at = open_app("pages/import_export.py")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["JSON: whole project (re-importable)", "Markdown (canvas)", "PDF (canvas, one page)"]


def test_a_malformed_import_is_refused_and_changes_nothing():
    at = open_app("pages/import_export.py")
    at.file_uploader(key="import_file").upload("canvas.json", b"{oops", "application/json").run()
    submit(at, "Import")
    assert "Nothing was imported" in at.error[0].value and "not valid JSON" in at.error[0].value
    assert len(at.sidebar.selectbox(key="project_id").options) == 1


def test_an_exported_file_imports_as_a_new_selected_project():
    from business.canvas.json_io import canvas_from_dict
    from business.example_project import EXAMPLE_CANVAS
    from business.project_file import ProjectFile, export_project

    raw = export_project(ProjectFile("Imported Co", canvas_from_dict(EXAMPLE_CANVAS))).encode()
    at = open_app("pages/import_export.py")
    at.file_uploader(key="import_file").upload("canvas.json", raw, "application/json").run()
    submit(at, "Import")
    assert "new project 'Imported Co'" in texts(at)
    at.switch_page("pages/canvas.py").run()
    assert at.title[0].value == "Imported Co"


def test_a_new_project_needs_a_name_and_then_becomes_current():
    at = open_app()
    at.sidebar.text_input(key="new_project_name").set_value("   ")
    submit(at, "Create")
    assert "project name is empty" in texts(at)
    at.sidebar.text_input(key="new_project_name").set_value("Second startup")
    submit(at, "Create")
    assert at.title[0].value == "Second startup"
    assert "Customer Segments is empty" in texts(at)


def test_renaming_the_project_changes_the_title():
    at = open_app()
    widget(at.sidebar.text_input, "rename_project_name_1").set_value("TicketSense")
    submit(at, "Rename")
    assert at.title[0].value == "TicketSense"


def test_a_project_name_with_markup_is_shown_literally_everywhere():
    at = open_app()
    at.sidebar.text_input(key="new_project_name").set_value("**Bold** <i>co</i> :red[x]")
    submit(at, "Create")
    assert at.title[0].value == plain("**Bold** <i>co</i> :red[x]")
    assert "Created \\*\\*Bold\\*\\*" in at.sidebar.success[0].value


def test_value_propositions_and_streams_saved_on_their_forms_appear_in_their_canvas_blocks():
    at = open_app("pages/value_proposition.py")
    widget(at.selectbox, "_segment").set_value("Enterprise support organisations")
    widget(at.text_input, "New_name").set_value("Audit trail")
    widget(at.text_area, "_job_to_be_done").set_value("Prove to auditors how each ticket was routed")
    widget(at.text_area, "_problems").set_value("Routing decisions are not logged")
    submit(at, "Save value proposition")
    at.switch_page("pages/canvas.py").run()
    page = texts(at)
    assert "**Audit trail**" in page and "**Instant ticket routing**" in page
    assert "**Enterprise licence**" in page and plain("$60,000.00 per deployment a year") in page
    at.switch_page("pages/history.py").run()
    assert ":green[+ " + plain("Value proposition 'Audit trail' for Enterprise support organisations") in texts(at)
    at.switch_page("pages/investor.py").run()
    assert not at.exception, at.exception
    assert "**Audit trail**" in texts(at)


def test_the_revenue_stream_table_shows_whole_dollars_and_counts_never_exponents():
    at = open_app("pages/revenue_streams.py")
    table = at.dataframe[0].value.set_index("Name")
    assert table.loc["Enterprise licence", "Price (USD)"] == "$60,000.00"
    assert table.loc["Team plan", "Price (USD)"] == "$490.00"
    assert table.loc["Team plan", "Included usage"] == "10,000"
    assert table.loc["Team plan", "Overage (USD)"] == "$0.02"


def test_saving_a_block_with_no_change_says_so_and_makes_no_new_version():
    at = open_channels(open_app())
    submit(at, "Save Channels")
    assert plain("Nothing changed, so no new version was saved: version 1 stays the latest.") in [i.value for i in at.info]
    at.switch_page("pages/history.py").run()
    assert list(at.dataframe[0].value["Version"]) == [1]


def test_a_new_item_with_a_note_but_no_text_is_refused_with_the_reason():
    at = open_channels(open_app())
    widget(at.text_input, "_3_note").set_value("Seen at two conferences")
    submit(at, "Save Channels")
    assert "has a note but no text, so nothing was saved" in at.error[0].value
    assert "version 1" in at.caption[0].value
    assert widget(at.text_input, "_3_note").value == "Seen at two conferences"  # nothing the user typed is lost
