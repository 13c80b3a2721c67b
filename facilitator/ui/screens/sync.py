"""The sync screen: bundles to and from the office, with progress, in a worker.

What it runs is the domain's `sync` module; the functions at the top of this file
turn a person's typed paths into calls to it and its results into lines to read,
and never touch the screen, so the worker thread can run them.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from facilitator.actions import sync as actions
from facilitator.actions.data_folder import Workspace
from facilitator.core.errors import FacilitatorError
from facilitator.core.files import make_private_dir
from facilitator.core.paths import BUNDLES_FOLDER
from facilitator.store import Store, sync_state
from facilitator.sync.merge import ImportResult
from facilitator.ui.boundary import Guarded
from facilitator.ui.keys import BLANK, HELP, key_bar_bindings
from facilitator.ui.screens.sync_form import FormField, FormValues, SyncForm, refused_by
from facilitator.ui.text import literal, when
from facilitator.ui.widgets.key_bar import KeyBar

# Paths typed last time, so the USB stick and the identity file are offered again.
META_EXPORT_DIR = "ui.sync.export_dir"
META_IMPORT = "ui.sync.import"
META_FOLDER = "ui.sync.folder"
META_IDENTITY = "ui.sync.identity"

Progress = Callable[[str, int, int], None]
NO_RECIPIENT = "No office to encrypt to: press r and paste the office code, or tick 'unencrypted'."


# ---------------------------------------------------------------- jobs (no screen access)


def bundle_files(typed: str) -> list[Path]:
    """The bundle files a person means: a file, a folder of bundles, or a pattern (`*.bundle`)."""
    from facilitator.sync.bundle import SUFFIX

    typed = typed.strip()
    if not typed:
        raise FacilitatorError(
            "give a bundle file, a folder of bundles, or a pattern such as /media/usb/*.bundle"
        )
    path = Path(typed).expanduser()
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix == SUFFIX and p.is_file() and not p.name.startswith(".")
        )
    elif any(char in typed for char in "*?["):
        files = sorted(Path(p) for p in glob.glob(os.path.expanduser(typed)) if Path(p).is_file())
    elif path.is_file():
        files = [path]
    else:
        raise FacilitatorError(f"{path} does not exist")
    if not files:
        raise FacilitatorError(f"no bundle files ({SUFFIX}) in {typed}")
    return files


def _identity(typed: str) -> Path | None:
    """The identity file typed, or None when the box is empty."""
    return Path(typed.strip()).expanduser() if typed.strip() else None


def _outcome(outcome: ImportResult) -> list[str]:
    """An import's result as two lines: the bundle's name, then what it did."""
    return [outcome.name, f"  skipped: {outcome.skipped}" if outcome.skipped else f"  {outcome.counts}"]


def _in_words(message: str) -> str:
    """A sync message with the command line's wording put as the screen's."""
    return message.replace("pass --identity FILE", "give the office's identity file")


@dataclass
class JobResult:
    """What a job did, one line each; `problems` are errors, one line each."""

    title: str
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Bundles refused only for being unencrypted: the screen asks before importing them.
    plaintext: list[Path] = field(default_factory=list)
    identity: str = ""
    # What the automatic purge removed after a folder sync: one sentence, or nothing.
    purged: str = ""


def run_export(
    store: Store, folder: str, *, everything: bool, plaintext: bool, progress: Progress
) -> JobResult:
    result = JobResult("Export")
    target = Path(folder.strip()).expanduser()
    try:
        make_private_dir(target)
    except OSError as error:
        raise FacilitatorError(f"cannot make the folder {target}: {error.strerror}") from None
    made = actions.export_bundle(
        store, target, everything=everything, plaintext=plaintext, progress=progress
    ).made
    result.lines += [
        made.path.name,
        f"  written into {made.path.parent}",
        f"  {actions.bundle_contents(made.manifest.tables)}; "
        + ("encrypted" if made.encrypted else "UNENCRYPTED"),
        AWAITING,
    ]
    return result


AWAITING = (
    "Its sessions count as at the office only once this bundle reaches the office and the office's "
    "acknowledgement comes back (f with the same USB stick reads it)."
)


def _acknowledgements(written: Sequence[Path], confirmed: Sequence[str]) -> list[str]:
    """At the office, the acknowledgements written; on a laptop, the sessions one confirmed."""
    lines = []
    if written:
        lines.append(f"Wrote {len(written)} acknowledgement(s) for the laptops into {written[0].parent}.")
    if confirmed:
        lines.append(f"The office's acknowledgement confirmed {len(confirmed)} session(s).")
    return lines


def run_import(store: Store, typed: str, identity: str, *, progress: Progress) -> JobResult:
    """Import each bundle in its own transaction; one whose parents are in another is tried after it."""
    return _imported(store, JobResult("Import", identity=identity), bundle_files(typed), progress=progress)


def run_plaintext_import(
    store: Store, files: Sequence[Path], identity: str, *, progress: Progress
) -> JobResult:
    """Import bundles a person accepted although they are not encrypted (they are still signed)."""
    return _imported(
        store, JobResult("Import (unencrypted)"), files, identity, allow_plaintext=True, progress=progress
    )


def _imported(
    store: Store,
    result: JobResult,
    files: Sequence[Path],
    identity: str = "",
    *,
    allow_plaintext: bool = False,
    progress: Progress,
) -> JobResult:
    from facilitator.sync.merge import NeedsIdentity, Plaintext

    identity = identity or result.identity
    done = actions.import_bundles(
        store, files, _identity(identity), allow_plaintext=allow_plaintext, progress=progress
    )
    for settled in done.outcomes:
        if settled.result is not None:
            result.lines += _outcome(settled.result)
        elif isinstance(settled.error, Plaintext):
            result.plaintext.append(settled.path)
        elif isinstance(settled.error, NeedsIdentity):
            result.problems.append(
                f"{settled.path.name} is encrypted: give the office's identity file to read it"
            )
        else:
            result.problems.append(str(settled.error))
    result.lines += _acknowledgements(done.acknowledgements, done.confirmed)
    result.problems += done.messages
    return result


def run_folder(store: Store, folder: str, identity: str, *, plaintext: bool, progress: Progress) -> JobResult:
    result = JobResult("Folder sync", identity=identity)
    synced = actions.sync_folder(
        store, Path(folder.strip()).expanduser(), _identity(identity), plaintext=plaintext, progress=progress
    )
    done = synced.done
    office = actions.is_office(store)
    result.lines += _acknowledgements([], done.newly_confirmed)
    if synced.purged is not None and synced.purged.purged:
        from facilitator.actions.purge import purged_line

        result.purged = purged_line(synced.purged)
    if done.exported:
        encrypted = "encrypted" if done.exported.encrypted else "UNENCRYPTED"
        result.lines += [
            done.exported.path.name,
            f"  written: {actions.records_text(done.exported.rows)}, {encrypted}",
        ]
    else:
        result.lines.append("Nothing new to export from this device.")
    if not office:
        result.lines.append(
            f"{done.unconfirmed} session(s) on the stick for the office; {done.confirmed} confirmed by it."
        )
        if done.unconfirmed:
            result.lines.append(AWAITING)
    for imported in done.imported:
        result.lines += _outcome(imported)
    if not done.imported:
        result.lines.append("No new bundles from other devices.")
    result.lines += _acknowledgements(done.acknowledgements, [])
    result.problems += [_in_words(message) for message in done.messages]
    result.plaintext += [refused.path for refused in done.plaintext]
    if result.purged:
        result.lines.append(result.purged)
    return result


def confirmed_count(store: Store) -> str:
    """`2 of 3 sessions confirmed`: how many the office acknowledged holding as they are here."""
    from facilitator.sync.status import CONFIRMED, PURGED

    statuses = actions.sync_statuses(store).values()
    confirmed = sum(s.status in (CONFIRMED, PURGED) for s in statuses)
    return f"{confirmed} of {len(statuses)} session{'' if len(statuses) == 1 else 's'} confirmed"


def plaintext_question(count: int) -> Text:
    """The question before importing bundles that are not encrypted."""
    if count == 1:
        said = ("1 bundle is", "it", "It is", "it")
    else:
        said = (f"{count} bundles are", "them", "They are", "them")
    return Text.assemble(
        (f"{said[0]} not encrypted: anyone could have read or changed {said[1]} on the way.", "bold"),
        f" {said[2]} still signed by an enrolled laptop. Import {said[3]} anyway?",
    )


# ---------------------------------------------------------------- the screen


class SyncScreen(Guarded, Screen[None]):
    """This device, its recipient and last export; export, import and folder sync in a worker."""

    CSS_PATH = "sync.tcss"
    HELP_TITLE = "Keys of sync"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "x", "export", "export", id="sync.export", tooltip="Write a bundle of this device's new changes."
        ),
        Binding("i", "import", "import", id="sync.import", tooltip="Import bundle files (at the office)."),
        Binding(
            "f",
            "folder",
            "folder",
            id="sync.folder",
            tooltip="Sync with a folder (USB stick or shared folder): export, then import what is new there.",
        ),
        Binding(
            "r",
            "recipient",
            "office",
            id="sync.recipient",
            tooltip="On a laptop: trust the office (paste the office code 'keys new' printed there).",
        ),
        Binding("k", "conflicts", "conflicts", id="sync.conflicts", tooltip="Review and resolve conflicts."),
        # The key bar is full at 80 columns: these are in the facts above, the help and the palette.
        Binding(
            "e",
            "code",
            "code",
            id="sync.code",
            show=False,
            tooltip="Show this device's code as text and QR code: a laptop's enrolment code for the "
            "office, or the office code for the laptops.",
        ),
        Binding(
            "d",
            "devices",
            "devices",
            id="sync.devices",
            show=False,
            tooltip="The laptops this office enrolled: enrol one, or revoke one.",
        ),
        replace(BLANK, show=False),
        HELP,
        Binding("escape", "back", "back", id="sync.back", key_display="esc", tooltip="Go back."),
    ]

    @dataclass
    class Progressed(Message):
        """A step of the running job: `what`, `done` of `total`."""

        what: str
        done: int
        total: int

    @dataclass
    class Finished(Message):
        """The job ended: what it did, or the error that stopped it."""

        result: JobResult
        error: str | None

    def __init__(self, workspace: Workspace, *, blink: bool = True) -> None:
        super().__init__()
        self.workspace = workspace
        self.blink = blink
        self.running = False
        self.shown = Text()  # what the last job said

    def compose(self) -> ComposeResult:
        yield Static(Text("Sync · bundles between the laptops and the office", style="bold"), id="sync-title")
        yield Static(id="sync-facts")
        yield Static(id="sync-hint")
        with Horizontal(id="sync-progress-row"):
            yield ProgressBar(total=None, show_eta=False, id="sync-progress")
            yield Static(id="sync-step")
        with VerticalScroll(id="sync-results"):
            yield Static(
                Text(
                    "x writes a bundle of this device's new changes; f syncs with a USB stick or shared "
                    "folder; i imports bundles (at the office, with its identity file)."
                ),
                id="sync-output",
            )
        yield KeyBar(key_bar_bindings(self))

    def on_mount(self) -> None:
        self.query_one("#sync-progress-row").display = False
        self.refresh_facts()
        self.query_one("#sync-results").focus()

    def on_screen_resume(self) -> None:
        if not self.running:
            self.refresh_facts()

    @property
    def store(self) -> Store:
        return self.workspace.store

    def default_bundles(self) -> str:
        return str(self.workspace.data_dir / BUNDLES_FOLDER)

    def refresh_facts(self) -> None:
        from facilitator.sync import keys
        from facilitator.sync import merge as sync
        from facilitator.sync.signing import OfficeCode

        store = self.store
        office_code = actions.office_code(store)
        conflicts = sync.open_conflict_count(store)
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold", no_wrap=True)
        facts.add_column()
        facts.add_row("This device", Text(store.device_id))
        trusted = None
        if office_code is not None:
            facts.add_row("Role", Text("office: enrols laptops and imports their bundles"))
            facts.add_row(
                "Office code",
                Text.assemble((office_code.fingerprint, "bold"), "  (e shows it for the laptops)"),
            )
            devices = actions.enrolled_devices(store)
            revoked = sum(entry.device.revoked for entry in devices)
            counted = f"{len(devices) - revoked} enrolled" + (f", {revoked} revoked" if revoked else "")
            facts.add_row("Laptops", Text(f"{counted}  (d lists them)"))
        else:
            facts.add_row("Role", Text("laptop: sends its bundles to the office"))
            facts.add_row(
                "Enrolment",
                Text.assemble(
                    (actions.enrolment_code(store).fingerprint, "bold"), "  (e shows the code for the office)"
                ),
            )
            trusted = actions.trusted_office(store)
            if trusted is None:
                facts.add_row("Office", Text("none trusted yet", style="bold"))
            else:
                recipient = keys.trusted(store) or ""
                fingerprint = OfficeCode(trusted.device_id, recipient, trusted.public_key).fingerprint
                facts.add_row(
                    "Office", Text.assemble(f"{trusted.device_id[:8]}, fingerprint ", (fingerprint, "bold"))
                )
        facts.add_row("Last export", Text(when(store.meta.get(sync_state.META_LAST_EXPORT))))
        if office_code is None:
            facts.add_row("At the office", Text(confirmed_count(store)))
        facts.add_row(
            "Conflicts",
            Text(f"{conflicts} to review: press k", style="bold") if conflicts else Text("none"),
        )
        self.query_one("#sync-facts", Static).update(facts)
        hint = self.query_one("#sync-hint", Static)
        hint.display = office_code is None and trusted is None
        hint.update(
            Text(
                "To trust the office, press r and paste the office code (the line that 'facilitator keys "
                "new' printed at the office). Then press e and give the office this laptop's code."
            )
        )

    # ------------------------------------------------------------ actions

    def _busy(self) -> bool:
        if self.running:
            self.notify("Wait: a sync is still running.", severity="warning")
        return self.running

    def _remember(self, key: str, value: str | bool) -> None:
        if isinstance(value, str) and value.strip():
            self.store.meta.set(key, value.strip())

    def _needs_recipient(self, values: FormValues) -> str | None:
        plaintext, identity = bool(values.get("plaintext")), str(values.get("identity", "")).strip()
        if actions.needs_recipient(self.store, plaintext=plaintext, identity_given=bool(identity)):
            return NO_RECIPIENT
        return None

    def action_export(self) -> None:
        if self._busy():
            return
        fields = [
            FormField(
                "folder",
                "Folder to write the bundle into",
                self.store.meta.get(META_EXPORT_DIR) or self.default_bundles(),
            ),
            FormField("everything", "Everything in this database (not only the new changes)", False),
            FormField("plaintext", "Unencrypted (anyone who finds the file can read it)", False),
        ]

        def chosen(values: FormValues | None) -> None:
            if values is None:
                return
            self._remember(META_EXPORT_DIR, values["folder"])
            self._confirm_plaintext(
                bool(values["plaintext"]),
                lambda: self.run_job(
                    "export",
                    lambda store, progress: run_export(
                        store,
                        str(values["folder"]),
                        everything=bool(values["everything"]),
                        plaintext=bool(values["plaintext"]),
                        progress=progress,
                    ),
                ),
            )

        form = SyncForm("Export a bundle", fields, "Export", self._needs_recipient, blink=self.blink)
        self.app.push_screen(form, callback=chosen)

    def action_import(self) -> None:
        if self._busy():
            return
        fields = [
            FormField(
                "files",
                "Bundle file, folder of bundles, or pattern",
                self.store.meta.get(META_IMPORT) or "",
                "e.g. /media/usb or /media/usb/*.bundle",
            ),
            FormField(
                "identity",
                "The office's identity file (to read encrypted bundles)",
                self.store.meta.get(META_IDENTITY) or "",
                "e.g. /home/office/facilitator-identity.txt",
            ),
        ]

        def chosen(values: FormValues | None) -> None:
            if values is None:
                return
            self._remember(META_IMPORT, values["files"])
            self._remember(META_IDENTITY, values["identity"])
            self.run_job(
                "import",
                lambda store, progress: run_import(
                    store, str(values["files"]), str(values["identity"]), progress=progress
                ),
            )

        self.app.push_screen(SyncForm("Import bundles", fields, "Import", blink=self.blink), callback=chosen)

    def action_folder(self) -> None:
        if self._busy():
            return
        fields = [
            FormField(
                "folder",
                "Folder to sync with (USB stick or shared folder)",
                self.store.meta.get(META_FOLDER) or "",
                "e.g. /media/usb/facilitator",
            ),
            FormField(
                "identity",
                "Office identity file (at the office only; empty on a laptop)",
                self.store.meta.get(META_IDENTITY) or "",
            ),
            FormField("plaintext", "Unencrypted (anyone who finds the file can read it)", False),
        ]

        def chosen(values: FormValues | None) -> None:
            if values is None:
                return
            self._remember(META_FOLDER, values["folder"])
            self._remember(META_IDENTITY, values["identity"])
            self._confirm_plaintext(
                bool(values["plaintext"]),
                lambda: self.run_job(
                    "folder sync",
                    lambda store, progress: run_folder(
                        store,
                        str(values["folder"]),
                        str(values["identity"]),
                        plaintext=bool(values["plaintext"]),
                        progress=progress,
                    ),
                ),
            )

        def check(values: FormValues) -> str | None:
            if not str(values["folder"]).strip():
                return "Give the folder: where the USB stick or shared folder is."
            return self._needs_recipient(values)

        self.app.push_screen(
            SyncForm("Sync with a folder", fields, "Sync", check, blink=self.blink), callback=chosen
        )

    def _confirm_plaintext(self, plaintext: bool, go: Callable[[], None]) -> None:
        """Run `go` at once, or, for an unencrypted bundle, only after a warning is accepted."""
        from facilitator.ui.screens.confirm import ConfirmScreen

        if not plaintext:
            go()
            return
        question = Text.assemble(
            ("Write an UNENCRYPTED bundle?", "bold"),
            "\nAnyone who finds the file (a lost USB stick, a shared folder) can read every comment "
            "in it. To encrypt instead, press Esc, then r, and paste the office code.",
        )
        self.app.push_screen(
            ConfirmScreen(question, "Write unencrypted"), callback=lambda yes: go() if yes else None
        )

    def action_recipient(self) -> None:
        from facilitator.sync.signing import parse_office_code

        if self._busy():
            return

        def chosen(values: FormValues | None) -> None:
            if values is None:
                return
            code, _replaced = actions.trust_office(self.store, str(values["recipient"]))
            self.refresh_facts()
            self.notify(
                f"Trusting the office {code.device_id[:8]} (fingerprint {code.fingerprint}): bundles "
                "are encrypted to it."
            )

        trusted = actions.trusted_office(self.store)
        fields = [
            FormField(
                "recipient",
                "The office code, from the office (sync, e)",
                "",
                "facilitator-office:…" if trusted is None else f"now: office {trusted.device_id[:8]}",
            )
        ]
        check = refused_by("recipient", parse_office_code)
        form = SyncForm("Trust the office", fields, "Trust this office", check, blink=self.blink)
        self.app.push_screen(form, callback=chosen)

    def action_code(self) -> None:
        from facilitator.ui.screens.code import CodeScreen

        if not self._busy():
            self.app.push_screen(CodeScreen(self.workspace))

    def action_devices(self) -> None:
        from facilitator.ui.screens.devices import DevicesScreen

        if not self._busy():
            self.app.push_screen(DevicesScreen(self.workspace, blink=self.blink))

    def action_conflicts(self) -> None:
        from facilitator.ui.screens.conflicts import ConflictsScreen

        if not self._busy():
            self.app.push_screen(ConflictsScreen(self.workspace))

    def action_back(self) -> None:
        if not self._busy():
            self.dismiss(None)

    # ------------------------------------------------------------ the worker

    def run_job(self, name: str, job: Callable[[Store, Progress], JobResult]) -> None:
        self.running = True
        row = self.query_one("#sync-progress-row")
        row.display = True
        self.query_one("#sync-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#sync-step", Static).update(Text(f"{name}: starting"))
        self.query_one("#sync-output", Static).update(Text(f"Running {name}…"))
        self._work(name, job)

    @work(thread=True, exclusive=True, group="sync")
    def _work(self, name: str, job: Callable[[Store, Progress], JobResult]) -> None:
        """Run a job on its own connection, so the screen's reads see only committed data."""

        def progress(what: str, done: int, total: int) -> None:
            self.post_message(self.Progressed(what, done, total))

        result, error = JobResult(name.capitalize()), None
        try:
            store = self.store.another()
        except FacilitatorError as problem:
            self.post_message(self.Finished(result, str(problem)))
            return
        try:
            result = job(store, progress)
        except FacilitatorError as problem:
            error = str(problem)
        except OSError as problem:
            error = f"{problem.filename or name}: {problem.strerror}"
        finally:
            store.close()
        self.post_message(self.Finished(result, error))

    def _ask_plaintext(self, result: JobResult) -> None:
        """Import the unencrypted bundles a job left only if the person says so."""
        from facilitator.ui.screens.confirm import ConfirmScreen

        files, identity = list(result.plaintext), result.identity

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_job(
                    "import",
                    lambda store, progress: run_plaintext_import(store, files, identity, progress=progress),
                )
                return
            told = Text()
            told.append("Nothing imported from the unencrypted bundles:\n", style="bold")
            for path in files:
                told.append_text(literal(f"  {path.name}"))
                told.append("\n")
            self.shown.append_text(told)
            self.query_one("#sync-output", Static).update(self.shown)
            self.notify(f"{len(files)} unencrypted bundle(s) left unimported.", severity="warning")

        self.app.push_screen(
            ConfirmScreen(plaintext_question(len(files)), "Import them" if len(files) > 1 else "Import it"),
            callback=answered,
        )

    @on(Progressed)
    def _progressed(self, event: Progressed) -> None:
        self.query_one("#sync-progress", ProgressBar).update(total=max(event.total, 1), progress=event.done)
        self.query_one("#sync-step", Static).update(literal(event.what))

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        self.running = False
        result = event.result
        bar = self.query_one("#sync-progress", ProgressBar)
        bar.update(total=1, progress=1)
        self.query_one("#sync-step", Static).update(Text("failed" if event.error else "done", style="bold"))
        out = Text()
        out.append(f"{result.title}\n", style="bold")
        for line in result.lines:
            out.append_text(literal(line))
            out.append("\n")
        for problem in [*result.problems, *([event.error] if event.error else [])]:
            out.append("error: ", style="bold")
            out.append_text(literal(problem))
            out.append("\n")
        self.shown = out
        self.query_one("#sync-output", Static).update(out)
        self.refresh_facts()
        from facilitator.sync import merge as sync

        conflicts = sync.open_conflict_count(self.store)
        if result.purged:
            self.notify(result.purged, title="Purged", markup=False)
        if result.plaintext and not event.error:
            self._ask_plaintext(result)
        elif event.error or result.problems:
            self.notify(
                f"{result.title}: {len(result.problems) + bool(event.error)} problem(s).", severity="error"
            )
        elif conflicts:
            self.notify(
                f"{result.title} done; {conflicts} conflict(s) to review: press k.", severity="warning"
            )
        else:
            self.notify(f"{result.title} done.")
