"""Write one invented 项目支出绩效自评表 as .html, .xlsx, .docx and .pdf into data/tables/.

The four files carry the same table, so that each reader is tested on the format it reads and
the extractor's output can be compared across formats (tests/test_tables_formats.py). The
content is invented for this project. Run: ``python scripts/make_table_samples.py``.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "tables"
NAME = "t00_county_legal_aid_form"

TITLE = "青川县司法局2023年度项目支出绩效自评表"
INTRO = "填报单位：青川县司法局"
ROWS = [
    ["项目名称", "青川县法律援助经费", "", "", "", "", ""],
    ["主管部门", "青川县司法局", "", "实施单位", "青川县法律援助中心", "", ""],
    ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["年度资金总额", "120.00", "126.50", "118.20", "10", "93.44%", "9.3"],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "质量指标", "法律援助案件办结率", "≥95%", "98.6%", "20", "20"],
    ["满意度指标", "服务对象满意度指标", "受援群众满意度", "≥90%", "96%", "10", "10"],
    ["总分", "", "", "", "", "100", "95.3"],
]
FOOT = "填报说明：预算执行率未达到90%的需说明原因。"


def write_html(path: Path) -> None:
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in ROWS
    )
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{TITLE}</title></head>
<body>
<div class="nav"><a href="/">首页</a> | <a href="/zwgk">政务公开</a> | <a href="/czyjs">财政预决算</a></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 财政预决算</div>
<div class="article">
<h1>{TITLE}</h1>
<p>{INTRO}</p>
<table border="1">
{rows}
</table>
<p>{FOOT}</p>
</div>
<div class="footer">主办：青川县人民政府办公室　网站标识码：0000000000</div>
</body></html>
"""
    path.write_text(page, encoding="utf-8")


def write_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "自评表"
    sheet.append([TITLE])
    sheet.append([INTRO])
    for row in ROWS:
        cells: list[object] = []
        for value in row:
            # Numbers as numbers, with the formats a finance office uses: 0.00 and 0.00%.
            if value.endswith("%") and value[0].isdigit():
                cells.append(float(value[:-1]) / 100)
            elif value.replace(".", "", 1).isdigit():
                cells.append(float(value))
            else:
                cells.append(value)
        sheet.append(cells)
        for cell, value in zip(sheet[sheet.max_row], row):
            if isinstance(cell.value, float):
                if value.endswith("%"):
                    cell.number_format = "0.00%" if "." in value else "0%"
                else:
                    cell.number_format = "0.00" if "." in value else "0"
    sheet.append([FOOT])
    book.save(path)


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(INTRO)
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph(FOOT)
    document.save(path)


def write_pdf(path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16)
    table = Table(ROWS)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ]))
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4))
    doc.build([Paragraph(TITLE, style), Paragraph(INTRO, style), table, Paragraph(FOOT, style)])


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix, write in ((".html", write_html), (".xlsx", write_xlsx), (".docx", write_docx), (".pdf", write_pdf)):
        write(OUT / f"{NAME}{suffix}")
        print(OUT / f"{NAME}{suffix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
