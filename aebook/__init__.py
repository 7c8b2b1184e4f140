"""aebook: the helper library of the executable book on autoencoders.

The book follows U. Michelucci, "An Introduction to Autoencoders",
arXiv:2201.03898 (2022). Importing this package has no side effects: it
reads no environment variable and imports TensorFlow only when a function
that needs it is called.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .anomaly import (
    THRESHOLD_RULES,
    anomaly_scores,
    detection_metrics,
    ensemble_scores,
    flag_outliers,
    outlier_ranking,
    pairwise_agreement,
    rank_correlation,
    roc_auc,
    score_ranks,
    threshold,
    top_k_overlap,
)
from .config import PROFILES, Profile, cache_dir, data_dir, default_seed, get_profile
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
    minmax_scale,
    read_idx,
    subset,
)
from .experiments import (
    KnnResult,
    conv_experiment,
    denoising_experiment,
    knn_benchmark,
    knn_experiment,
    linear_autoencoder,
    load_profile_data,
    mnist_autoencoder,
    pca_experiment,
    reconstruction_experiment,
    shoe_experiment,
    table3_experiment,
)
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
from .report import run_report, to_markdown, validate_results, write_report

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

__all__ = [
    "__version__",
    # config
    "PROFILES", "Profile", "cache_dir", "data_dir", "default_seed", "get_profile",
    # data
    "DATASETS", "ChecksumError", "DataError", "Dataset", "flatten", "load_dataset",
    "load_fashion_mnist", "load_mnist", "minmax_scale", "read_idx", "subset", "add_gaussian_noise",
    # anomaly detection (§3.3)
    "THRESHOLD_RULES", "anomaly_scores", "detection_metrics", "ensemble_scores", "flag_outliers",
    "outlier_ranking", "pairwise_agreement", "rank_correlation", "roc_auc", "score_ranks",
    "threshold", "top_k_overlap",
    # experiments
    "KnnResult", "knn_benchmark", "linear_autoencoder", "load_profile_data", "mnist_autoencoder",
    # reproduction report (issue 6)
    "conv_experiment", "denoising_experiment", "knn_experiment", "pca_experiment",
    "reconstruction_experiment", "shoe_experiment", "table3_experiment",
    "run_report", "to_markdown", "validate_results", "write_report",
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
