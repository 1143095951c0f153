"""The rule catalogue: one module per rule, discovered by name (``asy101_*.py`` ...).

Discovery keeps the registry free of a central list that every new rule would edit; the
order of rules is their id order, so output is deterministic.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from functools import cache

from expert_lsp.analysis.rule import Rule

_RULE_MODULE = re.compile(r"^[a-z]{2,4}\d{3}_\w+$")


def rule_module_names(names: Iterable[str]) -> list[str]:
    """The rule modules among the package's module ``names``; helpers start with ``_``.

    Any other name is an error rather than a silently skipped rule: ``blocking.py`` or
    ``ASY109_x.py`` would otherwise never run, and nothing would say so.
    """
    names = list(names)
    misnamed = sorted(n for n in names if not n.startswith("_") and not _RULE_MODULE.match(n))
    if misnamed:
        raise RuntimeError(
            f"rules/: {', '.join(misnamed)} is neither a rule module (named like "
            "asy101_short_name.py) nor a helper (named like _helpers.py)"
        )
    return sorted(n for n in names if _RULE_MODULE.match(n))


@cache
def rule_classes() -> tuple[type[Rule], ...]:
    """Every rule class of the catalogue, sorted by id."""
    found: dict[str, type[Rule]] = {}
    for name in rule_module_names(info.name for info in pkgutil.iter_modules(__path__)):
        module = importlib.import_module(f"{__name__}.{name}")
        before = len(found)
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
        if len(found) == before:
            raise RuntimeError(f"rules/{name}.py defines no rule class")
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
