"""Session-state keys, in one place so pages and tests say the same key."""

PROJECT_ID = "project_id"
# Version number each page last showed, per document kind: a save is based on what the user saw.
BASE_VERSION = "base_version"
# A message to show once after a callback ran (saved / refused), per page.
FLASH = "flash"
# A message from the sidebar (project created, renamed, refused).
SIDEBAR_MESSAGE = "sidebar_message"
# Hosted mode: the signed-in role ("founder" / "investor") and account, and the project a share link pins.
ROLE = "hosted_role"
ACCOUNT = "hosted_account"
SHARED_PROJECT = "hosted_shared_project"
