"""The house's structure: no import cycle between the project's modules, real apps, no hidden registration.

The layers themselves (shell above apps above foundation; views, API and tasks above services above selectors
above models; backends know no model) are import-linter's contracts in pyproject.toml, run by `make test`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "portal", "foundation", "districts", "meetings", "join", "notifications", "billing", "national", "proceedings",
    "minutes", "recordings", "evidence",
)

pytestmark = pytest.mark.unit


def _edge(graph, importer: str, imported: str) -> str:
    lines = ", ".join(str(d["line_number"]) for d in graph.get_import_details(importer=importer, imported=imported))
    return f"{importer} -> {imported} (l.{lines})"


def import_cycles(*packages: str) -> list[list[str]]:
    """Each group of modules that import one another in a circle (Tarjan's strongly connected components of the
    import graph, migrations left out), with the import lines that close it."""
    graph = grimp.build_graph(*packages, include_external_packages=False)
    modules = {m for m in graph.modules if ".migrations" not in m}
    edges = {m: sorted(n for n in graph.find_modules_directly_imported_by(m) if n in modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                members = set(group)
                cycles.append(sorted(_edge(graph, a, b) for a in group for b in edges[a] if b in members))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return cycles


def test_no_import_cycle_between_the_projects_modules():
    assert import_cycles(*PACKAGES) == []


def test_a_new_cycle_is_found(tmp_path, monkeypatch):
    package = tmp_path / "loopy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("def work():\n    from .tasks import run  # hidden inside a function\n")
    (package / "tasks.py").write_text("from .services import work\n\n\ndef run():\n    work()\n")
    (package / "models.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("loopy") == [["loopy.services -> loopy.tasks (l.2)", "loopy.tasks -> loopy.services (l.1)"]]
    sys.modules.pop("loopy", None)


def test_join_and_notifications_are_apps_of_their_own_with_their_tables_kept():
    join, notifications = apps.get_app_config("join"), apps.get_app_config("notifications")
    assert {m._meta.db_table for m in join.get_models()} == {
        "meetings_joinpass", "meetings_calendarfeed", "meetings_testcall", "meetings_attendance",
        "join_attendancepoll"}  # (the last one new in the join app)
    assert {m._meta.db_table for m in notifications.get_models()} == {"meetings_notification"}
    assert apps.get_app_config("foundation").get_model("AuditEntry")._meta.db_table == "portal_auditentry"


def test_no_near_copies_and_no_registration_by_late_import():
    code = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    gone = {"near_copies.py", "redis_cache.py", "versioned_cache.py", "principals.py", "page_cache.py"}
    assert [p for p in code if p.name in gone] == []
    late = [str(p.relative_to(ROOT)) for p in code if "noqa: E402" in p.read_text()]
    assert late == []


def test_foundation_imports_no_app():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    apps_above = set(PACKAGES) - {"foundation"}
    found = {
        (m, n)
        for m in graph.find_descendants("foundation") | {"foundation"}
        for n in graph.find_modules_directly_imported_by(m)
        if n.split(".")[0] in apps_above
    }
    assert found == set()


def test_tasks_are_sent_by_name_and_a_misspelt_name_fails_at_once():
    from foundation.enqueue import task_send

    with pytest.raises(KeyError):
        task_send("meetings.room_provison", 1)
