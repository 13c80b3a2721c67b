"""Schema 5: Deletion deletes: every tombstone already stored loses its text.

From this version a delete blanks the row's text in the same transaction
(`facilitator.store.tombstones`). Tombstones written before kept every column; this
blanks them the same way (reading that one definition, for the columns this
database has), and drops the versions of them kept from merges, which hold their
old text too. Their stamps stay: this is not an edit, and every device
blanks its own copies when it is upgraded (or when it merges the tombstone).

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from facilitator.store.connection import Database, quote
from facilitator.store.tombstones import BLANKS

# The local table of versions that lost a merge.
_CONFLICTS = "sync_conflicts"


def migrate(db: Database) -> None:
    tables = set(db.table_names())
    for table, blanks in BLANKS.items():
        if table not in tables:
            continue
        columns = set(db.columns(table))
        chosen = {column: value for column, value in blanks.items() if column in columns}
        if chosen:
            assign = ", ".join(f"{quote(column)} = ?" for column in chosen)
            db.execute(
                f"UPDATE {quote(table)} SET {assign} WHERE deleted_at IS NOT NULL", list(chosen.values())
            )
    if _CONFLICTS not in tables:
        return
    for table in sorted(tables):
        if table == _CONFLICTS or not {"id", "deleted_at"} <= set(db.columns(table)):
            continue
        db.execute(
            f"""DELETE FROM {_CONFLICTS} WHERE table_name = ?
                AND row_id IN (SELECT id FROM {quote(table)} WHERE deleted_at IS NOT NULL)""",
            [table],
        )
