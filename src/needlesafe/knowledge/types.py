"""The small value types every knowledge schema shares, and the marked ones the walker finds.

A field typed `PatientText` is read by patients: the lint checks its reading grade and its
medical words. `PatientLabel` is a short label read together with the patient texts beside it
(measured as "label. text"). `SourceIds` cite sources.yaml. The code aliases (`AreaCode`,
`SymptomCode` ...) name a code that must exist in their vocabulary. See
`needlesafe.knowledge.walk`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from needlesafe.knowledge.walk import PATIENT_LABEL, PATIENT_TEXT, SOURCE_IDS, CodeOf

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
PlainText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

PatientText = Annotated[PlainText, PATIENT_TEXT]
PatientLabel = Annotated[PlainText, PATIENT_LABEL]

SourceIds = Annotated[list[Code], Field(min_length=1), SOURCE_IDS]
OptionalSourceIds = Annotated[list[Code], SOURCE_IDS]

AreaCode = Annotated[Code, CodeOf("areas")]
AllergyCode = Annotated[Code, CodeOf("allergies")]
ConditionCode = Annotated[Code, CodeOf("conditions")]
MedicationCode = Annotated[Code, CodeOf("medications")]
DeviceCode = Annotated[Code, CodeOf("devices")]
NumbingAgentCode = Annotated[Code, CodeOf("numbing_agents")]
TopicalCode = Annotated[Code, CodeOf("topicals")]
SymptomCode = Annotated[Code, CodeOf("symptoms")]
ComplicationCode = Annotated[Code, CodeOf("complications")]
PrecautionCode = Annotated[Code, CodeOf("precautions")]
# Fitzpatrick codes are Roman numerals ("IV"), not lower-case codes
FitzpatrickCode = Annotated[str, CodeOf("fitzpatrick")]
