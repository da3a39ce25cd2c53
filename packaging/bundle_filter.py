"""Which of the files PyInstaller's Qt hooks collect go into the bundle (used by packaging/dxdesk.spec).

The hooks collect every plugin of each plugin folder a Qt module uses (image formats, platform themes,
Wayland, EGL, TLS back-ends…), and with them the libraries those plugins link to (on Linux GTK, cairo,
Kerberos…). dxdesk is a widgets application that draws with Qt's raster engine and never opens a
network connection, so it keeps only:

- platforms: windows (the real thing), offscreen (smoke tests, screenshots), minimal, xcb (Linux);
- styles (the native Windows look), the .ico and .svg image formats and the SVG icon engine;
- platform input contexts (Japanese input methods on Linux; on Windows the IME goes through the platform
  plugin) and the xcb GL integrations the xcb plugin needs;
- the Japanese Qt translations.

It also drops the ``dxdesk.egg-info`` an editable install leaves in the source tree: the spec ships
dxdesk's metadata itself, made from pyproject.toml, and two copies could disagree about the version.

Dropping a plugin leaves the libraries it alone needed; :func:`orphaned_libraries` finds those (only
libraries reached from the dropped plugins and from nothing kept), so a library a hook added for
another reason, or that Qt opens at run time, stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePath

# plugin folder -> file names kept (anything else in that folder is dropped)
KEEP_PLUGINS = {
    "platforms": r"(lib)?q(windows|offscreen|minimal|xcb)\.",
    "styles": r".",
    "imageformats": r"(lib)?q(ico|svg)\.",
    "iconengines": r"(lib)?qsvgicon\.",
    "platforminputcontexts": r".",
    "xcbglintegrations": r".",
}
# Qt's software OpenGL renderer (Windows, 20 MB): only OpenGL content uses it, and dxdesk has none.
DROP_FILES = {"opengl32sw.dll"}


def _parts(dest: str) -> tuple[str, ...]:
    return PurePath(dest.replace("\\", "/")).parts


def wanted(dest: str) -> bool:
    """Whether a file collected at ``dest`` (its path inside the bundle) is kept."""
    parts = _parts(dest)
    if not parts:
        return True
    if parts[-1].lower() in DROP_FILES:
        return False
    if parts[0] == "dxdesk.egg-info":
        # left in the source tree by the editable install (and found by the hooks that collect entry
        # points); the spec writes dxdesk-<version>.dist-info from pyproject.toml, the one to read
        return False
    if parts[0] != "PySide6":
        return True
    if "plugins" in parts:
        i = parts.index("plugins")
        if len(parts) < i + 3:
            return True
        pattern = KEEP_PLUGINS.get(parts[i + 1])
        return bool(pattern and re.match(pattern, parts[-1], re.IGNORECASE))
    if "translations" in parts:
        return parts[-1].endswith("_ja.qm")
    return True


Imports = Callable[[str], Iterable[str]]  # a binary's source path -> source paths of the libraries it links


def _closure(starts: Iterable[str], imports: Imports) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(imports(path))
    return seen


def orphaned_libraries(kept: Iterable[str], dropped: Iterable[str], imports: Imports) -> set[str]:
    """Source paths of the libraries reached only from ``dropped`` binaries, never from ``kept`` ones.

    ``kept`` are the source paths of every binary still in the bundle (extension modules, plugins and
    libraries alike); a library among them counts only if something outside the dropped plugins'
    reach needs it, or it was collected for its own sake.
    """
    dropped = list(dropped)
    from_dropped = _closure(dropped, imports) - set(dropped)
    roots = [p for p in kept if p not in from_dropped]
    return from_dropped - _closure(roots, imports)
