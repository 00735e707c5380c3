"""Page URLs that open cleanly, shared or bookmarked, also on the first run after a server starts.

app.py lists its pages as `Route`s; `navigation_pages()` turns them into the `st.Page`s of st.navigation,
and every script in pages/ starts with `run_through_router()`. Two behaviours of Streamlit 1.67 make
this necessary (streamlit/commands/navigation.py, runtime/pages_manager.py, runtime/scriptrunner):

1. The default page is served at "/" and its own url_path never matches a request by name, so a
   link to "/<its url_path>" opened with "Page not found" on top. Hidden alias pages answer those
   names (the file name, an older URL) and run the same script.
2. Because a folder named pages/ sits next to app.py, the first script run of a process (and every
   AppTest run) is an old-style multipage run: the pages are the files in pages/, named by file, and
   app.py does not run first. A request for any other name got "Page not found" before app.py could
   route it; a request for a file's name ran that page directly, without the sidebar and without
   the hosted-mode sign-in. Hence URL = file name, and each page first checks it was routed by
   app.py; if not, it switches the old mode off and runs app.py, which routes to the same page.
   (An older URL, answered by an alias, is unknown to that first old-style run: as the very first
   request after a server start it still opens the right page, under Streamlit's dialog.)
"""
from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


@dataclass(frozen=True)
class Route:
    script: str  # relative to app.py, e.g. "pages/costs.py"
    title: str
    icon: str
    old_url_paths: tuple[str, ...] = ()  # URLs of earlier versions, still answered

    @property
    def url_path(self) -> str:
        # The name Streamlit's first, old-style run knows the page by: its file name.
        return Path(self.script).stem


def navigation_pages(sections: dict[str, list[Route]]) -> dict[str, list]:
    """The st.Page lists for st.navigation: the first route opens at "/"; each route also answers its
    file name and its old URLs through hidden pages that run the same script."""
    default = next(route for routes in sections.values() for route in routes)
    pages: dict[str, list] = {}
    aliases = []
    for section, routes in sections.items():
        for route in routes:
            is_default = route is default
            # The default page's own url_path is only its internal id ("" is allowed for it alone).
            pages.setdefault(section, []).append(
                st.Page(route.script, title=route.title, icon=route.icon, default=is_default,
                        url_path="" if is_default else route.url_path))
            names = ((route.url_path,) if is_default else ()) + route.old_url_paths
            aliases += [st.Page(route.script, title=route.title, icon=route.icon, url_path=name, visibility="hidden")
                        for name in names]
    pages[list(pages)[-1]] += aliases
    return pages


def run_through_router() -> None:
    """First call of every page script: make sure app.py (sidebar, sign-in) ran before this page.

    When Streamlit ran the page directly, run app.py here, in this same script run: its navigation
    picks this page again (the requested hash or name is the file name) and runs it routed; then
    this direct run stops. In the same run rather than by st.rerun(), so a button pressed for this
    run is still pressed when the page sees it.
    """
    if _routed_by_app():
        return
    PagesManager.uses_pages_directory = False  # what app.py's st.navigation does, so later runs go through it
    ctx = get_script_run_ctx()
    runpy.run_path(ctx.pages_manager.main_script_path, run_name="__main__")
    st.stop()  # the routed run of this page has drawn it; the direct run must draw nothing more


def _routed_by_app() -> bool:
    # An old-style run registers the main script itself as a page; app.py's navigation never does.
    ctx = get_script_run_ctx()
    if ctx is None:
        return True  # not running in Streamlit at all (a bare import)
    main = Path(ctx.pages_manager.main_script_path).resolve()
    pages = ctx.pages_manager.get_pages()
    if _is(pages.get(ctx.page_script_hash, {}).get("script_path"), main):
        return True  # the page is itself the entry script (a test runs it alone): there is no router to go through
    return not any(_is(info.get("script_path"), main) for info in pages.values())


def _is(script_path: str | None, main: Path) -> bool:
    return bool(script_path) and Path(script_path).resolve() == main
