"""Argument checks shared by every public function of reglab.

Each check raises before any work is done and names the argument and the
value it got, e.g. ``ValueError: keep_prob must be in (0, 1], got 1.5``.
"""

from __future__ import annotations

import numbers

import numpy as np


def check_real(name: str, value, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float if it is a finite real number inside the given interval.

    ``low``/``high`` are the bounds (``None`` for unbounded); ``low_open``/``high_open``
    exclude the bound itself. The message names the interval in the usual notation.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}, got {value:g}")
    return value


def check_int(name: str, value, *, low=None):
    """Return ``value`` as an int if it is an integer ``>= low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def check_rng(name: str, rng) -> np.random.Generator:
    """Require a ``np.random.Generator`` (never the global ``np.random`` state)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (make one with "
            f"np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    return rng


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is a bool (or a NumPy bool); ``"no"``, 0 or None are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_callable(name: str, value, what: str):
    """Return ``value`` if it is a callable object; a string or a class gets a hint.

    ``what`` describes the expected callable, e.g. ``"a function (X, rng) -> X"``.
    """
    if isinstance(value, type) or not callable(value):
        raise TypeError(f"{name} must be {what}, got {_describe(value)}")
    return value


def check_has_method(name: str, value, method: str, what: str):
    """Return ``value`` if it is an object (not a class) with a callable ``method``."""
    if isinstance(value, type) or not callable(getattr(value, method, None)):
        raise TypeError(f"{name} must be {what}, got {_describe(value)}")
    return value


def check_instance(name: str, value, cls, what: str | None = None):
    """Return ``value`` if it is an instance of ``cls``; a class passed instead gets a hint."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {what or 'a reglab ' + cls.__name__}, "
                        f"got {_describe(value)}")
    return value


def _describe(value) -> str:
    """The type and value of a refused argument; for a class, the hint to instantiate it."""
    if isinstance(value, type):
        return f"the class {value.__name__}: pass an instance, e.g. {value.__name__}(...)"
    return f"{type(value).__name__} {_short(value)}"


def _short(value) -> str:
    """``repr(value)`` cut to 60 characters, for error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_array(name: str, x, *, ndim=None, min_rows=1, dtype_kind="f") -> np.ndarray:
    """Return ``x`` as an ndarray of real numbers with ``ndim`` dimensions, no NaN/inf.

    ``min_rows`` is the minimum length of the first axis (the examples);
    ``dtype_kind`` lists the accepted numpy dtype kinds ('f' float, 'c' complex,
    'i'/'u' integers, 'b' booleans); integers and booleans are converted to float64.
    Complex, string and object arrays are refused unless ``dtype_kind`` lists them.
    """
    try:
        arr = np.asarray(x)
    except ValueError:  # a ragged nested list
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__} "
                        f"{_short(x)}") from None
    if arr.dtype.kind in "iub" and "f" in dtype_kind:
        arr = arr.astype(np.float64)
    if arr.dtype.kind not in dtype_kind:
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype} "
                        f"({type(x).__name__} {_short(x)})")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if arr.ndim and arr.shape[0] < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} row(s), got shape {arr.shape}")
    if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]) if arr.ndim else ()
        raise ValueError(f"{name} contains NaN or inf, e.g. {arr[bad]} at index {bad} "
                         f"of shape {arr.shape}")
    return arr


def check_labels(name: str, y, n_classes: int, m: int) -> np.ndarray:
    """Return class labels ``y`` of shape (m,) as int64, each in ``[0, n_classes)``."""
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf: class labels must be integers "
                             f"in [0, {n_classes})")
        if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must be integer class labels, got dtype {arr.dtype} "
                            f"({_short(y)})")
    if arr.shape != (m,):
        raise ValueError(f"{name} must have shape ({m},) to match the {m} rows, got {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must be in [0, {n_classes}) for {n_classes} classes, "
            f"got values from {arr.min()} to {arr.max()}"
        )
    return arr.astype(np.int64, copy=False)


def check_instances(name: str, items, cls, *, min_items: int = 1) -> list:
    """Return ``items`` as a list of at least ``min_items`` entries, each an instance of ``cls``."""
    if isinstance(items, (cls, str, type)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{name} must be a list of {cls.__name__}, got {type(items).__name__} "
                        f"{_short(items)}: write {name}=[...]")
    items = list(items)
    if len(items) < min_items:
        raise ValueError(f"{name} must contain at least one {cls.__name__}, got an empty list")
    for i, item in enumerate(items):
        check_instance(f"{name}[{i}]", item, cls)
    return items
