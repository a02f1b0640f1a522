"""Cheap hand-made descriptors from element tables (magpie tables shipped with matminer +
pymatgen periodic table): glass-forming descriptors (size mismatch, electronegativity
spread, VEC, mixing entropy), properties of the 3 majority elements, class fractions.
Cached to cache/custom.parquet."""
from pathlib import Path
import numpy as np, pandas as pd
from pymatgen.core import Composition, Element
import matminer
from featurize import comps, C

T = Path(matminer.__file__).parent / "utils/data_files/magpie_elementdata"
def tab(name):
    v = []
    for l in open(T / f"{name}.table"):
        l = l.strip().split()[0] if l.strip() else "NA"
        try: v.append(float(l))
        except ValueError: v.append(np.nan)
    return np.array(v)  # index = Z-1
P = {n: tab(n) for n in ["MiracleRadius", "CovalentRadius", "Electronegativity", "NValence", "MendeleevNumber",
                          "Row", "Column", "MeltingT", "IsMetal", "IsMetalloid", "IsNonmetal", "IsDBlock", "IsFBlock",
                          "IsAlkali", "Number", "AtomicWeight", "GSvolume_pa", "NdValence", "NpValence", "NsValence"]}
P["AllenEN"] = tab("AllenElectronegativity") if (T / "AllenElectronegativity.table").exists() else P["Electronegativity"]
MET = np.array([ (Element.from_Z(z).metallic_radius or np.nan) if z <= 103 else np.nan for z in range(1, len(P["Number"]) + 1)], float)
P["MetallicRadius"] = MET
for k in P:  # impute missing with column mean so stats are defined
    a = P[k]; a[np.isnan(a)] = np.nanmean(a)
ANION = {"O", "S", "Se", "Te", "N", "P", "F", "Cl", "Br", "I", "As", "Sb", "C", "H", "B", "Si", "Ge"}

def feats(c):
    comp = Composition(c).fractional_composition
    els = sorted(comp.items(), key=lambda kv: -kv[1])
    Z = np.array([e.Z for e, _ in els]) - 1; x = np.array([f for _, f in els], float)
    d = {"n_el": len(x), "smix": -(x * np.log(x)).sum()}
    for i in range(3):
        d[f"frac_{i}"] = x[i] if i < len(x) else 0.0
    for rn in ["MiracleRadius", "CovalentRadius", "MetallicRadius"]:
        r = P[rn][Z]; rb = (x * r).sum()
        d[f"delta_{rn}"] = np.sqrt((x * (1 - r / rb) ** 2).sum())
        d[f"rratio_{rn}"] = r.max() / r.min()
        d[f"rmaj_{rn}"] = r[0] / rb
    for en in ["Electronegativity", "AllenEN"]:
        e = P[en][Z]; eb = (x * e).sum()
        d[f"dchi_{en}"] = np.sqrt((x * (e - eb) ** 2).sum()); d[f"maxdchi_{en}"] = e.max() - e.min()
    v = P["NValence"][Z]; d["vec"] = (x * v).sum(); d["vec_std"] = np.sqrt((x * (v - d["vec"]) ** 2).sum())
    for k in ["IsMetal", "IsMetalloid", "IsNonmetal", "IsDBlock", "IsFBlock", "IsAlkali"]:
        d[f"frac_{k}"] = (x * P[k][Z]).sum()
    d["frac_anion"] = sum(f for e, f in els if e.symbol in ANION)
    for i in range(3):
        for k in ["Number", "MendeleevNumber", "MiracleRadius", "Electronegativity", "NValence", "Row", "Column", "MeltingT"]:
            d[f"el{i}_{k}"] = P[k][Z[i]] if i < len(x) else np.nan
    # melting-point depression proxy: ideal-mixing T vs weighted Tm of elements
    tm = P["MeltingT"][Z]; d["tm_mean"] = (x * tm).sum(); d["tm_min_over_mean"] = tm.min() / d["tm_mean"]
    return d

if __name__ == "__main__":
    cs = comps()
    df = pd.DataFrame([feats(c) for c in cs], index=cs).add_prefix("custom|").astype(float)
    df.to_parquet(C / "custom.parquet"); print(df.shape, df.isna().mean().mean())
