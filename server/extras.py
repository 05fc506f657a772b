"""Optional dependencies: which extra a command needs, and one clear line when it is missing.

A default install reviews without numpy, scikit-learn or matplotlib; ``tactful[gate]``
adds what training and evaluating the gate need, ``tactful[plots]`` what drawing needs.
"""

from __future__ import annotations

import importlib.util

from tactful.server.errors import UsageError

EXTRAS = {
    "gate": ("numpy", "scipy", "sklearn"),
    "plots": ("numpy", "matplotlib"),
}
"""Extra -> the modules it provides (import names, as ``pyproject.toml`` installs them)."""
_DISTRIBUTIONS = {"sklearn": "scikit-learn"}


def missing(extra: str) -> list[str]:
    """The distributions of ``extra`` that are not installed (import names mapped back)."""
    return [
        _DISTRIBUTIONS.get(module, module)
        for module in EXTRAS[extra]
        if importlib.util.find_spec(module) is None
    ]


def require(extra: str, what: str) -> None:
    """Raise one line saying how to install ``extra`` when ``what`` (a command) needs it."""
    absent = missing(extra)
    if absent:
        raise UsageError(
            f"{what} needs {', '.join(absent)}, which the default install leaves out: "
            f"pip install 'tactful[{extra}]'"
        )
