"""The paper's numbers, once: each value, the band ours must lie in, and why the band is that wide.

Michelucci (2022) prints numbers for some results (Tables 1-3, the REs of
§3.3) and states only a claim for others (the RE falls as q grows, the
convolutional network reconstructs better). Every such number or claim is
one :class:`Headline` here: the paper's value, the band ``[low, high]`` that
a reproduction must meet, and ``why``, the reason the band is as wide as it
is. The chapters import the values (e.g. :data:`KNN_ACCURACY`,
:data:`TABLE3_SIDE`, :data:`SHOE_RE`) and :mod:`aebook.report` compares the
experiments' results with the headlines; nothing else types a paper number.

The groups (:data:`TABLE3`, :data:`PCA`, :data:`RECONSTRUCTION`,
:data:`KNN`, :data:`SHOE`, :data:`DENOISING`, :data:`CONV`) hold the
headlines of one experiment each; their ``key`` is the key of that
experiment's result dictionary in :mod:`aebook.experiments`.
"""

from __future__ import annotations

import dataclasses
import math

__all__ = [
    "CONV",
    "DENOISING",
    "EPOCHS",
    "KNN",
    "KNN_ACCURACY",
    "KNN_ACCURACY_AUTHOR_CODE",
    "KNN_SECONDS",
    "PCA",
    "RECONSTRUCTION",
    "RUNNER_UP_RE",
    "SHOE",
    "SHOE_RE",
    "TABLE3",
    "TABLE3_M",
    "TABLE3_SIDE",
    "Headline",
]

INF = math.inf


@dataclasses.dataclass(frozen=True)
class Headline:
    """One headline number: the paper's value or claim and the band ours must lie in.

    ``low <= ours <= high`` meets the band (``None``: unbounded on that side;
    both ``None``: shown for information, no verdict). ``why`` says why the
    band is as wide as it is. ``erratum`` says why the paper's printed value
    is wrong where it is (our value then follows the paper's equation and
    cannot meet the printed one; ``reproduce --strict`` does not count that
    miss); ``note`` is any other remark. ``profiles`` names the profiles whose
    sizes can support the comparison; under any other profile the number is
    shown for information only (``why`` says what that profile lacks).
    """

    key: str             # key in the experiment's result dict
    label: str           # what it is, in words
    paper: float | None  # the paper's value (None: the paper states a claim, not a number)
    paper_text: str      # the paper's value or claim as the paper puts it
    low: float | None
    high: float | None
    band_text: str       # the band in words
    why: str             # why the band is as wide as it is
    unit: str = ""
    note: str = ""
    erratum: str = ""
    profiles: tuple[str, ...] = ("quick", "paper")

    def __post_init__(self):
        if not self.why:
            raise ValueError(f"headline {self.key!r} needs a reason for its band (why=...)")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"headline {self.key!r}: low {self.low} > high {self.high}")


def _info(key: str, label: str, paper_text: str = "no number given", unit: str = "",
          why: str = "the paper gives no number to compare with: shown for information") -> Headline:
    return Headline(key, label, None, paper_text, None, None, "-", why, unit)


# ------------------------------------------------------------------ §2.4: the training settings
EPOCHS = 30  # §2.4: Adam, 30 epochs, batch 256 (also the paper profile's settings)

# ------------------------------------------------------------------ §2.4: reconstruction
_DIRECTION = ("the paper states a direction, not a number; a ratio below 1 is the claim, "
              "with no margin because any margin would be a number the paper does not give")
RECONSTRUCTION: tuple[Headline, ...] = (
    _info("re_q8", "test RE (per-pixel MSE), q = 8"),
    _info("re_q16", "test RE (per-pixel MSE), q = 16"),
    _info("re_q64", "test RE (per-pixel MSE), q = 64"),
    Headline("ratio_q16_q8", "RE(q=16) / RE(q=8)", None, "RE falls as q grows (§2.4)",
             0.0, 1.0, "< 1", _DIRECTION),
    Headline("ratio_q64_q16", "RE(q=64) / RE(q=16)", None, "RE falls as q grows (§2.4)",
             0.0, 1.0, "< 1", _DIRECTION),
)

# ------------------------------------------------------------------ §3.1: linear AE vs PCA
PCA: tuple[Headline, ...] = (
    Headline("max_angle_deg", "largest principal angle to PCA's top-16 subspace", 0.0,
             "same subspace as PCA (0 degrees)", 0.0, 5.0, "<= 5 degrees",
             "the paper's claim is an identity (0 degrees), which gradient descent reaches only "
             "in the limit; 5 degrees is a subspace that still reconstructs within 1 % of PCA "
             "(the next number) and is far from the 85-90 degrees of a random subspace",
             "deg"),
    _info("mean_angle_deg", "mean principal angle", "same subspace as PCA (0 degrees)", "deg",
          why="the largest angle above carries the verdict; the mean is shown for information"),
    Headline("re_ratio", "test RE, linear AE / PCA", 1.0, "same reconstructions (ratio 1)",
             0.99, 1.01, "1 ± 0.01",
             "on the optimal subspace the two reconstructions are the same; 1 % is what the "
             "small residual angle a finite training leaves can cost"),
)

# ------------------------------------------------------------------ §3.2.1: Tables 1 and 2
KNN_ACCURACY: dict[tuple[str, int], float] = {  # percent; (dataset, number of features)
    ("mnist", 784): 96.4, ("mnist", 8): 89.0,
    ("fashion_mnist", 784): 85.4, ("fashion_mnist", 8): 79.9, ("fashion_mnist", 16): 83.6,
}
# What the author's public notebook (toelt-llc/ADL-Book-2nd-Ed, chapter 25) prints for the
# same deterministic classifier where it differs from the paper's table: raw-pixel kNN on MNIST
# involves no training and no random numbers, so 96.94 against Table 1's 96.4 is a slip in the
# paper (a digit lost), not sampling error.
KNN_ACCURACY_AUTHOR_CODE: dict[tuple[str, int], float] = {("mnist", 784): 96.94}
KNN_SECONDS: dict[tuple[str, int], float] = {  # seconds on Google Colab (2021), fit + scoring
    ("mnist", 784): 1000.0, ("mnist", 8): 1.1,
    ("fashion_mnist", 784): 1040.0, ("fashion_mnist", 8): 1.2, ("fashion_mnist", 16): 3.0,
}
_ACC_WHY = ("paper profile only: 3 points are about 7 standard errors of an accuracy measured "
            "on 10,000 test images (0.2-0.4 points), room for the spread between training runs "
            "of the encoder and for the paper's own slips (its raw-pixel MNIST value is 0.5 "
            f"points below the {KNN_ACCURACY_AUTHOR_CODE['mnist', 784]} % its author's code "
            "prints for this deterministic "
            "classifier); the quick profile, with a third of the training images, measured "
            "2-4.5 points below the paper, so there the accuracies are shown for information")
_SPEED_WHY = ("the paper's ratio (~{paper:.0f}) comes from its Colab machine and search method "
              "(not stated; its raw-pixel times suggest a tree search); with brute-force search "
              "on both sides the work that does not depend on the number of features (selecting "
              "the k nearest among all training points) bounds the ratio far below that: "
              "measured 2.8 (benchmarks/README, 500 queries) to 15 (quick profile, 2,000 "
              "queries) on two cores. The band asks that the latent search be at least twice "
              "as fast, below every measurement and well above the old '> 1'")
_TAG = {"mnist": "mnist", "fashion_mnist": "fashion"}
_TITLE = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
KNN: tuple[Headline, ...] = tuple(
    Headline(f"{_TAG[name]}_{'raw' if n == 784 else f'latent{n}'}_acc",
             f"{_TITLE[name]} accuracy, {'raw 784' if n == 784 else n} {'latent ' if n != 784 else ''}"
             "features", acc, f"{acc} %", acc - 3.0, acc + 3.0, "paper ± 3 points", _ACC_WHY, "%",
             profiles=("paper",))
    for (name, n), acc in KNN_ACCURACY.items()
) + (
    _info("mnist_raw_seconds", "MNIST time, raw (brute-force search)",
          f"~{KNN_SECONDS['mnist', 784]:.0f} s (Colab)", "s",
          why="a time depends on the machine: shown for information"),
    _info("mnist_latent8_seconds", "MNIST time, 8 latent (brute-force search)",
          f"{KNN_SECONDS['mnist', 8]} s (Colab)", "s",
          why="a time depends on the machine: shown for information"),
) + tuple(
    Headline(f"{_TAG[name]}_speedup{q}", f"{_TITLE[name]} time ratio raw / {q} latent",
             KNN_SECONDS[name, 784] / KNN_SECONDS[name, q],
             f"{KNN_SECONDS[name, 784]:.0f} / {KNN_SECONDS[name, q]} = "
             f"{KNN_SECONDS[name, 784] / KNN_SECONDS[name, q]:.0f}",
             2.0, INF, ">= 2 (latent search at least twice as fast)",
             _SPEED_WHY.format(paper=KNN_SECONDS[name, 784] / KNN_SECONDS[name, q]))
    for name, q in (("mnist", 8), ("fashion_mnist", 8), ("fashion_mnist", 16))
)

# ------------------------------------------------------------------ §3.2.2: Table 3
TABLE3_M = 1000  # points in the unit cube
TABLE3_SIDE: dict[int, float] = {2: 0.003, 10: 0.50, 100: 0.93, 1000: 0.99}  # as printed
_TABLE3_TEXT = {2: "0.003", 10: "0.50", 100: "0.93", 1000: "0.99"}
TABLE3: tuple[Headline, ...] = tuple(
    Headline(f"l_d{d}", f"side l of the cube holding 1/m of the points, d = {d}", p,
             f"{_TABLE3_TEXT[d]} (Tab. 3)", p - half, p + half, f"paper's value ± {half:g}",
             f"eq. 23 is exact, so the band is only the rounding of the printed value "
             f"({len(_TABLE3_TEXT[d].split('.')[1])} decimals: ± {half:g})",
             erratum=("the paper prints 0.003, but (1/1000)^(1/2) = 0.032" if d == 2 else ""))
    for d, p in TABLE3_SIDE.items()
    for half in (0.5 * 10.0 ** -len(_TABLE3_TEXT[d].split(".")[1]),)
) + (
    Headline("sim_max_count_error", "simulation: largest deviation of the mean count in the cube from 1",
             None, "1 point on average (eq. 23)", 0.0, 0.3, "<= 0.3",
             "the count in the cube is Binomial(m, 1/m), variance about 1, so its mean over the "
             "quick profile's 200 trials has a standard error of 0.07; 0.3 is about 4 standard "
             "errors, room for the largest of four dimensions (13 in the paper profile's 2,000)"),
)

# ------------------------------------------------------------------ §3.3: the shoe among the digits
SHOE_RE = 0.062       # §3.3: RE (per-pixel MSE) of the shoe
RUNNER_UP_RE = 0.022  # §3.3: the second-largest RE, a digit
# Seed-to-seed spread of the two REs in the paper profile (all 60,000 images, 30 epochs), measured
# over seeds 1-5 and 42 on a CPU: shoe 0.0585 +- 0.0059 (10 % of the mean), runner-up 0.0231 +- 0.0016
# (7 %). Ours and the paper's are two such runs, so their difference has sqrt(2) times that spread.
_RE_WHY = ("paper profile only: the RE of one image changes from training run to training run "
           "(over 6 seeds in the paper profile the standard deviation was {sd:.0f} % of the "
           "mean); ours and the paper's are two runs, whose difference then has a standard "
           "deviation of {diff:.0f} %, and the band is 3 of those (rounded up to 5 %). The quick "
           "profile's less trained network gives larger REs (runner-up 0.035-0.039 over 6 seeds), "
           "so there the REs are shown for information")
_RE_SD = {"shoe_re": 10.0, "runner_up_re": 7.0}  # percent of the mean, measured as above


def _re_band(sd: float) -> float:
    """Half-width (fraction) of an RE band: 3 standard deviations of a two-run difference."""
    return math.ceil(3 * math.sqrt(2) * sd / 5) * 5 / 100


SHOE: tuple[Headline, ...] = (
    Headline("shoe_rank", "rank of the shoe by RE (1 = largest)", 1.0, "1 (largest RE)",
             1.0, 1.0, "= 1", "the paper's claim is that the shoe comes first: no tolerance"),
) + tuple(
    Headline(key, label, value, f"{value}", (1 - half) * value, (1 + half) * value,
             f"paper ± {100 * half:.0f} %",
             _RE_WHY.format(sd=_RE_SD[key], diff=math.sqrt(2) * _RE_SD[key]), profiles=("paper",))
    for key, label, value in (("shoe_re", "RE of the shoe (per-pixel MSE)", SHOE_RE),
                              ("runner_up_re", "second-largest RE", RUNNER_UP_RE))
    for half in (_re_band(_RE_SD[key]),)
) + (
    Headline("ratio", "shoe RE / second-largest RE", SHOE_RE / RUNNER_UP_RE,
             f"{SHOE_RE} / {RUNNER_UP_RE} = {SHOE_RE / RUNNER_UP_RE:.1f}", 1.5, INF,
             ">= 1.5 (the shoe stands out)",
             "the paper's claim is that the shoe stands out, not merely comes first: its RE at "
             "least 50 % above every digit's. Measured over 6 seeds: 2.2-3.0 in the paper "
             "profile, 1.7-2.1 in the quick profile (paper: 2.8)"),
)

# ------------------------------------------------------------------ §3.4: denoising
DENOISING: tuple[Headline, ...] = (
    _info("mse_noisy", "test MSE, noisy vs clean"),
    _info("mse_denoised", "test MSE, denoised vs clean"),
    Headline("mse_ratio", "MSE denoised / MSE noisy", None, "noise removed (Fig. 12)", 0.0, 0.5,
             "<= 0.5 (error at least halved)",
             "Fig. 12 shows the noise removed, not a number; halving the error is the least "
             "that 'removed' can mean (a 3 dB PSNR gain)"),
    Headline("psnr_gain_db", "PSNR gain of denoising", None, "noise removed (Fig. 12)", 3.0, INF,
             ">= 3 dB", "3 dB is the PSNR gain of halving the error, the bound above", "dB"),
)

# ------------------------------------------------------------------ §4: convolutional autoencoder
CONV: tuple[Headline, ...] = (
    _info("re_ffa", "test RE (per-pixel MSE), FFA"),
    _info("re_ca", "test RE (per-pixel MSE), CA"),
    Headline("ratio_ca_ffa", "RE(CA) / RE(FFA)", None, "CA better than FFA (Fig. 13)", 0.0, 1.0,
             "< 1", _DIRECTION),
)
