"""Draw dxdesk's icon: resources/dxdesk.ico (the Windows executable, installer and shortcuts) and
resources/dxdesk.png (the window icon).

    .venv/bin/python scripts/make_icon.py

A sheet with ruled lines and a check mark on a blue tile — drawn from shapes, no font involved, so the
icon carries no licence of its own. Each size is drawn large and scaled down, so the small sizes stay
clean. Run again after changing the drawing and commit both files.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
BLUE = (31, 84, 150, 255)
PAPER = (255, 255, 255, 255)
RULE = (150, 170, 195, 255)
GREEN = (46, 160, 90, 255)


def draw(size: int = 1024) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    u = size / 64
    d.rounded_rectangle((2 * u, 2 * u, 62 * u, 62 * u), radius=12 * u, fill=BLUE)
    d.rounded_rectangle((15 * u, 9 * u, 45 * u, 53 * u), radius=3 * u, fill=PAPER)
    for i, y in enumerate((18, 25, 32, 39)):
        d.rounded_rectangle(
            (20 * u, y * u, (40 if i % 2 == 0 else 34) * u, (y + 3) * u), radius=1.5 * u, fill=RULE
        )
    d.ellipse((33 * u, 35 * u, 57 * u, 59 * u), fill=GREEN, outline=PAPER, width=round(2.5 * u))
    d.line(
        ((39 * u, 47 * u), (43.5 * u, 51.5 * u), (51 * u, 42 * u)),
        fill=PAPER,
        width=round(3.5 * u),
        joint="curve",
    )
    return img


def main() -> None:
    big = draw()
    out = ROOT / "resources"
    big.resize((256, 256), Image.Resampling.LANCZOS).save(out / "dxdesk.png")
    frames = [big.resize((s, s), Image.Resampling.LANCZOS) for s in SIZES]
    frames[-1].save(out / "dxdesk.ico", sizes=[(s, s) for s in SIZES], append_images=frames[:-1])
    print(f"wrote {out / 'dxdesk.ico'} and {out / 'dxdesk.png'}")


if __name__ == "__main__":
    main()
