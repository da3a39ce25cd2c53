"""Licence notices of the components shipped with dxdesk, for the About dialog.

A PyInstaller bundle carries no package metadata of its dependencies, so the notices are collected at
build time (``packaging/dxdesk.spec`` calls :func:`write_notices`) from the installed distributions with
:mod:`importlib.metadata` — every distribution dxdesk needs at run time, found by walking its
requirements — and shipped as ``resources/licenses/third_party.json``. Running from a source tree or a
pip install, where that file does not exist, the same list is collected on the spot.

Qt for Python's wheels carry no licence file; its notice (LGPL-3.0, with the GPL-3.0 text it refers
to) lives in ``resources/licenses/``. Python's own licence comes from the interpreter's LICENSE.txt.
No font is shipped (the system's Japanese fonts are used, see docs/packaging.md), so no font licence is
listed.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from dxdesk.files import write_text_atomic
from dxdesk.paths import resource

__all__ = [
    "NOTICES_FILE",
    "Notice",
    "bundled_notices",
    "collect_notices",
    "runtime_distributions",
    "write_notices",
]

NOTICES_FILE = ("licenses", "third_party.json")
_QT_TEXTS = ("qt-lgpl-notice.txt", "LGPL-3.0.txt", "GPL-3.0.txt")
_QT_DISTS = {"pyside6-essentials", "pyside6", "shiboken6"}
_LICENSE_NAME = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE)[^/]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Notice:
    """One shipped component: its name, version, licence (SPDX expression or the licence's name) and text."""

    name: str
    version: str
    license: str
    text: str


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_applies(requirement: str) -> tuple[str, bool]:
    """The distribution a ``Requires-Dist`` line names, and whether it applies to this machine without
    extras (``foo; extra == "dev"`` does not)."""
    name = re.split(r"[\s;\[<>=!~(]", requirement.strip(), maxsplit=1)[0]
    _, _, marker = requirement.partition(";")
    marker = marker.strip()
    if not marker:
        return name, True
    if "extra" in marker:
        return name, False
    try:
        from packaging.markers import Marker
    except ImportError:  # no marker evaluation available: a dependency that applies is installed
        return name, True
    return name, bool(Marker(marker).evaluate())


def runtime_distributions(root: str = "dxdesk") -> list[metadata.Distribution]:
    """``root``'s installed run-time dependencies, recursively (not ``root`` itself), sorted by name."""
    found: dict[str, metadata.Distribution] = {}
    todo = [root]
    seen = {_normalise(root)}
    while todo:
        dist = metadata.distribution(todo.pop())
        for requirement in dist.requires or []:
            name, applies = _requirement_applies(requirement)
            key = _normalise(name)
            if not applies or key in seen:
                continue
            seen.add(key)
            try:
                found[key] = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                continue  # a marker we could not evaluate, for another platform
            todo.append(name)
    return sorted(found.values(), key=lambda d: _normalise(_field(d.metadata, "Name")))


def _field(meta: metadata.PackageMetadata, key: str) -> str:
    values = meta.get_all(key) or []
    return str(values[0]) if values else ""


def _license_label(meta: metadata.PackageMetadata) -> str:
    expression = _field(meta, "License-Expression")
    if expression:
        return expression
    text = _field(meta, "License").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    classifiers = [
        c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    return " / ".join(classifiers) or "不明"


def _license_files(dist: metadata.Distribution) -> list[str]:
    names = dist.metadata.get_all("License-File") or []
    texts: list[str] = []
    for name in names:
        text = dist.read_text(f"licenses/{name}") or dist.read_text(name)
        if text:
            texts.append(text)
    if texts:
        return texts
    for path in dist.files or []:
        if ".dist-info/" in path.as_posix() and _LICENSE_NAME.search(path.as_posix()):
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def _resource_texts(names: Iterable[str]) -> str:
    return "\n\n".join(resource("licenses", n).read_text(encoding="utf-8") for n in names)


def _python_notice() -> Notice:
    base = Path(sys.base_prefix)
    candidates = [
        base / "LICENSE.txt",  # Windows
        base / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "LICENSE.txt",
        Path(f"/usr/lib/python{sys.version_info.major}.{sys.version_info.minor}/LICENSE.txt"),
    ]
    text = next((p.read_text(encoding="utf-8") for p in candidates if p.is_file()), "")
    version = ".".join(str(n) for n in sys.version_info[:3])
    return Notice("Python", version, "PSF-2.0", text or "https://docs.python.org/3/license.html")


def _notice(dist: metadata.Distribution) -> Notice:
    meta = dist.metadata
    name = _field(meta, "Name")
    texts = _license_files(dist)
    if not texts and _normalise(name) in _QT_DISTS:
        texts = [_resource_texts(_QT_TEXTS)]
    if not texts:
        texts = [_field(meta, "License")]
    return Notice(
        name, dist.version, _license_label(meta), "\n\n".join(t.strip() for t in texts if t.strip())
    )


def collect_notices(root: str = "dxdesk", extra: Iterable[str] = ()) -> list[Notice]:
    """Python, then ``root``'s run-time dependencies, then ``extra`` distributions (e.g. PyInstaller,
    whose start-up code is part of the executable)."""
    dists = runtime_distributions(root)
    names = {_normalise(_field(d.metadata, "Name")) for d in dists}
    for name in extra:
        if _normalise(name) not in names:
            dists.append(metadata.distribution(name))
    return [_python_notice(), *(_notice(d) for d in dists)]


def write_notices(path: Path, notices: Iterable[Notice]) -> Path:
    data = [asdict(n) for n in notices]
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
    return path


def bundled_notices() -> list[Notice]:
    """The notices shipped with this build; collected from the installed packages when not built."""
    path = resource(*NOTICES_FILE)
    if path.is_file():
        return [Notice(**row) for row in json.loads(path.read_text(encoding="utf-8"))]
    return collect_notices()
