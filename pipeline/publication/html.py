"""A minimal HTML shell for every page this package writes: Japanese, UTF-8, inline CSS, no JavaScript.

Pages are meant to be copied as they are onto the insurer's website, so they are self-contained (no
external font, script or stylesheet) and every text is escaped here, in one place.
"""

from __future__ import annotations

from html import escape

CSS = """
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo,
       sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1a1a1a; line-height: 1.7; }
h1 { font-size: 1.6rem; border-bottom: 3px solid #0b4f8a; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; color: #0b4f8a; }
h3 { font-size: 1.05rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #b8c4d0; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #e8eff6; white-space: nowrap; }
ul.items li { margin: .15rem 0; }
.note { color: #555; font-size: .9rem; }
nav a { margin-right: 1rem; }
"""


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, lang: str = "ja") -> str:
    """A complete HTML5 document around ``body`` (already escaped HTML)."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def table_rows(rows: list[tuple[str, str]]) -> str:
    """``<table>`` of header/value pairs; both escaped."""
    body = "\n".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in rows)
    return f"<table>\n<tbody>\n{body}\n</tbody>\n</table>"
