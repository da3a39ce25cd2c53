"""Visual regression: the first page of each sample's sheet PDF and of its signed submission workbook
(through LibreOffice) look like the committed reference images in tests/report/reference/.

A layout change shows here as a failure naming the image; the new rendering and a difference image
(changed pixels in red) are written to ``dxdesk-visual-regression`` beside pytest's temporary folders
(``/tmp/pytest-of-<user>/``), and the message says where. When the change is intended, look at it, then rewrite
the references with ``.venv/bin/python scripts/make_reference_images.py`` and look at every changed
image before committing (docs/printing.md).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image, ImageChops

from tests.report.conftest import ROOT

REFERENCE = ROOT / "tests" / "report" / "reference"
MEAN_TOLERANCE = 0.6  # mean absolute difference per pixel (0–255, grey)
CHANGED_LEVEL = 48  # a pixel counts as changed when it differs by more than this
CHANGED_SHARE = 0.002  # at most 0.2 % of the pixels changed (a moved word is more)


def _script() -> ModuleType:
    path = ROOT / "scripts" / "make_reference_images.py"
    spec = importlib.util.spec_from_file_location("make_reference_images", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_reference_images", module)
    spec.loader.exec_module(module)
    return module


def compare(reference: Path, rendered: Path) -> tuple[float, float, Image.Image | None]:
    """(mean absolute difference, share of changed pixels, difference image) of two renderings; a
    different page size is a full difference."""
    a = Image.open(reference).convert("L")
    b = Image.open(rendered).convert("L")
    if a.size != b.size:
        return 255.0, 1.0, None
    diff = ImageChops.difference(a, b)
    hist = diff.histogram()
    pixels = a.size[0] * a.size[1]
    mean = sum(level * count for level, count in enumerate(hist)) / pixels
    changed = sum(hist[CHANGED_LEVEL + 1 :]) / pixels
    return mean, changed, diff


def _diff_picture(rendered: Path, diff: Image.Image) -> Image.Image:
    """The new rendering, faded, with every changed pixel in red: where to look."""
    base = Image.open(rendered).convert("RGB")
    faded = Image.blend(base, Image.new("RGB", base.size, "white"), 0.6)
    mask = diff.point(lambda v: 255 if v > CHANGED_LEVEL else 0)
    faded.paste(Image.new("RGB", base.size, (220, 0, 0)), mask=mask)
    return faded


def test_compare_sees_a_moved_line_and_ignores_an_identical_page(tmp_path):
    """The comparison itself: the same picture is 0; a ruled line moved by a few pixels fails."""
    page = Image.new("L", (400, 560), 255)
    for y in range(40, 520, 24):
        page.paste(0, (30, y, 370, y + 1))
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    page.save(a)
    page.save(b)
    assert compare(a, b)[:2] == (0.0, 0.0)
    moved = Image.new("L", page.size, 255)
    for y in range(44, 524, 24):
        moved.paste(0, (30, y, 370, y + 1))
    moved.save(b)
    mean, changed, _diff = compare(a, b)
    assert changed > CHANGED_SHARE and mean > 0
    Image.new("L", (400, 561), 255).save(b)
    assert compare(a, b)[:2] == (255.0, 1.0)


def _failure_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Beside pytest's numbered temporary folders, which are deleted after a few runs (other test
    runs on the machine would remove the images before anyone looked at them)."""
    folder = tmp_path_factory.getbasetemp().parent / "dxdesk-visual-regression"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def test_first_pages_look_like_the_references(tmp_path, tmp_path_factory):
    script = _script()
    out = tmp_path / "rendered"
    done = script.render_all(out)
    rendered = {p.name: p for p in done.images}
    references = {p.name: p for p in REFERENCE.glob("*.png")}
    problems: list[str] = []
    kept: list[Path] = []
    for name in sorted(set(references) - set(rendered)):
        why = done.failed.get(name, "not rendered")
        problems.append(f"{name}: has a reference but was not rendered ({why})")
    for name in sorted(set(rendered) - set(references)):
        problems.append(
            f"{name}: rendered at {rendered[name]} but has no reference "
            "(look at it, then run scripts/make_reference_images.py)"
        )
    for name in sorted(set(rendered) & set(references)):
        mean, changed, diff = compare(references[name], rendered[name])
        if mean <= MEAN_TOLERANCE and changed <= CHANGED_SHARE:
            continue
        keep = _failure_folder(tmp_path_factory) if not kept else kept[0]
        kept[:] = [keep]
        where = keep / name
        shutil.copyfile(rendered[name], where)
        detail = f"mean difference {mean:.2f} (≤ {MEAN_TOLERANCE}), {changed:.2%} of pixels changed"
        if diff is None:
            detail = "the page size changed"
        else:
            picture = keep / f"{Path(name).stem}.diff.png"
            _diff_picture(where, diff).save(picture)
            detail += f"; differences in red: {picture}"
        problems.append(
            f"{name} differs from tests/report/reference/{name}: {detail}; new rendering: {where}. "
            "If the change is intended, look at it and run scripts/make_reference_images.py"
        )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    # every sample's sheet is compared; a workbook the export could not write is named above
    assert {f"{s.removesuffix('.json')}.sheet.png" for s in script.sample_names()} <= set(rendered)
