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
    """The office's keys, the office this laptop trusts, and this device's enrolment code."""


@keys_group.command("new")
@click.option(
    "--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Identity file."
)
@data_dir_option
def keys_new(out: Path) -> None:
    """At the office: make the office's identity and print its office code, for the laptops."""
    from facilitator.actions.sync import make_office

    code, previous = make_office(workspace().store, out)
    click.echo(str(code))
    echo(
        f"wrote the office's identity to {out} (owner-only). Keep it safe and off the laptops: "
        "without it no bundle can be read.",
        err=True,
    )
    if previous:
        echo(
            "warning: this replaces the office's earlier key: every laptop must trust the new "
            "office code, and the earlier identity file is still needed to read its bundles",
            err=True,
        )
    echo(
        f"office fingerprint {code.fingerprint}. On each laptop run: facilitator keys trust CODE "
        "(the code is the line above; 'facilitator keys show --office' prints it again)",
        err=True,
    )


@keys_group.command("trust")
@click.argument("office_code")
@data_dir_option
def keys_trust(office_code: str) -> None:
    """On a laptop: trust the office whose OFFICE_CODE 'keys new' printed."""
    from facilitator.actions.sync import trust_office
    from facilitator.sync.enrolment import describe

    code, replaced = trust_office(workspace().store, office_code)
    if replaced is not None:
        echo(f"no longer trusting the earlier office {describe(replaced)}", err=True)
    echo(
        f"trusting the office {code.device_id[:8]} (fingerprint {code.fingerprint}): bundles from this "
        "laptop are now encrypted to it, and only bundles it signed are accepted"
    )
    echo(
        "next: give the office this laptop's enrolment code ('facilitator keys show --enrolment')",
        err=True,
    )


@keys_group.command("show")
@click.option("--enrolment", is_flag=True, help="Print only this laptop's enrolment code, for the office.")
@click.option("--office", "office", is_flag=True, help="Print only the office code (at the office).")
@data_dir_option
def keys_show(enrolment: bool, office: bool) -> None:
    """Print this device's id, the office it trusts and its codes."""
    from facilitator.actions.sync import enrolment_code, office_code, trusted_office
    from facilitator.sync import keys

    ws = workspace()
    store = ws.store
    if enrolment and office:
        raise click.UsageError("give --enrolment or --office, not both")
    mine = enrolment_code(store)
    if enrolment:
        click.echo(str(mine))
        echo(f"fingerprint {mine.fingerprint}: read it aloud to whoever enrols this laptop", err=True)
        return
    code = office_code(store)
    if office:
        if code is None:
            raise FacilitatorError(
                "this data folder is not an office: 'facilitator keys new --out FILE' makes one"
            )
        click.echo(str(code))
        return
    trusted = trusted_office(store)
    row("device", store.device_id)
    if code is not None:
        row("role", "office")
        row("fingerprint", code.fingerprint)
        row("office code", str(code))
    else:
        row("role", "laptop")
        row("fingerprint", mine.fingerprint)
        row("enrolment code", str(mine))
        row(
            "office",
            f"{trusted.device_id[:8]} (encrypting to {keys.trusted(store)})"
            if trusted is not None
            else "none (run: facilitator keys trust OFFICE_CODE)",
        )
    row("last export", store.meta.get("last_export_at") or "never")
    row("data folder", ws.data_dir)


@main.group("devices")
def devices_group() -> None:
    """At the office: the laptops whose bundles it accepts (enrol, list, revoke)."""


@devices_group.command("enrol")
@click.argument("code")
@click.option("--label", default="", help="A name for the laptop, e.g. 'Laptop 2 (HMP Leeds)'.")
@data_dir_option
def devices_enrol(code: str, label: str) -> None:
    """Enrol the laptop whose enrolment CODE 'keys show --enrolment' printed on it."""
    from facilitator.actions.sync import enrol_device
    from facilitator.sync.enrolment import describe
    from facilitator.sync.signing import key_fingerprint

    enrolled = enrol_device(workspace().store, code, label)
    device = enrolled.device
    again = " again (it had been revoked)" if enrolled.again else ""
    echo(
        f"enrolled laptop {describe(device)}{again}: fingerprint "
        f"{key_fingerprint(device.device_id, device.public_key)}. Check it matches the laptop's screen."
    )
    if enrolled.again:
        echo(
            "warning: its bundles made while it was revoked are accepted again too; if the laptop was "
            "lost, set up the one that replaces it anew (a new data folder) and enrol that instead",
            err=True,
        )


@devices_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@data_dir_option
def devices_list(as_json: bool) -> None:
    """List the laptops this office enrolled, revoked ones too."""
    from facilitator.actions.sync import enrolled_devices

    entries = enrolled_devices(workspace().store)
    if as_json:
        click.echo(json.dumps([e.to_json() for e in entries], indent=2, ensure_ascii=True))
        return
    if not entries:
        click.echo("no laptops enrolled: 'facilitator devices enrol CODE' enrols one")
        return
    for entry in entries:
        device = entry.device
        last = entry.last_bundle[:16].replace("T", " ") if entry.last_bundle else "no bundle yet"
        state = f"revoked {device.revoked_at[:10]}" if device.revoked_at else "enrolled"
        echo(
            f"{device.device_id[:8]}  {entry.fingerprint}  {state:<18}  "
            f"{entry.bundles:>3} bundles, last {last}  {device.label}"
        )


@devices_group.command("revoke")
@click.argument("device")
@data_dir_option
def devices_revoke(device: str) -> None:
    """Refuse DEVICE's bundles from now on (its id, first 8 characters, or label)."""
    from facilitator.actions.sync import revoke_device
    from facilitator.sync.enrolment import describe

    revoked = revoke_device(workspace().store, device)
    echo(
        f"revoked laptop {describe(revoked)}: its bundles not yet imported will be refused "
        "('facilitator devices enrol CODE' enrols it again)"
    )


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
@click.option("--all", "everything", is_flag=True, help="Everything this device wrote, not only new changes.")
@click.option("--plaintext", is_flag=True, help="Do not encrypt (the bundle is readable by anyone).")
@data_dir_option
def sync_export(out: Path, everything: bool, plaintext: bool) -> None:
    """Write this device's changes since its last export into a bundle (encrypted by default)."""
    from facilitator.actions.sync import bundle_contents, export_bundle

    if plaintext:
        _warn_plaintext()
    exported = export_bundle(workspace().store, out, everything=everything, plaintext=plaintext)
    result = exported.made
    echo(f"wrote {result.path}: {bundle_contents(result.manifest.tables)}")
    if not everything:
        _explain_rows(result.rows, exported.sent_again)
    click.echo(f"next: {AWAITING}", err=True)


AWAITING = (
    "carry the bundle to the office; its sessions count as at the office only once the office's "
    "acknowledgement comes back ('facilitator sync run FOLDER' with the same USB stick reads it)"
)


def _explain_rows(rows: int, again: int) -> None:
    """Say on stderr how many of a bundle's records are new and how many are sent again for safety."""
    new = rows - again
    if not again:
        return
    why = "recent records and those they belong to go again so nothing is missed; merging twice is harmless"
    if new == 0:
        said = f"nothing new since the last export: all {rows} records are sent again"
    else:
        are = "record is" if new == 1 else "records are"
        said = f"{new} {are} new since the last export, {again} sent again"
    click.echo(f"note: {said} ({why})", err=True)


@sync_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--identity", type=click.Path(path_type=Path, dir_okay=False), help="The office's identity file."
)
@click.option("--allow-plaintext", is_flag=True, help="Accept bundles that are not encrypted (still signed).")
@data_dir_option
def sync_import(files: tuple[Path, ...], identity: Path | None, allow_plaintext: bool) -> None:
    """Merge bundle FILES, each all or nothing; prints what each added, updated and conflicted.

    A bundle whose rows belong to rows in another of FILES is merged after it; a bad
    bundle is refused alone (exit code 2) and the others are merged all the same.
    """
    from facilitator.actions.sync import import_bundles

    done = import_bundles(workspace().store, files, identity, allow_plaintext=allow_plaintext)
    for imported in done.imported:
        echo(imported.describe())
    _say_acknowledgements(done.acknowledgements, done.confirmed)
    for message in done.messages:
        echo(f"warning: {message}", err=True)
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
@click.option("--allow-plaintext", is_flag=True, help="Accept bundles that are not encrypted (still signed).")
@data_dir_option
def sync_run(folder: Path, identity: Path | None, plaintext: bool, allow_plaintext: bool) -> None:
    """Export this device's new bundle into FOLDER, and import every bundle there not yet seen."""
    from facilitator.actions.sync import is_office, load_identities, records_text, sync_folder
    from facilitator.sync import merge as sync

    store = workspace().store
    load_identities(identity)  # a bad identity file is refused before anything is said
    if plaintext and (
        sync.has_new_changes(store) or (not is_office(store) and sync.unconfirmed_sessions(store)[0])
    ):
        _warn_plaintext()
    synced = sync_folder(store, folder, identity, plaintext=plaintext, allow_plaintext=allow_plaintext)
    result = synced.done
    office = is_office(store)
    if not office:
        _say_acknowledgements([], result.newly_confirmed)
    if result.exported:
        echo(f"wrote {result.exported.path.name}: {records_text(result.exported.rows)}")
        _explain_rows(result.exported.rows, synced.sent_again)
    elif office or not result.confirmed:
        click.echo("nothing new to export")
    else:
        click.echo("nothing to export: the office holds every session as it is here")
    if not office:
        click.echo(
            f"{_sessions(result.unconfirmed)} on the stick for the office, "
            f"{result.confirmed} confirmed by the office"
        )
        if result.unconfirmed:
            click.echo(f"next: {AWAITING}", err=True)
    for imported in result.imported:
        echo(imported.describe())
    if not result.imported:
        click.echo("no new bundles from other devices")
    if office:
        _say_acknowledgements(result.acknowledgements, [])
    for message in [f"skipped {refused.error}" for refused in result.plaintext] + result.messages:
        echo(f"warning: {message}", err=True)
    if synced.purged is not None:
        for purged in synced.purged.purged:
            echo(f"purged {purged.label} from this laptop (automatic purge): the office keeps its copy")


def _sessions(count: int) -> str:
    return f"{count} session{'' if count == 1 else 's'}"


def _say_acknowledgements(written: list[Path], confirmed: list[str]) -> None:
    """At the office, how many acknowledgements it wrote; on a laptop, what the office confirmed."""
    if written:
        folders = sorted({str(path.parent) for path in written})
        echo(
            f"wrote {len(written)} acknowledgement{'' if len(written) == 1 else 's'} for the laptops "
            f"into {', '.join(folders)}"
        )
    if confirmed:
        echo(f"the office's acknowledgement confirmed {_sessions(len(confirmed))} as held at the office")


@sync_group.command("conflicts")
@data_dir_option
def sync_conflicts(*_args: Any) -> None:
    """List versions that lost a merge here and differ from the record kept, for a person to resolve."""
    from facilitator.sync import merge as sync

    found = sync.conflicts(workspace().store)
    if not found:
        click.echo("no conflicts", err=True)
        return
    from facilitator.actions.sync import RECORD_WORDS

    click.echo("conflict\trecord\tid\tother laptop\tother version at\tdiffers")
    for conflict in found:
        differs = "; ".join(
            f"{c}: {json.dumps(conflict.current.get(c), ensure_ascii=False)} here, "
            f"{json.dumps(conflict.other.get(c), ensure_ascii=False)} there"
            for c in conflict.differs
        )
        row(
            conflict.id[:12],
            RECORD_WORDS.get(conflict.table, (conflict.table.replace("_", " "),))[0],
            conflict.row_id,
            str(conflict.other["device_id"])[:8],
            conflict.other["updated_at"],
            differs,
        )


@sync_group.command("resolve")
@click.argument("conflict")
@click.option("--keep", "choice", flag_value="keep", help="Keep the record as it is here.")
@click.option("--take", "choice", flag_value="take", help="Take the other device's version.")
@data_dir_option
def sync_resolve(conflict: str, choice: str | None) -> None:
    """Settle CONFLICT (an id from 'sync conflicts'): --keep this version or --take the other."""
    from facilitator.actions.sync import RECORD_WORDS
    from facilitator.sync import merge as sync

    if choice is None:
        raise FacilitatorError("say which version to keep: --keep (as it is here) or --take (the other)")
    settled = sync.resolve_conflict(workspace().store, conflict, take_other=choice == "take")
    done = "took the other version" if choice == "take" else "kept this version"
    one, _many = RECORD_WORDS.get(settled.table, (settled.table, ""))
    echo(f"resolved the {one} {settled.row_id}: {done}")


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
    from facilitator.actions.purge import refuse_purged
    from facilitator.exercise import receipt

    store = workspace().store
    found = store.sessions.get(session)
    refuse_purged(store, found, "making a receipt of")
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
