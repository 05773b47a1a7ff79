"""Questions about a loaded repository that checks and reports both ask, answered once:

- :mod:`~ciptool.queries.coverage`: where each in-scope requirement stands, and why;
- :mod:`~ciptool.queries.evidence`: which day a record speaks for, and where each evidence
  requirement stands on a day;
- :mod:`~ciptool.queries.intervals`: the SOC 2 Type II intervals a recurring control missed;
- :mod:`~ciptool.queries.exceptions`: the live exceptions, and what none may cover;
- :mod:`~ciptool.queries.readings`: how a requirement id reads, and the words that explain it;
- :mod:`~ciptool.queries.suggestions`: "did you mean" for an id that names nothing.

Below the checks: a query imports no check, and a report asks a query, never a check.
"""
