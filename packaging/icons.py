#!/usr/bin/env python3
"""Draws the app icon at the sizes the Debian package installs into the hicolor icon theme.

The shapes are icons/generate.py's app icon, rendered at each size rather than scaled from
icons/icon.png (256 px, also in the package), so small sizes stay sharp and 512 px is not an
upscale. Run `python3 packaging/icons.py` after changing the icon; the PNGs are committed, so
packaging needs no Python.
"""

import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = (32, 64, 128, 512)


def load_generator():
    path = os.path.join(HERE, "..", "icons", "generate.py")
    spec = importlib.util.spec_from_file_location("generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    generate = load_generator()
    _, layers = generate.ICONS["icon.png"]
    out = os.path.join(HERE, "icons")
    os.makedirs(out, exist_ok=True)
    for size in SIZES:
        path = os.path.join(out, f"{size}x{size}.png")
        generate.write_png(path, size, generate.render(size, layers))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
