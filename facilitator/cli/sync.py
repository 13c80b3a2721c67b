"""Commands that carry data to the office: keys, bundles, folder sync and receipts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from facilitator.cli.core import data_dir_option, main, workspace
from facilitator.cli.output import echo, row
from facilitator.core.errors import FacilitatorError


@main.group("keys")
def keys_group() -> None:
    """The office's age identity, and the recipient this device encrypts bundles to."""


@keys_group.command("new")
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Identity file."
)
@data_dir_option
def keys_new(out: Path) -> None:
    """Make an identity (at the office; keep it off the laptops) and print its public recipient."""
    from facilitator.sync import keys

    recipient = keys.new_identity(out)
    click.echo(recipient)
    echo(
        f"wrote the identity to {out} (owner-only). Keep it safe: without it no bundle can be read. "
        f"On each laptop run: facilitator keys trust {recipient}",
        err=True,
    )


@keys_group.command("trust")
@click.argument("recipient")
@data_dir_option
def keys_trust(recipient: str) -> None:
    """Encrypt this device's bundles to RECIPIENT (the office's 'age1...' public key)."""
    from facilitator.actions.sync import trust_recipient

    previous = trust_recipient(workspace().store, recipient)
    if previous:
        echo(f"replaced the recipient {previous}", err=True)
    echo(f"bundles from this device are now encrypted to {recipient.strip()}")


@keys_group.command("show")
@data_dir_option
def keys_show() -> None:
    """Print this device's id and the recipient its bundles are encrypted to."""
    from facilitator.sync import keys

    ws = workspace()
    store = ws.store
    recipient = keys.trusted(store)
    row("device", store.device_id)
    row("recipient", recipient or "none (run: facilitator keys trust RECIPIENT)")
    row("last export", store.meta.get("last_export_at") or "never")
    row("data folder", ws.data_dir)


@main.group("sync")
def sync_group() -> None:
    """Carry data between laptops and the office in bundle files (USB stick or shared folder)."""


def _warn_plaintext() -> None:
    click.echo(
        "warning: writing an UNENCRYPTED bundle: anyone who finds the file can read every comment",
        err=True,
    )


@sync_group.command("export")
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path), help="Bundle file, or a folder."
)
@click.option("--all", "everything", is_flag=True, help="Every row this device wrote, not only new changes.")
@click.option("--plaintext", is_flag=True, help="Do not encrypt (the bundle is readable by anyone).")
@data_dir_option
def sync_export(out: Path, everything: bool, plaintext: bool) -> None:
    """Write this device's changes since its last export into a bundle (encrypted by default)."""
    from facilitator.actions.sync import export_bundle

    if plaintext:
        _warn_plaintext()
    exported = export_bundle(workspace().store, out, everything=everything, plaintext=plaintext)
    result = exported.made
    tables = ", ".join(f"{table} {n}" for table, n in result.manifest.tables.items())
    echo(f"wrote {result.path}: {result.rows} rows ({tables})")
    if not everything:
        _explain_rows(result.rows, exported.sent_again)


def _explain_rows(rows: int, again: int) -> None:
    """Say on stderr how many of a bundle's rows are new and how many are sent again for safety."""
    new = rows - again
    if not again:
        return
    why = "recent rows and the rows they belong to go again so nothing is missed; merging twice is harmless"
    if new == 0:
        said = f"nothing new since the last export: all {rows} rows are sent again"
    else:
        said = f"{new} {'row is' if new == 1 else 'rows are'} new since the last export, {again} sent again"
    click.echo(f"note: {said} ({why})", err=True)


@sync_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--identity", type=click.Path(path_type=Path, dir_okay=False), help="The office's identity file."
)
@data_dir_option
def sync_import(files: tuple[Path, ...], identity: Path | None) -> None:
    """Merge bundle FILES, each all or nothing; prints what each added, updated and conflicted.

    A bundle whose rows belong to rows in another of FILES is merged after it; a bad
    bundle is refused alone (exit code 2) and the others are merged all the same.
    """
    from facilitator.actions.sync import import_bundles

    done = import_bundles(workspace().store, files, identity)
    for imported in done.imported:
        echo(imported.describe())
    errors = [refused.error for refused in done.refused if refused.error is not None]
    for error in errors[:-1]:
        echo(f"error: {error}", err=True)
    if errors:
        raise errors[-1]


@sync_group.command("run")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--identity", type=click.Path(path_type=Path, dir_okay=False), help="The office's identity file."
)
@click.option("--plaintext", is_flag=True, help="Write this device's bundle unencrypted.")
@data_dir_option
def sync_run(folder: Path, identity: Path | None, plaintext: bool) -> None:
    """Export this device's new bundle into FOLDER, and import every bundle there not yet seen."""
    from facilitator.actions.sync import load_identities, sync_folder
    from facilitator.sync import merge as sync

    store = workspace().store
    load_identities(identity)  # a bad identity file is refused before anything is said
    if plaintext and sync.has_new_changes(store):
        _warn_plaintext()
    synced = sync_folder(store, folder, identity, plaintext=plaintext)
    result = synced.done
    if result.exported:
        echo(f"wrote {result.exported.path.name}: {result.exported.rows} rows")
        _explain_rows(result.exported.rows, synced.sent_again)
    else:
        click.echo("nothing new to export")
    for imported in result.imported:
        echo(imported.describe())
    if not result.imported:
        click.echo("no new bundles from other devices")
    for message in result.messages:
        echo(f"warning: {message}", err=True)


@sync_group.command("conflicts")
@data_dir_option
def sync_conflicts(*_args: Any) -> None:
    """List versions that lost a merge here and differ from the row, for a person to resolve."""
    from facilitator.sync import merge as sync

    found = sync.conflicts(workspace().store)
    if not found:
        click.echo("no conflicts", err=True)
        return
    click.echo("conflict\ttable\trow\tother device\tother version at\tdiffers")
    for conflict in found:
        differs = "; ".join(
            f"{c}: {json.dumps(conflict.current.get(c), ensure_ascii=False)} here, "
            f"{json.dumps(conflict.other.get(c), ensure_ascii=False)} there"
            for c in conflict.differs
        )
        row(
            conflict.id[:12],
            conflict.table,
            conflict.row_id,
            str(conflict.other["device_id"])[:8],
            conflict.other["updated_at"],
            differs,
        )


@sync_group.command("resolve")
@click.argument("conflict")
@click.option("--keep", "choice", flag_value="keep", help="Keep the row as it is here.")
@click.option("--take", "choice", flag_value="take", help="Take the other device's version.")
@data_dir_option
def sync_resolve(conflict: str, choice: str | None) -> None:
    """Settle CONFLICT (an id from 'sync conflicts'): --keep this version or --take the other."""
    from facilitator.sync import merge as sync

    if choice is None:
        raise FacilitatorError("say which version to keep: --keep (as it is here) or --take (the other)")
    settled = sync.resolve_conflict(workspace().store, conflict, take_other=choice == "take")
    done = "took the other version" if choice == "take" else "kept this version"
    echo(f"resolved {settled.table} {settled.row_id}: {done}")


class ReceiptGroup(click.Group):
    """`receipt SESSION` shows a receipt; `receipt verify ...` checks one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


@main.group("receipt", cls=ReceiptGroup)
def receipt_group() -> None:
    """QR receipts: 'receipt SESSION [--png FILE]' makes one, 'receipt verify IMAGE_OR_TEXT' checks one."""


@receipt_group.command("show")
@click.argument("session")
@click.option(
    "--png", "png", type=click.Path(path_type=Path, dir_okay=False), help="Save the QR code as PNG."
)
@data_dir_option
def receipt_show(session: str, png: Path | None) -> None:
    """Print SESSION's receipt and its QR code (or save the QR code as PNG)."""
    from facilitator.exercise import receipt

    store = workspace().store
    found = store.sessions.get(session)
    made = receipt.make_receipt(store, found)
    if not found.is_closed:
        click.echo("warning: the session is still open: the receipt covers the post-its so far", err=True)
    echo(made.text)
    if png is not None:
        from facilitator.core.files import write_atomic

        write_atomic(png, receipt.qr_png(made.text))
        echo(f"wrote {png}", err=True)
    else:
        click.echo(receipt.qr_terminal(made.text), nl=False)


@receipt_group.command("verify")
@click.argument("image_or_text")
@data_dir_option
def receipt_verify(image_or_text: str) -> None:
    """Check a receipt (a QR image, a text file or the text) against this database.

    Exit code 0: this database holds exactly that session's data; 1: it differs.
    """
    from facilitator.exercise import receipt

    if _looks_like_a_path(image_or_text) and not Path(image_or_text).exists():
        raise FacilitatorError(
            f"{image_or_text} does not exist: give a QR image, a text file or the receipt text"
        )
    checked = receipt.verify(workspace().store, receipt.receipt_from(image_or_text))
    if checked.matches:
        echo(f"ok: this database holds exactly the data of {checked.session_label!r} on the receipt")
        return
    click.echo("differs: this database does not hold exactly the data on the receipt")
    for difference in checked.differences:
        echo(f"  {difference}")
    sys.exit(1)


def _looks_like_a_path(argument: str) -> bool:
    """Whether a receipt argument was meant as a file (it names a folder or has an extension)."""
    if argument.startswith("facilitator-receipt/") or "\n" in argument:
        return False
    return "/" in argument or "\\" in argument or Path(argument).suffix.lower() in RECEIPT_SUFFIXES


RECEIPT_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".txt", ".text"}
