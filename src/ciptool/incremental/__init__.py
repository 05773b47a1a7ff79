"""All reuse of earlier work: file signatures, the per-file cache, read-ahead workers, kept
results and the partial recheck. Only :mod:`ciptool.app` imports this package; a result made
here is always the one a run without it would make.
"""
