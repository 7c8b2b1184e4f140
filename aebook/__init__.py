"""aebook: the helper library of the executable book on autoencoders.

The book follows U. Michelucci, "An Introduction to Autoencoders",
arXiv:2201.03898 (2022). Importing this package has no side effects: it
reads no environment variable and imports TensorFlow only when a function
that needs it is called.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import machine, paper
from .anomaly import (
    THRESHOLD_RULES,
    anomaly_scores,
    detection_metrics,
    ensemble_scores,
    flag_outliers,
    pairwise_agreement,
    rank_correlation,
    roc_auc,
    roc_auc_standard_error,
    score_ranks,
    threshold,
    top_k_overlap,
)
from .config import (
    PROFILES,
    Profile,
    cache_dir,
    conv_epochs,
    data_dir,
    default_seed,
    get_profile,
    resolve_seed,
)
from .curse import corner_cube_sides, cube_side, expected_points_in_cube, smallest_cube_median
from .data import (
    DATASETS,
    ChecksumError,
    DataError,
    Dataset,
    add_gaussian_noise,
    flatten,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
    read_idx,
    subset,
)
from .experiments import (
    LINEAR_AE_TRAINING,
    Denoiser,
    KnnResult,
    ProfileData,
    ShoeAmongDigits,
    conv_baseline_ffa,
    conv_experiment,
    denoiser,
    denoising_experiment,
    knn_benchmark,
    knn_experiment,
    latent_features,
    linear_autoencoder,
    load_conv_data,
    load_profile_data,
    paper_autoencoder,
    paper_conv_autoencoder,
    pca_experiment,
    reconstruction_experiment,
    shoe_among_digits,
    shoe_experiment,
    table3_experiment,
)
from .machine import hardware, package_versions
from .metrics import RE_KINDS, latent_sparsity, psnr, rank_by_error, reconstruction_error
from .pca import (
    PCAResult,
    covariance_nbytes,
    pca_fit,
    pca_normalize,
    pca_reconstruct,
    principal_angles,
)
from .plots import agreement_heatmap, architecture_diagram, image_rows, re_histogram, training_curves
from .plots_latent import latent_scatter, precision_recall_curves
from .report import run_report, to_html, to_markdown, validate_results, write_report

# Models and training need Keras; they are imported on first use (see __getattr__)
_LAZY = {
    "BUILDERS": "models",
    "DenseTranspose": "models",
    "architecture_table": "models",
    "layer_widths": "models",
    "weight_norm": "models",
    "conv_autoencoder": "models",
    "dense_autoencoder": "models",
    "get_builder": "models",
    "output_activation": "models",
    "Trained": "train",
    "cache_key": "train",
    "encode": "train",
    "fit": "train",
    "reconstruct": "train",
    "set_seed": "backend",  # chooses the Keras backend before Keras is imported
    "backend_info": "backend",
    "gpu_present": "backend",
}
_LAZY |= dict.fromkeys(  # the VAE (issue 13)
    ["GaussianSampling", "kl_divergence", "sample_prior", "variational_autoencoder"], "vae")

__all__ = [
    "__version__",
    # modules: the machine (aebook.machine.gpus()) and the paper's numbers (aebook.paper.SHOE_RE)
    "machine", "paper",
    # config
    "PROFILES", "Profile", "cache_dir", "conv_epochs", "data_dir", "default_seed", "get_profile",
    "resolve_seed",
    # data
    "DATASETS", "ChecksumError", "DataError", "Dataset", "flatten", "load_dataset",
    "load_fashion_mnist", "load_mnist", "read_idx", "subset", "add_gaussian_noise",
    # anomaly detection (§3.3)
    "THRESHOLD_RULES", "anomaly_scores", "detection_metrics", "ensemble_scores", "flag_outliers",
    "pairwise_agreement", "rank_correlation", "roc_auc", "roc_auc_standard_error",
    "score_ranks",
    "threshold", "top_k_overlap",
    # recipes shared by the chapters and the report
    "Denoiser", "KnnResult", "LINEAR_AE_TRAINING", "ProfileData", "ShoeAmongDigits",
    "conv_baseline_ffa", "denoiser",
    "knn_benchmark", "latent_features", "linear_autoencoder", "load_conv_data", "load_profile_data",
    "paper_autoencoder", "paper_conv_autoencoder", "shoe_among_digits",
    # headline experiments and the reproduction report
    "conv_experiment", "denoising_experiment", "knn_experiment", "pca_experiment",
    "reconstruction_experiment", "shoe_experiment", "table3_experiment",
    "run_report", "to_html", "to_markdown", "validate_results", "write_report",
    # the machine
    "hardware", "package_versions",
    # curse of dimensionality (§3.2.2)
    "corner_cube_sides", "cube_side", "expected_points_in_cube", "smallest_cube_median",
    # PCA (§3.1)
    "PCAResult", "covariance_nbytes", "pca_fit", "pca_normalize", "pca_reconstruct", "principal_angles",
    # metrics
    "RE_KINDS", "latent_sparsity", "psnr", "rank_by_error", "reconstruction_error",
    # plots
    "agreement_heatmap", "architecture_diagram", "image_rows", "re_histogram", "training_curves",
    # models and training (imported lazily)
    *_LAZY,
]

__all__ += ["latent_scatter", "precision_recall_curves"]  # beyond the paper (issue 13)


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'aebook' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
