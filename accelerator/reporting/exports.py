"""Exports of the dashboard's tables: CSV for Excel (UTF-8 with BOM, ``;``, decimal comma),
XLSX (XlsxWriter, numbers kept as numbers), the ministry's PDF report (reportlab, with charts)
and the open data CSV (UTF-8, ``,``, decimal point: machine-readable)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable

import xlsxwriter
from flask import Response
from flask_babel import gettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import PageBreak, Spacer

from accelerator.core import pdf
from accelerator.core.formatting import number
from accelerator.reporting.tables import Dashboard, Table, status_label

BOM = "\ufeff"


def _cell_text(value) -> str:
    """A value as the page writes it in a CSV cell: decimal comma, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",") if value != int(value) else str(int(value))
    return str(value)


def _pdf_text(value) -> str:
    """A value as the PDF writes it: numbers in the reader's language ("81,3" / "81.3"),
    thousands separated, a dash for None."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return number(value, 0 if isinstance(value, int) else 2, exact=False)


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_cell_text(v) for v in row] for row in table.rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def tables_xlsx(tables: Iterable[Table]) -> bytes:
    """One worksheet per table (its key as the sheet name), header row in bold."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    for table in tables:
        sheet = workbook.add_worksheet(table.key[:31])
        sheet.write_row(0, 0, table.columns, bold)
        for index, row in enumerate(table.rows, start=1):
            for column, value in enumerate(row):
                if value is None:
                    sheet.write_blank(index, column, None)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(index, column, value)
                else:
                    sheet.write_string(index, column, str(value))
        sheet.set_column(0, max(0, len(table.columns) - 1), 22)
    workbook.close()
    return buffer.getvalue()


def download(content: bytes, filename: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def open_data_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


# --- The ministry's PDF report ---------------------------------------------------------------


def _line_chart(table: Table, width: float) -> Drawing:
    """Cumulative trained teachers (solid) and the projection (dashed) by month index."""
    drawing = Drawing(width, 60 * mm, initialFontName=pdf.FONT)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 12 * mm, 8 * mm, width - 20 * mm, 48 * mm
    known = [(i, row[2]) for i, row in enumerate(table.rows) if row[2] is not None]
    projected = [(i, row[3]) for i, row in enumerate(table.rows) if row[3] is not None]
    plot.data = [known or [(0, 0)], projected or [(0, 0)]]
    plot.lines[0].strokeColor = pdf.BLUE_FRANCE
    plot.lines[1].strokeColor = pdf.GREY_TEXT
    plot.lines[1].strokeDashArray = [3, 2]
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = max(1, len(table.rows) - 1)
    plot.yValueAxis.valueMin = 0
    months = [str(row[0]) for row in table.rows]
    # the months themselves under the x axis (about six of them), numbers in the reader's
    # language on the y axis
    plot.xValueAxis.valueStep = max(1, len(months) // 6)
    plot.xValueAxis.labelTextFormat = lambda i: (
        months[int(i)] if float(i).is_integer() and 0 <= int(i) < len(months) else ""
    )
    plot.yValueAxis.labelTextFormat = lambda v: number(v, 2, exact=False)
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = pdf.FONT
        axis.labels.fontSize = 7
    drawing.add(plot)
    return drawing


def _bar_chart(table: Table, width: float, column: int = 1) -> Drawing:
    rows = [row for row in table.rows if isinstance(row[column], int | float)]
    names = [str(row[0]) for row in rows]
    # a row per name: taller where a name needs two lines to fit left of the bars
    wraps = any(stringWidth(name, pdf.FONT, 7) > 42 * mm for name in names)
    height = max(20 * mm, (8 if wraps else 5) * mm * len(rows) + 10 * mm)
    drawing = Drawing(width, height, initialFontName=pdf.FONT)
    chart = HorizontalBarChart()
    chart.x, chart.y = 45 * mm, 5 * mm
    chart.width, chart.height = width - 55 * mm, height - 10 * mm
    chart.data = [[row[column] for row in rows] or [0]]
    # whole names, wrapped within the 42 mm left of the bars (never cut)
    chart.categoryAxis.categoryNames = names or [""]
    chart.categoryAxis.labels.fontName = pdf.FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.maxWidth = 42 * mm
    chart.valueAxis.labels.fontName = pdf.FONT
    chart.valueAxis.labelTextFormat = lambda v: number(v, 2, exact=False)
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.valueMin = 0
    values = chart.data[0]
    if all(isinstance(value, int) for value in values):  # counts: whole steps from 0
        chart.valueAxis.valueMax = max(1, *values)
        chart.valueAxis.valueStep = max(1, math.ceil(chart.valueAxis.valueMax / 5))
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = pdf.BLUE_FRANCE
    drawing.add(chart)
    return drawing


def report_pdf(board: Dashboard) -> bytes:
    sheet = pdf.styles()
    width = pdf.content_width()
    period = board.period
    title = gettext(
        "Contract indicators from %(start)s to %(end)s",
        start=period.start.isoformat(),
        end=period.end.isoformat(),
    )
    story = [pdf.text(title, sheet["Title"])]
    if period.academy:
        from accelerator.core.reference import ACADEMIES

        story.append(
            pdf.text(
                gettext("Académie: %(name)s", name=ACADEMIES[period.academy]), sheet["Heading2"]
            )
        )
    rows = [[gettext("Indicator"), gettext("Value"), gettext("Target"), gettext("Status")]]
    for item in board.values:
        rows.append(
            [
                str(item.indicator.label),
                _pdf_text(item.value),
                _pdf_text(item.target),
                status_label(item.status),
            ]
        )
    story.append(pdf.table(rows, [width * 0.5, width * 0.15, width * 0.15, width * 0.2], sheet))
    story.append(PageBreak())
    story.append(pdf.text(gettext("Definitions"), sheet["Heading1"]))
    for item in board.values:
        story.append(pdf.text(str(item.indicator.label), sheet["Heading3"]))
        story.append(pdf.text(str(item.indicator.definition), sheet["Body"]))
    story.append(PageBreak())
    progress = board.tables["progress"]
    story.append(pdf.text(progress.title, sheet["Heading1"]))
    story.append(_line_chart(progress, width))
    story.append(pdf.text(progress.note, sheet["Small"]))
    for key in ("by_academy", "by_solution", "funnel"):
        table = board.tables[key]
        story.append(pdf.text(table.title, sheet["Heading1"]))
        story.append(_bar_chart(table, width))
        story.append(Spacer(1, 3 * mm))
    for key in (
        "progress",
        "by_academy",
        "by_solution",
        "funnel",
        "agreement_criteria",
        "agreement_experts",
        "workload",
    ):
        table = board.tables[key]
        story.append(pdf.text(table.title, sheet["Heading2"]))
        columns = len(table.columns)
        story.append(
            pdf.table(
                [table.columns] + [[_pdf_text(v) for v in row] for row in table.rows],
                [width / columns] * columns,
                sheet,
            )
        )
        if table.note:
            story.append(pdf.text(table.note, sheet["Small"]))
    return pdf.build_pdf(story, title=title, footer=gettext("Report for the ministry"))
