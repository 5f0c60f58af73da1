"""The lavaan tutorial models and fit-measure names the CB-SEM golden tests share.

HolzingerSwineford1939's three-factor CFA and Bollen's PoliticalDemocracy SEM, as in
the lavaan tutorial (and in ``tests/reference/*/make_reference.R``).
"""

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""

#: csi fit-index name -> lavaan ``fitMeasures`` name, for the measures both report
LAVAAN_FIT_NAMES = {
    "npar": "npar",
    "chisq": "chisq",
    "df": "df",
    "pvalue": "pvalue",
    "baseline_chisq": "baseline.chisq",
    "baseline_df": "baseline.df",
    "cfi": "cfi",
    "tli": "tli",
    "nfi": "nfi",
    "gfi": "gfi",
    "agfi": "agfi",
    "rmsea": "rmsea",
    "rmsea_ci_lower": "rmsea.ci.lower",
    "rmsea_ci_upper": "rmsea.ci.upper",
    "rmsea_pvalue": "rmsea.pvalue",
    "srmr": "srmr",
    "loglik": "logl",
    "unrestricted_loglik": "unrestricted.logl",
    "aic": "aic",
    "bic": "bic",
    "bic_adjusted": "bic2",
}

#: likelihood-based measures (ML family only; DWLS/WLSMV report none of them)
LIKELIHOOD_MEASURES = ("loglik", "unrestricted_loglik", "aic", "bic", "bic_adjusted")

#: csi fit-index names whose lavaan ``fitMeasures`` name is not the dotted form of the
#: name (``cfi_robust`` -> ``cfi.robust`` needs no entry)
LAVAAN_UNDOTTED_NAMES = {
    "n": "ntotal",
    "loglik": "logl",
    "unrestricted_loglik": "unrestricted.logl",
    "bic_adjusted": "bic2",
    "scaling_factor": "chisq.scaling.factor",
    "baseline_scaling_factor": "baseline.chisq.scaling.factor",
}
