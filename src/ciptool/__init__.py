"""ciptool: compliance as code for an information-protection program."""

__version__ = "0.1.0"
#: ciptool's home: its source repository, where its documentation lives (also in pyproject.toml).
HOMEPAGE = "https://github.com/ciptool/ciptool"
