"""One door to the database: no SQL and no database call outside facilitator/store/.

Every module outside the store is read with `ast`: a call such as `.execute(`,
`.executemany(` or `.executescript(`, the store's connection (`store.db`, `x.db`,
`db[...]`, `db.query(`), and SQL in a string literal (`SELECT … FROM`, `INSERT INTO`,
`UPDATE … SET`, `DELETE FROM`, `CREATE TABLE`, `PRAGMA`) all count. The screens'
`self.query(` and `.query_one(` are Textual's DOM queries, not SQL, and do not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "facilitator"
STORE = PACKAGE / "store"

DATABASE_CALLS = frozenset({"execute", "executemany", "executescript"})
# Names that hold the store or its connection: `.query(` on these is SQL, on anything else
# (a screen's `self.query(`) it is not.
DATABASE_HOLDERS = frozenset({"db", "store", "_store", "conn", "connection"})
SQL = re.compile(
    r"\bSELECT\b[\s\S]*?\bFROM\b"
    r"|\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\b"
    r"|\bUPDATE\b[\s\S]*?\bSET\b"
    r"|\bDELETE\s+FROM\b"
    r"|\bCREATE\s+(?:TEMP\s+|TEMPORARY\s+|UNIQUE\s+|VIRTUAL\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b"
    r"|\bPRAGMA\b"
    # Written in lower case, only the forms that are not also English.
    r"|\binsert\s+into\b|\bcreate\s+table\b|\bpragma\s+\w+\s*(?:=|\(|$)",
)


def _name(node: ast.expr) -> str | None:
    """The last name of an expression such as `store`, `self._store` or `ws.store.db`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _string_text(node: ast.expr) -> str:
    """A string literal's text; an f-string's placeholders read as `{}`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "{}"
            for part in node.values
        )
    return ""


def hits(path: Path) -> list[str]:
    """Every place in one module that reaches the database, as 'file:line: what'."""
    return source_hits(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())


def source_hits(source: str, name: str) -> list[str]:
    tree = ast.parse(source, filename=name)
    in_fstrings = {
        id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            receiver = _name(node.value)
            if node.attr in DATABASE_CALLS:
                found.append((node.lineno, f".{node.attr}("))
            elif node.attr == "db":
                found.append((node.lineno, f"{receiver or '…'}.db"))
            elif node.attr == "query" and receiver in DATABASE_HOLDERS:
                found.append((node.lineno, f"{receiver}.query("))
        elif isinstance(node, ast.Subscript) and _name(node.value) == "db":
            found.append((node.lineno, "db[…]"))
        elif isinstance(node, ast.Constant | ast.JoinedStr) and id(node) not in in_fstrings:
            match = SQL.search(_string_text(node))
            if match:
                line = node.lineno + _string_text(node)[: match.start()].count("\n")
                found.append((line, f"SQL {' '.join(match.group().split())[:40]!r}"))
    return [f"{name}:{line}: {what}" for line, what in sorted(set(found))]


def modules() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*.py") if STORE not in path.parents
    )


@pytest.mark.parametrize("module", modules())
def test_no_sql_outside_the_store(module: str) -> None:
    found = hits(ROOT / module)
    assert not found, "SQL or a database call outside facilitator/store/:\n" + "\n".join(found)


def test_the_store_itself_would_be_caught() -> None:
    """The checks find what they look for: the store's own modules are full of it."""
    found = [hit for path in sorted(STORE.rglob("*.py")) for hit in hits(path)]
    assert any(".execute(" in hit for hit in found)
    assert any(".db" in hit for hit in found)
    assert any("SQL 'SELECT" in hit for hit in found)
    assert any("SQL 'INSERT INTO" in hit for hit in found)
    assert any("SQL 'PRAGMA" in hit for hit in found)


def test_screen_queries_are_not_sql() -> None:
    source = (
        "def f(self, store, db):\n"
        "    self.query_one('#wall'); self.query('Button'); store.sessions.all()\n"
        "    db.query('x'); store.query('y'); store.db; db['postits']\n"
        "    note = 'Delete from this laptop, then select a session from the list'\n"
        "    sql = f'UPDATE postits SET {column} = ?'\n"
    )
    found = source_hits(source, "sample.py")
    assert sorted(hit.split(": ", 1)[1] for hit in found) == sorted(
        ["db.query(", "store.query(", "store.db", "db[…]", "SQL 'UPDATE postits SET'"]
    )
