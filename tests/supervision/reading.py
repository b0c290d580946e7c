"""Reading what supervisors and admins are shown: CSV exports and dashboard tables, cell by cell."""

from __future__ import annotations

import csv
import html
import io
import re

from django.urls import reverse

CSV_HEADER = ["group", "period", "period_start", "period_end", "measure", "value", "status"]
TABLE = re.compile(
    r'aria-labelledby="(?P<unit>[a-z]+-\d+)-(?P<family>[a-z_]+)-table-caption">.*?<tbody>(?P<body>.*?)</tbody>', re.S
)
ROW = re.compile(r'<tr><th scope="row" data-week="(?P<week>[^"]+)">[^<]+</th>(?P<cells>.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>.*?</td>", re.S)


def csv_cells(text: str) -> dict:
    """(unit name, week, measure) -> (period start, period end, value, status), for every row of an export."""
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_HEADER
    return {(row[0], row[1], row[4]): (row[2], row[3], row[5], row[6]) for row in rows[1:]}


def csv_lines_for_weeks(text: str, weeks: set[str]) -> list[str]:
    """The exact lines of an export (as downloaded) for the given week labels."""
    lines = text.splitlines()
    return [line for line, row in zip(lines, csv.reader(lines), strict=True) if row[1] in weeks]


def cell_text(cell: str) -> str:
    suppressed = 'class="suppressed"' in cell.split(">", 1)[0]
    text = html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
    return f"[hidden] {text}" if suppressed else text


def dashboard_tables(page: str) -> dict:
    """(unit, week) -> the text of each cell of the rows a dashboard shows for it, family after family.

    `unit` is "team-<id>" or "group-<id>"; `week` the ISO label each row carries. A team too
    small for its own figures shows no table of its own, only its groups'.
    """
    found: dict = {}
    for table in TABLE.finditer(page):
        for row in ROW.finditer(table["body"]):
            key = (table["unit"], row["week"])
            found[key] = found.get(key, ()) + tuple(cell_text(cell) for cell in CELL.findall(row["cells"]))
    return found


def team_export(client, team, weeks: int = 52) -> str:
    response = client.get(reverse("supervision:team_export", args=[team.pk]), {"weeks": weeks})
    assert response.status_code == 200
    return response.content.decode()


def organisation_export(client, weeks: int = 52) -> str:
    response = client.get(reverse("supervision:organisation_export"), {"weeks": weeks})
    assert response.status_code == 200
    return response.content.decode()


def team_dashboard(client, team, weeks: int = 52) -> str:
    response = client.get(reverse("supervision:team_dashboard", args=[team.pk]), {"weeks": weeks})
    assert response.status_code == 200
    return response.content.decode()
