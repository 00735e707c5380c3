"""Import / export: the whole project as JSON (re-importable), the canvas as Markdown and PDF; import a JSON export."""
import streamlit as st

from business.canvas.export import to_markdown, to_pdf
from business.canvas.json_io import canvas_from_dict, canvas_to_dict
from business.canvas.model import CanvasError
from business.project_file import ProjectFileError, export_project, read_project
from business.store import StoreError
from ui.plan.import_canvas import AS_NEW_PROJECT, AS_NEW_VERSION, import_project_file
from ui.session import current_project_id, flash, get_store, load_canvas, show_flash
from ui.text import plain
from ui.routing import run_through_router

run_through_router()  # first: app.py must have routed this run (ui/routing.py)


@st.cache_data(max_entries=20)
def pdf_export(project_name: str, canvas_payload: dict, version: int | None) -> bytes:
    return to_pdf(project_name, canvas_from_dict(canvas_payload), version)


def run_import(project_id: int) -> None:
    upload = st.session_state.get("import_file")
    if upload is None:
        flash("Choose a JSON file to import first.", "warning")
        return
    try:
        flash(import_project_file(upload.getvalue(), st.session_state["import_mode"], project_id))
    except (ProjectFileError, CanvasError, StoreError) as error:
        # The file's own name, never a path on the server; flash shows it as text.
        flash(f"Nothing was imported from {upload.name}. {error}", "error")


project_id = current_project_id()
canvas, version = load_canvas(project_id)
name = get_store().get_project(project_id).name
st.title("Import / export", anchor=False)
show_flash()

st.subheader("Export", anchor=False)
st.caption("The JSON file is the whole project: the canvas with its value propositions and revenue streams, "
           "the financial assumptions and your negotiated GPU prices. Import it here to restore all of it.")
stem = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "canvas"
json_col, md_col, pdf_col = st.columns(3)
try:
    whole = export_project(read_project(get_store(), project_id))
except ValueError as error:  # a saved document that no longer reads back: every business error is one
    json_col.error(plain(f"The JSON export is not available: {error}"))
else:
    json_col.download_button("JSON: whole project (re-importable)", whole, f"{stem}_v{version}.json",
                             "application/json", key="export_json")
md_col.download_button("Markdown (canvas)", to_markdown(name, canvas, version), f"{stem}_v{version}.md",
                       "text/markdown", key="export_md")
pdf_col.download_button("PDF (canvas, one page)", pdf_export(name, canvas_to_dict(canvas), version),
                        f"{stem}_v{version}.pdf", "application/pdf", key="export_pdf")

st.subheader("Import", anchor=False)
st.caption("A JSON file exported by this app (older canvas-only files too). A bad file is refused with the "
           "reason and changes nothing. A new project that would share a name is called \"Name (2)\", \"Name (3)\"...")
st.file_uploader("Project JSON", type=["json"], key="import_file")
st.radio("Import as", [AS_NEW_PROJECT, AS_NEW_VERSION], key="import_mode", horizontal=True)
st.button("Import", type="primary", on_click=run_import, args=(project_id,))
