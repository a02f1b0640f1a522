"""Ask/tell campaigns in memory, on real grain-boundary energies: what they propose and what they refuse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matinfo.errors import NotFoundError, ParameterError
from matinfo.optimize import Campaign, Categorical, DiscreteSpace, Integer, ParameterSpace, Real, TransferGP
from tests.optimize.conftest import energy_lookup


def _space(frame, **kw):
    return DiscreteSpace.from_frame(frame, features=["dx", "dz"], id_col="id", **kw)


def _run(camp, energy, n_steps, batch=1):
    for _ in range(n_steps):
        s = camp.suggest(batch)
        camp.observe(s["id"], energy(s["id"]))
    return camp


def test_random_start_then_model_without_repeats(cu_slice):
    energy = energy_lookup(cu_slice)
    camp = Campaign(_space(cu_slice), target="gb_energy", maximize=False, n_initial=4, seed=3)
    first = camp.suggest(4)
    assert (first["strategy"] == "random").all() and first["predicted"].isna().all()
    camp.observe(first["id"], energy(first["id"]))
    batch = camp.suggest(3)
    assert (batch["strategy"] == "model").all() and batch["id"].is_unique
    assert not set(batch["id"]) & set(first["id"]) and batch["std"].gt(0).all()
    more = camp.suggest(2)  # the 3 pending are neither repeated nor lost
    assert not set(more["id"]) & set(batch["id"]) and len(camp.status()["pending"]) == 5


def test_finds_low_energies_much_faster_than_random_search(cu_slice):
    """30 experiments reach the best 1 % of the 2,997 translations; random search does so 26 % of the time."""
    energy = energy_lookup(cu_slice)
    top1 = np.percentile(cu_slice["gb_energy"], 1)
    for seed in (0, 1, 2):
        camp = _run(
            Campaign(_space(cu_slice), target="gb_energy", maximize=False, n_initial=5, seed=seed), energy, 30
        )
        assert camp.best()["value"] <= top1, seed
        hist = camp.history()
        assert len(hist) == 30 and hist["best"].is_monotonic_decreasing and hist["evaluation"].iloc[-1] == 30


def test_same_seed_same_campaign(cu_slice):
    energy = energy_lookup(cu_slice)
    runs = [
        _run(Campaign(_space(cu_slice), target="e", maximize=False, seed=s, n_initial=3), energy, 8)
        for s in (5, 5, 6)
    ]
    ids = [list(r.history()["id"]) for r in runs]
    assert ids[0] == ids[1] and ids[0] != ids[2]


def test_bad_observations_are_refused_and_leave_the_log_alone(cu_slice):
    camp = Campaign(_space(cu_slice), target="gb_energy", maximize=False, seed=0)
    s = camp.suggest(2)
    a, b = s["id"]
    camp.observe([a], [0.99])
    before = len(camp.events())
    bad = [
        (([b], [float("nan")]), ParameterError, "not a finite number"),
        (([b], [float("inf")]), ParameterError, "not a finite number"),
        (([b], ["0.98 J/m2"]), ParameterError, "is not a number"),
        (([b, b], [0.98, 0.97]), ParameterError, "appears twice"),
        (([a], [0.97]), ParameterError, "already has a result"),
        ((["no-such-id"], [0.97]), NotFoundError, "not in the space"),
        (([b], [0.97, 0.96]), ParameterError, "1 candidates but 2 values"),
        (([], []), ParameterError, "nothing to observe"),
    ]
    for (cands, values), error, match in bad:
        with pytest.raises(error, match=match):
            camp.observe(cands, values)
    with pytest.raises(ParameterError, match="already has a result"):
        camp.fail([a], "furnace broke")
    assert len(camp.events()) == before and camp.status()["pending"] == [b]
    with pytest.raises(ParameterError, match="at least one"):
        camp.suggest(0)


def test_failures_are_kept_out_of_the_model_and_never_proposed_again(cu_slice):
    energy = energy_lookup(cu_slice)
    camp = Campaign(_space(cu_slice), target="gb_energy", maximize=False, n_initial=5, seed=1)
    s = camp.suggest(5)
    camp.observe(s["id"][:3], energy(s["id"][:3]))
    camp.fail(s["id"][3:], reasons=["cracked", "no convergence"])
    failed = set(s["id"][3:])
    proposed = set()
    for _ in range(10):
        t = camp.suggest(2)
        proposed |= set(t["id"])
        camp.observe(t["id"], energy(t["id"]))
    assert not proposed & failed
    st = camp.status()
    assert st["observed"] == 23 and st["failed"] == 2
    hist = camp.history()
    assert (hist["kind"] == "failure").sum() == 2 and set(hist.loc[hist["kind"] == "failure", "reason"]) == {
        "cracked",
        "no convergence",
    }


def test_cancel_returns_suggestions_to_the_pool(cu_slice):
    camp = Campaign(_space(cu_slice), target="e", seed=0)
    s = camp.suggest(3)
    assert camp.cancel([s["id"][0]], reason="sample lost") == [s["id"][0]]
    assert sorted(camp.status()["pending"]) == sorted(s["id"][1:])
    assert camp.cancel() == list(s["id"][1:]) and camp.status()["pending"] == []
    with pytest.raises(NotFoundError, match="not pending"):
        camp.cancel(["t1"])


def test_exhausted_pool_is_a_clear_error(cu_slice):
    small = cu_slice.head(4)
    camp = Campaign(_space(small), target="e", seed=0, n_initial=2)
    s = camp.suggest(3)
    with pytest.raises(ParameterError, match="only 1 of the 4 candidates are untested"):
        camp.suggest(2)
    camp.observe(s["id"], [1.0, 1.1, 1.2])
    assert len(camp.suggest(1)) == 1


@pytest.mark.parametrize(
    "settings",
    [
        {"acquisition": "ts"},
        {"acquisition": "ucb", "beta": 3.0},
        {"acquisition": "pi"},
        {"surrogate": "random_features", "n_features": 300},
        {"y_transform": "rank"},
        {"kernel": "rbf", "ard": False},
    ],
)
def test_every_acquisition_and_surrogate_proposes_valid_batches(cu_slice, settings):
    energy = energy_lookup(cu_slice)
    camp = _run(
        Campaign(_space(cu_slice), target="e", maximize=False, n_initial=5, seed=2, **settings),
        energy,
        1,
        batch=5,
    )
    s = camp.suggest(4)
    assert s["id"].is_unique and (s["strategy"] == "model").all() and np.isfinite(s["score"]).all()
    assert not set(s["id"]) & set(camp.history()["id"])
    camp.observe(s["id"], energy(s["id"]))
    again = camp.suggest(2)  # warm-started from the previous fit
    assert again["id"].is_unique and not set(again["id"]) & set(camp.history()["id"])


def test_unknown_settings_are_refused(cu_slice):
    with pytest.raises(ParameterError, match="unknown campaign settings"):
        Campaign(_space(cu_slice), acquisiton="ei")
    with pytest.raises(ParameterError, match="unknown acquisition 'eii'"):
        Campaign(_space(cu_slice), acquisition="eii")


def test_cost_aware_acquisition_spends_less(cu_slice):
    """Translations with dx > 4 cost ten times more; EI per unit cost finds as low an energy for less."""
    frame = cu_slice.assign(cost=np.where(cu_slice["dx"] > 4, 10.0, 1.0))
    energy = energy_lookup(frame)
    cost = dict(zip(frame["id"], frame["cost"], strict=True))
    spent, best = {}, {}
    for col in (None, "cost"):
        camp = _run(
            Campaign(_space(frame, cost_col=col), target="e", maximize=False, n_initial=5, seed=4), energy, 25
        )
        ids = camp.history()["id"]
        spent[col], best[col] = sum(cost[i] for i in ids), camp.best()["value"]
    assert spent["cost"] < 0.6 * spent[None]
    assert best["cost"] <= np.percentile(frame["gb_energy"], 2)


def _cu_oracle(cu_gb):
    """Energy of a mixed point: linear in dx between grid points, exact on the dz / gb grid."""
    table = cu_gb.set_index(["gb", "dz", "dx"])["gb_energy"]

    def energy(p):
        gb, dz = float(p["layer"]), round(p["dz_step"] * 0.1, 1)
        lo = np.floor(p["dx"] * 10) / 10
        hi = min(lo + 0.1, 8.0)
        w = (p["dx"] - lo) / 0.1
        return (1 - w) * table[(gb, dz, round(lo, 1))] + w * table[(gb, dz, round(hi, 1))]

    return energy


def test_mixed_parameter_campaign(cu_gb):
    """A real, integer and categorical parameter: the translation dx, the dz step and the boundary layer."""
    space = ParameterSpace(
        [
            Real("dx", 0, 8),
            Integer("dz_step", 0, 36),
            Categorical("layer", ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5"]),
        ]
    )
    energy = _cu_oracle(cu_gb)
    camp = Campaign(space, target="e", maximize=False, n_initial=6, seed=0, n_raw=512)
    for _ in range(17):  # 40 experiments: random search reaches the best 1 % a third of the time
        s = camp.suggest(2)
        points = s[["dx", "dz_step", "layer"]].to_dict("records")
        camp.observe(s["id"], [energy(p) for p in points])
    best = camp.best()
    assert best["value"] <= np.percentile(cu_gb["gb_energy"], 1) and best["params"]["layer"] in (
        "1.1",
        "1.2",
        "1.3",
    )
    assert all(k.startswith("s") for k in camp.history()["id"])
    # a result for a point nobody suggested is welcome; one outside the space is not
    camp.observe(
        [{"dx": 3.2, "dz_step": 18, "layer": "1.2"}], [energy({"dx": 3.2, "dz_step": 18, "layer": "1.2"})]
    )
    assert camp.best()["value"] == pytest.approx(cu_gb["gb_energy"].min())
    with pytest.raises(ParameterError, match="value 9 of 'dx' is outside the space"):
        camp.observe([{"dx": 9.0, "dz_step": 1, "layer": "1.2"}], [1.0])
    with pytest.raises(ParameterError, match="already has a result"):
        camp.observe([{"dx": 3.2, "dz_step": 18, "layer": "1.2"}], [1.0])
    with pytest.raises(NotFoundError, match="not a suggestion"):
        camp.observe(["s99.1"], [1.0])


@pytest.mark.parametrize("acquisition", ["ei", "ts"])
def test_feasibility_model_steers_away_from_failures(cu_gb, acquisition):
    """Experiments with dx > 5 'fail' (no value).  With feasibility on, later suggestions avoid that region
    (EI weighted by P(success); Thompson sampling draws objective and feasibility jointly)."""
    space = ParameterSpace(
        [Real("dx", 0, 8), Integer("dz_step", 0, 36), Categorical("layer", ["1.1", "1.2", "1.3"])]
    )
    energy = _cu_oracle(cu_gb)
    share = {}
    for feas in (False, True):
        camp = Campaign(
            space,
            target="e",
            maximize=False,
            n_initial=8,
            seed=1,
            feasibility=feas,
            n_raw=512,
            acquisition=acquisition,
        )
        late = []
        for step in range(12):
            s = camp.suggest(2)
            pts = s[["dx", "dz_step", "layer"]].to_dict("records")
            ok = [p["dx"] <= 5 for p in pts]
            if step >= 4:
                late += [not o for o in ok]
            if any(ok):
                camp.observe(
                    [i for i, o in zip(s["id"], ok, strict=True) if o],
                    [energy(p) for p, o in zip(pts, ok, strict=True) if o],
                )
            if not all(ok):
                camp.fail([i for i, o in zip(s["id"], ok, strict=True) if not o], "sample cracked")
        share[feas] = float(np.mean(late))
    assert share[True] < share[False] and share[True] <= 0.25


def test_transfer_from_a_related_boundary_layer(cu_gb):
    """The gb = 1.3 layer's energies as prior mean rank the gb = 1.2 layer's translations better from 6 points."""
    from scipy.stats import spearmanr

    from matinfo.optimize import GaussianProcess

    src = cu_gb[np.isclose(cu_gb["gb"], 1.3)]
    tgt = cu_gb[np.isclose(cu_gb["gb"], 1.2)]
    scale = np.array([8.0, 3.6])
    Xs, ys = src[["dx", "dz"]].to_numpy()[::25] / scale, src["gb_energy"].to_numpy()[::25]
    test, truth = tgt[["dx", "dz"]].to_numpy()[::7] / scale, tgt["gb_energy"].to_numpy()[::7]
    rng = np.random.default_rng(0)
    rho = {"plain": [], "transfer": []}
    for _ in range(6):
        idx = rng.choice(len(tgt), 6, replace=False)
        X, y = tgt[["dx", "dz"]].to_numpy()[idx] / scale, tgt["gb_energy"].to_numpy()[idx]
        plain = GaussianProcess(random_state=0).fit(X, y).predict(test)
        transfer = TransferGP(source_X=Xs, source_y=ys, random_state=0).fit(X, y).predict(test)
        rho["plain"].append(spearmanr(plain, truth)[0])
        rho["transfer"].append(spearmanr(transfer, truth)[0])
    assert np.mean(rho["transfer"]) > np.mean(rho["plain"]) + 0.2 and min(rho["transfer"]) > 0.3


def test_campaign_transfer_uses_the_source_observations(cu_gb):
    src_frame = cu_gb[np.isclose(cu_gb["gb"], 1.3)].reset_index(drop=True)
    tgt_frame = cu_gb[np.isclose(cu_gb["gb"], 1.2)].reset_index(drop=True)
    source = _run(
        Campaign(_space(src_frame), target="e", maximize=False, n_initial=20, seed=0, name="gb13"),
        energy_lookup(src_frame),
        20,
    )
    camp = Campaign(
        _space(tgt_frame), target="e", maximize=False, n_initial=2, seed=0, transfer_from=[source]
    )
    _run(camp, energy_lookup(tgt_frame), 1, batch=2)
    s = camp.suggest(1)
    assert s["strategy"].iloc[0] == "model" and camp.status()["transfer_from"] == ["gb13"]
    plain = Campaign(_space(tgt_frame), target="e", maximize=False, n_initial=2, seed=0)
    _run(plain, energy_lookup(tgt_frame), 1, batch=2)
    assert plain.suggest(1)["id"].iloc[0] != s["id"].iloc[0]  # the prior changed the decision
    assert isinstance(pd.DataFrame(camp.history()), pd.DataFrame)
