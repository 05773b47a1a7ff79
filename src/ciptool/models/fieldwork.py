"""Audit fieldwork as records: the workpapers of a SOC 2 Type II period's samples, and the
auditor's requests for evidence (the PBC list, "provided by client").

As for every record kind, the field names are the file format's contract: snake_case, never
renamed; new optional fields may be added; unknown keys are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ciptool.models.records import Period, Record, Text
from ciptool.models.types import Count, RecordId, YamlDate, YamlInt

#: What testing one sample item found.
TestResult = Literal["not-tested", "pass", "deviation"]
#: Where an auditor's request stands.
RequestStatus = Literal["requested", "provided", "accepted", "rejected"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PopulationStamp(Record):
    """The population a sample was drawn from, as it was when it was drawn."""

    size: Count
    digest: Annotated[str, Field(pattern=_SHA256.pattern)] = Field(
        description="SHA-256 over the population's item ids and dates, in order."
    )


class SampleItem(Record):
    """One item of a sample and what testing it found."""

    item: Text = Field(description="The population item's id, as `ciptool audit sample` wrote it.")
    occurred_on: YamlDate
    result: TestResult = "not-tested"
    tester: str = ""
    tested_on: YamlDate | None = None
    notes: str = ""
    management_response: str = Field(
        "", description="What management says about a deviation and will do about it."
    )

    @model_validator(mode="after")
    def _tested(self) -> SampleItem:
        if self.result != "not-tested" and (not self.tester.strip() or self.tested_on is None):
            raise ValueError(
                f"a sample item whose result is `{self.result}` needs `tester` and `tested_on`"
            )
        return self


class Workpaper(Record):
    """One control's sample for one SOC 2 Type II period, and the results of testing it."""

    control: RecordId
    period: Period
    seed: YamlInt = Field(description="The seed the sample was drawn with.")
    population: PopulationStamp
    samples: list[SampleItem] = Field(default_factory=list)


#: An evidence reference of a request: the control, its evidence requirement, and the day the
#: record speaks for (the end of its period, or its effective day).
EVIDENCE_REFERENCE = re.compile(r"^([^/\s]+)/([^/\s]+)/(\d{4}-\d{2}-\d{2})$")
#: The statuses in which a request is still owed by its owner: asked for and not provided, or
#: provided and rejected by the auditor.
OUTSTANDING: tuple[RequestStatus, ...] = ("requested", "rejected")


class PbcRequest(Record):
    """An auditor's request for evidence: what, by when, from whom, and where it stands."""

    id: RecordId = Field(description="Unique across the repository, e.g. PBC-2026-001.")
    request: Text = Field(description="What is requested, in the auditor's words.")
    references: list[Text] = Field(
        default_factory=list,
        description="The framework requirements it serves, as framework:requirement.",
    )
    control: RecordId | None = None
    requirement: RecordId | None = Field(
        None, description="The control's evidence requirement the request asks for."
    )
    period: Period | None = Field(
        None,
        description="The audit period the request is for; `ciptool audit requests` keeps one"
        " request per control, evidence requirement and period.",
    )
    owner: Text = Field(description="Who must provide it.")
    provider: str = Field("", description="Who provided it, when someone did.")
    requested_on: YamlDate
    due_on: YamlDate
    status: RequestStatus = "requested"
    provided_on: YamlDate | None = Field(
        None, description="When it was provided; needed once the status is not `requested`."
    )
    evidence: list[Text] = Field(
        default_factory=list,
        description="The evidence records that answer it, as CONTROL/requirement/YYYY-MM-DD"
        " (the control, its evidence requirement, and the day the record speaks for: the end"
        " of its period, or its effective day).",
    )
    auditor_comments: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> PbcRequest:
        if self.due_on < self.requested_on:
            raise ValueError(
                f"`due_on` ({self.due_on}) is before `requested_on` ({self.requested_on})"
            )
        if self.status != "requested" and self.provided_on is None:
            raise ValueError(f"a request whose status is `{self.status}` needs `provided_on`")
        if self.status == "requested" and self.provided_on is not None:
            raise ValueError(
                f"a request provided on {self.provided_on} has status `provided`, `accepted`"
                " or `rejected`, not `requested`"
            )
        for reference in self.evidence:
            if not _is_reference(reference):
                raise ValueError(
                    f"evidence `{reference}` is not written CONTROL/requirement/YYYY-MM-DD,"
                    " e.g. IAM-03/recert-signoff/2026-03-31"
                )
        return self

    @property
    def outstanding(self) -> bool:
        """True while the owner still owes it: requested, or rejected by the auditor."""
        return self.status in OUTSTANDING

    def days_overdue(self, today: dt.date) -> int:
        """How many days past ``due_on`` it is on ``today`` while outstanding; 0 otherwise."""
        if not self.outstanding or today <= self.due_on:
            return 0
        return (today - self.due_on).days


def _is_reference(text: str) -> bool:
    match = EVIDENCE_REFERENCE.fullmatch(text)
    if match is None:
        return False
    try:
        dt.date.fromisoformat(match.group(3))
    except ValueError:
        return False
    return True
