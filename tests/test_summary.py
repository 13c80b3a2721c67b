"""The session summary: HTML (self-contained, printable) and Markdown (PNGs beside it)."""

from __future__ import annotations

import base64
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from facilitator.cli import main
from facilitator.exercise.receipt import make_receipt
from facilitator.outputs.findings import headcount, participants_sentence
from facilitator.store import Session
from tests.five_sessions import HOSTILE, build, expected_counts
from tests.folders import open_folder


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("data")
    with open_folder(data) as store:
        sessions = build(store)
    out = tmp_path_factory.mktemp("out")
    first = sessions["Adult focus group 1"]
    runner = CliRunner()
    for fmt in ("html", "md"):
        result = runner.invoke(
            main,
            [
                "export",
                first.id,
                "--format",
                fmt,
                "--out",
                str(out / f"summary.{fmt}"),
                "--data-dir",
                str(data),
            ],
        )
        assert result.exit_code == 0, result.output
    return {"data": data, "out": out, "session": first, "sessions": sessions}


class Collect(HTMLParser):
    """The tags and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Collect:
    collected = Collect()
    collected.feed(html)
    return collected


def test_the_html_summary_is_one_self_contained_page_with_inline_svg(exported: dict[str, Any]) -> None:
    page = (exported["out"] / "summary.html").read_text("utf-8")
    parsed = parse(page)

    assert parsed.tags.count("svg") == 4
    assert "script" not in parsed.tags and "link" not in parsed.tags
    assert parsed.tags.count("img") == 1  # the receipt's QR code, inline
    links = [value or "" for name, value in parsed.attrs if name in {"href", "src", "xlink:href", "action"}]
    assert all(link.startswith(("#", "data:image/png;base64,")) for link in links)
    assert "<metadata>" not in page
    assert "@page { size: A4" in page and "@media print" in page
    svgs = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    for svg in svgs:
        ET.fromstring(svg)  # each inline chart is well-formed XML
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_the_html_summary_holds_details_without_names_counts_and_comments_by_response(
    exported: dict[str, Any],
) -> None:
    text = " ".join(parse((exported["out"] / "summary.html").read_text("utf-8")).text)

    assert "Session summary: Adult focus group 1" in text
    assert "10 took part: 7 male, 3 female." in text
    assert "AB" not in text.split()  # facilitators' initials stay out
    assert "Adult focus group 1: I expect my social worker to listen to me" in text
    counts = expected_counts(["Adult focus group 1"], 1)
    assert f"Agree {counts['agree']}" in re.sub(r"\s+", " ", text)
    assert "Agree (5 comments)" in text and "Disagree (2 comments)" in text
    assert "Adult focus group 1 statement 2 participant 1" in text


def test_the_html_summary_embeds_the_session_s_qr_receipt_with_a_caption(exported: dict[str, Any]) -> None:
    import zxingcpp
    from PIL import Image

    page = (exported["out"] / "summary.html").read_text("utf-8")
    (encoded,) = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
        (decoded,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    with open_folder(exported["data"]) as store:
        session = store.sessions.get(exported["session"].id)
        expected = make_receipt(store, session).text
    assert decoded.text == expected
    text = " ".join(parse(page).text)
    assert expected in text
    assert "This QR code is the session's receipt" in text and "facilitator receipt verify" in text


def test_hostile_comments_show_as_text_in_html(exported: dict[str, Any]) -> None:
    page = (exported["out"] / "summary.html").read_text("utf-8")
    parsed = parse(page)
    text = "".join(parsed.text)

    assert "<script>alert('x')</script>" in text
    assert '=HYPERLINK("http://example.org","click")' in text
    assert "[red]markup[/] and *stars*" in text
    assert "␛[31mred␛[0m & <b>bold</b>" in text
    assert "b" not in parsed.tags and "\x1b" not in page


def test_the_markdown_summary_refers_to_pngs_beside_it(exported: dict[str, Any]) -> None:
    out: Path = exported["out"]
    markdown = (out / "summary.md").read_text("utf-8")

    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert images == [f"summary-statement-{n}.png" for n in range(1, 5)]
    for name in images:
        assert (out / name).read_bytes().startswith(b"\x89PNG")


def test_hostile_comments_show_literally_once_markdown_is_rendered(exported: dict[str, Any]) -> None:
    rendered = (
        MarkdownIt("commonmark").enable("table").render((exported["out"] / "summary.md").read_text("utf-8"))
    )
    parsed = parse(rendered)
    text = "".join(parsed.text)

    for comment in HOSTILE[:3]:
        assert comment in text
    assert "␛[31mred␛[0m & <b>bold</b>" in text
    assert "script" not in parsed.tags and "b" not in parsed.tags and "a" not in parsed.tags
    assert parsed.tags.count("img") == 4
    assert parsed.tags.count("h2") == 7  # details, four statements, the discussion, the receipt


def test_a_multi_line_comment_stays_in_its_list_item(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_folder(data) as store:
        session = build(store)["Young offender focus group 5"]
        store.postits.add(session.id, 1, "agree", "first line\n# not a heading\n    not code")
    out = tmp_path / "s.md"

    result = CliRunner().invoke(
        main, ["export", session.id, "--format", "md", "--out", str(out), "--data-dir", str(data)]
    )

    assert result.exit_code == 0, result.output
    rendered = MarkdownIt("commonmark").render(out.read_text("utf-8"))
    assert "# not a heading" in rendered and "<pre>" not in rendered and "<h1>not" not in rendered


def test_markdown_to_stdout_is_refused_and_json_and_csv_are_unchanged(exported: dict[str, Any]) -> None:
    session: Session = exported["session"]
    runner = CliRunner()
    args = ["--data-dir", str(exported["data"])]

    refused = runner.invoke(main, ["export", session.id, "--format", "md", "--out", "-", *args])
    as_json = runner.invoke(main, ["export", session.id, "--format", "json", "--out", "-", *args])

    assert refused.exit_code == 2 and "needs --out FILE" in refused.output
    assert json.loads(as_json.stdout)["statements"][0]["total"] == 10


def test_html_goes_to_stdout_when_asked(exported: dict[str, Any]) -> None:
    session: Session = exported["sessions"]["Young offender focus group 4"]

    result = CliRunner().invoke(
        main, ["export", session.id, "--format", "html", "--out", "-", "--data-dir", str(exported["data"])]
    )

    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and "7 took part: 7 male, 0 female." in result.stdout


def test_participant_totals_in_the_reports_form(exported: dict[str, Any]) -> None:
    with open_folder(exported["data"]) as store:
        counts = [headcount(store, s) for s in store.sessions.all()]

    assert participants_sentence(counts) == "46 took part: 37 male, 9 female; 32 adults, 14 young offenders."
    assert participants_sentence([]) == "Participant numbers were not recorded."


def test_the_apps_summaries_get_names_nothing_uses_yet(tmp_path: Path, session: Session) -> None:
    from facilitator.outputs.summary import new_summary_path

    assert new_summary_path(tmp_path, session, "html") == tmp_path / "adult-focus-group-1-2010-03-01.html"
    (tmp_path / "adult-focus-group-1-2010-03-01.html").write_text("earlier")
    (tmp_path / "adult-focus-group-1-2010-03-01-2.html").write_text("earlier")
    assert new_summary_path(tmp_path, session, "html").name == "adult-focus-group-1-2010-03-01-3.html"
    # Markdown needs its PNG charts' names free as well.
    (tmp_path / "adult-focus-group-1-2010-03-01-statement-2.png").write_bytes(b"")
    assert new_summary_path(tmp_path, session, "md").name == "adult-focus-group-1-2010-03-01-2.md"
    # Only letters, digits and hyphens reach the file name.
    odd = replace(session, label="../[x]*?")
    assert new_summary_path(tmp_path, odd, "md").name == "x-2010-03-01.md"
    # An example session's file is never taken for a real one.
    example = replace(session, example=True)
    assert new_summary_path(tmp_path, example, "docx").name == "example-adult-focus-group-1-2010-03-01.docx"


def test_a_printed_summary_never_splits_a_heading_across_two_pages(
    exported: dict[str, Any], tmp_path: Path
) -> None:
    import shutil
    import subprocess

    if not shutil.which("chromium") or not shutil.which("pdftotext"):
        pytest.skip("chromium and pdftotext are needed to print the summary")
    pdf = tmp_path / "summary.pdf"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", (exported["out"] / "summary.html").as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")]
    assert len(pages) > 2, "the summary should run over several pages for this test to mean anything"
    for statement in exported["session"].statements:
        heading = f"Statement {statement.number}: {statement.text}"
        assert any(heading in page for page in pages), f"{heading!r} is split across two pages"


def test_a_summary_chart_counts_against_the_typed_participants(tmp_path: Path) -> None:
    from facilitator.outputs.summary import summary_html
    from facilitator.store import SessionDetails

    with open_folder(tmp_path / "data") as store:
        session = build(store)["Adult focus group 1"]
        typed = SessionDetails(
            label=session.label,
            cohort=session.cohort,
            setting=session.setting,
            consultation=session.consultation or "",
            date=session.date,
            participants=12,
            male=8,
            female=4,
        )
        page = summary_html(store, store.sessions.update(session.id, typed))

    drawn = re.findall(r">(n = [^<]*)</text>", page)
    assert drawn == ["n = 10 of 12 participants"] * 4
    assert '<p class="n">' not in page  # said once, by the chart
