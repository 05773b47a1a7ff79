"""ciptool: compliance as code for an information-protection program."""

__version__ = "0.1.0"
