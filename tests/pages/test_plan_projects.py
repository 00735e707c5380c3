"""AppTest of whole projects: delete with a confirmation and restore; the whole-project JSON round trip."""
from datetime import date

from business.costs.pricing import OVERRIDE_KIND, price_overrides_payload
from business.example_project import EXAMPLE_PROJECT_NAME
from business.financials.storage import KIND as FINANCIALS_KIND
from business.project_file import export_project, read_project
from business.store import Store
from tests.apptest_helpers import open_app, submit, texts
from ui.text import plain

PRICE_ROW = dict(provider="Acme Cloud", instance="8x H100 negotiated", gpu="H100 SXM 80GB", gpus_per_instance=8,
                 usd_per_hour="16.00", date_seen="2026-11-20")


def create_project(at, name):
    at.sidebar.text_input(key="new_project_name").set_value(name)
    return submit(at, "Create")


def project_names(at):
    return list(at.sidebar.selectbox(key="project_id").options)  # shown as names


def confirmation(at):
    [confirm] = [c for c in at.sidebar.checkbox if c.key.startswith("delete_project_confirm_")]
    return confirm


def test_deleting_a_project_needs_a_confirmation_and_the_project_can_be_restored():
    at = create_project(open_app(), "Second startup")
    submit(at, "Delete")
    assert plain("Tick 'Yes, delete' to confirm; nothing was deleted.") == at.sidebar.warning[0].value
    confirmation(at).check()
    submit(at, "Delete")
    assert plain("Deleted Second startup") in at.sidebar.success[0].value
    assert project_names(at) == [EXAMPLE_PROJECT_NAME]
    assert at.title[0].value == plain(EXAMPLE_PROJECT_NAME)
    submit(at, "Restore Second startup")
    assert at.title[0].value == "Second startup"
    assert project_names(at) == ["Second startup", EXAMPLE_PROJECT_NAME]


def test_the_example_project_can_be_deleted_once_another_exists_but_not_the_last_project():
    at = open_app()
    confirmation(at).check()
    submit(at, "Delete")
    assert plain("is the only project: create another one before deleting it") in at.sidebar.error[0].value
    create_project(at, "My startup")
    at.sidebar.selectbox(key="project_id").set_value(1).run()
    confirmation(at).check()
    submit(at, "Delete")
    assert project_names(at) == ["My startup"] and at.title[0].value == "My startup"
    at.run()  # a rerun keeps the deleted example deleted, rather than seeding it again
    assert project_names(at) == ["My startup"]


def test_a_whole_project_file_imports_as_a_numbered_copy_with_its_financials_and_prices(app_data_dir):
    at = open_app("pages/import_export.py")
    store = Store(app_data_dir / "founder.db")  # the app's own database
    store.save(1, OVERRIDE_KIND, price_overrides_payload([PRICE_ROW], date.today()), None)
    raw = export_project(read_project(store, 1)).encode()
    at.file_uploader(key="import_file").upload("project.json", raw, "application/json").run()
    submit(at, "Import")
    assert plain(f"new project '{EXAMPLE_PROJECT_NAME} (2)'") in texts(at)
    submit(at, "Import")  # the same file again: the next number
    assert plain(f"new project '{EXAMPLE_PROJECT_NAME} (3)'") in texts(at)
    copy = next(p for p in store.list_projects() if p.name == f"{EXAMPLE_PROJECT_NAME} (2)")
    for kind in ("canvas", FINANCIALS_KIND, OVERRIDE_KIND):
        assert store.load_latest(copy.id, kind).payload == store.load_latest(1, kind).payload, kind
    at.switch_page("pages/canvas.py").run()
    assert at.title[0].value == plain(f"{EXAMPLE_PROJECT_NAME} (3)")


def test_importing_the_projects_own_export_into_it_changes_nothing_and_says_so(app_data_dir):
    at = open_app("pages/import_export.py")
    raw = export_project(read_project(Store(app_data_dir / "founder.db"), 1)).encode()
    at.file_uploader(key="import_file").upload("project.json", raw, "application/json").run()
    at.radio(key="import_mode").set_value("new versions of the current project").run()
    submit(at, "Import")
    assert plain("Imported into this project. canvas: unchanged; financial assumptions: unchanged.") in texts(at)
