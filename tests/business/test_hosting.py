"""Hosted-mode rules without Streamlit: configuration, sign-in, roles, share-link tokens, read-only store."""
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest

from business.hosting import (DEFAULT_SHARE_TTL_S, FOUNDER, INVESTOR, HostingError, ShareLinkExpired,
                              ShareLinkInvalid, can_write, hash_password, hosted_config, make_share_link_token,
                              bcrypt_cost, read_share_link_token, sign_in)
from business.store import ReadOnlyStoreError, Store

SECRET = "k" * 40
ROOT = Path(__file__).resolve().parents[2]


def users(**roles: str) -> dict:
    return {name: {"role": role, "password_hash": bcrypt.hashpw(f"{name}-pw".encode(), bcrypt.gensalt(4)).decode()}
            for name, role in roles.items()}


def config(**section):
    return hosted_config({"hosted": {"share_secret": SECRET, "users": users(ada=FOUNDER, ivan=INVESTOR), **section}}, {})


def test_without_a_hosted_section_or_environment_switch_the_app_stays_local():
    assert hosted_config({}, {}) is None
    assert hosted_config({"hosted": {"enabled": False}}, {}) is None


def test_hosted_switched_on_by_the_environment_without_users_is_a_configuration_error():
    with pytest.raises(HostingError, match="users\\] is empty"):
        hosted_config({}, {"HOSTED": "1"})


def test_a_short_share_secret_a_plain_password_or_an_unknown_role_are_refused_by_name():
    with pytest.raises(HostingError, match="share_secret is 5 characters"):
        hosted_config({"hosted": {"share_secret": "short", "users": users(ada=FOUNDER)}}, {})
    with pytest.raises(HostingError, match="users.ada\\] password_hash is not a bcrypt hash"):
        hosted_config({"hosted": {"share_secret": SECRET, "users": {"ada": {"role": FOUNDER, "password_hash": "pw"}}}}, {})
    with pytest.raises(HostingError, match="role='admin'"):
        hosted_config({"hosted": {"share_secret": SECRET, "users": users(ada="admin")}}, {})


def test_sign_in_returns_the_account_only_for_the_right_password():
    hosted = config()
    assert sign_in(hosted, "ada", "ada-pw").role == FOUNDER
    assert sign_in(hosted, "ivan", "ivan-pw").role == INVESTOR
    assert sign_in(hosted, "ivan", "ada-pw") is None
    assert sign_in(hosted, "nobody", "ada-pw") is None


def test_a_hashed_password_verifies_and_a_short_one_is_refused():
    assert bcrypt.checkpw(b"long enough", hash_password("long enough").encode())
    with pytest.raises(HostingError, match="5 characters"):
        hash_password("short")


def test_only_investors_are_refused_writes():
    assert can_write(None) and can_write(FOUNDER) and not can_write(INVESTOR)


def test_a_share_link_opens_its_project_until_it_expires():
    hosted = config(share_link_days=2)
    token = make_share_link_token(hosted, 7)
    assert read_share_link_token(hosted, token) == 7
    assert read_share_link_token(hosted, token, now=time.time() + 86400) == 7
    with pytest.raises(ShareLinkExpired, match="expired"):
        read_share_link_token(hosted, token, now=time.time() + 3 * 86400)
    assert config().share_ttl_s == DEFAULT_SHARE_TTL_S


def test_a_tampered_or_foreign_share_link_is_invalid():
    hosted = config()
    token = make_share_link_token(hosted, 7)
    with pytest.raises(ShareLinkInvalid):
        read_share_link_token(hosted, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    other = hosted_config({"hosted": {"share_secret": "o" * 40, "users": users(ada=FOUNDER)}}, {})
    with pytest.raises(ShareLinkInvalid):
        read_share_link_token(other, token)


def test_a_read_only_store_reads_but_refuses_every_write_and_changes_nothing(tmp_path):
    writable = Store(tmp_path / "founder.db")
    project = writable.create_project("Acme")
    writable.save(project.id, "canvas", {"a": 1}, None)
    reader = Store(tmp_path / "founder.db", read_only=True)
    assert reader.load_latest(project.id, "canvas").payload == {"a": 1}
    attempts = [lambda: reader.create_project("Other"), lambda: reader.rename_project(project.id, "New"),
                lambda: reader.save(project.id, "canvas", {"a": 2}, 1), lambda: reader.restore(project.id, "canvas", 1, 1),
                lambda: reader.discard_draft(1)]
    for attempt in attempts:
        with pytest.raises(ReadOnlyStoreError, match="read-only: investors cannot change anything"):
            attempt()
    assert [p.name for p in writable.list_projects()] == ["Acme"]
    assert len(writable.history(project.id, "canvas")) == 1 and not writable.drafts(project.id, "canvas")


def test_the_example_secrets_file_parses_but_is_refused_until_its_placeholders_are_replaced():
    import tomllib
    from pathlib import Path

    example = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.example.toml").read_text())
    with pytest.raises(HostingError, match="not a bcrypt hash"):
        hosted_config(example, {})
    example["hosted"]["users"] = users(ada=FOUNDER)
    with pytest.raises(HostingError, match="placeholder"):
        hosted_config(example, {})


def test_hosted_training_is_capped_at_30_minutes_unless_configured():
    assert config().training_time_limit_s == 1800
    assert config(training_minutes=10).training_time_limit_s == 600
    with pytest.raises(HostingError, match="training_minutes='ten' must be a positive whole number"):
        config(training_minutes="ten")


def test_an_unknown_name_gets_the_same_bcrypt_work_as_a_known_one_so_the_answer_time_reveals_no_names(monkeypatch):
    # The time itself is measured side by side in bench/signin_timing.py; here: the same work factor is spent.
    hashed = bcrypt.hashpw(b"ada-pw", bcrypt.gensalt(8)).decode()
    hosted = hosted_config({"hosted": {"share_secret": SECRET, "users": {"ada": {"role": FOUNDER, "password_hash": hashed}}}}, {})
    checked, real_checkpw = [], bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda password, hashed: checked.append(hashed) or real_checkpw(password, hashed))

    assert sign_in(hosted, "ada", "wrong-password") is None and sign_in(hosted, "nobody", "wrong-password") is None

    assert [bcrypt_cost(h) for h in checked] == [8, 8]  # known, then unknown: one check each, the same cost


def test_a_password_longer_than_bcrypt_reads_is_refused_with_its_size():
    with pytest.raises(HostingError, match="80 bytes in UTF-8; bcrypt reads at most 72"):
        hash_password("x" * 80)
    with pytest.raises(HostingError, match="74 bytes"):
        hash_password("é" * 37)  # 37 characters, 74 bytes


@pytest.mark.parametrize("typed, message", [("short\n", "error: The password is 5 characters; use at least 8."),
                                            ("y" * 100 + "\n", "error: The password is 100 bytes in UTF-8"),
                                            ("", "error: no password given; nothing was hashed.")])
def test_the_hash_password_command_refuses_a_bad_password_with_one_line_and_no_traceback(typed, message):
    # A new session has no terminal, so getpass reads the password from stdin.
    done = subprocess.run([sys.executable, "-m", "business.hosting", "hash-password"], input=typed, text=True,
                          capture_output=True, cwd=ROOT, timeout=60, start_new_session=True)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout.strip() in ("", "Password:")


def test_the_hash_password_command_prints_a_bcrypt_hash_of_a_good_password():
    done = subprocess.run([sys.executable, "-m", "business.hosting", "hash-password"], input="long enough pw\n",
                          text=True, capture_output=True, cwd=ROOT, timeout=60, start_new_session=True)
    assert done.returncode == 0, done.stderr
    assert bcrypt.checkpw(b"long enough pw", done.stdout.strip().splitlines()[-1].split()[-1].encode())
