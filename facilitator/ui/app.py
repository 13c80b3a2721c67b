"""Placeholder until the app lands; replaced by the wall issue."""

from __future__ import annotations

from facilitator.services import Workspace


def run_app(workspace: Workspace, session_id: str | None = None) -> None:
    raise NotImplementedError
