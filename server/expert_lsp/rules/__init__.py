"""The rule catalogue: one module per rule, discovered by name (``asy101_*.py`` ...).

Discovery keeps the registry free of a central list that every new rule would edit; the
order of rules is their id order, so output is deterministic.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from expert_lsp.analysis.rule import Rule

_RULE_MODULE = re.compile(r"^[a-z]{2,4}\d{3}_\w+$")


@cache
def rule_classes() -> tuple[type[Rule], ...]:
    """Every rule class of the catalogue, sorted by id."""
    found: dict[str, type[Rule]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if not _RULE_MODULE.match(module_info.name):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
                and getattr(value, "id", None)
            ):
                if value.id in found:
                    raise RuntimeError(f"duplicate rule id {value.id}")
                found[value.id] = value
    return tuple(found[rule_id] for rule_id in sorted(found))


def all_rules() -> list[Rule]:
    """Fresh instances of every rule."""
    return [cls() for cls in rule_classes()]


def rule_by_id(rule_id: str) -> type[Rule] | None:
    """The rule class with ``rule_id`` (case-insensitive), if any."""
    wanted = rule_id.upper()
    return next((cls for cls in rule_classes() if cls.id == wanted), None)


def default_enabled_ids() -> frozenset[str]:
    """Ids of the rules that are on when ``select`` is not set."""
    return frozenset(cls.id for cls in rule_classes() if cls.default_enabled)
