"""Input validation shared by the modules: clear errors that name the fix."""

from __future__ import annotations

import numpy as np

# What the error messages recommend for data outside [0, 1]: per-feature
# scaling fitted on the training data (one place for this advice).
SCALING_ADVICE = (
    "Scale it into [0, 1] first: x / 255 for 8-bit images, or per feature with "
    "scikit-learn, scaler = sklearn.preprocessing.MinMaxScaler(clip=True).fit(x_train), "
    "then scaler.transform(x) for the training and for any new data"
)
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def as_float_array(x, name: str = "x", allow_empty: bool = True) -> np.ndarray:
    """Return ``x`` as a float32 array; refuse NaN/inf, overflow and non-numeric input.

    Complex numbers, strings, objects and booleans are refused (``TypeError``);
    so are finite values too large for float32, which would silently become
    infinite. ``allow_empty=False`` also refuses an array with no values.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # noqa: BLE001 - re-raised with context
        raise TypeError(
            f"{name} could not be turned into an array ({exc}): pass a NumPy array of numbers "
            "whose rows all have the same length"
        ) from exc
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(
            f"{name} must be numeric (real numbers), got dtype {arr.dtype}: convert it first "
            f"(e.g. {name}.astype('float32'), after encoding any text columns as numbers)"
        )
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): pass at least one sample")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        finite = np.isfinite(arr)
        if not np.all(finite):
            bad = int(arr.size - np.count_nonzero(finite))
            raise ValueError(
                f"{name} contains {bad} NaN or infinite value(s): clean or impute them "
                "(e.g. np.nan_to_num) before training or scoring"
            )
        top = float(np.max(np.abs(arr)))
        if top > _FLOAT32_MAX:
            raise ValueError(
                f"{name} has values as large as {top:.3g}, too large for float32 (largest "
                f"{_FLOAT32_MAX:.3g}), which the models compute in. {SCALING_ADVICE}"
            )
    return arr.astype(np.float32, copy=False)


def as_number(value, name: str, *, integer: bool = False, minimum: float | None = None,
              maximum: float | None = None) -> float | int:
    """``value`` as a finite float (or an int with ``integer=True``) within the bounds.

    Refuses strings, booleans, NaN and out-of-range values with an error that
    names the argument ``name``.
    """
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds):
        what = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {value!r}")
    num = int(value) if integer else float(value)
    if not np.isfinite(num):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    too_low = minimum is not None and num < minimum
    too_high = maximum is not None and num > maximum
    if too_low or too_high:
        if minimum is not None and maximum is not None:
            bound = f"lie in [{minimum:g}, {maximum:g}]"
        else:
            bound = f"be >= {minimum:g}" if too_low else f"be <= {maximum:g}"
        raise ValueError(f"{name} must {bound}, got {value!r}")
    return num


def check_batch(x: np.ndarray, name: str = "x") -> None:
    """Raise unless ``x`` is a non-empty batch ``(n_samples, ...)`` of at least two axes."""
    if x.ndim < 2:
        raise ValueError(
            f"{name} has shape {x.shape}, but a batch of samples (n_samples, n_features) is "
            f"needed: for one sample pass a batch of one, {name}[None]"
        )
    if len(x) == 0:
        raise ValueError(f"{name} has no samples (shape {x.shape}): pass at least one")


def check_unit_interval(x: np.ndarray, name: str = "x", why: str = "") -> None:
    """Raise if any value of ``x`` lies outside [0, 1]."""
    if x.size == 0:
        return
    lo, hi = float(np.min(x)), float(np.max(x))
    if lo < 0.0 or hi > 1.0:
        reason = f" {why}" if why else ""
        raise ValueError(
            f"{name} has values in [{lo:.4g}, {hi:.4g}], outside [0, 1]{reason}. "
            f"{SCALING_ADVICE}; or use a linear output with mean squared error."
        )


def check_same_shape(a: np.ndarray, b: np.ndarray, names=("x", "x_hat")) -> None:
    """Raise if two arrays differ in shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}: "
            "they must match element for element (flatten both, or reshape the "
            "reconstruction to the input's shape)"
        )


def check_features(x: np.ndarray, expected: tuple, name: str = "x", hint: str = "") -> None:
    """Raise if the per-sample shape of ``x`` is not ``expected``.

    ``hint`` is appended to the message (e.g. how to build a model that fits).
    """
    got = tuple(x.shape[1:])
    if got != tuple(expected):
        extra = ""
        if x.ndim == len(expected) and tuple(x.shape) == tuple(expected):
            extra = f" It looks like one sample: pass a batch of one, {name}[None]."
        elif x.ndim >= 1 and int(np.prod(got)) == int(np.prod(expected)):
            extra = f" Reshape it: {name}.reshape(len({name}), *{tuple(expected)})."
        raise ValueError(
            f"{name} has samples of shape {got} but the model expects {tuple(expected)} "
            f"({name}.shape is {x.shape}).{extra}{hint}"
        )
