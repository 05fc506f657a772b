"""The learned display gate: stage 1 (does a unit need review?) and stage 2 (show this suggestion?)."""

from tactful.server.gate.history import GateHistory
from tactful.server.gate.runtime import DisplayGate, Gate, gate_stage
from tactful.server.gate.stage1 import UnitGate
from tactful.server.gate.stage2 import Decision, SuggestionGate

__all__ = [
    "Decision",
    "DisplayGate",
    "Gate",
    "GateHistory",
    "SuggestionGate",
    "UnitGate",
    "gate_stage",
]
