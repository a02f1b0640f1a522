"""Ask/tell campaigns: ``suggest(n)`` the next experiments, ``observe(candidates, values)`` their results.

>>> import pandas as pd
>>> from matinfo.optimize import Campaign, DiscreteSpace
>>> pool = pd.DataFrame({"id": [f"c{i}" for i in range(30)], "x": [i / 29 for i in range(30)]})
>>> space = DiscreteSpace.from_frame(pool, features=["x"], id_col="id")
>>> camp = Campaign(space, target="y", maximize=False, seed=1, n_initial=3)
>>> first = camp.suggest(3)                       # random start (n_initial), then the model
>>> camp.observe(first["id"], [(x - 0.7) ** 2 for x in first["x"]])
>>> for _ in range(6):
...     s = camp.suggest(1)
...     camp.observe(s["id"], [(s["x"].iloc[0] - 0.7) ** 2])
>>> camp.best()["id"]                             # x = 20/29 = 0.69, the pool point nearest 0.7
'c20'

A campaign is its log (:mod:`matinfo.optimize.events`): in memory by default, in the store with
:meth:`Campaign.create` / :meth:`Campaign.load`.  Every call re-reads the log, so two processes (or a crash and a
restart) see the same state, and :meth:`suggest` draws from a random stream seeded by the campaign seed and the
suggestion step: the suggestions after a resume are identical to those of an uninterrupted run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from matinfo.errors import NotFoundError, ParameterError
from matinfo.optimize._tell import check_new, finite_values, jsonable, resolve
from matinfo.optimize.events import CampaignState, Event, replay
from matinfo.optimize.params import ParameterSpace
from matinfo.optimize.proposal import Settings, propose_discrete, propose_parameters
from matinfo.optimize.space import DiscreteSpace
from matinfo.optimize.storage import MemoryLog, StoreLog, insert_campaign, read_campaign

__all__ = ["Campaign", "default_n_initial"]


def default_n_initial(space: DiscreteSpace | ParameterSpace) -> int:
    """Random experiments before the model takes over: d + 1 for d features, at least 5 and at most 20."""
    return int(min(20, max(5, len(space.features) + 1)))


class Campaign:
    """A Bayesian-optimisation campaign over a :class:`DiscreteSpace` or a :class:`ParameterSpace`.

    Parameters
    ----------
    space : DiscreteSpace or ParameterSpace
    target : str
        Name of the measured quantity (a column of result files).
    maximize : bool
        Look for the largest (True) or smallest value.
    seed : int
        Seed of every random choice (derived per suggestion step).
    n_initial : int or None
        Random experiments before the model is used (:func:`default_n_initial` when None).
    transfer_from : sequence of Campaign or str
        Finished related campaigns whose observations become the prior mean (:mod:`~matinfo.optimize.transfer`);
        names refer to campaigns in the same store.
    name : str
    **settings
        Fields of :class:`~matinfo.optimize.proposal.Settings` (``acquisition="ts"``, ``kernel``, ...).
    """

    def __init__(
        self,
        space: DiscreteSpace | ParameterSpace,
        *,
        target: str = "y",
        maximize: bool = True,
        seed: int = 0,
        n_initial: int | None = None,
        transfer_from: Sequence[Campaign | str] = (),
        name: str = "campaign",
        _log: Any = None,
        _db: Any = None,
        **settings: Any,
    ) -> None:
        if not isinstance(space, DiscreteSpace | ParameterSpace):
            raise ParameterError(
                f"space must be a DiscreteSpace or ParameterSpace, not {type(space).__name__}"
            )
        self.space = space
        self.target = str(target)
        self.maximize = bool(maximize)
        self.seed = int(seed)
        self.n_initial = default_n_initial(space) if n_initial is None else int(n_initial)
        if self.n_initial < 1:
            raise ParameterError(f"n_initial must be >= 1, got {n_initial!r}")
        self.settings = Settings.from_dict(settings)
        self.transfer_from = tuple(transfer_from)
        self.name = name
        self._log = _log if _log is not None else MemoryLog()
        self._db = _db
        self._events: list[Event] = []
        self._state = CampaignState()

    # -- persistence -----------------------------------------------------------------------------------------
    @classmethod
    def create(cls, db: Any, name: str, space: DiscreteSpace | ParameterSpace, **options: Any) -> Campaign:
        """Create campaign ``name`` in the store ``db`` (a :class:`~matinfo.store.Database` or URL)."""
        db = _database(db)
        camp = cls(space, name=name, **options)  # validates everything before writing
        for src in camp.transfer_from:
            if not isinstance(src, str):
                raise ParameterError(
                    "a stored campaign transfers from other stored campaigns: give their names"
                )
            read_campaign(db, src)
        cid = insert_campaign(
            db,
            name=name,
            space=space,
            target=camp.target,
            maximize=camp.maximize,
            seed=camp.seed,
            settings=camp._stored_settings(),
        )
        camp._log, camp._db = StoreLog(db, cid, name), db
        return camp

    @classmethod
    def load(cls, db: Any, name: str) -> Campaign:
        """Campaign ``name`` of the store ``db``, with its state rebuilt from the log."""
        db = _database(db)
        row, table = read_campaign(db, name)
        spec = row["space"]
        if row["space_kind"] == "discrete":
            space = DiscreteSpace(
                table,
                features=spec["features"],
                id_col=table.columns[0],
                cost_col=spec.get("cost_col"),
                source=spec.get("source") or f"campaign {name!r}",
            )
        else:
            space = ParameterSpace.from_spec(spec)
        opts = dict(row["settings"])
        opts.setdefault("periodic", "off")  # campaigns stored before the option resume exactly as they ran
        camp = cls(
            space,
            target=row["target"],
            maximize=row["maximize"],
            seed=row["seed"],
            n_initial=opts.pop("n_initial"),
            transfer_from=tuple(opts.pop("transfer_from", ())),
            name=name,
            _log=StoreLog(db, row["id"], name),
            _db=db,
            **opts,
        )
        camp._sync()
        return camp

    def _stored_settings(self) -> dict[str, Any]:
        names = [s if isinstance(s, str) else s.name for s in self.transfer_from]
        return {**self.settings.to_dict(), "n_initial": self.n_initial, "transfer_from": names}

    # -- the log ---------------------------------------------------------------------------------------------
    def _sync(self) -> CampaignState:
        new = self._log.events(after=len(self._events))
        if new:
            self._events.extend(new)
            self._state = replay(self._events)
        return self._state

    def events(self) -> list[Event]:
        """The whole log, oldest first."""
        self._sync()
        return list(self._events)

    def state(self) -> CampaignState:
        """The state rebuilt from the log (observations, failures, pending suggestions), re-read now."""
        return self._sync()

    def encode(self, entries: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Encoded rows (what the surrogate sees) of log entries (dicts with ``id`` and ``params``)."""
        return self._rows(entries)

    def _append(self, kind: str, payload: dict[str, Any]) -> Event:
        ev = self._log.append(kind, payload, seq=self._state.last_seq + 1)
        self._sync()
        return ev

    # -- helpers ---------------------------------------------------------------------------------------------
    def _sign(self) -> float:
        return 1.0 if self.maximize else -1.0

    def _rows(self, entries: Sequence[Mapping[str, Any]]) -> np.ndarray:
        if not entries:
            return np.empty((0, self.space.encoded.shape[1] if self._discrete else self.space.n_dims))
        if self._discrete:
            return self.space.encoded[self.space.positions([e["id"] for e in entries])]
        return self.space.encode([e["params"] for e in entries])

    @property
    def _discrete(self) -> bool:
        return isinstance(self.space, DiscreteSpace)

    def _transfer_source(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Encoded rows and (maximise-convention) values of the related campaigns' observations."""
        if not self.transfer_from:
            return None
        Xs, ys = [], []
        for src in self.transfer_from:
            other = Campaign.load(self._db, src) if isinstance(src, str) else src
            obs = list(other._sync().observations.values())
            if obs:
                Xs.append(self.space.encode_records([o["params"] for o in obs]))
                ys.append(self._sign() * np.array([o["value"] for o in obs]))
        if not Xs:
            return None
        return np.vstack(Xs), np.concatenate(ys)

    # -- ask -------------------------------------------------------------------------------------------------
    def suggest(self, n: int = 1) -> Any:
        """The next ``n`` experiments (a DataFrame: ``id``, feature/parameter columns, ``strategy``,
        ``predicted`` and ``std`` of the target, ``score``, ``step``), recorded as pending."""
        import pandas as pd

        if int(n) < 1:
            raise ParameterError(f"ask for at least one suggestion, got n={n!r}")
        n = int(n)
        st = self._sync()
        step = st.n_suggestions + 1
        rng = np.random.default_rng([self.seed, step])
        obs = list(st.observations.values())
        busy = list(st.pending.values()) + list(st.failures.values())
        n_random = max(0, min(n, self.n_initial - len(obs) - len(st.pending)))
        if len({o["value"] for o in obs}) < 2:
            n_random = n  # a model needs two different values
        picks: list[dict[str, Any]] = []
        hyper = None
        if self._discrete:
            mask = np.ones(len(self.space), dtype=bool)
            mask[self.space.positions(sorted(st.tried | set(st.pending)))] = False
            free = np.flatnonzero(mask)
            if len(free) < n:
                raise ParameterError(
                    f"asked for {n} suggestion(s) but only {len(free)} of the {len(self.space)} candidates are "
                    f"untested and not pending; observe or cancel the pending ones, or ask for fewer"
                )
            rand = rng.choice(free, n_random, replace=False) if n_random else np.empty(0, dtype=np.int64)
            picks += [self._pick_discrete(int(p), "random") for p in rand]
            if n > n_random:
                X, y = self._rows(obs), self._sign() * np.array([o["value"] for o in obs])
                rest = np.setdiff1d(free, rand, assume_unique=True)
                prop = propose_discrete(
                    self.space.encoded,
                    rest,
                    X,
                    y,
                    n - n_random,
                    self.settings,
                    rng,
                    busy=np.vstack([self._rows(busy), self.space.encoded[rand]]),
                    failed=self._rows(list(st.failures.values())),
                    cost=self.space.cost,
                    init_params=st.hyperparameters,
                    source=self._transfer_source(),
                    restarts=step % self.settings.refit_every == 1 or self.settings.refit_every == 1,
                )
                hyper = prop.hyperparameters
                for k, pos in enumerate(prop.positions):
                    picks.append(self._pick_discrete(int(pos), "model", prop, k))
        else:
            Z = self.space.sample(n_random, rng) if n_random else np.empty((0, self.space.n_dims))
            picks += [{"params": p, "strategy": "random"} for p in self.space.decode(Z)] if n_random else []
            if n > n_random:
                X, y = self._rows(obs), self._sign() * np.array([o["value"] for o in obs])
                prop = propose_parameters(
                    self.space,
                    X,
                    y,
                    n - n_random,
                    self.settings,
                    rng,
                    busy=np.vstack([self._rows(busy), Z]),
                    failed=self._rows(list(st.failures.values())),
                    init_params=st.hyperparameters,
                    source=self._transfer_source(),
                    restarts=step % self.settings.refit_every == 1 or self.settings.refit_every == 1,
                )
                hyper = prop.hyperparameters
                for k, params in enumerate(self.space.decode(prop.rows)):
                    picks.append({"params": params, "strategy": "model", **self._model_view(prop, k)})
            for i, p in enumerate(picks):
                p["id"] = f"s{step}.{i + 1}"
        payload = {"step": step, "candidates": [jsonable(p) for p in picks], "hyperparameters": hyper}
        self._append("suggestion", payload)
        rows = [
            {"id": p["id"], **p["params"], **{k: p.get(k) for k in ("strategy", "predicted", "std", "score")}}
            for p in picks
        ]
        frame = pd.DataFrame(rows)
        frame["step"] = step
        return frame

    def _pick_discrete(self, pos: int, strategy: str, prop=None, k: int = 0) -> dict[str, Any]:
        out = {"id": str(self.space.ids[pos]), "params": self.space.record(pos), "strategy": strategy}
        if prop is not None:
            out.update(self._model_view(prop, k))
        return out

    def _model_view(self, prop, k: int) -> dict[str, Any]:
        return {
            "predicted": float(self._sign() * prop.mean[k]),
            "std": float(prop.std[k]),
            "score": float(prop.score[k]),
        }

    # -- tell ------------------------------------------------------------------------------------------------
    def observe(
        self,
        candidates: Sequence[Any],
        values: Sequence[float],
        *,
        note: str | None = None,
        dry_run: bool = False,
    ) -> None:
        """Record measured ``values`` of ``candidates`` (IDs, or parameter dicts) as one event.

        All or nothing: a NaN, a duplicate, an unknown candidate or a point outside the space raises before
        anything is written.  ``dry_run=True`` only checks.
        """
        st = self._sync()
        candidates, values = list(candidates), list(values)
        if len(candidates) != len(values):
            raise ParameterError(
                f"{len(candidates)} candidates but {len(values)} values; give one value each"
            )
        if not candidates:
            raise ParameterError("nothing to observe: no candidates given")
        resolved = resolve(self.space, candidates, st, self.name)
        nums = finite_values(resolved, values)
        check_new(self.space, resolved, st, self.target, "observation")
        base = st.last_seq + 1
        results = [
            {"id": key if key is not None else f"x{base}.{i + 1}", "params": params, "value": x}
            for i, ((key, params), x) in enumerate(zip(resolved, nums, strict=True))
        ]
        if not dry_run:
            self._append("observation", jsonable({"results": results, "note": note}))

    def fail(
        self,
        candidates: Sequence[Any],
        reason: str = "",
        *,
        reasons: Sequence[str] | None = None,
        dry_run: bool = False,
    ) -> None:
        """Record failed experiments (no value): kept in the log, left out of the model, not proposed again.

        ``reasons`` gives one reason per candidate instead of the common ``reason``; ``dry_run=True`` only checks.
        """
        st = self._sync()
        candidates = list(candidates)
        if not candidates:
            raise ParameterError("nothing to record: no candidates given")
        why = list(reasons) if reasons is not None else [reason] * len(candidates)
        if len(why) != len(candidates):
            raise ParameterError(f"{len(candidates)} candidates but {len(why)} reasons")
        resolved = resolve(self.space, candidates, st, self.name)
        check_new(self.space, resolved, st, self.target, "failure record")
        base = st.last_seq + 1
        results = [
            {"id": key if key is not None else f"x{base}.{i + 1}", "params": params, "reason": str(r or "")}
            for i, ((key, params), r) in enumerate(zip(resolved, why, strict=True))
        ]
        if not dry_run:
            self._append("failure", jsonable({"results": results}))

    def cancel(self, candidates: Sequence[Any] | None = None, *, reason: str = "") -> list[str]:
        """Withdraw pending suggestions (all when ``candidates`` is None); returns the IDs withdrawn."""
        st = self._sync()
        ids = list(st.pending) if candidates is None else [str(c) for c in candidates]
        unknown = [i for i in ids if i not in st.pending]
        if unknown:
            raise NotFoundError(f"not pending: {unknown[:5]}; pending are {list(st.pending)[:10]}")
        if ids:
            self._append("cancellation", {"ids": ids, "reason": reason})
        return ids

    # -- reports ---------------------------------------------------------------------------------------------
    def best(self) -> dict[str, Any] | None:
        """The best observation so far (``id``, ``params``, ``value``, ``seq``), or None."""
        obs = list(self._sync().observations.values())
        if not obs:
            return None
        pick = max if self.maximize else min
        return dict(pick(obs, key=lambda o: o["value"]))

    def status(self) -> dict[str, Any]:
        """Counts, best result and settings, JSON-ready."""
        st = self._sync()
        out = {
            "name": self.name,
            "target": self.target,
            "goal": "maximize" if self.maximize else "minimize",
            "space": self.space.spec(),
            "seed": self.seed,
            "n_initial": self.n_initial,
            "settings": self.settings.to_dict(),
            "transfer_from": [s if isinstance(s, str) else s.name for s in self.transfer_from],
            "events": st.last_seq,
            "suggestions": st.n_suggestions,
            "observed": len(st.observations),
            "failed": len(st.failures),
            "pending": sorted(st.pending),
            "best": self.best(),
        }
        return jsonable(out)

    def history(self) -> Any:
        """One row per observation and failure, in log order, with the best-so-far value."""
        from matinfo.optimize.report import history_frame

        return history_frame(self)


def _database(db: Any):
    if isinstance(db, str):
        from matinfo.store import connect

        return connect(db)
    return db
