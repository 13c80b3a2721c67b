"""Statement sets with other scales than the default five, written into a test's data folder."""

from __future__ import annotations

from facilitator.actions.data_folder import Workspace
from facilitator.store import SessionDetails

# key, label, short, symbol: from the agree end to the disagree end.
SEVEN = [
    ("strongly_agree", "Strongly agree", "Str agree", "+++"),
    ("agree", "Agree", "Agree", "++"),
    ("somewhat_agree", "Somewhat agree", "Smwt agree", "+"),
    ("neutral", "Neither agree nor disagree", "Neither", "0"),
    ("somewhat_disagree", "Somewhat disagree", "Smwt disagr", "-"),
    ("disagree", "Disagree", "Disagree", "--"),
    ("strongly_disagree", "Strongly disagree", "Str disagr", "---"),
]
NINE = [
    ("completely_agree", "Completely agree", "Compl agree", "++++"),
    *SEVEN,
    ("completely_disagree", "Completely disagree", "Compl disagr", "----"),
]
THREE = [
    ("agree", "Agree", "Agree", "+"),
    ("unsure", "Unsure", "Unsure", "?"),
    ("disagree", "Disagree", "Disagree", "-"),
]


def write_set(workspace: Workspace, set_id: str, scale: list[tuple[str, str, str, str]]) -> None:
    """A set with two statements and `scale`, in the data folder's `statements/`."""
    lines = [f'id = "{set_id}"', f'title = "A {len(scale)}-point set"', ""]
    neutral = len(scale) // 2 if len(scale) % 2 else -1
    for index, (key, label, short, symbol) in enumerate(scale):
        lines += [
            "[[scale]]",
            f'key = "{key}"',
            f'label = "{label}"',
            f'short = "{short}"',
            f"entry = {index + 1}",
            f'symbol = "{symbol}"',
            *(["neutral = true"] if index == neutral else []),
            "",
        ]
    for text in ("My social worker listens to me", "My social worker explains decisions"):
        lines += ["[[statements]]", f'text = "{text}"', ""]
    workspace.store  # noqa: B018 - the data folder as the app makes it (private), then the set in it
    folder = workspace.data_dir / "statements"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{set_id}.toml").write_text("\n".join(lines), encoding="utf-8")


def session_with_scale(
    workspace: Workspace, scale: list[tuple[str, str, str, str]], label: str = "Adult focus group 1"
) -> str:
    """A session created with a set of this scale (the set is written first)."""
    set_id = f"scale-{len(scale)}"
    write_set(workspace, set_id, scale)
    statement_set = workspace.catalogue().get(set_id)
    details = SessionDetails(label=label, cohort="adults", setting="community", date="2010-03-04")
    return workspace.store.sessions.create(statement_set, details).id
