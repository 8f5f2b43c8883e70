"""Root pytest configuration: notebooks that need an optional extra are skipped without it.

Notebook 13 runs PyTorch next to reglab. PyTorch is the optional extra ``torch``
(``make torch``); when ``import torch`` fails, every cell of that notebook is reported as
skipped with the reason, instead of failing on its import cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
NEEDS_TORCH = {ROOT / "notebooks" / "13_from_reglab_to_pytorch.ipynb"}
TORCH_MISSING = "torch is not installed: make torch"


def torch_available() -> bool:
    """True when ``import torch`` works (a broken or hidden install counts as missing)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    if torch_available():
        return
    skip = pytest.mark.skip(reason=TORCH_MISSING)
    for item in items:
        if Path(str(item.path)).resolve() in NEEDS_TORCH:
            item.add_marker(skip)
