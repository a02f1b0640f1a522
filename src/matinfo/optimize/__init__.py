"""matinfo.optimize: Bayesian-optimisation campaigns — what to make or compute next.

Ask/tell over a finite pool of candidates (:class:`DiscreteSpace`: a screen's hits, a store search, a designed
table) or over process parameters (:class:`ParameterSpace` of :class:`Real`, :class:`Integer` and
:class:`Categorical` parameters, mixed): ``Campaign.suggest(n)`` proposes, ``Campaign.observe(candidates,
values)`` records, ``Campaign.fail(...)`` records experiments that gave no value.  Surrogates are scikit-learn
estimators (:class:`GaussianProcess`, :class:`PeriodicGaussianProcess` — periods learned, used when the evidence
favours them —, :class:`RandomFeatureGP`, :class:`TransferGP`, :class:`FeasibilityModel`);
acquisitions EI, PI, UCB and Thompson sampling, per unit cost when candidates have costs; batches with pending
points; the campaign state is an append-only log, kept in the store (``Campaign.create(db, ...)``,
``Campaign.load(db, name)``) so that a campaign resumes exactly after a crash.

Names load on first use.
"""

from __future__ import annotations

from matinfo._lazy import lazy_exports

_EXPORTS: dict[str, tuple[str, ...]] = {
    "matinfo.optimize.campaign": ("Campaign", "default_n_initial"),
    "matinfo.optimize.space": ("DiscreteSpace",),
    "matinfo.optimize.params": ("ParameterSpace", "Real", "Integer", "Categorical"),
    "matinfo.optimize.proposal": ("Settings", "Proposal", "propose_discrete", "propose_parameters"),
    "matinfo.optimize.surrogate": ("GaussianProcess",),
    "matinfo.optimize.periodic": ("PeriodicGaussianProcess",),
    "matinfo.optimize.kernels": ("kernel", "neg_log_marginal_likelihood"),
    "matinfo.optimize.random_features": ("RandomFeatureGP", "FourierFeatures", "posterior_paths"),
    "matinfo.optimize.transfer": ("TransferGP", "transfer_mean"),
    "matinfo.optimize.feasibility": ("FeasibilityModel",),
    "matinfo.optimize.acquisition": (
        "ACQUISITIONS",
        "log_expected_improvement",
        "expected_improvement",
        "log_probability_of_improvement",
        "upper_confidence_bound",
    ),
    "matinfo.optimize.events": ("Event", "CampaignState", "replay"),
    "matinfo.optimize.storage": ("list_campaigns",),
    "matinfo.optimize.report": ("history_frame", "best_so_far"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
