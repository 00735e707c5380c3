import sqlite3

import pytest

from business.store import StaleSaveError, Store, StoreError, UnchangedSaveError


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "founder.db")


@pytest.fixture
def project(store):
    return store.create_project("Acme AI")


def test_every_save_is_a_new_version_and_the_latest_is_loaded(store, project):
    first = store.save(project.id, "canvas", {"n": 1}, None)
    second = store.save(project.id, "canvas", {"n": 2}, first)
    assert (first, second) == (1, 2)
    assert store.load_latest(project.id, "canvas").payload == {"n": 2}
    assert store.load_version(project.id, "canvas", 1).payload == {"n": 1}
    assert [v.number for v in store.history(project.id, "canvas")] == [2, 1]


def test_a_stale_save_is_rejected_and_keeps_both_versions(store, project):
    store.save(project.id, "canvas", {"text": "original"}, None)
    store.save(project.id, "canvas", {"text": "tab A"}, 1)
    with pytest.raises(StaleSaveError, match="version 2 was saved meanwhile") as refused:
        store.save(project.id, "canvas", {"text": "tab B"}, 1)
    assert store.load_latest(project.id, "canvas").payload == {"text": "tab A"}
    [draft] = store.drafts(project.id, "canvas")
    assert draft.id == refused.value.draft_id
    assert draft.payload == {"text": "tab B"} and draft.base_version == 1


def test_a_first_save_is_stale_when_another_tab_saved_first(store, project):
    store.save(project.id, "canvas", {"text": "tab A"}, None)
    with pytest.raises(StaleSaveError, match="you edited an empty one"):
        store.save(project.id, "canvas", {"text": "tab B"}, None)


def test_restore_saves_the_old_version_as_a_new_one(store, project):
    store.save(project.id, "canvas", {"n": 1}, None)
    store.save(project.id, "canvas", {"n": 2}, 1)
    number = store.restore(project.id, "canvas", 1, base_version=2)
    latest = store.load_latest(project.id, "canvas")
    assert number == 3 and latest.payload == {"n": 1}
    assert latest.message == "Restored version 1"
    assert len(store.history(project.id, "canvas")) == 3


def test_a_save_that_fails_halfway_leaves_the_previous_version_intact(store, project):
    store.save(project.id, "canvas", {"n": 1}, None)
    # A real failure in the middle of the transaction: the second statement of a save is refused.
    with sqlite3.connect(store.db_path) as db:
        db.execute("CREATE TRIGGER fail_update BEFORE UPDATE ON projects BEGIN SELECT RAISE(ABORT, 'disk'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk"):
        store.save(project.id, "canvas", {"n": 2}, 1)
    assert [v.number for v in store.history(project.id, "canvas")] == [1]
    assert store.load_latest(project.id, "canvas").payload == {"n": 1}


def test_kinds_and_projects_are_versioned_apart(store, project):
    other = store.create_project("Other")
    store.save(project.id, "canvas", {"a": 1}, None)
    assert store.save(project.id, "financials", {"b": 1}, None) == 1
    assert store.load_latest(other.id, "canvas") is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_project_needs_a_sane_name(store, name):
    with pytest.raises(StoreError, match="project name"):
        store.create_project(name)


def test_project_names_are_unique_ignoring_case_and_renames_check_it(store, project):
    with pytest.raises(StoreError, match="already exists"):
        store.create_project("acme ai")
    other = store.create_project("Beta")
    with pytest.raises(StoreError, match="already exists"):
        store.rename_project(other.id, "ACME AI")
    assert store.rename_project(other.id, "  Beta   Labs ").name == "Beta Labs"


def test_saving_into_a_missing_project_is_refused(store):
    with pytest.raises(StoreError, match="no project with id 42"):
        store.save(42, "canvas", {}, None)


def test_the_database_survives_reopening(tmp_path):
    Store(tmp_path / "db.sqlite").create_project("Kept")
    assert [p.name for p in Store(tmp_path / "db.sqlite").list_projects()] == ["Kept"]


def test_a_save_that_changes_nothing_is_refused_when_asked_and_adds_no_version(store, project):
    store.save(project.id, "canvas", {"n": 1, "m": [1, 2]}, None)
    with pytest.raises(UnchangedSaveError, match="Nothing changed since version 1"):
        store.save(project.id, "canvas", {"m": [1, 2], "n": 1}, 1, refuse_unchanged=True)
    assert [v.number for v in store.history(project.id, "canvas")] == [1]
    assert store.save(project.id, "canvas", {"n": 1, "m": [1, 2]}, 1) == 2  # callers that did not ask: as before


def test_restoring_the_version_that_is_already_the_latest_is_refused_as_unchanged(store, project):
    store.save(project.id, "canvas", {"n": 1}, None)
    with pytest.raises(UnchangedSaveError):
        store.restore(project.id, "canvas", 1, base_version=1)


def test_a_deleted_project_leaves_the_list_keeps_its_documents_and_can_be_restored(store, project):
    other = store.create_project("Other")
    store.save(project.id, "canvas", {"n": 1}, None)
    store.delete_project(project.id)
    assert [p.name for p in store.list_projects()] == ["Other"]
    assert [p.name for p in store.deleted_projects()] == ["Acme AI"]
    assert store.load_latest(project.id, "canvas").payload == {"n": 1}
    store.restore_project(project.id)
    assert [p.name for p in store.list_projects()] == ["Acme AI", "Other"]
    assert store.deleted_projects() == [] and other.id != project.id
    assert [v.message for v in store.history(project.id, "project")] == ["Restored", "Deleted"]


def test_a_deleted_project_refuses_saves_and_reads_until_restored(store, project):
    store.create_project("Other")
    store.delete_project(project.id)
    with pytest.raises(StoreError, match="'Acme AI' was deleted; restore it"):
        store.save(project.id, "canvas", {"n": 1}, None)
    with pytest.raises(StoreError, match="was deleted"):
        store.get_project(project.id)
    assert store.get_project(project.id, include_deleted=True).name == "Acme AI"


def test_the_only_project_left_cannot_be_deleted(store, project):
    with pytest.raises(StoreError, match="only project: create another one"):
        store.delete_project(project.id)
    assert [p.name for p in store.list_projects()] == ["Acme AI"]


def test_a_deleted_project_keeps_its_name_and_says_so_when_it_is_reused(store, project):
    store.create_project("Other")
    store.delete_project(project.id)
    with pytest.raises(StoreError, match="A deleted project is named 'acme ai': restore it"):
        store.create_project("acme ai")
    assert [p.name for p in store.list_projects(include_deleted=True)] == ["Acme AI", "Other"]


def test_restoring_a_project_that_is_not_deleted_is_refused(store, project):
    with pytest.raises(StoreError, match="is not deleted"):
        store.restore_project(project.id)
