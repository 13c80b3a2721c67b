"""The printable wall kit: a statement set as one self-contained page that prints on A4."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from facilitator.core.statements import StatementSet, load_statement_set, parse_statement_set
from facilitator.outputs.kit import FACILITATOR_PAGES, kit_html, page_count
from tests.conftest import DEFAULT_SET, Cli

REPO = Path(__file__).resolve().parent.parent
TWO_LANGUAGES = REPO / "tests" / "fixtures" / "two-languages.toml"


def shipped() -> StatementSet:
    return load_statement_set(REPO / "statements" / f"{DEFAULT_SET}.toml")


def sections(page: str, kind: str) -> list[str]:
    """The text of each page section of one kind ("statement", "card", "facilitator")."""
    found = re.findall(rf'<section class="{kind}"[^>]*>(.*?)</section>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", s).split()) for s in found]


def font_sizes(page: str, selector: str) -> list[int]:
    """The font sizes (pt) the page's CSS gives to rules whose selector holds `selector`."""
    css = re.search(r"<style>(.*)</style>", page, re.S).group(1)  # type: ignore[union-attr]
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    sizes = []
    for rule_selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if selector in rule_selector.split(",")[0] and (size := re.search(r"font-size:\s*(\d+)pt", body)):
            sizes.append(int(size.group(1)))
    return sizes


def test_the_kit_has_the_facilitators_pages_then_a_page_per_statement_and_per_card() -> None:
    page = kit_html(shipped())
    assert len(sections(page, "facilitator")) == FACILITATOR_PAGES
    statements = sections(page, "statement")
    assert statements[0] == "Statement 1 of 4 I expect my social worker to listen to me"
    assert statements[3] == "Statement 4 of 4 Social workers don&#39;t understand me"
    # A typed hyphen prints as a minus sign, as wide as the plus.
    assert sections(page, "card") == ["++ Strongly agree", "+ Agree", "? Not sure", "\u2212 Disagree",
                                      "\u2212\u2212 Strongly disagree"]  # fmt: skip
    statements_page, consent_page = sections(page, "facilitator")
    assert "1 ++ Strongly agree" in statements_page and "5 -- Strongly disagree" in statements_page
    assert "I expect my social worker to tell me what to do" in statements_page
    # The defaults: what we collect, no names, quoted without names, anyone may pass.
    for words in ("What we collect", "No names", "quoted in the report, without names", "Anyone may pass",
                  "You do not have to take part"):  # fmt: skip
        assert words in consent_page
    assert page_count(shipped()) == 4 + 5 + FACILITATOR_PAGES


def test_the_kit_is_self_contained_and_prints_statements_large_on_landscape_pages() -> None:
    page = kit_html(shipped())
    assert not re.search(r"<(script|link|img)\b|url\(|@import|src=", page)
    assert "@page statement { size: A4 landscape" in page
    assert "@page card { size: A4 landscape" in page
    first = font_sizes(page, ".first")
    assert first and min(first) >= 48
    second = font_sizes(page, ".second")
    assert second and min(second) >= 36


def test_the_facilitators_page_says_how_many_copies_of_the_cards_to_print() -> None:
    page = kit_html(shipped())
    statements_page = sections(page, "facilitator")[0]
    assert "one set of 5 scale cards" in statements_page
    assert (
        "Print the cards once for each statement on the wall at the same time: for all 4 statements "
        "at once, print the card pages 4 times (20 cards). If you hang one statement at a time, "
        "one set is enough."
    ) in statements_page


def test_how_to_print_shows_on_the_screen_only_and_the_pages_leave_no_room_for_headers() -> None:
    page = kit_html(shipped())
    note = re.search(r'<div class="how-to-print"[^>]*>(.*?)</div>', page, re.S)
    assert note is not None and page.index(note.group(0)) < page.index("<section")  # at the top
    words = " ".join(re.sub(r"<[^>]+>", " ", note.group(1)).split())
    assert "A4" in words and '"Headers and footers"' in words and '"Background graphics"' in words
    assert "@media print { .how-to-print { display: none; } }" in page
    # A browser prints its header and footer in the page's margin: there is none.
    margins = re.findall(r"@page[^{]*\{[^}]*margin:\s*([^;]+);", page)
    assert margins and set(margins) == {"0"}


def test_a_long_statement_keeps_at_least_48_points() -> None:
    long_text = "My social worker " * 12
    statement_set = parse_statement_set(
        {
            "id": "long",
            "title": "Long",
            "scale": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}],
            "statements": [{"text": long_text}],
        }
    )
    page = kit_html(statement_set)
    assert '<p class="first ">' in page  # the smallest size class, which is 48 pt
    assert min(font_sizes(page, ".first")) == 48


def test_set_text_is_shown_as_text_never_as_markup_or_terminal_codes() -> None:
    hostile = parse_statement_set(
        {
            "id": "hostile",
            "title": "<script>alert(1)</script> [bold]x[/bold]",
            "consent": "Say <b>hello</b>\x1b[31m",
            "scale": [
                {"key": "yes", "label": "<img src=x onerror=alert(1)>", "symbol": "&amp;"},
                {"key": "no", "label": "No"},
            ],
            "statements": [{"text": "I </section><section> \u202eevil\x07"}],
        }
    )
    page = kit_html(hostile)
    assert "<script>alert" not in page and "<img src" not in page and "<b>hello" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [bold]x[/bold]" in page
    assert "&lt;/section&gt;&lt;section&gt;" in page
    assert "\x1b" not in page and "\x07" not in page and "\u202e" not in page
    assert "␛[31m" in page and "\\u202eevil␇" in page
    assert "&amp;amp;" in page
    assert len(sections(page, "statement")) == 1


def test_a_set_in_two_languages_prints_both_the_second_under_the_first() -> None:
    two = load_statement_set(TWO_LANGUAGES)
    page = kit_html(two)
    first, second = (
        re.search(rf'<p class="{kind}[^"]*"[^>]*>([^<]*)</p>', page.split('id="statement-1"')[1]).group(1)  # type: ignore[union-attr]
        for kind in ("first", "second")
    )
    assert first == "I expect my social worker to listen to me"
    assert second == "Rwy&#39;n disgwyl i&#39;m gweithiwr cymdeithasol wrando arna i"
    assert 'lang="cy"' in page
    cards = ["+ Agree Cytuno", "? Not sure Ddim yn siŵr", "\u2212 Disagree Anghytuno"]
    assert sections(page, "card") == cards
    statements_page, consent_page = sections(page, "facilitator")
    assert (
        "Cymraeg" in statements_page and "Dydy gweithwyr cymdeithasol ddim yn fy neall i" in statements_page
    )
    # The set's own consent script replaces the default, paragraph by paragraph.
    assert "We are here to hear what you think about social workers." in consent_page
    assert "Is everyone happy to go on?" not in consent_page
    assert page.count("<p>We are here") == 1 and "<p>You do not have to take part, and you may pass" in page


# ---------------------------------------------------------------- the command


def test_kit_writes_the_page_and_says_how_many_pages_it_prints_on(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "print" / "kit.html"
    result = cli("kit", "--set", DEFAULT_SET, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == (
        f"wrote {out}: 11 A4 pages (2 for the facilitator, 4 statements, 5 scale cards)"
    )
    assert out.read_text(encoding="utf-8") == kit_html(shipped())
    assert out.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "nope", "--out", "kit.html"], "error: unknown statement set 'nope' (known: "),
        (
            ["--set", DEFAULT_SET, "--out", "kit.pdf"],
            "error: the wall kit is a web page: give a file name ending in .html, not 'kit.pdf'",
        ),
        (["--set", DEFAULT_SET, "--out", "-"], "error: the wall kit is a page to print"),
        (["--set", DEFAULT_SET, "--out", "folder.html"], "is a folder"),
        (["--set", DEFAULT_SET, "--out", "k" * 300 + ".html"], "error: cannot write k"),
        (["--set", DEFAULT_SET, "--out", ".html"], "error: the wall kit needs a name before .html"),
    ],
)
def test_kit_refuses_an_unknown_set_or_a_bad_out_with_one_line_and_writes_nothing(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    work = tmp_path / "work"
    (work / "folder.html").mkdir(parents=True)
    monkeypatch.chdir(work)
    result = cli("kit", *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.stderr
    assert sorted(p.name for p in work.iterdir()) == ["folder.html"]
    assert not any((work / "folder.html").iterdir())


# ---------------------------------------------------------------- printed


def print_to_pdf(page: Path, pdf: Path) -> int:
    """Print the page with headless Chromium, as a person would (its header and footer on);
    the PDF's page count (all A4)."""
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert sizes and all({round(float(w)), round(float(h))} == {595, 842} for w, h in sizes), sizes
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.parametrize("path", [REPO / "statements" / f"{DEFAULT_SET}.toml", TWO_LANGUAGES])
def test_the_kit_prints_one_page_per_statement_card_and_facilitator_page(path: Path, tmp_path: Path) -> None:
    if not shutil.which("chromium") or not shutil.which("pdfinfo"):
        pytest.skip("chromium and pdfinfo are needed to print the kit")
    statement_set = load_statement_set(path)
    page = tmp_path / "kit.html"
    page.write_text(kit_html(statement_set), encoding="utf-8")
    pages = print_to_pdf(page, tmp_path / "kit.pdf")
    assert pages == len(statement_set.statements) + len(statement_set.scale) + FACILITATOR_PAGES
    if shutil.which("pdftotext"):
        printed = subprocess.run(
            ["pdftotext", str(tmp_path / "kit.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        # No browser header or footer (the file's address, the date), and no note on how to print.
        assert "file:" not in printed and "kit.html" not in printed and "How to print" not in printed
        assert "Statement 1 of" in printed
    assert pages == page_count(statement_set)
