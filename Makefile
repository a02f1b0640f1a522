# Two commands for a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DB ?= sqlite:///$(CURDIR)/demo-out/matinfo-demo.db
export MATINFO_DB_URL ?= $(DEMO_DB)
PORT ?= 8000

.PHONY: install demo demo-db serve test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: its CPU wheel (chgnet needs torch; an unpinned one pulls multi-GB CUDA builds)
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[test,postgres,calc,web,encoder]"
	touch $(STAMP)

install: $(STAMP)

demo-db: install
	@mkdir -p demo-out
	@rm -f demo-out/matinfo-demo.db  # every demo starts from a fresh database (the literature steps act on record ids)
	$(BIN)/matinfo db init --demo --db "$(DEMO_DB)"

demo: demo-db
	@echo; echo "== Li-ion conductors with sigma >= 0.1 mS/cm near room temperature (unit-aware) =="
	$(BIN)/matinfo db search --db "$(DEMO_DB)" --elements Li --property "ionic_conductivity >= 0.1 mS/cm" --condition "temperature 290..310 K" --limit 15
	@echo; echo "== TiO2: one formula, several distinct phases (substances) =="
	$(BIN)/matinfo db search --db "$(DEMO_DB)" --formula TiO2
	@echo; echo "== OPTIMADE filter: binary tellurides with a measured zT >= 1 =="
	$(BIN)/matinfo db search --db "$(DEMO_DB)" --filter 'elements HAS "Te" AND nelements = 2 AND _matinfo_zt >= 1' --limit 10
	@echo; echo "== Substance page: the LLZO garnet and every material linked to it =="
	$(BIN)/matinfo db show --db "$(DEMO_DB)" Li7La3Zr2O12
	@echo; $(BIN)/matinfo db stats --db "$(DEMO_DB)"
	@echo; echo "== Descriptors: the OBELiX materials of the database, composition from the formula, structure from the CIF =="
	$(BIN)/matinfo featurize --db "$(DEMO_DB)" --dataset obelix -f element_stats@formula -f stoichiometry@formula -f structure_basics@cif -f site_occupancy@cif --on-error nan --out demo-out/obelix-features.parquet
	@echo; echo "== Models: LSBoost vs SVM vs GPR for log10 Li-ion conductivity, folds grouped by substance; importance by category; ablation =="
	$(BIN)/matinfo model study --db "$(DEMO_DB)" --dataset obelix --target "ionic_conductivity [S/cm]" --log-target --censored drop --structure-col cif --numeric structure:space_group --group-col substance_id --models lgbm,svm,gp --analysis-model lgbm --out demo-out/obelix-study
	@echo; echo "== Screening: three model types (LSBoost, SVM, GPR) on OBELiX compositions, each saved with its model card =="
	$(BIN)/matinfo model fit --db "$(DEMO_DB)" --dataset obelix --target "ionic_conductivity [S/cm]" --log-target --censored drop --group-col substance_id --model lgbm --out demo-out/models/lgbm
	$(BIN)/matinfo model fit --db "$(DEMO_DB)" --dataset obelix --target "ionic_conductivity [S/cm]" --log-target --censored drop --group-col substance_id --model svm --out demo-out/models/svm
	$(BIN)/matinfo model fit --db "$(DEMO_DB)" --dataset obelix --target "ionic_conductivity [S/cm]" --log-target --censored drop --group-col substance_id --model gp --out demo-out/models/gp
	@echo; echo "== Consensus screen of the charge-balanced Li-La-Zr-Ta-O simplex for the highest conductivity: each model's top 20 and their overlaps =="
	$(BIN)/matinfo screen run --models demo-out/models/lgbm demo-out/models/svm demo-out/models/gp --candidates "grid:Li-La-Zr-Ta-O:step=0.04" --goal max --charge-balanced --top 20 --out demo-out/screen
	@echo; echo "== Bayesian experiment planning over the consensus hits: the next five experiments =="
	$(BIN)/matinfo campaign new llzo-dopants --db "$(DEMO_DB)" --candidates demo-out/screen/hits.csv --features "x(Li),x(La),x(Zr),x(Ta),x(O)" --id-col candidate --target log10_ionic_conductivity --maximize --seed 0
	$(BIN)/matinfo campaign suggest llzo-dopants --db "$(DEMO_DB)" -n 5
	@echo; echo "== Candidate structures: anti-perovskites on the cubic perovskite prototype, ranked by the three models =="
	$(BIN)/matinfo screen run --models demo-out/models/lgbm demo-out/models/svm demo-out/models/gp --candidates "substitute:AB3C_cP5_221_a_c_b:A=Cl,Br,I/B=Li,Na/C=O,S" --goal max --top 5 --no-figure --out demo-out/screen-structures
	@echo; echo "== CHGNet (offline) relaxes the top 3 with elemental references: formation energy, energy above hull, stored =="
	$(BIN)/matinfo calc submit --db "$(DEMO_DB)" --hits demo-out/screen-structures/hits.csv --top 3 --workflow -p steps=100 --tag demo
	$(BIN)/matinfo calc run --db "$(DEMO_DB)" --tag demo --parallel 2
	$(BIN)/matinfo calc results --db "$(DEMO_DB)" --tag demo
	$(BIN)/matinfo db search --db "$(DEMO_DB)" --dataset calculations
	@echo; echo "== Literature: extract from three open-access texts into the draft queue (nothing is public yet) =="
	$(BIN)/matinfo lit ingest --db "$(DEMO_DB)" src/matinfo/data/literature/examples/*.txt
	$(BIN)/matinfo lit review --db "$(DEMO_DB)" --limit 12
	@echo; echo "== An editor accepts four records, rejects one with a reason, publishes; the audit trail of one record =="
	$(BIN)/matinfo lit review --db "$(DEMO_DB)" --accept 1,2,3,4 --actor demo-editor --limit 0
	$(BIN)/matinfo lit review --db "$(DEMO_DB)" --reject 8 --note "power/polarisation values belong to the cell, not to the GDC electrolyte" --actor demo-editor --limit 0
	$(BIN)/matinfo lit publish --db "$(DEMO_DB)" --actor demo-chief
	$(BIN)/matinfo lit review --db "$(DEMO_DB)" --history 1
	@echo; echo "== The published literature values on their substance, next to the OBELiX data =="
	$(BIN)/matinfo db show --db "$(DEMO_DB)" Li7La3Zr2O12
	$(BIN)/matinfo lit overview --db "$(DEMO_DB)" --top 10 --out demo-out/literature-overview
	@echo; echo "== Browse the demo database: run 'make serve', then open http://127.0.0.1:$(PORT)/ (search, substance pages with 3D structures, /docs for the REST API, /optimade/v1/info) =="

serve: install
	$(BIN)/matinfo serve --db "$(DEMO_DB)" --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

bench: install
	$(BIN)/python -m pip install -q --no-deps --ignore-requires-python crabnet==2.0.8
	$(BIN)/python benchmarks/cli_startup.py --runs 20 --out docs/benchmarks.md
	$(BIN)/python benchmarks/store_scale.py --out docs/benchmarks.md
	$(BIN)/python benchmarks/featurize_speed.py
	$(BIN)/python benchmarks/matbench_tasks.py
	$(BIN)/python benchmarks/obelix_models.py
	$(BIN)/python benchmarks/screen_speed.py
	$(BIN)/python benchmarks/screen_showcase.py
	$(BIN)/python benchmarks/bo_physbo.py
	$(BIN)/python benchmarks/literature_extraction.py
	$(BIN)/python benchmarks/literature_relevance.py --no-save
	$(BIN)/python benchmarks/calc_chgnet.py --save
	$(BIN)/python benchmarks/calc_lattice.py --chgnet --save
	$(BIN)/python benchmarks/web_load.py

clean:
	rm -rf demo-out .pytest_cache
