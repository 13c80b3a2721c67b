"""The passphrase commands: change it, set the idle lock, encrypt a plain folder, recover one."""

from __future__ import annotations

import os
from pathlib import Path

import click

from facilitator.actions.data_folder import (
    NEW_PASSPHRASE_ENV,
    Workspace,
    passphrase_from_environment,
)
from facilitator.cli.core import (
    ask_new_passphrase,
    data_dir_option,
    main,
    prompt_passphrase,
    stdin_is_terminal,
    workspace,
)
from facilitator.cli.output import echo, size_words
from facilitator.core.errors import FacilitatorError

KEEP_IT_SAFE = "Keep the passphrase safe: without it, or the office's key, the data cannot be read."


def current_passphrase(ws: Workspace) -> str:
    """The folder's passphrase: from FACILITATOR_PASSPHRASE, else typed without echo in a terminal."""
    given = passphrase_from_environment()
    if given:
        return given
    if not stdin_is_terminal():
        raise ws.locked_error()
    return prompt_passphrase(ws)


def new_passphrase(what: str = "New passphrase") -> str:
    """A new passphrase: from FACILITATOR_NEW_PASSPHRASE, else typed twice without echo in a terminal."""
    from facilitator.store.key_file import check_new_passphrase

    given = os.environ.get(NEW_PASSPHRASE_ENV)
    if given:
        return check_new_passphrase(given)
    if not stdin_is_terminal():
        raise FacilitatorError(
            f"no new passphrase: set {NEW_PASSPHRASE_ENV}, "
            "or run the command in a terminal to be asked for it"
        )
    return ask_new_passphrase(what)


@main.group("passphrase")
def passphrase_group() -> None:
    """The data folder's passphrase, and when the app locks itself."""


@passphrase_group.command("change")
@data_dir_option
def passphrase_change() -> None:
    """Change the passphrase of an encrypted data folder; its data stays as it is.

    The current passphrase is read from $FACILITATOR_PASSPHRASE or asked in the
    terminal; the new one from $FACILITATOR_NEW_PASSPHRASE or asked twice.
    """
    from facilitator.actions.passphrase import require_encrypted, set_passphrase, unlock_key

    ws = workspace()
    require_encrypted(ws)
    current = current_passphrase(ws)
    held = unlock_key(ws, current)
    new = new_passphrase()
    if new == current:
        raise FacilitatorError("the new passphrase is the same as the current one: nothing changed")
    set_passphrase(held, new)
    echo(f"changed the passphrase of {ws.data_dir}; the old one no longer opens it", err=True)
    echo(KEEP_IT_SAFE, err=True)


@passphrase_group.command("idle-lock")
@click.argument("minutes", required=False, metavar="[MINUTES|off]")
@data_dir_option
def passphrase_idle_lock(minutes: str | None) -> None:
    """Show, or set, after how many idle minutes the app locks (1 to 1440, or off)."""
    from facilitator.actions.locking import MAX_IDLE_LOCK, idle_lock_minutes, set_idle_lock

    store = workspace().store
    if minutes is not None:
        word = minutes.strip().lower()
        if word == "off":
            set_idle_lock(store, None)
        elif word.isascii() and word.isdigit():
            set_idle_lock(store, int(word))
        else:
            raise FacilitatorError(
                f"{minutes!r} is not a number of minutes: give 1 to {MAX_IDLE_LOCK}, or off"
            )
    current = idle_lock_minutes(store)
    if current is None:
        click.echo("the idle lock is off: the app never locks by itself")
    else:
        plural = "minute" if current == 1 else "minutes"
        click.echo(f"the app locks after {current} idle {plural}")


@main.command("protect")
@data_dir_option
def protect_command() -> None:
    """Encrypt an unencrypted data folder in place, under a new passphrase.

    The new passphrase is read from $FACILITATOR_NEW_PASSPHRASE or asked twice in
    the terminal. The unencrypted database stays until its encrypted copy has been
    read back and found whole; close the app first.
    """
    from facilitator.actions.passphrase import protect, require_plain
    from facilitator.store import protect as steps

    ws = workspace()
    size = require_plain(ws)
    passphrase = new_passphrase()

    def tell(step: str) -> None:
        if step == steps.LOCKED:
            echo(f"encrypting the database in {ws.data_dir} ({size_words(size)})...", err=True)
        elif step == steps.EXPORTED:
            echo("checking the encrypted copy...", err=True)

    done = protect(ws, passphrase, step=tell)
    echo(f"encrypted {ws.data_dir}. {KEEP_IT_SAFE}", err=True)
    if done.escrowed:
        echo("The office this laptop trusts can recover it if the passphrase is forgotten.", err=True)
    else:
        echo(
            "warning: no recovery yet: the office can recover a forgotten passphrase once this laptop "
            "trusts an office ('facilitator keys trust OFFICE_CODE')",
            err=True,
        )


@main.command("recover")
@click.argument("data_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--identity",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The office's identity file ('keys new --out' wrote it).",
)
def recover_command(data_dir: Path, identity: Path) -> None:
    """At the office: give a laptop's data folder whose passphrase was forgotten a new one.

    DATA_DIR is the laptop's data folder (a copy of it). Its key, escrowed to the
    office, is opened with the office's identity; the new passphrase is read from
    $FACILITATOR_NEW_PASSPHRASE or asked twice in the terminal.
    """
    from facilitator.actions.passphrase import recover_key, require_encrypted, set_passphrase
    from facilitator.sync.keys import load_identities

    if not data_dir.is_dir():
        raise FacilitatorError(f"{data_dir} is not a data folder")
    ws = Workspace(data_dir)
    require_encrypted(ws)
    held = recover_key(ws, load_identities(identity))
    set_passphrase(held, new_passphrase("New passphrase for the facilitator"))
    echo(
        f"recovered {data_dir}: it opens with the new passphrase now. Give the folder back with the "
        "passphrase; the facilitator can choose their own with 'facilitator passphrase change'",
        err=True,
    )
