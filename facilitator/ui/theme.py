"""The themes: Textual's own, plus a high-contrast one registered by the app."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="facilitator-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFFFF",
    warning="#FFFF00",
    error="#FF6060",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#202020",
    boost="#FFFFFF",
    dark=True,
    luminosity_spread=0.1,
    text_alpha=1.0,
    variables={
        "border": "#FFFFFF",
        "border-blurred": "#C0C0C0",
        "footer-key-foreground": "#FFFF00",
        "input-selection-background": "#FFFF00 60%",
        "block-cursor-background": "#FFFF00",
        "block-cursor-foreground": "#000000",
    },
)

DEFAULT_THEME = "textual-dark"
