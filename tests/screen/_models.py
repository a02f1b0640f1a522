"""Three small models of thermal conductivity (sysTEm, real data) saved the way `matinfo model fit` saves them."""

from __future__ import annotations

import warnings
from importlib.resources import files
from pathlib import Path

import pandas as pd

TARGET = "Total Thermal Conductivity (W/mK)"
TEMPERATURE = "Temperature (K)"
#: model name → (zoo model, parameters, uncertainty)
MODELS = {
    "lgbm": ("lgbm", {"n_estimators": 60, "num_leaves": 15}, "none"),
    "svm": ("svm", {}, "none"),
    "gp": ("gp", {"n_restarts_optimizer": 0}, "native"),
}


def system_rows(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """``n`` rows of the shipped sysTEm data: formula, temperature, total thermal conductivity, DOI."""
    with (files("matinfo.data") / "thermoelectrics" / "sysTEm_dataset.csv.gz").open("rb") as fh:
        df = pd.read_csv(fh, compression="gzip")
    df = df[df["Type of Formula"] == "Stoichiometric Formula"].dropna(subset=[TARGET])
    df = df.rename(columns={"Pymatgen Composition": "formula"})
    return df.sample(n, random_state=seed).reset_index(drop=True)[
        ["formula", TEMPERATURE, TARGET, "Source Paper"]
    ]


def train_models(folder: Path) -> dict[str, Path]:
    """Fit and save the three models under ``folder``; returns name → folder."""
    from matinfo.learn import fit_model

    data = system_rows()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GP optimiser convergence notes on a small sample
        for name, (model, params, unc) in MODELS.items():
            res = fit_model(
                data,
                TARGET,
                composition_col="formula",
                numeric_columns={"measurement": [TEMPERATURE]},
                model=model,
                model_params=params,
                group_col="Source Paper",
                cv=2,
                log_target=True,
                uncertainty=unc,
            )
            out[name] = res.save(folder / name)
    return out
