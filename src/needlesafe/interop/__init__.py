"""Working inside the clinic's other systems: CDS Hooks 2.0 cards and FHIR R4 in and out.

Pure mapping code: FHIR resources -> the engine contract's intake (`fhir_in`), assessments ->
CDS Hooks cards (`cds`), stored records -> a FHIR R4 Bundle (`fhir_out`), and the CDS client's
JWT check (`jwt_auth`). The clinical mappings are data (`knowledge/code_map.yaml`); the
database, the network and the clock are the services' (`services/interop.py`).
"""
