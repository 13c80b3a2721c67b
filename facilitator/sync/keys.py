"""age keys: the office's identity (private) and the recipient (public) laptops encrypt to.

The office makes an identity once (`keys new`), keeps it off the laptops, and gives
each laptop its public recipient (`keys trust`). A lost laptop's bundles then reveal
nothing to whoever finds them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from facilitator.core.clock import now
from facilitator.core.errors import FacilitatorError
from facilitator.core.files import POSIX, PRIVATE_FILE
from facilitator.store import Store

META_RECIPIENT = "sync_recipient"
SECRET_PREFIX = "AGE-SECRET-KEY-1"


def new_identity(out: Path) -> str:
    """Write a new identity to `out` (owner-only; never over an existing file); return its recipient."""
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    text = f"# created: {now()}\n# public key: {recipient}\n{identity}\n"
    directory = out.parent if str(out.parent) else Path(".")
    if out.exists() or out.is_symlink():
        raise FacilitatorError(f"{out} already exists: an identity is never overwritten; choose another file")
    if not directory.is_dir():
        raise FacilitatorError(f"cannot write {out}: the folder {directory} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=directory)
    except OSError as error:
        raise FacilitatorError(f"cannot write {out}: {error.strerror}") from None
    try:
        if POSIX:  # mkstemp made it 0600 already; said explicitly, as for every file the app writes
            os.fchmod(handle, PRIVATE_FILE)
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        # A hard link never replaces an existing file: the identity appears whole, or not at all.
        os.link(temporary, out)
    except FileExistsError:
        raise FacilitatorError(f"{out} already exists: an identity is never overwritten") from None
    except OSError as error:
        raise FacilitatorError(f"cannot write {out}: {error.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return recipient


def load_identities(path: Path) -> list[Any]:
    """The age identities in an identity file (as `keys new` or age-keygen writes them)."""
    import pyrage

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FacilitatorError(f"identity file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not text"
        raise FacilitatorError(f"cannot read identity file {path}: {reason}") from None
    identities = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            raise FacilitatorError(
                f"{path} is not an age identity file (a line is not a secret key)"
            ) from None
    if not identities:
        raise FacilitatorError(f"{path} holds no identity: make one with 'facilitator keys new --out FILE'")
    return identities


def recipient_of(identities: list[Any]) -> str:
    return str(identities[0].to_public())


def check_recipient(recipient: str) -> str:
    """The recipient, stripped, or a clear error if it is not an age public key."""
    import pyrage

    recipient = recipient.strip()
    if recipient.startswith(SECRET_PREFIX):
        raise FacilitatorError(
            "that is a private identity, not a recipient: never put it on a laptop; "
            "give the 'age1...' public key that 'keys new' printed"
        )
    try:
        pyrage.x25519.Recipient.from_str(recipient)
    except pyrage.RecipientError:
        raise FacilitatorError(
            f"{recipient[:20]!r} is not an age recipient: it starts 'age1' and is 62 characters long"
        ) from None
    return recipient


def trust(store: Store, recipient: str) -> str | None:
    """Encrypt this device's bundles to `recipient` from now on; return the one it replaces."""
    recipient = check_recipient(recipient)
    previous = store.meta.get(META_RECIPIENT)
    store.meta.set(META_RECIPIENT, recipient)
    return previous if previous != recipient else None


def trusted(store: Store) -> str | None:
    return store.meta.get(META_RECIPIENT)
