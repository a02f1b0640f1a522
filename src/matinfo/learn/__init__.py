"""matinfo.learn: models that hold up — model zoo, leak-free splits, metrics, uncertainty, importance by
descriptor category, ablation, exhaustive subset search, model cards and benchmark runners.

Everything is a scikit-learn estimator or works on one.  Names load on first use.
"""

from __future__ import annotations

from matinfo._lazy import lazy_exports

_EXPORTS: dict[str, tuple[str, ...]] = {
    "matinfo.learn.zoo": ("ModelSpec", "make_model", "list_models", "get_model_spec"),
    "matinfo.learn.splits": ("group_labels", "LeaveClusterOut", "ExtrapolationSplit", "make_cv"),
    "matinfo.learn.tuning": ("nested_cv", "NestedCVResult"),
    "matinfo.learn.metrics": ("regression_metrics", "classification_metrics", "interval_coverage"),
    "matinfo.learn.uncertainty": ("Ensemble", "QuantileBoosting", "predict_with_std"),
    "matinfo.learn.subset_search": ("ExhaustiveSearch",),
    "matinfo.learn.importance": (
        "Importance",
        "TopKComparison",
        "feature_categories",
        "permutation_importance_by_category",
        "shap_importance_by_category",
        "cv_importance",
        "compare_top_k",
        "tree_shap",
    ),
    "matinfo.learn.ablation": ("run_ablation", "AblationResult", "corrected_resampled_ttest"),
    "matinfo.learn.card": ("ModelCard", "save_model", "load_model", "data_hash"),
    "matinfo.learn.study": ("run_study", "StudyResult"),
    "matinfo.learn.recipes": (
        "HurdleRegressor",
        "ProbabilityAverage",
        "composition_features",
        "composition_recipe",
    ),
    "matinfo.learn.matbench": ("run_matbench", "load_task", "MatbenchTask", "Recipe"),
    "matinfo.learn.train": ("fit_model", "predict_table", "read_target", "default_featurizer", "FitResult"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
