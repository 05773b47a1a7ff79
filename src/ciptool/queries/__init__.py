"""Questions about a loaded repository that checks and reports both ask."""
