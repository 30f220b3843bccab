#!/usr/bin/env python3
"""Turns the text of a meeting document into a Word .docx with pandoc, for the tests that
check that a .docx reads the same as its text.

Each line becomes a paragraph (a blank line an empty-looking one, so that Word keeps it), and
each run of lines with tab-separated cells (the header and the sakliste of documents saved
from Word) becomes a Word table, one row per line, as it was in the original document.

    python3 scripts/make-docx-fixture.py tests/fixtures/asu-2024-06-19-referat.txt \
        tests/fixtures/asu-2024-06-19-referat.docx

Needs pandoc (apt-get install pandoc). The .docx files are committed; the tests do not run
this.
"""
import html
import subprocess
import sys


def to_html(text: str) -> str:
    out = ["<html><head><meta charset='utf-8'></head><body>"]
    table = []

    def flush():
        if table:
            width = max(len(row) for row in table)
            out.append("<table>")
            for row in table:
                cells = row + [""] * (width - len(row))
                out.append(
                    "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                )
            out.append("</table>")
            table.clear()

    for line in text.split("\n"):
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        flush()
        # A non-breaking space keeps an empty paragraph, which Word shows as a blank line.
        out.append(f"<p>{html.escape(line) if line.strip() else '&#160;'}</p>")
    flush()
    out.append("</body></html>")
    return "\n".join(out)


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        text = f.read()
    subprocess.run(
        ["pandoc", "--from=html", "--to=docx", "--output", target],
        input=to_html(text).encode("utf-8"),
        check=True,
    )


if __name__ == "__main__":
    main()
