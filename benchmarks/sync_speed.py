"""How fast sync bundles are, against a plain copy of the same rows, in one run.

    python benchmarks/sync_speed.py [POSTITS]

Makes a laptop database with POSTITS post-its (100,000 by default), then times:
- export: an encrypted bundle of everything, against reading the same rows as they are;
- import: merging that bundle into an empty office database, against inserting the
  same rows as they are (same schema, one transaction, no merge);
- re-import: the same bundle again, as `sync import` does it (recognised as already
  imported) and forced through the whole merge (every row compared, none written).
  Target: under 20% of the first import.
- signing: signing the bundle (part of the export) and checking its signature (the first
  step of every import), against the import. Target: the check under 10% of the import.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator.core.paths import builtin_statement_dirs
from facilitator.core.statements import load_catalogue
from facilitator.store import NewPostit, SessionDetails, Store
from facilitator.store.sync_state import Row
from facilitator.sync import bundle, enrolment, keys
from facilitator.sync import merge as sync


def timed(action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        identity_file = root / "office.key"
        recipient = keys.new_identity(identity_file)
        identities = keys.load_identities(identity_file)
        statement_set = next(iter(load_catalogue(builtin_statement_dirs()).sets.values()))
        laptop = Store.open(root / "laptop")
        session = laptop.sessions.create(
            statement_set, SessionDetails(label="Benchmark", cohort="adults", setting="prison")
        )
        keys_ = statement_set.scale.keys
        laptop.postits.add_many(
            session.id,
            (
                NewPostit(
                    1 + i % len(statement_set.statements), keys_[i % len(keys_)], f"comment number {i} ✓"
                )
                for i in range(count)
            ),
        )
        tables = laptop.sync.tables()
        columns = {t: laptop.sync.columns(t) for t in tables}

        def raw_read() -> dict[str, list[Row]]:
            return {t: list(laptop.sync.all_rows(t, columns[t]).values()) for t in tables}

        raw_export, rows = timed(raw_read)
        export_time, exported = timed(
            lambda: sync.export_bundle(laptop, root, everything=True, recipients=[recipient])
        )
        size = exported.path.stat().st_size

        raw_target = Store.open(root / "raw")  # as empty as the office: only its own device

        def raw_write() -> None:
            with raw_target.write() as writer:
                for table in tables:
                    if rows[table]:
                        raw_target.sync.insert_rows(writer, table, columns[table], rows[table])

        raw_import, _ = timed(raw_write)
        office = Store.open(root / "office")
        enrolment.enrol(office, str(enrolment.enrolment_code(laptop)), "Benchmark", office_only=False)
        data = exported.path.read_bytes()
        header_end = data.index(b"\n")
        body = data[data.index(b"\n", header_end + 1) + 1 :]
        signer = enrolment.signer(laptop)
        sign_time, _ = timed(lambda: bundle.sign_body(data[:header_end], body, signer))
        check_time, _ = timed(
            lambda: bundle.check_signature(data, exported.path.name, enrolment.key_of(office))
        )
        import_time, first = timed(lambda: sync.import_bundle(office, exported.path, identities))
        seen_time, again = timed(lambda: sync.import_bundle(office, exported.path, identities))
        forced_time, forced = timed(lambda: sync.import_bundle(office, exported.path, identities, force=True))
        assert first.counts.added == sum(len(r) for r in rows.values()), first.counts
        assert again.skipped == "already imported"
        assert forced.counts.added == forced.counts.updated == 0, forced.counts

        print(f"{count:,} post-its, bundle {size / 1e6:.1f} MB (encrypted, compressed)")
        print(
            f"export  {export_time:7.3f} s   plain read        {raw_export:7.3f} s   "
            f"ratio {export_time / raw_export:6.1f}x"
        )
        print(
            f"import  {import_time:7.3f} s   plain copy        {raw_import:7.3f} s   "
            f"ratio {import_time / raw_import:6.1f}x"
        )
        print(
            f"re-import as sync import does it (already imported): {seen_time:7.3f} s = "
            f"{100 * seen_time / import_time:5.1f}% of the first import (target < 20%)"
        )
        print(
            f"re-import forced through the whole merge:             {forced_time:7.3f} s = "
            f"{100 * forced_time / import_time:5.1f}% of the first import"
        )
        print(
            f"signing the bundle: {1000 * sign_time:7.1f} ms = "
            f"{100 * sign_time / export_time:5.1f}% of the export"
        )
        print(
            f"checking its signature: {1000 * check_time:7.1f} ms = "
            f"{100 * check_time / import_time:5.1f}% of the first import (target < 10%)"
        )
        for store in (laptop, raw_target, office):
            store.close()


if __name__ == "__main__":
    main()
