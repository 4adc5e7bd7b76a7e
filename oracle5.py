import glob, pickle, warnings, sys
warnings.simplefilter("ignore")
import numpy as np, pandas as pd, statsmodels.api as sm
for g in sys.argv[1:]:
    hits = 0; n = 0; ps = []
    for p in sorted(glob.glob(g)):
        d = pickle.load(open(p, "rb")); f = d["features"]
        h = f["duration_min"]/60; T = f["air_temp_c"].fillna(f["air_temp_c"].median())
        X = pd.DataFrame({"dose": (T-12).clip(lower=0)*h})
        if "two_causes" in p: X["streak"] = f["run_streak_days"].astype(float)
        m = sm.Logit(d["numb"].astype(float), sm.add_constant(X)).fit(disp=0)
        ok = all(m.pvalues[c] < 0.05 and m.params[c] > 0 for c in X); hits += ok; n += 1
        ps.append(" ".join(f"{m.pvalues[c]:.3f}" for c in X))
    print(g, f"oracle {hits}/{n}", ps)
