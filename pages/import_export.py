"""Import / export: the canvas as JSON (re-importable), Markdown and PDF; import a JSON export."""
import streamlit as st

from business.canvas.model import CanvasError
from business.canvas.export import to_markdown, to_pdf
from business.canvas.json_io import canvas_from_dict, canvas_to_dict, export_json
from business.store import StoreError
from ui.plan.import_canvas import AS_NEW_PROJECT, AS_NEW_VERSION, import_canvas_file
from ui.session import current_project_id, flash, get_store, load_canvas, show_flash


@st.cache_data(max_entries=20)
def pdf_export(project_name: str, canvas_payload: dict, version: int | None) -> bytes:
    return to_pdf(project_name, canvas_from_dict(canvas_payload), version)


def run_import(project_id: int) -> None:
    upload = st.session_state.get("import_file")
    if upload is None:
        flash("Choose a JSON file to import first.", "warning")
        return
    try:
        flash(import_canvas_file(upload.getvalue(), st.session_state["import_mode"], project_id))
    except (CanvasError, StoreError) as error:
        flash(f"Nothing was imported. {error}", "error")


project_id = current_project_id()
canvas, version = load_canvas(project_id)
name = get_store().get_project(project_id).name
st.title("Import / export", anchor=False)
show_flash()

st.subheader("Export", anchor=False)
stem = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "canvas"
json_col, md_col, pdf_col = st.columns(3)
json_col.download_button("JSON (re-importable)", export_json(name, canvas), f"{stem}_v{version}.json",
                         "application/json", key="export_json")
md_col.download_button("Markdown", to_markdown(name, canvas, version), f"{stem}_v{version}.md", "text/markdown",
                       key="export_md")
pdf_col.download_button("PDF (one page)", pdf_export(name, canvas_to_dict(canvas), version), f"{stem}_v{version}.pdf",
                        "application/pdf", key="export_pdf")

st.subheader("Import", anchor=False)
st.caption("A JSON file exported by this app. A bad file is refused with the reason and changes nothing.")
st.file_uploader("Canvas JSON", type=["json"], key="import_file")
st.radio("Import as", [AS_NEW_PROJECT, AS_NEW_VERSION], key="import_mode", horizontal=True)
st.button("Import", type="primary", on_click=run_import, args=(project_id,))
