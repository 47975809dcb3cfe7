"""The community summary: plain words for residents, in English and Spanish (issue 15.4).

The exact sentences are checked on the hand-worked grid (tests/helpers.py), whose numbers are
worked out below; the files (HTML, workbook sheets, PDFs) on the grid and on the sample project.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import SAMPLE_PROJECT
from openpyxl import load_workbook
from report_helpers import grid_assessment, soffice

from equityplanner import i18n
from equityplanner.io.project_file import ProjectFileError, load_project, save_project
from equityplanner.report.community_summary import (
    build_community_summary,
    community_summary_html,
    community_summary_paths,
    planner_notices,
    rounded_count,
    share_words,
)
from equityplanner.report.pdf import write_community_pdfs
from equityplanner.report.sheets.community import SHEET_NAMES
from equityplanner.report.workbook import write_workbook

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_tools() -> None:
    """LibreOffice (with Writer) and poppler print the summaries: skipped on a developer's
    machine without them, a failure in CI (which installs them: .ci/run)."""
    missing = [
        name
        for name, found in (("soffice", soffice()), ("pdfinfo", shutil.which("pdfinfo")))
        if not found
    ]
    if missing:
        message = f"{', '.join(missing)} not installed: cannot print the community summaries"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _qt_application(qapp):
    """Writing a workbook renders the map: let pytest-qt's QApplication exist first."""
    return qapp


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return grid_assessment(tmp_path_factory.mktemp("grid"))


@pytest.fixture(scope="module")
def sample():
    from equityplanner.analysis.assess import assess

    return assess(load_project(SAMPLE_PROJECT))


def section(summary, heading):
    found = [s for s in summary.sections if s.heading == heading]
    assert found, [s.heading for s in summary.sections]
    return {p.lead: p.text for p in found[0].paragraphs}


# ------------------------------------------------------------------------------------
# Rounding


def test_counts_and_shares_are_rounded_for_reading():
    # Two significant figures from 1,000, tens from 100, whole numbers below.
    assert rounded_count(1003.7) == 1000
    assert rounded_count(3165.9) == 3200
    assert rounded_count(28279.4) == 28000
    assert rounded_count(6410.8) == 6400
    assert rounded_count(843.0) == 840
    assert rounded_count(47.4) == 47
    # Shares: tenths half up; from 0.95 "more than 9 in 10"; under 0.095 in hundredths.
    assert share_words(0.469) == "about 5 in 10"
    assert share_words(0.45) == "about 5 in 10"
    assert share_words(0.95) == "more than 9 in 10"
    assert share_words(0.0169, "households") == "about 2 in 100"
    assert share_words(0.004) == "fewer than 1 in 100"
    with i18n.language("es"):
        assert share_words(0.7) == "alrededor de 7 de cada 10"
        assert share_words(0.96) == "más de 9 de cada 10"
        assert share_words(0.0149, "households") == "alrededor de 1 de cada 100"


# ------------------------------------------------------------------------------------
# The sentences of one proposal, worked by hand


def test_the_bus_cut_in_english(grid):
    # The "Route 7 cut" serves squares A and B through 400 m catchments that take the same
    # area of each (grid of tests/helpers.py):
    # - people: 1,003.7 (area-weighted), two significant figures -> "about 1,000";
    #   400 m at 80 m a minute (4.8 km/h) -> "a 5-minute walk";
    # - minority: (800 + 600) / 2,000 = 0.70 -> "about 7 in 10"; the whole grid
    #   (800 + 600 + 200 + 100) / 4,000 = 0.425 -> 4.25 -> "about 4 in 10";
    # - low income: (600 + 400) / 2,000 = 0.50 -> "about 5 in 10"; the grid
    #   1,300 / 4,000 = 0.325 -> "about 3 in 10";
    # - both tests find an adverse effect of the cut (+27.5 and +17.5 points against 10).
    text = section(build_community_summary(grid, "en"), "Route 7 cut")
    assert text["What is proposed:"] == "Less service on this line. It has 2 stops."
    assert text["Who lives near it:"] == (
        "About 1,000 people live within a 5-minute walk of a stop. Of them, about 7 in 10 are "
        "people of color (in all of the study area: about 4 in 10) and about 5 in 10 have low "
        "incomes (about 3 in 10)."
    )
    assert text["Who gains and who may bear costs:"] == (
        "People of color and people with low incomes would bear more of the cost than other "
        "residents, beyond the limit the city has set."
    )
    assert text["What the city must consider next:"] == (
        "The city must show a strong, legitimate reason for it and look at other options that "
        "would be fairer to people of color. The city must avoid, reduce or make up for the harm "
        "to people with low incomes."
    )


def test_the_bus_cut_in_spanish(grid):
    summary = build_community_summary(grid, "es")
    assert summary.language == "es" and summary.title == "Resumen para los residentes"
    text = section(summary, "Route 7 cut")
    assert text["Qué se propone:"] == "Menos servicio en esta línea. Tiene 2 paradas."
    assert text["Quién vive cerca:"] == (
        "Unas 1.000 personas viven a menos de 5 minutos a pie de una parada. De ellas, alrededor "
        "de 7 de cada 10 son personas de color (en el conjunto de la zona de estudio: alrededor "
        "de 4 de cada 10) y alrededor de 5 de cada 10 tienen ingresos bajos (alrededor de 3 de "
        "cada 10)."
    )
    assert text["Quién gana y quién podría cargar con costos:"] == (
        "Las personas de color y las personas con ingresos bajos cargarían con más costos que "
        "los demás residentes, más allá del límite que fijó la ciudad."
    )
    assert text["Qué debe considerar ahora la ciudad:"] == (
        "La ciudad debe demostrar que tiene una razón sólida y legítima para hacerlo, y "
        "estudiar otras opciones más justas para las personas de color. La ciudad debe evitar, "
        "reducir o compensar el daño a las personas con ingresos bajos."
    )


def test_the_housing_site_in_plain_words(grid):
    # 100 homes, 10 + 20 + 20 = 50 at or below 80% AMI; rents $500 (30%) to $1,500 (80%);
    # 30 demolished (20 affordable): net +30 affordable; 25 households move.
    text = section(build_community_summary(grid, "en"), "Square A homes")
    assert text["What is proposed:"] == (
        "100 new homes for rent. 50 of them would be for households with low incomes. Their rents "
        "would be $500 to $1,500 a month. 30 existing homes would be torn down. 25 households "
        "would have to move."
    )
    assert (
        "Overall, there would be 30 more homes for households with low incomes."
        in (text["Who gains and who may bear costs:"])
    )
    assert text["What the city must consider next:"].startswith(
        "The city should help the 25 households that must move, and give them the right to come "
        "back."
    )
    es = section(build_community_summary(grid, "es"), "Square A homes")
    assert es["Qué se propone:"].startswith(
        "100 viviendas nuevas de alquiler. 50 de ellas serían para hogares con ingresos bajos. "
        "Sus alquileres irían de 500\xa0US$ a 1.500\xa0US$ al mes."
    )


def test_the_sample_fare_change_and_limited_english(sample):
    text = section(build_community_summary(sample, "en"), "2027 fare change (synthetic)")
    assert text["What is proposed:"] == (
        "Fares would change. Cash fare: from $1.75 to $2.50. Monthly pass (per trip): from $1.00 "
        "to $1.20."
    )
    # Minority riders: 0.6 x 1.75 + 0.4 x 1.00 = 1.45 -> 0.6 x 2.50 + 0.4 x 1.20 = 1.98 (+0.53);
    # others: 0.35 x 1.75 + 0.65 x 1.00 = 1.2625 -> 1.655 (+0.39).
    assert text["Who gains and who may bear costs:"].startswith(
        "Riders of color would pay on average $0.53 more a trip; other riders, $0.39 more."
    )
    brt = section(build_community_summary(sample, "en"), "Eastside Express BRT")
    # Limited-English households: 1.53% of the catchment's -> "about 2 in 100"; 1.49% of the
    # city's -> "about 1 in 100".
    assert (
        "About 2 in 100 households speak limited English (about 1 in 100 in Magnolia City)."
        in brt["Who lives near it:"]
    )
    es = section(build_community_summary(sample, "es"), "2027 fare change (synthetic)")
    assert es["Qué se propone:"] == (
        "Cambiarían las tarifas. Cash fare: de 1,75\xa0US$ a 2,50\xa0US$. Monthly pass (per "
        "trip): de 1,00\xa0US$ a 1,20\xa0US$."
    )


# ------------------------------------------------------------------------------------
# How to comment


def test_missing_comment_gives_the_plain_sentence_and_a_notice(grid):
    summary = build_community_summary(grid, "en")
    comment = section(summary, "How to comment")
    texts = [
        p.text for s in summary.sections if s.heading == "How to comment" for p in s.paragraphs
    ]
    assert texts[0] == "The city has not yet said how to comment on these proposals."
    assert summary.notices and "metadata.comment" in summary.notices[0]
    assert summary.notices[0] in comment.values()
    assert planner_notices(grid) == list(summary.notices)
    kinds = [
        p.kind for s in summary.sections if s.heading == "How to comment" for p in s.paragraphs
    ]
    assert kinds == ["body", "planner"]
    es = build_community_summary(grid, "es")
    assert "La ciudad aún no ha dicho cómo opinar sobre estas propuestas." in [
        p.text for s in es.sections for p in s.paragraphs
    ]


def test_the_notice_says_where_to_say_how_to_comment(grid):
    """From a project file: fill in its metadata. From files given on the command line there
    is no project file to fill in: the notice says to write one, or use the app."""
    from equityplanner.model.results import InputFile

    assert not any(source.role == "project" for source in grid.inputs)
    (without,) = planner_notices(grid)
    assert "without a project file" in without and "Project details" in without
    from_file = replace(grid, inputs=[InputFile("project", "/plans/grid.eqp.json", "0" * 64)])
    (with_file,) = planner_notices(from_file)
    assert "in the project file" in with_file and "without" not in with_file
    told = replace(
        grid, metadata=replace(grid.metadata, comment="Write to us.", comment_until="2027-01-31")
    )
    assert planner_notices(told) == []


def test_a_comment_and_its_last_day_are_printed_per_language(grid):
    told = replace(
        grid,
        metadata=replace(
            grid.metadata,
            comment="Email plan@grid.town or call 555-0100.",
            comment_until="2026-12-31",
        ),
    )
    en = build_community_summary(told, "en")
    es = build_community_summary(told, "es")
    assert not en.notices and not es.notices
    assert [p.text for p in en.sections[-2].paragraphs] == [
        "Email plan@grid.town or call 555-0100.",
        "You can comment until December 31, 2026.",
    ]
    assert es.sections[-2].paragraphs[1].text == "Puede opinar hasta el 31 de diciembre de 2026."
    assert "Preparado el 25 de noviembre de 2026 por Test Planner, Grid Town." in es.intro[1].text


# ------------------------------------------------------------------------------------
# The metadata fields in the project file


def test_comment_fields_round_trip_and_a_bad_date_names_the_key(tmp_path):
    doc = load_project(SAMPLE_PROJECT)
    told = replace(
        doc,
        metadata=replace(
            doc.metadata, comment="Write to <b>Planning</b>", comment_until="2027-01-15"
        ),
    )
    path = save_project(told, tmp_path / "told.eqp.json")
    back = load_project(path)
    assert (back.metadata.comment, back.metadata.comment_until) == (
        "Write to <b>Planning</b>",
        "2027-01-15",
    )
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data["metadata"]["comment_until"] = "2027-02-30"
    Path(path).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectFileError) as caught:
        load_project(path)
    assert "metadata.comment_until: '2027-02-30' is not a date such as 2026-03-10" in str(
        caught.value
    )


# ------------------------------------------------------------------------------------
# The files


class _Page(HTMLParser):
    """The lang attribute, headings, paragraphs and any tag or link a page holds."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = None
        self.tags: list[str] = []
        self.headings: list[str] = []
        self.paragraphs: list[str] = []
        self.external: list[str] = []
        self._in: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang")
        for key in ("src", "href"):
            if attrs.get(key):
                self.external.append(attrs[key])
        if tag in ("h1", "h2", "p"):
            self._in, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._text).strip()
            (self.paragraphs if tag == "p" else self.headings).append(text)
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.])\s+", text) if s]


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample_book")
    path = write_workbook(sample, folder / "sample.xlsx")
    return path, community_summary_paths(path)


def test_the_html_files_beside_the_workbook(written, sample):
    _, pages = written
    assert [p.name for p in pages.values()] == ["sample.summary.en.html", "sample.summary.es.html"]
    en, es = read_page(pages["en"]), read_page(pages["es"])
    assert (en.lang, es.lang) == ("en", "es")
    assert en.headings[0] == "A summary for residents"
    assert es.headings[0] == "Resumen para los residentes"
    assert "Cómo opinar" in es.headings and "Cambios en los horarios de autobús" in es.headings
    assert "Eastside Express BRT" in es.headings  # the proposal's own name
    # Self-contained: inline CSS, no script, no link, image or other resource.
    assert "style" in en.tags and not ({"script", "link", "img", "iframe"} & set(en.tags))
    assert not en.external and not es.external
    # Every sentence of the Spanish page is Spanish: none is a sentence of the English page
    # (the project's title, the planner's own text, is the same in both).
    own = {sample.metadata.title}
    english = {s for p in en.paragraphs if p not in own for s in sentences(p)}
    untranslated = [s for p in es.paragraphs if p not in own for s in sentences(p) if s in english]
    assert not untranslated, untranslated
    assert len(en.paragraphs) == len(es.paragraphs)
    for english_paragraph, spanish_paragraph in zip(en.paragraphs, es.paragraphs, strict=True):
        assert english_paragraph != spanish_paragraph or english_paragraph in own
    # Numbers and dates per language.
    text = " ".join(es.paragraphs)
    assert "25 de noviembre de 2026" in text and "Unas 28.000 personas" in text
    assert "November 25, 2026" in " ".join(en.paragraphs)


def test_user_text_is_escaped(grid, tmp_path):
    hostile = replace(
        grid,
        metadata=replace(
            grid.metadata,
            title='<script>alert("x")</script> & Co',
            comment="<img src=x onerror=alert(1)> Write to us & <b>call</b>",
            comment_until="2026-12-31",
        ),
    )
    page = community_summary_html(build_community_summary(hostile, "es"))
    assert "<script>" not in page and "<img" not in page and "<b>call" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert "&lt;img src=x onerror=alert(1)&gt; Write to us &amp; &lt;b&gt;call&lt;/b&gt;" in page
    parsed = _Page()
    parsed.feed(page)
    assert parsed.lang == "es" and "script" not in parsed.tags and "img" not in parsed.tags


def test_the_workbook_has_both_sheets_with_the_texts(grid, tmp_path):
    path = write_workbook(grid, tmp_path / "grid.xlsx")
    book = load_workbook(path)
    names = book.sheetnames
    assert names.index("Community summary") == names.index("Methodology") + 1
    assert names.index("Resumen comunitario") == names.index("Community summary") + 1
    for code, name in SHEET_NAMES.items():
        ws = book[name]
        cells = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        summary = build_community_summary(grid, code)
        assert cells[0] == summary.title
        for paragraph in summary.paragraphs():
            assert paragraph.text in cells, paragraph.text
            if paragraph.lead:
                assert paragraph.lead in cells
        assert ws.page_setup.orientation == "portrait"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 2
    assert book["Resumen comunitario"].oddFooter.center.text == "Página &P de &N"
    assert book["Resumen comunitario"].oddHeader.right.text == "BORRADOR · 25 de noviembre de 2026"
    for extension in ("en", "es"):
        assert (tmp_path / f"grid.summary.{extension}.html").exists()
    # The council print set hides them; without the summary there are no sheets and no files.
    council = load_workbook(write_workbook(grid, tmp_path / "council.xlsx", print_set=True))
    assert council["Community summary"].sheet_state == "hidden"
    plain = write_workbook(grid, tmp_path / "plain.xlsx", community_summary=False)
    assert "Community summary" not in load_workbook(plain).sheetnames
    assert not (tmp_path / "plain.summary.en.html").exists()


# ------------------------------------------------------------------------------------
# Printed


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def html_to_pdf(page: Path, folder: Path) -> Path:
    out = folder / "pdf"
    subprocess.run(
        [
            "timeout",
            "180",
            soffice() or "soffice",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(page),
        ],
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )
    pdf = out / f"{page.stem}.pdf"
    assert pdf.exists(), f"LibreOffice printed no PDF of {page.name} (is Writer installed?)"
    return pdf


@pytest.mark.libreoffice
@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_each_html_summary_prints_on_at_most_two_pages(written, tmp_path, paper):
    require_tools()
    _, pages = written
    for code, page in pages.items():
        sized = tmp_path / f"{paper}.summary.{code}.html"
        text = page.read_text(encoding="utf-8")
        assert "@page { size: auto;" in text
        sized.write_text(text.replace("@page { size: auto;", f"@page {{ size: {paper};"), "utf-8")
        pdf = html_to_pdf(sized, tmp_path / code)
        assert 1 <= pdf_pages(pdf) <= 2, (paper, code)


@pytest.mark.libreoffice
def test_the_council_pdf_path_writes_the_summary_pdfs(sample, tmp_path):
    require_tools()
    written = write_community_pdfs(sample, tmp_path / "council.pdf")
    assert [p.name for p in written] == ["council.summary.en.pdf", "council.summary.es.pdf"]
    for pdf in written:
        assert 1 <= pdf_pages(pdf) <= 2, pdf.name
    text = subprocess.run(
        ["pdftotext", str(written[1]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Resumen para los residentes" in text and "Cómo opinar" in text
