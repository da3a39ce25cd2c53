"""Render the reference images of the visual-regression test (tests/report/test_visual_regression.py).

For each sample plan of resources/samples/ it renders, at a fixed resolution:

- ``<sample>.sheet.png`` — the first page of the sample's sheets PDF (``dxdesk print``);
- ``<sample>.workbook.png`` — the first page of the first measure's sheet (after the cover and the list)
  in the signed submission workbook of the section owning the sample's first measure, exported as the section application does (central database → kit →
  section database → ``export_submission``) and converted with LibreOffice
  (``soffice --headless --convert-to pdf``, all workbooks in one call).

    .venv/bin/python scripts/make_reference_images.py            # rewrite tests/report/reference/
    .venv/bin/python scripts/make_reference_images.py --out DIR  # render elsewhere (what the test does)

Every changed reference must be looked at before it is committed (docs/printing.md).
Rendering is deterministic on the project's Debian setup: the sheet embeds IPAexゴシック, LibreOffice
finds the same fonts installed by scripts/bootstrap.sh, and the export time is fixed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dxdesk.store.database import Database

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "resources" / "samples"
REFERENCE = ROOT / "tests" / "report" / "reference"
DPI = 50


def export_time(fy: int) -> dt.datetime:
    """The fixed time of a render's kit and export: April 20 after the fiscal year, when sections
    submit (the same workbook every run; a sample of an old year gets a certificate of its time)."""
    return dt.datetime(fy + 1, 4, 20, 9, 0, tzinfo=dt.UTC)


PEOPLE = ("山田 太郎", "佐藤 一郎")
# the throw-away central CA of these renders is sealed with this passphrase (never a real office's)
os.environ.setdefault("DXDESK_CA_PASSPHRASE", "参照画像用の中央パスワード")


def sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLES.glob("*.json"))


def _stem(sample: str) -> str:
    return sample.removesuffix(".json")


def _page_png(pdf: Path, png: Path, page: int = 1) -> None:
    """A page of ``pdf`` as ``png`` (pdftoppm at DPI dots per inch)."""
    base = png.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(DPI),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            "-png",
            str(pdf),
            str(base),
        ],
        check=True,
        capture_output=True,
    )


# the workbook's cover (who, when, the certificate's fingerprint) and its list of measures
FRONT_MARKS = ("提出ファイル", "施策一覧")


def first_sheet_page(pdf: Path) -> int:
    """The first page of the first measure's sheet, after the workbook's cover and list (the cover
    holds the certificate's fingerprint, new with every kit, so it is not compared)."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    for i, page in enumerate(pages, start=1):
        if page.strip() and not any(mark in page for mark in FRONT_MARKS):
            return i
    return 1


def _load(sample: str, db_path: Path) -> tuple[Database, str, int, str]:
    """A central database holding the sample; (database, plan code, fiscal year, section to export)."""
    from dxdesk.store.database import open_database
    from dxdesk.store.dataset import import_dataset
    from dxdesk.store.settings_store import set_setting

    data = json.loads((SAMPLES / sample).read_text(encoding="utf-8"))
    db = open_database(db_path)
    with db.session(audit=False) as s:
        plan = import_dataset(s, data)
        set_setting(s, "role", "central")
        set_setting(s, "plan_code", plan.code)
        fy = plan.current_fy
    assert fy is not None, f"{sample}: the plan has no current_fy"
    return db, data["plan"]["code"], fy, str(data["measures"][0]["owner"])


def render_sheet(sample: str, work: Path, out: Path) -> Path:
    from dxdesk.report.documents import PrintJob, make_pdf

    db, _code, _fy, _section = _load(sample, work / f"{_stem(sample)}.print.sqlite")
    try:
        pdf = work / f"{_stem(sample)}.sheet.pdf"
        make_pdf(db, pdf, PrintJob())
    finally:
        db.dispose()
    png = out / f"{_stem(sample)}.sheet.png"
    _page_png(pdf, png)
    return png


def export_workbook(sample: str, work: Path) -> Path:
    """The signed submission of the section owning the sample's first measure, as the section exports it."""
    from dxdesk.exchange import certificates
    from dxdesk.exchange.kit import issue_kits
    from dxdesk.exchange.kit_import import import_kit
    from dxdesk.exchange.submission import export_submission
    from dxdesk.store.database import open_database

    stem = _stem(sample)
    central, _code, fy, section = _load(sample, work / f"{stem}.central.sqlite")
    now = export_time(fy)
    real_now = certificates._now
    certificates._now = lambda: now  # certificates are dated at the export time too
    try:
        try:
            kits = issue_kits(central, fy, work / f"{stem}-kits", section_codes=[section], now=now)
        finally:
            central.dispose()
        kit = kits.kits[0]
        r = import_kit(
            kit.path, kit.passphrase, work / f"{stem}-data", db_path=work / f"{stem}.section.sqlite"
        )
        db = open_database(r.db_path)
        try:
            got = export_submission(db, fy, section, *PEOPLE, work / f"{stem}-out", now=now).path
        finally:
            db.dispose()
    finally:
        certificates._now = real_now
    target = work / "workbooks" / f"{stem}.xlsx"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(got, target)
    return target


def to_pdf(workbooks: Sequence[Path], work: Path) -> dict[Path, Path]:
    """Convert every workbook with ONE LibreOffice call (its start-up is most of the time)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is missing (scripts/apt-packages.extra lists libreoffice-calc-nogui)")
    outdir = work / "workbook-pdf"
    outdir.mkdir(exist_ok=True)
    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", LC_ALL="C.UTF-8", TZ="UTC")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{work / 'lo-profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, workbooks),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env=env,
    )
    out = {wb: outdir / f"{wb.stem}.pdf" for wb in workbooks}
    missing = [str(p) for p in out.values() if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {', '.join(missing)}")
    return out


@dataclass
class Rendered:
    images: list[Path] = field(default_factory=list)
    # image name -> why it could not be rendered (a submission the export refuses to write)
    failed: dict[str, str] = field(default_factory=dict)


def render_all(out: Path, samples: Sequence[str] | None = None) -> Rendered:
    """Render every sample's sheet and workbook image into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    names = list(samples or sample_names())
    done = Rendered()
    with tempfile.TemporaryDirectory(prefix="dxdesk-ref-") as tmp:
        work = Path(tmp)
        workbooks = {}
        for sample in names:
            done.images.append(render_sheet(sample, work, out))
            try:
                workbooks[sample] = export_workbook(sample, work)
            except Exception as exc:  # reported, and the other images are still rendered
                done.failed[f"{_stem(sample)}.workbook.png"] = f"{type(exc).__name__}: {exc}"
        pdfs = to_pdf(list(workbooks.values()), work) if workbooks else {}
        for sample, wb in workbooks.items():
            png = out / f"{_stem(sample)}.workbook.png"
            _page_png(pdfs[wb], png, first_sheet_page(pdfs[wb]))
            done.images.append(png)
    return done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REFERENCE, help="folder of the images")
    args = parser.parse_args(argv)
    done = render_all(args.out)
    for png in done.images:
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)
    for name, why in done.failed.items():
        print(f"NOT RENDERED {name}: {why}", file=sys.stderr)
        stale = args.out / name
        if stale.exists():
            stale.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
