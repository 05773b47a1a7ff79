"""All reuse of earlier work: file signatures, the per-file cache, read-ahead workers, kept
results and the partial recheck. It supplies the loader a file source
(:mod:`ciptool.loader.source`) that takes unchanged files from the cache and records what was
read. Only :mod:`ciptool.app` imports this package (an import-linter contract says so); a
result made here is always the one a run without it would make.
"""
