"""The HTML report in a real browser: printed to PDF by headless Chromium, loaded without errors.

The print style sheet (``@media print`` in :data:`csi.report.html.CSS`) is only checked
by a browser, so these tests run Chromium headless on the sample report in English and
Chinese: the PDF has A4 pages, one or more per section (each section starts on a new
page), every figure (a ``data:`` URI) loads, nothing is written to the console, and the
Chinese PDF embeds a CJK font (no missing glyphs). Without a Chromium on ``PATH`` (CI
does not require one) those tests skip at once; the rules of the print style sheet are
checked as text either way.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from csi.report import Report, run_analysis, write_report
from csi.report.html import CSS
from csi.survey import read_survey

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"

BROWSER = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)
needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="no headless Chromium on PATH (chromium, chromium-browser or google-chrome)",
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT = 180  # seconds for one browser run (a few seconds in practice)

# A4 in PostScript points (210 x 297 mm); Chromium's default paper is US Letter
A4 = (595.28, 841.89)

# fonts that cover Chinese, as they are named in a PDF (/BaseFont /ABCDEF+Name)
CJK_FONT = re.compile(
    r"CJK|WenQuanYi|WQY|Droid|SourceHan|HanSans|HanSerif|Noto\w*(?:SC|TC|HK|JP|KR)\b", re.I
)
FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]

# Added to a copy of the report only (the report itself has no script): once the page has
# loaded, count the images and the ones that failed to load or decode.
PROBE = """<script>
window.addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const broken = imgs.filter((i) => !i.complete || i.naturalWidth === 0);
  for (const i of broken) console.error("image failed to load: " + (i.alt || i.src.slice(0, 60)));
  const p = document.createElement("pre");
  p.id = "csi-probe";
  p.textContent = "images=" + imgs.length + " broken=" + broken.length;
  document.body.appendChild(p);
});
</script>"""


# ---------------------------------------------------------------------------- helpers
def run_browser(args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    """Run the browser headless with its own profile folder under ``tmp``."""
    assert BROWSER is not None
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [BROWSER, *FLAGS, f"--user-data-dir={profile}", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hung browser
        pytest.fail(f"{BROWSER} did not finish in {TIMEOUT} s: {' '.join(cmd)}")
    if done.returncode != 0:  # pragma: no cover - a browser that cannot start
        pytest.fail(f"{BROWSER} exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return done


def pdf_pages(data: bytes) -> int:
    """Number of page objects (``/Type /Page``, not ``/Pages``) in the PDF's bytes."""
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    if pages == 0:  # objects in compressed streams: the page tree's total
        pages = max((int(n) for n in re.findall(rb"/Count\s+(\d+)", data)), default=0)
    return pages


def pdf_page_order(data: bytes) -> list[int]:
    """Object numbers of the pages in reading order (the page tree walked from its root)."""
    nodes = {
        int(num): [int(k) for k in re.findall(rb"(\d+)\s+0\s+R", kids)]
        for num, kids in re.findall(
            rb"(\d+)\s+0\s+obj\s*<<[^>]*?/Type\s*/Pages\b[^>]*?/Kids\s*\[([^\]]*)\]", data
        )
    }
    children = {k for kids in nodes.values() for k in kids}
    roots = [n for n in nodes if n not in children]
    assert len(roots) == 1, f"page tree roots: {roots}"

    def walk(node: int) -> list[int]:
        return [p for k in nodes[node] for p in (walk(k) if k in nodes else [k])]

    return walk(roots[0])


def pdf_destinations(data: bytes) -> dict[str, tuple[int, float]]:
    """Named destinations of the PDF (the targets of the report's links, ``#s-...``):
    name -> (page object number, height of the target on its page in points)."""
    found = re.findall(
        rb"/([A-Za-z][\w.-]*)\s*\[\s*(\d+)\s+0\s+R\s*/XYZ\s+[\d.-]+\s+([\d.-]+)", data
    )
    return {name.decode(): (int(page), float(y)) for name, page, y in found}


def pdf_fonts(data: bytes) -> set[str]:
    """Names of the fonts the PDF uses (the subset prefix ``ABCDEF+`` removed)."""
    names = re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([^\s/\[\]<>()]+)", data)
    return {n.decode("latin-1") for n in names}


def cjk_fonts_installed() -> list[str]:
    """Fonts on this machine that cover Chinese (fontconfig, else font file names)."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        out = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout
        return sorted({f.strip() for line in out.splitlines() for f in line.split(",") if f})
    return sorted(
        p.name
        for d in FONT_DIRS
        if d.is_dir()
        for p in d.rglob("*")
        if p.suffix.lower() in {".ttf", ".otf", ".ttc"} and CJK_FONT.search(p.stem)
    )


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def survey():
    return read_survey(SAMPLES / "survey.csv", SAMPLES / "codebook.yaml")


@pytest.fixture(scope="module", params=["en", "zh"])
def written(request, survey, tmp_path_factory) -> tuple[str, Report, Path]:
    """(language, report, HTML file) of the sample report with its figures."""
    lang = request.param
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_analysis(
            survey,
            system=SAMPLES / "indicator_system.yaml",
            segment="region",
            lang=lang,
            bootstrap=0,
            sem=False,
            figures=True,
        )
    out = tmp_path_factory.mktemp(f"browser_{lang}")
    return lang, report, write_report(report, out, formats=["html"])["html"]


@pytest.fixture(scope="module")
def printed(written, tmp_path_factory) -> tuple[str, Path, bytes]:
    """(language, HTML file, PDF bytes): the report printed to PDF by the browser."""
    lang, _, html_file = written
    tmp = tmp_path_factory.mktemp(f"print_{lang}")
    pdf = tmp / "report.pdf"
    run_browser(
        ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", html_file.as_uri()],
        tmp,
    )
    assert pdf.is_file(), f"the browser wrote no PDF to {pdf}"
    return lang, html_file, pdf.read_bytes()


# ---------------------------------------------------------------------------- tests
def test_style_sheet_has_print_rules():
    # without a browser, at least the rules are there (the browser tests check their effect)
    css = re.sub(r"\s+", "", CSS)
    start = css.index("@mediaprint{")
    print_css = css[start:]
    for rule in (
        "@page{size:A4;margin:15mm}",
        "body>section+section{break-before:page}",
        "thead{display:table-header-group}",
        "a,a:visited{color:inherit;text-decoration:none}",
    ):
        assert rule in print_css, rule
    assert re.search(r"figure[^{]*\{break-inside:avoid", print_css)
    assert re.search(r"(?<![\w-])tr[^{]*\{break-inside:avoid", print_css)
    assert re.search(r"(?<![\w-])img\{max-width:100%", print_css)
    assert print_css.count("{") == print_css.count("}")


@needs_browser
def test_report_prints_to_a4_pages_one_section_a_page(printed):
    lang, html_file, data = printed
    assert data.startswith(b"%PDF-")
    pages = pdf_pages(data)
    sections = html_file.read_text(encoding="utf-8").count("<section ")
    assert sections >= 5
    # every section after the first starts on a new page: at least one page each
    assert pages >= sections, f"{lang}: {pages} pages for {sections} sections"
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes, "no page size in the PDF"
    for w, h in boxes:  # @page { size: A4 }
        assert abs(float(w) - A4[0]) < 2 and abs(float(h) - A4[1]) < 2, (w, h)


@needs_browser
def test_each_section_starts_a_page_except_the_first(printed, written):
    # the contents link every available section: Chromium keeps the links' targets as
    # named destinations (page, height on the page), which place each section
    lang, _, data = printed
    _, report, _ = written
    keys = [f"s-{s.key}" for s in report.sections if s.available]
    order = {page: i for i, page in enumerate(pdf_page_order(data))}
    dests = pdf_destinations(data)
    missing = [k for k in keys if k not in dests]
    assert not missing, f"{lang}: no destination in the PDF for {missing}"
    placed = [(k, order[dests[k][0]], dests[k][1]) for k in keys]
    first, rest = placed[0], placed[1:]
    assert first[1] == 0, f"{lang}: the first section should follow the contents on page 1"
    pages = [p for _, p, _ in rest]
    assert pages == sorted(set(pages)), f"{lang}: sections sharing a page: {placed}"
    low = [(k, y) for k, _, y in rest if y < 0.9 * A4[1]]
    assert not low, f"{lang}: sections not at the top of their page: {low}"


@needs_browser
def test_report_loads_without_console_errors(written, tmp_path):
    lang, _, html_file = written
    doc = html_file.read_text(encoding="utf-8")
    assert "<script" not in doc  # the report itself has no script
    expected = doc.count("<img ")
    assert expected > 0  # figures=True: the figures are there
    probed = tmp_path / "probed.html"
    probed.write_text(doc.replace("</body>", PROBE + "</body>"), encoding="utf-8")

    done = run_browser(
        ["--enable-logging=stderr", "--v=0", "--dump-dom", probed.as_uri()], tmp_path
    )
    found = re.search(r"images=(\d+) broken=(\d+)", done.stdout)
    assert found, f"{lang}: the page did not finish loading:\n{done.stderr[-3000:]}"
    assert (int(found[1]), int(found[2])) == (expected, 0), found[0]
    console = [
        line
        for line in done.stderr.splitlines()
        if "CONSOLE" in line or probed.name in line or html_file.name in line
    ]
    assert not console, "\n".join(console)


@needs_browser
def test_pdf_embeds_its_fonts_a_cjk_one_in_chinese(printed):
    lang, _, data = printed
    fonts = pdf_fonts(data)
    assert fonts, "no fonts in the PDF: the text is not text"
    if lang != "zh":
        return
    installed = cjk_fonts_installed()
    if not installed:
        pytest.skip("no CJK font on this machine: the Chinese text cannot be checked for glyphs")
    families = {re.sub(r"\s+", "", f).lower() for f in installed}
    cjk = sorted(f for f in fonts if CJK_FONT.search(f) or any(n in f.lower() for n in families))
    assert cjk, (
        f"the Chinese PDF embeds no CJK font (fonts: {sorted(fonts)}; installed: {installed})"
    )
