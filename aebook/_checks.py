"""Input validation shared by the modules: clear errors that name the fix."""

from __future__ import annotations

import numpy as np


def as_float_array(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a float32 array; refuse NaN/inf and non-numeric input."""
    try:
        arr = np.asarray(x)
    except Exception as exc:  # noqa: BLE001 - re-raised with context
        raise TypeError(f"{name} could not be turned into an array: {exc}") from exc
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(np.float32, copy=False)
    if arr.size and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s): clean or impute them "
            "(e.g. np.nan_to_num) before training or scoring"
        )
    return arr


def check_unit_interval(x: np.ndarray, name: str = "x", why: str = "") -> None:
    """Raise if any value of ``x`` lies outside [0, 1]."""
    if x.size == 0:
        return
    lo, hi = float(np.min(x)), float(np.max(x))
    if lo < 0.0 or hi > 1.0:
        reason = f" {why}" if why else ""
        raise ValueError(
            f"{name} has values in [{lo:.4g}, {hi:.4g}], outside [0, 1]{reason}. "
            "Scale it into [0, 1] first (e.g. x / 255 for 8-bit images, or "
            "aebook.minmax_scale), or use a linear output with mean squared error."
        )


def check_same_shape(a: np.ndarray, b: np.ndarray, names=("x", "x_hat")) -> None:
    """Raise if two arrays differ in shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}: "
            "they must match element for element (flatten both, or reshape the "
            "reconstruction to the input's shape)"
        )


def check_features(x: np.ndarray, expected: tuple, name: str = "x") -> None:
    """Raise if the per-sample shape of ``x`` is not ``expected``."""
    got = tuple(x.shape[1:])
    if got != tuple(expected):
        hint = ""
        if int(np.prod(got)) == int(np.prod(expected)):
            hint = f" Reshape it: x.reshape(len(x), *{tuple(expected)})."
        raise ValueError(
            f"{name} has samples of shape {got} but the model expects {tuple(expected)} "
            f"(x.shape is {x.shape}).{hint}"
        )
