"""The terminal's QR code is the receipt: drawn as a screen shows it, it decodes to the receipt text."""

from __future__ import annotations

from PIL import Image

from facilitator.exercise.receipt import qr_modules
from facilitator.ui.widgets.qr_code import half_blocks

RECEIPT = (
    "facilitator-receipt/1 session=0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b "
    "counts=10.12.3.4.5/10.12.3.4.5/10.12.3.4.5/10.12.3.4.5 postits=136 sha256=" + "ab" * 32
)


def draw(lines: list[str], cell_width: int = 6, cell_height: int = 12) -> Image.Image:
    """Black on white, each character a cell twice as tall as wide, as in a terminal."""
    margin = 4 * cell_width
    image = Image.new(
        "L", (len(lines[0]) * cell_width + 2 * margin, len(lines) * cell_height + 2 * margin), 255
    )
    half = cell_height // 2
    for row, line in enumerate(lines):
        for column, char in enumerate(line):
            left, top = margin + column * cell_width, margin + row * cell_height
            if char in "█▀":
                image.paste(0, (left, top, left + cell_width, top + half))
            if char in "█▄":
                image.paste(0, (left, top + half, left + cell_width, top + cell_height))
    return image


def test_half_blocks_draw_a_code_that_decodes_to_the_receipt() -> None:
    import zxingcpp

    modules = qr_modules(RECEIPT)
    lines = half_blocks(modules)

    assert len(lines) == (len(modules) + 1) // 2 and {len(line) for line in lines} == {len(modules)}
    assert set("".join(lines)) <= set(" ▀▄█")
    (found,) = zxingcpp.read_barcodes(draw(lines), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.text == RECEIPT
